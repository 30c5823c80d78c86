#pragma once
// The beam centre and the ellipticity of a diffraction pattern from its first ring alone,
// for acquisitions whose direct beam is behind a beam stop, off the detector or saturated.
//
// Model of a time-averaged pattern near the ring (every pixel of an annulus):
//   I(p) = B0 + B1 (rho - r0) / r0 + A exp(-(rho - r0)^2 / (2 w^2)),
//   rho  = |M^-1 (p - c)|   (the undistorted radius, core/geometry.hpp's Ellipticity),
// fitted by Levenberg-Marquardt (Eigen's) over c = (cy, cx), the ellipse, r0, w, A, B0, B1.
// The ellipse is parameterised by the traceless symmetric S of M^-2 = exp(S),
// S = lambda [[cos 2phi, sin 2phi], [sin 2phi, -cos 2phi]] in (x, y): smooth through the
// circle (lambda = 0), where (e, angle) is not. A ring is symmetric about its centre, so
// its centre does not depend on the exact radial profile: a liquid's ring is not a
// Gaussian, but a symmetric peak on a sloping background still fits to the right centre.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"

namespace ecm::registration {

struct RingFitOptions {
  std::array<double, 2> center_guess{};  // [det px], within a few px of the truth
  double r_lo = 0.0, r_hi = 0.0;         // [px] annulus of the fit (undistorted radius); holds the ring
  bool fit_ellipse = true;               // false: the ellipse is held at `ellipse`
  Ellipticity ellipse;                   // start value, or the value held
};

struct RingFit {
  bool ok = false;
  std::string why;                      // when !ok: what failed, in words
  std::array<double, 2> center{};       // [det px]
  Ellipticity ellipse;
  double radius = 0, width = 0;         // r0, w [px]
  double amplitude = 0, background = 0; // A, B0 [pattern units]
  // 1-sigma of the centre from the covariance, scaled for residuals correlated over
  // neighbouring pixels (speckle), [px].
  double sigma_y = 0, sigma_x = 0;
  double sigma_e = 0;                   // 1-sigma of the ellipticity (0 when held)
  double significance = 0;              // A over its 1-sigma
  std::size_t pixels = 0;               // pixels fitted
};

// Fits `pattern` (det_y x det_x, row-major; NaN and masked pixels are skipped; mask may be
// empty, 1 = bad). Two passes: the second re-selects the annulus around the first fit and
// leaves out pixels more than 6 robust sigmas off the model (hot pixels, a beam-stop arm).
// A fit that does not converge, or whose ring is not in the annulus, is returned !ok.
RingFit fit_ring(const std::vector<double>& pattern, const std::vector<float>& mask, std::size_t det_y,
                 std::size_t det_x, const RingFitOptions& options);

// The ellipse of several fits (e.g. per block of cycles) combined: their smooth S
// parameters averaged with weights 1 / sigma_e^2. For a beam that moves, the run's mean
// pattern smears the ring along the movement (a 2 px track read as 0.2-0.3 % of false
// ellipticity); each block's ring does not. Fits that are !ok or were held are skipped.
struct EllipseEstimate {
  Ellipticity ellipse;
  double sigma_e = 0;
  std::size_t fits = 0;
};
EllipseEstimate combine_ellipses(const std::vector<RingFit>& fits);

// Coarse centre of a ring pattern with no direct beam: the centroid of the pixels above the
// median (a ring's bright pixels are symmetric about its centre). Good to a few px while
// most of the ring is on the detector; fit_ring refines it.
std::array<double, 2> ring_centroid(const std::vector<double>& pattern, const std::vector<float>& mask,
                                    std::size_t det_y, std::size_t det_x);

}  // namespace ecm::registration
