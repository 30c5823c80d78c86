// ecm::Analysis: validated options, made into the engine's RunConfig in one place
// (api::make_run_config), run on a file or on frames in memory.
#include "ecm/analysis.hpp"

#include <utility>

#include "ecm/api/memory_frames.hpp"
#include "ecm/api/run_config_from_options.hpp"
#include "ecm/core/interrupt.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/engine/pipeline.hpp"

namespace ecm {

namespace {

RunReport report_of(const engine::RunSummary& s) {
  RunReport r;
  r.output_path = s.output_path;
  r.n_pixels = s.n_pixels;
  r.n_converged = s.n_converged;
  r.median_tau_s = s.median_tau_s;
  r.wall_s = s.wall_s;
  r.already_complete = s.already_complete;
  r.tiles_resumed = s.tiles_resumed;
  r.status_counts = s.status_counts;
  r.notes = s.input_notes;
  return r;
}

// engine::run, and what `ecm`'s main does after a failure: no partial output is left (an
// interrupted run keeps its checkpoint for resume). Every rank gets the exception (the
// engine agrees before it acts), so every rank cleans up its own list.
RunReport run_engine(const engine::RunConfig& config, MPI_Comm comm) {
  if (config.controls.stop_on_signals) interrupt::install_handlers();
  try {
    return report_of(engine::run(config, comm));
  } catch (const interrupt::Interrupted&) {
    throw;
  } catch (...) {
    partial_outputs::remove_all();
    throw;
  }
}

}  // namespace

Analysis::Analysis(AnalysisOptions options, RunControls controls)
    : options_(std::move(options)), controls_(std::move(controls)) {
  options_.validate();
  controls_.validate();
}

RunReport Analysis::run(const std::string& input_path, const std::string& output_path, MPI_Comm comm) const {
  require(!input_path.empty(), "no input file given");
  require(!output_path.empty(), "no output file given");
  return run_engine(api::make_run_config(options_, controls_, input_path, output_path), comm);
}

RunReport Analysis::run(const FrameArray& frames, const std::string& output_path, MPI_Comm comm) const {
  require(!output_path.empty(), "no output file given");
  engine::RunConfig config = api::make_run_config(options_, controls_, "", output_path);
  config.frames = api::make_memory_source(frames);
  return run_engine(config, comm);
}

}  // namespace ecm
