#pragma once
// Finding the beam centre from the data when the acquisition does not record it.
#include <array>
#include <optional>
#include <vector>

#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

// The centre of the direct beam: the intensity-weighted centroid of the pixels above half
// the maximum of a mean diffraction pattern (the first cycles of up to 64 scan positions).
// The direct beam is the brightest feature of a nanodiffraction pattern and is static to a
// fraction of a pixel, so this is accurate to ~0.05 px on simulated data; a centre that
// moves during the run is issue 3 (tracking). Every rank reads the same frames, so every
// rank finds the same centre. Throws InputError if no bright disc stands out.
std::array<double, 2> find_beam_center(const io::InputDataset& input);

// The same centroid on a given mean pattern (det_y x det_x, row-major): the
// intensity-weighted centroid of the pixels above half the maximum over the median
// background; nothing when no bright disc stands out (peak <= 4 x background). The
// registration stage uses it per block of cycles to track a moving beam.
std::optional<std::array<double, 2>> direct_beam_center(const std::vector<double>& pattern, std::size_t det_y,
                                                        std::size_t det_x);

}  // namespace ecm::engine
