#include "ecm/simulate/optics.hpp"

#include <cmath>

#include "ecm/core/geometry.hpp"

namespace ecm::simulate {

OffsetMap projector_undistortion(const SimConfig& cfg) {
  return Ellipticity{cfg.ellipticity, cfg.ellipticity_angle_deg * kPi / 180.0}.undistortion();
}

std::vector<std::uint8_t> beam_stop_mask(const SimConfig& cfg) {
  if (cfg.beam_stop_radius_px <= 0.0) return {};
  std::vector<std::uint8_t> opaque(cfg.det_y * cfg.det_x, 0);
  const double cy = cfg.center0_y(), cx = cfg.center0_x(), half_arm = 0.5 * cfg.beam_stop_arm_px;
  for (std::size_t i = 0; i < cfg.det_y; ++i)
    for (std::size_t j = 0; j < cfg.det_x; ++j) {
      const double dy = static_cast<double>(i) - cy, dx = static_cast<double>(j) - cx;
      const bool disc = std::hypot(dy, dx) <= cfg.beam_stop_radius_px;
      const bool arm = half_arm > 0.0 && dx >= 0.0 && std::fabs(dy) <= half_arm;
      opaque[i * cfg.det_x + j] = (disc || arm) ? 1 : 0;
    }
  return opaque;
}

}  // namespace ecm::simulate
