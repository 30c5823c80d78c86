#pragma once
// The files of `ecm simulate` (layouts documented in simulate.hpp): the pieces
// run_simulation is built from, exposed for the tests.
#include <hdf5.h>

#include <cstdint>
#include <string>

#include "ecm/core/geometry.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/config.hpp"
#include "ecm/simulate/domains.hpp"

namespace ecm::simulate {

// Creates /frames (contiguous, shape per cfg.layout) with its calibration attributes.
// Collective on the file's communicator.
h5::Handle create_frames_dataset(hid_t file, const SimConfig& cfg);

// Collective write of one tile's frames (layout (t, y, x, det_y, det_x), contiguous) into
// /frames; an empty tile takes part with an empty selection. In the stream layout the
// tile must be whole rows or a piece of one row (see plan_tiles). Returns HDF5's global
// "no collective cause" (0 = the write was collective).
std::uint32_t write_tile(hid_t frames, const SimConfig& cfg, const ScanTile& tile, const void* buffer);

// Writes the truth file (serially, on the calling process); sets *created once the file
// exists (so that a failure removes only what this call made).
void write_truth(const SimConfig& cfg, const Tracks& tracks, const std::string& path, bool* created = nullptr);

}  // namespace ecm::simulate
