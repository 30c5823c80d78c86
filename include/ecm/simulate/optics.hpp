#pragma once
// What the column does to the diffraction pattern between the sample and the detector:
// projector-lens ellipticity (a linear distortion of the whole pattern) and a beam stop.
//
// Ellipticity convention (shared with the analysis; config.hpp states it for users).
// Detector offsets d = (dy, dx) = p - c(t) from the beam centre, y = row, x = column;
// angles as polar_angle(dy, dx), from +x towards +y. An undistorted reciprocal offset q
// (px at the nominal k calibration) lands on the detector at d = M q with
//   M = a e1 e1^T + (1/a) e2 e2^T,   a = sqrt(1 + E),
//   e1 = (sin theta, cos theta) in (y, x) components (the direction whose polar angle is
//   theta = ANGLE), e2 perpendicular to it,
// which is R(theta) diag(a, 1/a) R(theta)^T: a ring of radius r becomes an ellipse with
// semi-major r a along theta and semi-minor r / a (axis ratio 1 + E, area kept).
// Everything that depends on a pixel's k uses q = M^-1 d.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecm/simulate/config.hpp"

namespace ecm::simulate {

struct Offset {
  double y = 0, x = 0;
};

class ProjectorDistortion {
 public:
  ProjectorDistortion(double ellipticity, double angle_deg);

  bool is_identity() const { return identity_; }
  // q = M^-1 d; the identity returns d unchanged (same bits). Inline: it runs once per
  // pixel and cycle.
  Offset to_reciprocal(Offset d) const {
    if (identity_) return d;
    return {i_yy_ * d.y + i_yx_ * d.x, i_yx_ * d.y + i_xx_ * d.x};
  }

 private:
  bool identity_;
  double i_yy_, i_yx_, i_xx_;  // M^-1 (symmetric)
};

// Pixels behind the beam stop (1 = opaque), det_y * det_x row-major: a disc of radius
// beam_stop_radius_px about the t = 0 beam centre (the stop is fixed in the column, it does
// not follow beam-centre drift) and an arm of width beam_stop_arm_px from there to the
// detector edge along +x. A pixel is opaque when its centre lies inside. Empty when there
// is no stop.
std::vector<std::uint8_t> beam_stop_mask(const SimConfig& cfg);

}  // namespace ecm::simulate
