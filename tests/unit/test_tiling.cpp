// Domain decomposition and memory planning.
#include <catch2/catch.hpp>

#include <array>
#include <set>

#include "ecm/core/error.hpp"
#include "ecm/engine/memory_plan.hpp"
#include "ecm/engine/tiling.hpp"
#include "ecm/io/input_dataset.hpp"

using namespace ecm;

TEST_CASE("tiles cover the scan exactly once and respect the size limit", "[tiling]") {
  for (std::size_t max_pos : {1, 3, 7, 16, 40, 1000}) {
    const auto tiles = engine::make_tiles(9, 13, max_pos);
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (const auto& t : tiles) {
      CHECK(t.positions() <= std::max<std::size_t>(max_pos, 1));
      for (std::size_t y = t.y0; y < t.y0 + t.ny; ++y)
        for (std::size_t x = t.x0; x < t.x0 + t.nx; ++x) CHECK(seen.insert({y, x}).second);
    }
    CHECK(seen.size() == 9 * 13);
  }
  const auto tiles = engine::make_tiles(9, 13, 1000);
  CHECK(tiles.size() == 1);
}

TEST_CASE("ranks get disjoint tiles that together are all tiles", "[tiling]") {
  const auto tiles = engine::make_tiles(10, 10, 7);
  std::size_t total = 0;
  for (int r = 0; r < 3; ++r) total += engine::tiles_of_rank(tiles, r, 3).size();
  CHECK(total == tiles.size());
}

TEST_CASE("the memory plan fits the budget and refuses an impossible one", "[tiling]") {
  engine::MemoryPlanInput in;
  in.n_t = 1000;
  in.det_pixels = 128 * 256;
  in.n_bins_fine = 16 * 180;
  in.n_bins = 16 * 36;
  in.n_t_binned = 1000;
  in.n_lags = 50;
  in.scan_positions = 160 * 160;
  in.polar_map_entries = 100000;
  in.budget_bytes = 4.0 * (1u << 30);
  const auto plan = engine::plan_memory(in);
  CHECK(plan.positions_per_tile >= 1);
  CHECK(plan.planned_peak_bytes() <= in.budget_bytes);
  CHECK(plan.cycles_per_block >= 1);
  in.budget_bytes = 64.0 * (1u << 20);
  CHECK_THROWS_AS(engine::plan_memory(in), InputError);
}

TEST_CASE("tiles follow the input's chunk grain when the budget allows", "[tiling]") {
  using ecm::engine::make_tiles;
  // 8 x 8 scan, chunks of 2 rows x 8 columns: whole-row tiles of 2 or 4 rows.
  for (std::size_t max : {16u, 24u, 32u, 40u}) {
    const auto tiles = make_tiles(8, 8, max, 2, 8);
    std::size_t covered = 0;
    for (const auto& t : tiles) {
      CHECK(t.y0 % 2 == 0);
      CHECK(t.positions() <= max);
      covered += t.positions();
    }
    CHECK(covered == 64);
  }
  // Partial rows: 2 x 8 chunks on a 4 x 32 scan with at most 40 positions per tile.
  for (const auto& t : make_tiles(4, 32, 40, 2, 8)) {
    CHECK(t.y0 % 2 == 0);
    CHECK(t.x0 % 8 == 0);
    CHECK(t.ny == 2);
    CHECK(t.positions() <= 40);
  }
  // A chunk larger than a tile may be: the grain is dropped, the budget holds.
  for (const auto& t : make_tiles(8, 8, 8, 2, 8)) CHECK(t.positions() <= 8);
}

TEST_CASE("a frame stream's chunks of frames as a grain in (cycles, rows, columns)", "[tiling]") {
  using ecm::io::frame_stream_chunk_grain;
  using G = std::array<std::size_t, 3>;
  // 8 x 12 scan: 96 frames per cycle, in rows of 12.
  CHECK(frame_stream_chunk_grain(96, 8, 12) == G{1, 8, 12});   // one cycle
  CHECK(frame_stream_chunk_grain(288, 8, 12) == G{3, 8, 12});  // three whole cycles
  CHECK(frame_stream_chunk_grain(24, 8, 12) == G{1, 2, 12});   // two rows
  CHECK(frame_stream_chunk_grain(12, 8, 12) == G{1, 1, 12});   // a row
  CHECK(frame_stream_chunk_grain(4, 8, 12) == G{1, 1, 4});     // a third of a row
  CHECK(frame_stream_chunk_grain(1, 8, 12) == G{1, 1, 1});     // one frame per chunk
  // Straddling: 36 frames = 3 rows, but 8 rows are not whole multiples of 3; 5 frames cut rows;
  // 150 frames cut cycles.
  CHECK(frame_stream_chunk_grain(36, 8, 12) == G{1, 1, 1});
  CHECK(frame_stream_chunk_grain(5, 8, 12) == G{1, 1, 1});
  CHECK(frame_stream_chunk_grain(150, 8, 12) == G{1, 1, 1});
  CHECK(frame_stream_chunk_grain(0, 8, 12) == G{1, 1, 1});
}
