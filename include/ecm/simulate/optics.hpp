#pragma once
// What the column does to the diffraction pattern between the sample and the detector:
// projector-lens ellipticity (a linear distortion of the whole pattern) and a beam stop.
//
// Ellipticity: the convention and its matrices are core/geometry.hpp's Ellipticity, shared
// with the analysis (config.hpp states it for users). Everything that depends on a pixel's
// k uses q = M^-1 d.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/simulate/config.hpp"

namespace ecm::simulate {

struct Offset {
  double y = 0, x = 0;
};

// q = M^-1 d of the configured ellipticity (the identity, same bits, without one).
OffsetMap projector_undistortion(const SimConfig& cfg);

// Pixels behind the beam stop (1 = opaque), det_y * det_x row-major: a disc of radius
// beam_stop_radius_px about the t = 0 beam centre (the stop is fixed in the column, it does
// not follow beam-centre drift) and an arm of width beam_stop_arm_px from there to the
// detector edge along +x. A pixel is opaque when its centre lies inside. Empty when there
// is no stop.
std::vector<std::uint8_t> beam_stop_mask(const SimConfig& cfg);

}  // namespace ecm::simulate
