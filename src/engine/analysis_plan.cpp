#include "ecm/engine/analysis_plan.hpp"

#include <algorithm>

#include "ecm/core/mpi_check.hpp"
#include "ecm/engine/tiling.hpp"

namespace ecm::engine {

namespace {
constexpr std::size_t kBalancingTilesPerRank = 4;
constexpr std::size_t kMinBalancingPositions = 32;
}  // namespace

AnalysisPlan plan_analysis(const RunConfig& config, const io::InputDataset& input,
                           const std::function<PlanExtras(const AnalysisSetup&)>& extras, MPI_Comm comm,
                           StageTimer& timer) {
  const int me = mpi::rank(comm), n_ranks = mpi::size(comm);
  const auto& L = input.layout();
  AnalysisPlan a;
  a.prep = prepare_analysis(config, input);
  const AnalysisSetup& setup = a.prep.setup;
  const PlanExtras extra = extras(setup);

  MemoryPlanInput& mem = a.mem;
  mem.budget_bytes = config.memory_budget_bytes;
  mem.n_t = setup.n_t_used;
  mem.det_pixels = L.det_pixels();
  mem.element_bytes = L.element_bytes();
  mem.n_bins_fine = std::size_t(setup.fine_grid.n_bins());
  mem.n_bins = std::size_t(config.grid.n_bins());
  mem.n_t_binned = setup.n_t_binned;
  mem.n_lags = extra.n_lags;
  mem.save_g2 = config.save_g2;
  mem.t_bin = setup.bin.t;
  mem.t_grain = L.chunk_tyx[0];
  mem.scan_positions = L.positions();
  mem.polar_map_entries = a.prep.map.pixels.size();
  mem.g2_workspace_bytes = extra.fixed_bytes;
  // Tiles no larger than the budget allows, and at least one per rank so that none idles.
  const std::size_t balanced = (L.positions() + std::size_t(n_ranks) - 1) / std::size_t(n_ranks);
  // The dynamic schedule moves whole tiles between ranks of different speeds, so on more
  // than one rank it gets several per rank, down to tiles of kMinBalancingPositions (on
  // the benchmark, tiles of 32 positions cost what tiles of 64 do; docs/scaling.md).
  const std::size_t for_balancing =
      config.controls.dynamic_schedule && n_ranks > 1
          ? std::max(kMinBalancingPositions,
                     (L.positions() + kBalancingTilesPerRank * std::size_t(n_ranks) - 1) /
                         (kBalancingTilesPerRank * std::size_t(n_ranks)))
          : L.positions();
  // A multiple of the rank count, so that rounds keep every rank busy.
  const auto plan_tiles = [&](const MemoryPlan& plan) {
    const std::size_t cap = std::min({plan.positions_per_tile, balanced, for_balancing});
    const std::size_t n = (L.positions() + cap - 1) / cap;
    const std::size_t n_even = (n + std::size_t(n_ranks) - 1) / std::size_t(n_ranks) * std::size_t(n_ranks);
    return make_tiles(L.scan_y, L.scan_x, (L.positions() + n_even - 1) / n_even, L.chunk_tyx[1], L.chunk_tyx[2]);
  };
  a.plan = plan_memory(mem);
  a.tiles = plan_tiles(a.plan);
  timer.mark("setup");

  // Registration reads one cycle in a few of this rank's tiles; the analysis tiles are
  // re-planned if the drift is applied (the reader then holds a halo per tile).
  a.reg = register_acquisition(config.registration, setup, input, tiles_of_rank(a.tiles, me, n_ranks),
                               a.prep.corrections, a.prep.mask, config.grid.k_min, config.grid.k_max, comm, timer);
  a.bytes_read_registering = double(input.bytes_read());
  a.segments = center_segments(a.reg, setup.n_t_used, config.registration.center_tolerance_px);
  for (const auto& seg : a.segments)
    a.maps.push_back(polar::build_polar_map(setup.fine_grid, setup.calibration.k_pixel_size, seg.center, L.det_y,
                                            L.det_x, config.polar_subsample, a.prep.mask, a.reg.ellipse));
  // Under an ellipse the bins' detector areas are those of the elliptical maps.
  if (!a.reg.ellipse.none()) a.prep.setup.bin_area_px = output_bin_area(a.maps.front(), config.grid, setup.bin);
  std::size_t map_entries = 0;
  for (const auto& m : a.maps) map_entries += m.pixels.size();
  if (a.reg.drift_applied || a.maps.size() > 1) {
    mem.polar_map_entries = map_entries;
    mem.read_halo_factor = a.reg.drift_applied ? 3.0 : 1.0;
    a.plan = plan_memory(mem);
    a.tiles = plan_tiles(a.plan);
  }
  return a;
}

}  // namespace ecm::engine
