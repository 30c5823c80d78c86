#pragma once
// What the column does to the diffraction pattern between the sample and the detector:
// a beam stop.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecm/simulate/config.hpp"

namespace ecm::simulate {

// Pixels behind the beam stop (1 = opaque), det_y * det_x row-major: a disc of radius
// beam_stop_radius_px about the t = 0 beam centre (the stop is fixed in the column, it does
// not follow beam-centre drift) and an arm of width beam_stop_arm_px from there to the
// detector edge along +x. A pixel is opaque when its centre lies inside. Empty when there
// is no stop.
std::vector<std::uint8_t> beam_stop_mask(const SimConfig& cfg);

}  // namespace ecm::simulate
