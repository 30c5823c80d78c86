#include "ecm/engine/memory_plan.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::engine {

namespace {
constexpr double kMiB = 1024.0 * 1024.0;
// Resident size of an MPI + HDF5 + Kokkos + FFTW process before any data (measured
// on Debian 12, Open MPI 4.1: about 60 MiB; docs/performance.md).
constexpr double kRuntimeBytes = 80.0 * kMiB;
constexpr std::size_t kMinPositions = 16;

// The fixed overhead the plan assumes: runtime, FFT workspace, polar map, references.
double fixed_overhead_bytes(const MemoryPlanInput& in) {
  const double polar_map = double(in.polar_map_entries) * 8.0 + double(in.n_bins_fine) * 8.0;
  const double references = double(in.det_pixels) * 4.0 * 3.0;
  return kRuntimeBytes + in.g2_workspace_bytes + polar_map + references;
}

}  // namespace

std::size_t MemoryPlan::result_tiles_held(double budget_bytes, std::size_t tile_positions) const {
  const double spare = std::max(0.0, budget_bytes - planned_peak_bytes());
  const double per_tile = result_bytes_per_position * double(std::max<std::size_t>(1, tile_positions));
  return 1 + std::size_t(std::min(1e6, spare / per_tile));
}

MemoryPlan plan_memory(const MemoryPlanInput& in) {
  MemoryPlan plan;
  plan.fixed_overhead_bytes = fixed_overhead_bytes(in);
  const double usable = in.budget_bytes - plan.fixed_overhead_bytes;
  // Raw frames are read in blocks of cycles; a block is at most 1/4 of what a position costs
  // in strip memory, but at least one t-bin, so reading stays in large contiguous pieces.
  const double strip = double(in.n_bins) * in.n_t_binned * 4.0;
  const double g2 = double(in.n_bins) * in.n_lags * 8.0;
  const double results = double(in.n_bins) * (10 * 4.0 + 1.0 + 8.0);
  // What a finished position keeps until its round is written: ten floats and a status per
  // bin, and its g2 when that is saved.
  plan.result_bytes_per_position = double(in.n_bins) * (10 * 4.0 + 1.0 + (in.save_g2 ? 4.0 * double(in.n_lags) : 0.0));
  // Per cycle and position: the frame as stored and as float, and its fine polar bins.
  // Stored values twice (the block in the kernels and the next one being read) and as float.
  // That is the most any run holds (a GPU with drift correction: a device copy of the block
  // and its float frames). Without drift no float frames are made, and on a CPU the kernels
  // read the host buffers directly, with drift in cache-sized pieces
  // (engine/tile_processor.cpp): there the plan is an upper bound.
  const double raw_per_cycle = double(in.det_pixels) * (4.0 + 3.0 * double(in.element_bytes)) * in.read_halo_factor +
                               (in.read_halo_factor > 1.0 ? double(in.det_pixels) * 4.0 : 0.0) +
                               double(in.n_bins_fine) * 4.0;
  std::size_t block = std::size_t(std::max(1.0, 0.25 * (strip + g2) / raw_per_cycle));
  block = std::min<std::size_t>(block, in.n_t);
  // Whole t-bins and whole chunks in time: a multiple of both.
  const std::size_t unit = std::lcm(std::size_t(in.t_bin), std::max<std::size_t>(1, in.t_grain));
  block = std::max<std::size_t>(block, unit);
  block -= block % unit;
  plan.cycles_per_block = block;
  plan.bytes_per_position = strip + g2 + results + raw_per_cycle * double(block);
  if (usable < plan.bytes_per_position) {
    std::ostringstream msg;
    msg << "memory budget of " << in.budget_bytes / kMiB << " MiB per rank is too small: one scan position needs "
        << (plan.fixed_overhead_bytes + plan.bytes_per_position) / kMiB << " MiB (give --memory-budget)";
    throw InputError(msg.str());
  }
  plan.positions_per_tile = std::min<std::size_t>(in.scan_positions, std::size_t(usable / plan.bytes_per_position));
  // Larger tiles than the caches hold are slower per position (the strip is written in a
  // transpose and read back per series): on the benchmark, tiles of 48-96 positions
  // (37-74 MB of strip) ran 20-25 % faster than one tile of 256 (docs/performance.md).
  // So a tile's strip stays near kStripTarget, down to kMinPositions per tile.
  if (in.max_strip_bytes > 0) {
    const std::size_t cache_cap = std::max<std::size_t>(kMinPositions, std::size_t(in.max_strip_bytes / strip));
    plan.positions_per_tile = std::min(plan.positions_per_tile, cache_cap);
  }
  return plan;
}

}  // namespace ecm::engine
