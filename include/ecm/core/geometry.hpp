#pragma once
// Conventions every part of ecm shares (reader, polar transform, simulator, analysis).
//
// Detector: pixel (row i, column j) has its centre at (y, x) = (i, j) in pixel units,
// so it covers [i-0.5, i+0.5] x [j-0.5, j+0.5]. The beam centre (cy, cx) is given in
// the same units. For a point (y, x):
//   k   = hypot(y - cy, x - cx) * k_pixel_size          [1/Angstrom]
//   phi = atan2(y - cy, x - cx) mapped to [0, 2*pi)      [rad]
// k_phi bins are [phi0 + j*dphi, phi0 + (j+1)*dphi) with phi0 = 0.
//
// Scan: position (sy, sx), flat index p = sy * NX + sx. Time: cycle t, t * time_step_s.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstddef>
#include <utility>

#include "ecm/core/kokkos_types.hpp"

namespace ecm {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTwoPi = 2.0 * kPi;

KOKKOS_INLINE_FUNCTION double polar_angle(double dy, double dx) {
  double a = kmath::atan2(dy, dx);
  return a < 0.0 ? a + kTwoPi : a;
}

// Projector-lens ellipticity of the diffraction pattern. A reciprocal-space offset q from
// the beam centre (detector px at the nominal k calibration) lands on the detector at
// d = M q, M = R(angle) diag(sqrt(1+e), 1/sqrt(1+e)) R(angle)^T: a ring of radius r
// appears as an ellipse of semi-axes r sqrt(1+e) along `angle` (the polar_angle of that
// direction) and r / sqrt(1+e) across it, axis ratio 1 + e, area preserved, so the
// calibration still holds for the mean radius. The simulator (--ellipticity) distorts by
// M, the analysis (--ellipse) undoes it. e = 0 is the identity, exactly.
// A symmetric linear map of detector offsets (y, x); the identity is kept exact.
struct OffsetMap {
  bool identity = true;
  double yy = 1.0, yx = 0.0, xx = 1.0;
  void apply(double dy, double dx, double& oy, double& ox) const {
    if (identity) {
      oy = dy, ox = dx;
      return;
    }
    oy = yy * dy + yx * dx;
    ox = yx * dy + xx * dx;
  }
};

struct Ellipticity {
  double e = 0.0;      // axis ratio minus 1, >= 0
  double angle = 0.0;  // [rad] direction of the major axis
  bool none() const { return e == 0.0; }
  OffsetMap distortion() const { return map(true); }     // d = M q
  OffsetMap undistortion() const { return map(false); }  // q = M^-1 d
  // Largest |d_y| and |d_x| on the image of the circle |q| = r (row norms of M, times r).
  double extent_y(double r) const {
    const OffsetMap m = distortion();
    return r * std::hypot(m.yy, m.yx);
  }
  double extent_x(double r) const {
    const OffsetMap m = distortion();
    return r * std::hypot(m.yx, m.xx);
  }

 private:
  // M = along e1 e1^T + across e2 e2^T, e1 = (sin angle, cos angle) in (y, x).
  OffsetMap map(bool forward) const {
    if (e == 0.0) return {};
    const double s = std::sin(angle), c = std::cos(angle), a = std::sqrt(1.0 + e), inv_a = 1.0 / a;
    const double along = forward ? a : inv_a, across = forward ? inv_a : a;
    return {false, along * s * s + across * c * c, (along - across) * s * c, along * c * c + across * s * s};
  }
};

// A rectangle of scan positions [y0, y0+ny) x [x0, x0+nx): the unit of work of one rank.
struct ScanTile {
  std::size_t y0 = 0, x0 = 0, ny = 0, nx = 0;
  std::size_t positions() const { return ny * nx; }
  bool empty() const { return ny == 0 || nx == 0; }
};

// Scan rows [begin, end) of `rank` of `size` ranks: contiguous, balanced (the first
// rows % size ranks get one more). Writers of whole files (simulate, convert) split this way.
inline std::pair<std::size_t, std::size_t> rows_of_rank(std::size_t rows, int rank, int size) {
  const std::size_t n = std::size_t(size), r = std::size_t(rank);
  const std::size_t base = rows / n, extra = rows % n;
  const std::size_t begin = r * base + (r < extra ? r : extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

// The analysis strip over the first diffraction ring and its (k_r, k_phi) binning.
struct PolarGrid {
  double k_min = 0.3;   // [1/A] inner edge of the strip
  double k_max = 0.6;   // [1/A] outer edge
  int n_kr = 4;         // radial bins
  int n_kphi = 48;      // azimuthal bins over [0, 2 pi)
  double dk() const { return (k_max - k_min) / n_kr; }
  double dphi() const { return kTwoPi / n_kphi; }
  double kr_center(int i) const { return k_min + (i + 0.5) * dk(); }
  double kphi_center(int j) const { return (j + 0.5) * dphi(); }
  int n_bins() const { return n_kr * n_kphi; }
};

}  // namespace ecm
