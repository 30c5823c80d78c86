#pragma once
// Everything engine::run needs. Made from ecm::AnalysisOptions and ecm::RunControls in one
// place (api::make_run_config, src/api/run_config_from_options.cpp), by every entry point:
// `ecm run`, `ecm ttcf`, ecm::Analysis.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ecm/analysis_options.hpp"

#include "ecm/core/geometry.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/kernels/g2.hpp"
#include "ecm/kernels/kww_fit.hpp"
#include "ecm/kernels/strip_binning.hpp"

namespace ecm::engine {

struct RunConfig {
  // Input: the file input_path, or the frames of `frames` (ecm::Analysis::run(FrameArray);
  // input_path is then empty).
  std::string input_path;
  std::shared_ptr<const io::FrameSource> frames;
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

  // How the run is carried out (progress, schedule, --resume, throttle; docs/checkpointing.md):
  // not part of identity(). (overlap_reads above is a copy of controls.overlap_reads.)
  ecm::RunControls controls;

  // Provenance: ecm::AnalysisOptions::to_ini() of the options this config was made from,
  // stored as the output's `configuration` attribute.
  std::string configuration;
  // What the run computes: the input (its path, or "memory") and `configuration`. Its
  // fingerprint is what --resume compares, so a run resumes alike from every entry point.
  std::string identity() const;
};

}  // namespace ecm::engine
