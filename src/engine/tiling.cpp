#include "ecm/engine/tiling.hpp"

#include <algorithm>

#include "ecm/core/error.hpp"

namespace ecm::engine {

std::vector<ScanTile> make_tiles(std::size_t scan_y, std::size_t scan_x, std::size_t max_positions) {
  require(max_positions >= 1, "internal: a tile must hold at least one scan position");
  std::vector<ScanTile> tiles;
  // As few tiles as the limit allows, all of nearly the same size (a small last tile
  // would leave ranks idle in its round).
  const auto even = [](std::size_t n, std::size_t max) {
    const std::size_t pieces = (n + max - 1) / max;
    return (n + pieces - 1) / pieces;
  };
  if (scan_x <= max_positions) {
    const std::size_t rows = even(scan_y, std::max<std::size_t>(1, max_positions / scan_x));
    for (std::size_t y = 0; y < scan_y; y += rows) tiles.push_back({y, 0, std::min(rows, scan_y - y), scan_x});
  } else {
    const std::size_t width = even(scan_x, max_positions);
    for (std::size_t y = 0; y < scan_y; ++y)
      for (std::size_t x = 0; x < scan_x; x += width) tiles.push_back({y, x, 1, std::min(width, scan_x - x)});
  }
  return tiles;
}

std::vector<ScanTile> tiles_of_rank(const std::vector<ScanTile>& tiles, int rank, int n_ranks) {
  std::vector<ScanTile> mine;
  for (std::size_t i = rank; i < tiles.size(); i += n_ranks) mine.push_back(tiles[i]);
  return mine;
}

}  // namespace ecm::engine
