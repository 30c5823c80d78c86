#pragma once
// The typed options of a k-resolved ECM analysis (public API, docs/api.md).
//
// AnalysisOptions is what a result depends on: every field has the default `ecm run` has,
// every field has a key that is the CLI's long option name (set(), to_ini()), and one
// validate() holds every check of their values. RunControls is how a run is carried out
// (progress, scheduling, resume, test hooks): never part of the result's fingerprint.
//
// Includes only the standard library and ecm/core/error.hpp.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"

namespace ecm {

// The largest KWW stretching exponent a fit may reach (the authors' bound, docs/fit.md):
// --beta-max, AnalysisOptions::validate() and the fit's own guard all use this one value.
inline constexpr double kMaxKwwBeta = 2.5;

struct AnalysisOptions {
  // How the input is opened and its frames placed on the scan (docs/input-formats.md).
  struct Input {
    std::string format = "auto";                          // format: auto | hdf5 | nexus | seq | mib | mrc | empad
    std::string dataset;                                  // dataset: HDF5 dataset; empty = /frames, a NeXus master's data, or the only one
    std::optional<std::array<std::size_t, 2>> scan_shape;  // scan-shape NY,NX; absent = from the file
    std::size_t skip_frames = 0;                          // skip-frames
    std::size_t flyback = 0;                              // flyback: extra frames per scan row
    std::optional<std::size_t> cycle_frames;              // cycle-frames; absent = NY * (NX + flyback)
    bool drop_incomplete_cycle = false;                   // drop-incomplete-cycle
    std::optional<std::size_t> frame_count;               // frame-count (.seq headers)
    bool allow_external = false;                          // allow-external (HDF5 data outside the input's folder)
  };
  // Calibration overrides; absent = the input's own attributes (or, for the beam centre, found).
  struct Calibration {
    std::optional<double> time_step_s;                    // time-step [s]
    std::optional<double> k_pixel_size;                   // k-pixel-size [1/A per px]
    std::optional<std::array<double, 2>> beam_center_yx;  // beam-center Y,X [px]
    std::optional<double> convergence;                    // convergence k_c [1/A]
  };
  // Detector references: "FILE.h5:/path", "/path" in the input, "none" (not the input's own),
  // or empty (the input's own, if it brings one).
  struct References {
    std::string dark, gain, mask;                         // dark, gain, mask
  };
  // Preprocessing and the polar strip.
  struct Strip {
    double threshold = 0.0;                               // threshold [counts]
    std::array<double, 2> kr_range{0.3, 0.6};             // kr-range LO,HI [1/A]
    int n_kr = 4, n_kphi = 48;                            // n-kr, n-kphi (after binning)
    int bin_kr = 1, bin_kphi = 1, bin_t = 1;              // bin-kr, bin-kphi, bin-t
    int polar_subsample = 8;                              // polar-subsample
  };
  enum class DriftReference { first, previous, mean };
  // Drift registration and beam-centre tracking (docs/registration.md).
  struct Registration {
    bool drift = true;                                    // false: no-register
    std::string drift_file;                               // drift-file FILE.h5[:/path]
    DriftReference drift_reference = DriftReference::mean;  // drift-reference
    std::size_t stride = 0;                               // register-stride; 0 = auto
    std::size_t drift_block = 0;                          // drift-block; 0 = auto
    double drift_smooth = 0.0;                            // drift-smooth [blocks]
    double drift_threshold = 0.5;                         // drift-threshold [scan px]
    std::optional<std::array<double, 2>> vdf_k_range;     // vdf-k-range; absent = the strip
    bool center_track = true;                             // false: no-center-track
    std::size_t center_block = 0;                         // center-block; 0 = auto
    double center_tolerance = 0.05;                       // center-tolerance [detector px]
    std::string ellipse = "auto";                         // ellipse: auto | off | A,B,ANGLE
  };
  enum class Normalization { symmetric, standard };
  struct Correlation {
    Normalization normalization = Normalization::symmetric;  // normalization
    int n_lags = 50;                                      // n-lags
    double max_lag_fraction = 0.5;                        // max-lag-fraction
    double min_counts = 0.05;                             // min-counts
  };
  struct Fit {
    double tau_min_s = 0.0, tau_max_s = 0.0;              // tau-min, tau-max [s]; 0 = from the lags
    double beta_min = 0.1, beta_max = kMaxKwwBeta;        // beta-min, beta-max
    int max_iterations = 100;                             // max-iterations
  };

  Input input;
  Calibration calibration;
  References references;
  Strip strip;
  Registration registration;
  Correlation correlation;
  Fit fit;
  bool save_g2 = false;                                   // save-g2
  double memory_budget_bytes = 2.0 * 1024 * 1024 * 1024;  // memory-budget, per rank

  // The one validation of every option; throws ecm::InputError naming the CLI option
  // ("--n-lags must be >= 5 ..."). Analysis' constructor calls it.
  void validate() const;

  // Canonical INI text of every option, in a fixed order, keys = the CLI's long option names
  // ("n-lags = 50"); an absent optional value is a comment line ("# time-step =").
  // Reads back through set() and `ecm run --config`. Stored as the output's `configuration`
  // attribute and hashed into the resume fingerprint.
  std::string to_ini() const;

  // Sets one option by its CLI long name ("n-lags", "kr-range"; '_' is taken for '-') from its
  // text as on the command line ("50", "0.3,0.6", "true", "2G"). Throws InputError on an
  // unknown key or a value that does not parse; ranges are validate()'s job.
  void set(const std::string& key, const std::string& value);
  // The option's value as to_ini() writes it; empty for an absent optional value.
  std::string get(const std::string& key) const;
  // Every key set() takes, in to_ini()'s order.
  static std::vector<std::string> keys();
  // Reads INI text (to_ini()'s, or a --config file's analysis options): "key = value" lines,
  // '#' comments and blank lines; every key through set().
  static AnalysisOptions from_ini(const std::string& text);
};

// How a run is carried out, not what it computes: never part of the fingerprint.
struct RunControls {
  std::string progress = "none";     // auto (bar on a terminal, lines otherwise) | bar | lines | none; rank 0, stderr
  bool dynamic_schedule = true;      // tiles in proportion to rank speed (false: round-robin)
  bool resume = false;               // continue OUT.partial from its tile ledger, if made with the same options and input
  bool overlap_reads = true;         // read the next block of cycles while the kernels run
  // SIGTERM and SIGUSR1 (SLURM's time limit) stop the run after the tiles in progress, keep its
  // checkpoint and make run() throw ecm::Interrupted, as `ecm run` does (exit 75). Off: the
  // signals keep their default action (or the program's own handlers).
  bool stop_on_signals = false;
  double throttle_s = 0;             // sleep after each tile [s] (tests and benchmarks: a slow rank)
  int throttle_rank = -1;            // the rank that sleeps; -1 = every rank
  std::string command_line;          // provenance only (the output's command_line attribute)
  // Throws InputError naming the CLI option (--progress, --throttle).
  void validate() const;
};

}  // namespace ecm
