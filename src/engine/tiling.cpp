#include "ecm/engine/tiling.hpp"

#include <algorithm>

#include "ecm/core/error.hpp"

namespace ecm::engine {

std::vector<ScanTile> make_tiles(std::size_t scan_y, std::size_t scan_x, std::size_t max_positions,
                                 std::size_t grain_y, std::size_t grain_x) {
  require(max_positions >= 1, "internal: a tile must hold at least one scan position");
  grain_y = std::max<std::size_t>(1, std::min(grain_y, scan_y));
  grain_x = std::max<std::size_t>(1, std::min(grain_x, scan_x));
  // A grain the budget cannot hold is dropped (chunks are then shared; docs/performance.md).
  if (grain_y * grain_x > max_positions) grain_y = grain_x = 1;
  std::vector<ScanTile> tiles;
  // As few tiles as the limit allows, all of nearly the same size (a small last tile
  // would leave ranks idle in its round), in whole grains.
  const auto even = [](std::size_t n, std::size_t max, std::size_t grain) {
    const std::size_t units = (n + grain - 1) / grain, max_units = std::max<std::size_t>(1, max / grain);
    const std::size_t pieces = (units + max_units - 1) / max_units;
    return (units + pieces - 1) / pieces * grain;
  };
  if (scan_x * grain_y <= max_positions) {
    const std::size_t rows = even(scan_y, std::max<std::size_t>(1, max_positions / scan_x), grain_y);
    for (std::size_t y = 0; y < scan_y; y += rows) tiles.push_back({y, 0, std::min(rows, scan_y - y), scan_x});
  } else {
    const std::size_t width = even(scan_x, max_positions / grain_y, grain_x);
    for (std::size_t y = 0; y < scan_y; y += grain_y)
      for (std::size_t x = 0; x < scan_x; x += width)
        tiles.push_back({y, x, std::min(grain_y, scan_y - y), std::min(width, scan_x - x)});
  }
  return tiles;
}

std::vector<ScanTile> tiles_of_rank(const std::vector<ScanTile>& tiles, int rank, int n_ranks) {
  std::vector<ScanTile> mine;
  for (std::size_t i = rank; i < tiles.size(); i += n_ranks) mine.push_back(tiles[i]);
  return mine;
}

}  // namespace ecm::engine
