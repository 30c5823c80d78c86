#pragma once
// `ecm run`: the whole k-resolved ECM analysis of one acquisition, on all ranks of comm.
#include <mpi.h>

#include <map>
#include <vector>
#include <string>
#include <utility>

#include "ecm/engine/memory_plan.hpp"
#include "ecm/engine/run_config.hpp"

namespace ecm::engine {

struct RunSummary {
  std::size_t n_pixels = 0;          // (r, k_r, k_phi) pixels in the output
  std::size_t n_converged = 0;       // pixels with a valid fit
  std::vector<std::pair<std::string, std::size_t>> status_counts;  // fit status name -> pixels, those that occur
  double median_tau_s = 0;           // over valid pixels (histogram median, 0.1 % resolution)
  double wall_s = 0;
  double raw_bytes = 0;              // size of the raw data analysed
  double peak_rss_bytes = 0;         // largest peak resident size over ranks
  double bytes_read_registration = 0, bytes_read_analysis = 0;  // frames read, all ranks
  // Bytes the I/O libraries fetched (read() calls) per byte of frames the analysis asked
  // for: 1 when every chunk is read once; more when chunks are shared by tiles or blocks.
  double fetched_over_requested = 0;
  int n_ranks = 0;
  std::size_t n_tiles = 0;
  std::size_t tile_positions = 0;    // scan positions of the largest tile
  MemoryPlan plan;
  std::map<std::string, double> stage_seconds_max;  // per stage, the slowest rank
  std::string output_path;
  std::string drift_line, center_line, ellipse_line;  // what registration found, in words
  std::string input_line;                 // the input as its reader describes it
  std::vector<std::string> input_notes;   // what the reader and the scan placement noticed
  std::string nonfinite_note;             // NaN or Inf frame values read as 0 (also in input_notes); empty: none
  std::size_t tiles_resumed = 0;     // tiles already done by an earlier run (--resume)
  bool already_complete = false;     // --resume of a finished run: nothing was done
  std::vector<double> tiles_per_rank;  // tiles each rank computed in this run
  std::vector<std::string> stage_names;
  std::vector<double> stage_seconds;   // (rank, stage) row-major: wall time per rank and stage
};

RunSummary run(const RunConfig& config, MPI_Comm comm);

// Peak resident set size of this process [bytes].
double peak_rss_bytes();

}  // namespace ecm::engine
