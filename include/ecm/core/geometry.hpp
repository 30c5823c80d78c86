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
struct Ellipticity {
  double e = 0.0;      // axis ratio minus 1, >= 0
  double angle = 0.0;  // [rad] direction of the major axis
  bool none() const { return e == 0.0; }
  // q = M^-1 d for a detector offset d = (dy, dx).
  void undistort(double dy, double dx, double& qy, double& qx) const {
    if (e == 0.0) {
      qy = dy, qx = dx;
      return;
    }
    const double s = std::sqrt(1.0 + e), c = std::cos(angle), n = std::sin(angle);
    const double along = (dx * c + dy * n) / s, across = (-dx * n + dy * c) * s;
    qx = along * c - across * n;
    qy = along * n + across * c;
  }
  // d = M q.
  void distort(double qy, double qx, double& dy, double& dx) const {
    if (e == 0.0) {
      dy = qy, dx = qx;
      return;
    }
    const double s = std::sqrt(1.0 + e), c = std::cos(angle), n = std::sin(angle);
    const double along = (qx * c + qy * n) * s, across = (-qx * n + qy * c) / s;
    dx = along * c - across * n;
    dy = along * n + across * c;
  }
  // Largest |d_y| and |d_x| on the image of the circle |q| = r (row norms of M, times r).
  double extent_y(double r) const { return r * row_norm(true); }
  double extent_x(double r) const { return r * row_norm(false); }

 private:
  double row_norm(bool y) const {
    double dy1, dx1, dy2, dx2;
    distort(0.0, 1.0, dy1, dx1);  // M e_x
    distort(1.0, 0.0, dy2, dx2);  // M e_y
    return y ? std::hypot(dy1, dy2) : std::hypot(dx1, dx2);
  }
};

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
