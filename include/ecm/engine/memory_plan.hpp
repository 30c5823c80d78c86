#pragma once
// How much of the scan one rank processes at once, derived from --memory-budget.
//
// A rank holds, per scan position of its current tile: the binned strip (n_bins x T
// floats), its g2 (n_bins x n_lags doubles), the fit results, and a block of raw frames
// with its fine polar strip. The results of the tiles it finished earlier in the same round
// wait for the round's collective write: a round gives a rank no more tiles than the budget
// left beside the plan holds results of (result_tiles_held). Everything else (runtime libraries, the polar map, FFT
// work buffers) is the fixed overhead, stated in docs/performance.md and checked by tests.
#include <cstddef>

namespace ecm::engine {

struct MemoryPlan {
  std::size_t positions_per_tile = 0;  // scan positions processed together
  std::size_t cycles_per_block = 0;    // raw cycles read per block (a multiple of the t-binning factor)
  double bytes_per_position = 0;       // working set per position of a tile
  double fixed_overhead_bytes = 0;     // assumed independent of the tile
  // Fit results (and g2, if saved) of one position, held until its round is written.
  double result_bytes_per_position = 0;
  double planned_peak_bytes() const { return fixed_overhead_bytes + bytes_per_position * positions_per_tile; }
  // How many tiles of `tile_positions` a rank may hold the results of (at least 1): as many
  // as `budget_bytes` holds beside the planned peak.
  std::size_t result_tiles_held(double budget_bytes, std::size_t tile_positions) const;
};

struct MemoryPlanInput {
  double budget_bytes = 0;
  std::size_t n_t = 0;           // raw cycles
  std::size_t det_pixels = 0;
  std::size_t element_bytes = 4;  // stored size of one detector value
  std::size_t n_bins_fine = 0;   // polar bins before binning
  std::size_t n_bins = 0;        // after binning
  std::size_t n_t_binned = 0;    // series length after t-binning
  std::size_t n_lags = 0;
  bool save_g2 = false;          // g2 is kept with the fit results until written
  int t_bin = 1;
  std::size_t t_grain = 1;       // chunk extent in cycles: blocks are whole chunks in time
  std::size_t scan_positions = 0;
  std::size_t polar_map_entries = 0;
  double g2_workspace_bytes = 0;  // held by the g2 engine for the whole run
  // Positions read per tile position: 1, or up to 3 when the drift is corrected (the reader
  // holds a box one position larger per axis, plus the shifted frames).
  double read_halo_factor = 1.0;
  // Largest strip (binned series) of one tile the plan aims for [bytes]; 0 = only the budget.
  double max_strip_bytes = 64.0 * 1024 * 1024;
};

// Throws InputError when the budget cannot hold even one scan position.
MemoryPlan plan_memory(const MemoryPlanInput& in);

}  // namespace ecm::engine
