#pragma once
// The registration stage of `ecm run` (before the tiles are analysed):
//   sample drift  - a virtual-dark-field (VDF) image per sampled cycle, summed into blocks,
//                   registered by FFT cross-correlation, or on scans under 20 positions a
//                   side by direct correlation over the overlap (registration/), made into
//                   a per-cycle track that the tile reader applies;
//   beam centre   - the direct beam's or the ring's centre per block of cycles, made into a
//                   gated piecewise-linear track that picks the polar map of each cycle,
//                   and the ring's ellipse (engine/center_tracking).
// Each rank reads only its own tiles (one cycle in `stride`); the block images and mean
// patterns are summed over ranks, the block shifts are estimated round-robin over ranks and
// merged, so every rank ends with the same tracks, whatever the number of ranks.
#include <mpi.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/stage_timer.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/kernels/preprocess.hpp"
#include "ecm/registration/shift_estimation.hpp"

namespace ecm::engine {

struct AnalysisSetup;

// --ellipse: measure the ring's ellipticity and apply it when significant, ignore it, or
// take it as given.
enum class EllipseMode { measure, off, given };

struct RegistrationOptions {
  bool drift = true;                   // --no-register: neither measured nor applied
  bool center_track = true;            // --no-center-track: one beam centre for the whole run
  registration::Reference reference = registration::Reference::mean;
  std::size_t stride = 0;              // read one cycle in `stride` for registration; 0 = auto
  std::size_t drift_block = 0;         // cycles per drift block (multiple of stride); 0 = auto
  std::size_t center_block = 0;        // cycles per beam-centre block (multiple of stride); 0 = auto
  double smooth_blocks = 0.0;          // Gaussian std of the drift smoothing [blocks]; 0 = none
  double min_drift_px = 0.5;           // drift applied only if its range reaches this [scan px]
  std::string drift_file;              // "FILE.h5[:/path]": drift (t, 2) [scan px] given, not measured
  std::optional<std::array<double, 2>> vdf_k_range;  // [1/A] annular VDF detector; default the strip
  double center_tolerance_px = 0.05;   // a new polar map when the centre moved further [detector px]
  EllipseMode ellipse_mode = EllipseMode::measure;
  Ellipticity ellipse;                 // EllipseMode::given
};

// What the registration stage found, identical on every rank.
struct Registration {
  std::size_t n_t = 0;  // raw cycles
  // Sample drift: at cycle t, scan position r shows the sample point that scan position
  // r + drift_yx[t] showed at cycle 0 [scan px], (t, 2). Zero when not measured.
  std::vector<double> drift_yx;
  std::vector<double> peak_quality;    // per cycle: quality of its block's match; NaN if not measured
  std::string drift_method;            // how the drift was obtained, in words
  bool drift_applied = false;          // whether the reader corrects it
  // Per block: centre cycle and measured drift (for the output; empty when not measured).
  std::vector<double> block_cycle, block_drift_yx, block_quality;
  // Beam centre per cycle [detector px], (t, 2), and how it was obtained.
  std::vector<double> center_yx;
  std::string center_method;
  bool center_moved = false;           // whether a measured movement is applied
  std::vector<double> center_block_cycle, center_block_yx;
  // Projector-lens ellipticity the polar maps follow (none unless applied), what was
  // measured (NaN if not) and how.
  Ellipticity ellipse;
  double ellipse_measured = std::numeric_limits<double>::quiet_NaN();
  double ellipse_measured_angle = std::numeric_limits<double>::quiet_NaN();  // [rad]
  double ellipse_sigma = std::numeric_limits<double>::quiet_NaN();
  std::string ellipse_method = "off";

  // Smallest and largest drift per axis over cycles [0, n) (0 included: the origin).
  struct Extent {
    double lo_y = 0, hi_y = 0, lo_x = 0, hi_x = 0;
  };
  Extent drift_extent(std::size_t n) const {
    Extent e;
    for (std::size_t t = 0; t < n; ++t) {
      e.lo_y = std::min(e.lo_y, drift_y(t)), e.hi_y = std::max(e.hi_y, drift_y(t));
      e.lo_x = std::min(e.lo_x, drift_x(t)), e.hi_x = std::max(e.hi_x, drift_x(t));
    }
    return e;
  }
  double drift_y(std::size_t t) const { return drift_yx[2 * t]; }
  double drift_x(std::size_t t) const { return drift_yx[2 * t + 1]; }
  std::array<double, 2> center(std::size_t t) const { return {center_yx[2 * t], center_yx[2 * t + 1]}; }
};

// Resolved sampling of the registration stage (auto values filled in).
struct RegistrationSampling {
  std::size_t stride = 1, drift_block = 1, center_block = 1;
};
RegistrationSampling resolve_sampling(const RegistrationOptions& options, std::size_t n_t_used);

// Runs the stage on every rank of comm (collective). `mine` are this rank's tiles;
// `corrections` the detector corrections the analysis uses.
Registration register_acquisition(const RegistrationOptions& options, const AnalysisSetup& setup,
                                  const io::InputDataset& input, const std::vector<ScanTile>& mine,
                                  const preprocess::DetectorCorrections<MemSpace>& corrections,
                                  const std::vector<float>& mask, double k_range_lo, double k_range_hi,
                                  MPI_Comm comm, StageTimer& timer);

// Cycle ranges [begin, end) over which the beam centre stays within `tolerance` of one
// value, and that value, for building one polar map per range.
struct CenterSegment {
  std::size_t begin = 0, end = 0;
  std::array<double, 2> center{};
};
std::vector<CenterSegment> center_segments(const Registration& reg, std::size_t n_t_used, double tolerance);

}  // namespace ecm::engine
