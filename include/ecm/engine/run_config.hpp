#pragma once
// Everything `ecm run` needs, resolved from the command line and --config INI file.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/kernels/g2.hpp"
#include "ecm/kernels/kww_fit.hpp"
#include "ecm/kernels/strip_binning.hpp"

namespace ecm::engine {

struct RunConfig {
  // Input
  std::string input_path;
  io::InputOptions input;        // format, dataset, scan placement (io/input_dataset.hpp)
  io::CalibrationOverrides calibration;
  std::string dark, gain, mask;  // "FILE.h5:/path" or "/path" in the input; empty = none

  // Output
  std::string output_path;
  bool save_g2 = false;

  // Preprocessing and polar strip
  float threshold = 0.0f;          // counts after dark/gain; below -> 0
  PolarGrid grid;                  // output (k_r, k_phi) grid after binning
  binning::Factors bin;            // polar transform runs on the grid refined by these factors
  int polar_subsample = 8;         // sub-pixels per detector pixel edge

  // Drift registration and beam-centre tracking
  RegistrationOptions registration;

  // Correlation and fit
  g2::Normalization normalization = g2::Normalization::symmetric;
  int n_lags = 50;                 // log-spaced lag bins
  double max_lag_fraction = 0.5;   // largest lag fitted, as a fraction of the series length
  double min_counts = 0.05;        // mean counts per frame per bin below which no fit is attempted
  fit::KwwOptions fit;

  // Resources
  double memory_budget_bytes = 2.0 * (1ull << 30);  // per rank
  bool overlap_reads = true;       // read the next block of cycles while the kernels run

  // Checkpointing (docs/checkpointing.md)
  std::string progress = "auto";   // auto | bar | lines | none (rank 0, on stderr)
  bool dynamic_schedule = true;    // tiles in proportion to rank speed (false: round-robin)
  bool resume = false;             // continue OUT.h5.partial from its tile ledger, if there is one
  double throttle_s = 0.0;         // sleep after each tile (tests and benchmarks: a slow rank)
  int throttle_rank = -1;          // the rank that sleeps; -1 = every rank

  // Provenance
  std::string command_line;
  std::string resolved_ini;        // the configuration as an INI text, stored in the output
  // What the run computes: resolved_ini without the options that do not change the result
  // (resume, throttle, schedule). A resumed run must have the same.
  std::string identity() const;
};

}  // namespace ecm::engine
