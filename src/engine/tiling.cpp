#include "ecm/engine/tiling.hpp"

#include <algorithm>

#include "ecm/core/error.hpp"

namespace ecm::engine {

std::vector<ScanTile> make_tiles(std::size_t scan_y, std::size_t scan_x, std::size_t max_positions) {
  require(max_positions >= 1, "internal: a tile must hold at least one scan position");
  std::vector<ScanTile> tiles;
  if (scan_x <= max_positions) {
    const std::size_t rows = std::max<std::size_t>(1, max_positions / scan_x);
    for (std::size_t y = 0; y < scan_y; y += rows) tiles.push_back({y, 0, std::min(rows, scan_y - y), scan_x});
  } else {
    for (std::size_t y = 0; y < scan_y; ++y)
      for (std::size_t x = 0; x < scan_x; x += max_positions)
        tiles.push_back({y, x, 1, std::min(max_positions, scan_x - x)});
  }
  return tiles;
}

std::vector<ScanTile> tiles_of_rank(const std::vector<ScanTile>& tiles, int rank, int n_ranks) {
  std::vector<ScanTile> mine;
  for (std::size_t i = rank; i < tiles.size(); i += n_ranks) mine.push_back(tiles[i]);
  return mine;
}

}  // namespace ecm::engine
