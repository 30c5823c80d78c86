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

#include <cstddef>

#include "ecm/core/kokkos_types.hpp"

namespace ecm {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTwoPi = 2.0 * kPi;

KOKKOS_INLINE_FUNCTION double polar_angle(double dy, double dx) {
  double a = kmath::atan2(dy, dx);
  return a < 0.0 ? a + kTwoPi : a;
}

// A rectangle of scan positions [y0, y0+ny) x [x0, x0+nx): the unit of work of one rank.
struct ScanTile {
  std::size_t y0 = 0, x0 = 0, ny = 0, nx = 0;
  std::size_t positions() const { return ny * nx; }
  bool empty() const { return ny == 0 || nx == 0; }
};

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
