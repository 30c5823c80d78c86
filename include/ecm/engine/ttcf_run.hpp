#pragma once
// `ecm ttcf`: the two-time correlation of an acquisition (paper Eq. 5 and Fig. 7; docs/ttcf.md).
//
// The data are read and transformed exactly as `ecm run` reads them (the same options,
// registration and polar strip: engine/analysis_plan, TileProcessor::build_strip). Each rank
// sums G_r(t1, t2) over the positions of its tiles on the device (kernels/ttcf_kernels),
// then one reduction to rank 0 gives the mean over positions and the selected positions'
// own G_r; the band width per elapsed-time window and the aging fit (analysis/ttcf) are
// derived identically on every rank, and TTCF.h5 is written collectively, as
// TTCF.h5.partial renamed when complete. Memory: (1 + selected positions) T x T doubles per
// rank besides the tile being read, whatever the number of positions.
#include <mpi.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ecm/analysis/ttcf.hpp"
#include "ecm/engine/run_config.hpp"

namespace ecm::engine {

using ScanPosition = std::array<std::size_t, 2>;  // (y, x) scan indices

struct TtcfConfig {
  // Input, calibration, strip, preprocessing, registration, memory budget, output path
  // (TTCF.h5) and provenance; the correlation and fit options of `ecm run` are not used.
  RunConfig run;
  // Positions whose own G_r is written to /ttcf/G_positions; nullopt: the scan centre
  // (scan_y / 2, scan_x / 2); empty: none.
  std::optional<std::vector<ScanPosition>> positions;
  analysis::BandOptions band;
  analysis::AgingOptions aging;
};

struct TtcfSummary {
  std::string output_path;
  std::size_t n_t = 0;               // binned cycles: G is n_t x n_t
  double time_step_s = 0;            // after t-binning
  std::size_t n_bins = 0;            // ring bins (n_kr x n_kphi) the k average runs over
  std::size_t positions_total = 0;
  std::size_t positions_averaged = 0;      // in G_mean
  std::size_t positions_no_counts = 0;     // ring mean 0 at some cycle: left out
  std::size_t positions_out_of_field = 0;  // taken off the scan by the drift: left out
  std::vector<ScanPosition> selected;         // each position once, in the order first given
  std::size_t duplicate_positions = 0;        // repeats in --positions, dropped (computed once)
  std::vector<std::uint8_t> selected_status;  // ttcf::PositionStatus of each selected position
  analysis::BandProfile band;
  analysis::AgingFit aging;
  std::vector<std::string> input_notes;    // as `ecm run` has them: NaN values read as 0, references, ...
  int n_ranks = 0;
  std::size_t n_tiles = 0;
  double wall_s = 0;
};

// Collective over comm; throws (on every rank) on bad input or when no position can be used.
TtcfSummary run_ttcf(const TtcfConfig& config, MPI_Comm comm);

// "Y,X;Y,X;..." -> positions (whitespace allowed); "none" -> empty. Throws InputError naming
// --positions.
std::vector<ScanPosition> parse_positions(const std::string& text);

}  // namespace ecm::engine
