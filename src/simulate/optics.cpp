#include "ecm/simulate/optics.hpp"

#include <cmath>

#include "ecm/core/geometry.hpp"

namespace ecm::simulate {

ProjectorDistortion::ProjectorDistortion(double ellipticity, double angle_deg) : identity_(ellipticity == 0.0) {
  const double theta = angle_deg * kPi / 180.0;
  const double s = std::sin(theta), c = std::cos(theta);
  const double a = std::sqrt(1.0 + ellipticity), inv_a = 1.0 / a;
  // M^-1 = (1/a) e1 e1^T + a e2 e2^T with e1 = (s, c), e2 = (c, -s) in (y, x) components.
  i_yy_ = inv_a * s * s + a * c * c;
  i_xx_ = inv_a * c * c + a * s * s;
  i_yx_ = (inv_a - a) * s * c;
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
