#pragma once
// The diffraction pattern of one sample position: a static ring envelope (plus direct-beam
// disc) modulated by a speckle field that decorrelates in time.
//
// Speckle field. The sample owns a complex white-noise field w(k', t) on a k lattice that
// is attached to the beam (lattice point (m, n) is detector pixel (m, n) when the beam is
// at its t = 0 centre, so it moves rigidly with beam-centre drift). Each lattice point's
// series has the KWW correlation of the tau of its azimuthal sector (at its k). The
// field seen by the detector is the Gaussian-smoothed field
//   E(k, t) = sum_k' h(k - k') w(k', t),   h of std s = k_c / (2.355 dk) px,  sum h^2 = 1,
// evaluated at each pixel's k at cycle t (a fractional-shift separable convolution), so
// <|E|^2> = 1 and the intensity speckle has FWHM k_c. The expected electrons are
//   lambda = I_env(k) (b + (1 - b) |E|^2),   b = 1 - sqrt(A),
// giving <lambda> = I_env and g2 - 1 = (1 - b)^2 |g1|^2 = A exp(-2 (t/tau)^beta).
// With aging (aging_factor F != 1, beta = 1) each series is exponential in material time
// instead: g2 - 1 = A exp(-2 |u(t1) - u(t2)| / tau), the local tau growing to F tau.
// The field is only generated where the envelope matters: the annulus
// |k - k_peak| <= 4 sigma_k (outside it the intensity is the static envelope).
//
// Projector ellipticity (config.hpp, optics.hpp) distorts all of it: a pixel at offset
// d = p - c(t) has its k from q = M^-1 d (envelope, disc, annulus), and sees the lattice at
// u = M^-1 d + c0, so E(p) = sum_k' h(u - k') w(k'). That is no longer one shift for the
// whole detector, so the separable pass is replaced by a direct sum over the same
// (2H+2)^2 taps per annulus pixel (the same kernel, so E -> 0 gives the round pattern;
// its 1-D weights come from a table over the sub-pixel offset, linearly interpolated to
// ~1e-8, below float precision, so that a drifting beam costs no exponentials per pixel).
// The lattice box grows to hold what the distorted annulus reaches; the points of the
// round box come first, in their order, so a sample position's field w is the same with
// and without ellipticity.
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "ecm/simulate/config.hpp"
#include "ecm/simulate/domains.hpp"
#include "ecm/simulate/field.hpp"
#include "ecm/simulate/optics.hpp"

namespace ecm::simulate {

class SpeckleSynth {
 public:
  SpeckleSynth(const SimConfig& cfg, const Tracks& tracks);

  std::size_t det_pixels() const { return det_y_ * det_x_; }
  std::size_t field_points() const { return points_.size(); }
  // Bytes held for one sample position's field (all cycles).
  std::size_t field_bytes() const { return 2 * sizeof(float) * wr_.size(); }

  // Generates w of sample position (py, px) for all cycles; tau_by_sector holds that
  // position's n_sectors relaxation times [s].
  void load_sample(std::uint64_t seed, long py, long px, const double* tau_by_sector);

  // |E|^2 of the loaded sample position at cycle t, det_y*det_x values (row-major). With
  // ellipticity only the annulus pixels are computed (the rest are 0: never used).
  void intensity(std::size_t t, float* out);

  // The smoothed field E of the loaded sample position at cycle t at lattice coordinate u
  // (detector px of the t = 0 frame), by the direct sum; throws Error outside the box.
  std::complex<float> field_at(std::size_t t, double uy, double ux);

  // Static terms at cycle t: ring envelope I_env (electrons/px/frame), direct-beam disc,
  // and 1 where the pixel lies in the speckle annulus.
  void envelope(std::size_t t, float* ring, float* disc, std::uint8_t* annulus) const;

  // Relaxation time of lattice point k (in px from the t = 0 centre) for a position.
  double point_tau(double radius_px, int sector, const double* tau_by_sector) const;

  double speckle_sigma_px() const { return s_; }
  double visibility_floor() const { return b_; }  // b = 1 - sqrt(A)

 private:
  struct Point {
    std::size_t index;  // into the lattice box
    int sector;
    double radius_px;   // |k| / dk
  };
  void kernel(double frac, float* h);  // 2H+2 taps d = -H..H+1 at offset frac
  // The 2H+2 lattice indices (increasing) a pixel at lattice coordinate u reads along one
  // axis, and their weights in that order (from kernel_table_); returns the first index.
  long tap_window(double u, float* weights) const;
  // Box offset of the first tap for lattice coordinate u, checked against the box.
  std::size_t window_base(double uy, double ux, float* hy, float* hx) const;
  std::complex<float> sum_taps(std::size_t t, std::size_t base, const float* hy, const float* hx);
  void widen_box_for_distortion(long& y0, long& y1, long& x0, long& x1) const;
  void intensity_separable(std::size_t t, float* out);
  void intensity_distorted(std::size_t t, float* out);
  void plan_distorted(double cy, double cx);  // annulus pixels, their tap bases and weights
  Offset reciprocal(std::size_t i, std::size_t j, double cy, double cx) const {
    Offset q;
    undistortion_.apply(static_cast<double>(i) - cy, static_cast<double>(j) - cx, q.y, q.x);
    return q;
  }

  SimConfig cfg_;
  Tracks tracks_;
  OffsetMap undistortion_;  // q = M^-1 d (optics.hpp)
  std::size_t det_y_, det_x_;
  double cy0_, cx0_;
  double r_peak_, sigma_r_, r_lo_, r_hi_, r_disc_;  // px
  double s_;                                         // speckle kernel std [px]
  int H_;                                            // kernel half width (taps -H..H+1)
  double b_;
  long oy_, ox_;                                     // lattice box origin (detector index units)
  std::size_t by_, bx_;                              // lattice box size
  std::vector<Point> points_;
  std::vector<float> wr_, wi_;                       // (t, box_y, box_x)
  std::vector<float> e1r_, e1i_, hy_, hx_;           // scratch
  std::vector<double> kernel_g_;                     // scratch of kernel()
  std::vector<float> col_re_, col_im_;               // scratch of sum_taps()
  // Distorted path: kernel weights at offsets frac = k / kTableSteps, k = 0..kTableSteps,
  // each row in increasing lattice index order (tap_window); field_at's y and x weights.
  static constexpr int kTableSteps = 4096;
  std::vector<float> kernel_table_;
  std::vector<float> window_y_, window_x_;
  // The distorted path's plan for the beam centre (plan_cy_, plan_cx_), rebuilt when it
  // moves: the pixels in the annulus, each one's first tap (box offset) and its 2H+2 y then
  // 2H+2 x weights.
  double plan_cy_ = std::numeric_limits<double>::quiet_NaN(), plan_cx_ = plan_cy_;
  std::vector<std::size_t> plan_pixel_, plan_base_;
  std::vector<float> plan_weights_;
  std::vector<float> batch_re_, batch_im_;           // series of a batch of points
  std::unique_ptr<KwwSeriesGenerator> gen_;       // stationary (aging_factor 1)
  std::unique_ptr<AgingSeriesGenerator> aging_;  // aging_factor != 1: AR(1) in material time
};

}  // namespace ecm::simulate
