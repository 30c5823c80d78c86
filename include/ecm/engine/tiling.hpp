#pragma once
// Domain decomposition of the scan into tiles and their assignment to ranks.
#include <cstddef>
#include <vector>

#include "ecm/core/geometry.hpp"

namespace ecm::engine {

// Tiles covering a scan_y x scan_x scan, each at most max_positions positions.
// Whole rows are preferred (contiguous reads in the 5-D layout); rows wider than
// max_positions are split into column blocks. Deterministic in its arguments.
// Tiles of at most max_positions, all of nearly the same size. With a grain (the input's
// chunk extent in y and x), tile edges fall on chunk edges where max_positions allows a
// whole number of chunks, so that no chunk is shared by two tiles (each read once).
std::vector<ScanTile> make_tiles(std::size_t scan_y, std::size_t scan_x, std::size_t max_positions,
                                 std::size_t grain_y = 1, std::size_t grain_x = 1);

// Static assignment: tile i goes to rank i % n_ranks.
std::vector<ScanTile> tiles_of_rank(const std::vector<ScanTile>& tiles, int rank, int n_ranks);

}  // namespace ecm::engine
