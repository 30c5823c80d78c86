#pragma once
// The setup every analysis of the polar strip shares (`ecm run`, `ecm ttcf`), from an opened
// input to the first tile:
//   prepare_analysis (calibration, polar grid, detector corrections, lag bins)
//   -> memory plan and scan tiles (at least one tile per rank, a multiple of the rank count)
//   -> registration stage (drift and beam-centre tracks, docs/registration.md)
//   -> one polar map per beam-centre segment, and the tiles re-planned when the drift is
//      applied (the reader then holds a halo) or several maps are held.
// Collective over comm: every rank gets the same plan.
#include <mpi.h>

#include <functional>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/analysis_setup.hpp"
#include "ecm/engine/memory_plan.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/engine/stage_timer.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/kernels/polar_map.hpp"

namespace ecm::engine {

// What the caller's analysis adds to the memory plan, known once the setup is.
struct PlanExtras {
  // Per-position working arrays besides the strip, counted as n_bins x n_lags doubles per
  // position (`ecm run`: its g2 curves; another analysis states its arrays in these units).
  std::size_t n_lags = 0;
  // Bytes held for the whole analysis, whatever the tile (`ecm run`: the g2 engine's FFT
  // workspace; `ecm ttcf`: its T x T accumulators). Counted in the plan's fixed overhead.
  double fixed_bytes = 0;
};

struct AnalysisPlan {
  Prepared prep;
  MemoryPlanInput mem;                    // as last planned
  MemoryPlan plan;
  std::vector<ScanTile> tiles;            // the whole scan, in plan order
  Registration reg;
  std::vector<CenterSegment> segments;    // cycle ranges of one beam centre each
  std::vector<polar::PolarMapHost> maps;  // one per segment
  double bytes_read_registering = 0;      // frame bytes this rank read for the registration
};

// `extras` is called once, with the prepared setup, before the memory is planned.
AnalysisPlan plan_analysis(const RunConfig& config, const io::InputDataset& input,
                           const std::function<PlanExtras(const AnalysisSetup&)>& extras, MPI_Comm comm,
                           StageTimer& timer);

}  // namespace ecm::engine
