#include "ecm/simulate/config.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "ecm/core/error.hpp"

namespace ecm::simulate {

std::string layout_name(Layout layout) { return layout == Layout::stream ? "stream" : "5d"; }

namespace {
// Largest value an integer element type of /frames stores (float32 has no such limit here).
std::uint64_t largest_integer(h5::DType dtype) {
  switch (dtype) {
    case h5::DType::u8: return std::numeric_limits<std::uint8_t>::max();
    case h5::DType::u16: return std::numeric_limits<std::uint16_t>::max();
    default: return std::numeric_limits<std::uint32_t>::max();
  }
}
}  // namespace

std::size_t SimConfig::bytes_per_value() const {
  switch (dtype) {
    case h5::DType::u8: return 1;
    case h5::DType::u16: return 2;
    case h5::DType::u32: return 4;
    case h5::DType::f32: return 4;
    default: throw InputError("--dtype must be uint8, uint16, uint32 or float32");
  }
}

void validate(const SimConfig& c) {
  require(c.scan_y >= 1 && c.scan_x >= 1, "--scan needs at least one position in each direction");
  require(c.cycles >= 2, "--cycles must be at least 2");
  require(c.det_y >= 2 && c.det_x >= 2, "--detector needs at least 2x2 pixels");
  require(c.dtype == h5::DType::u8 || c.dtype == h5::DType::u16 || c.dtype == h5::DType::u32 ||
              c.dtype == h5::DType::f32,
          "--dtype must be uint8, uint16, uint32 or float32");
  require(c.time_step_s > 0, "--time-step must be positive (seconds)");
  require(c.k_pixel_size > 0, "--k-pixel-size must be positive (1/A per pixel)");
  require(c.center0_y() <= static_cast<double>(c.det_y) - 1 && c.center0_x() <= static_cast<double>(c.det_x) - 1,
          "--center must lie on the detector");
  require(c.k_peak > 0, "--k-peak must be positive (1/A)");
  require(c.ring_width > 0, "--ring-width must be positive (1/A)");
  require(c.convergence > 0, "--convergence must be positive (1/A)");
  require(c.dose >= 0, "--dose must be >= 0 (electrons per pixel per frame)");
  require(c.background >= 0, "--background must be >= 0");
  require(c.direct_beam >= 0, "--direct-beam must be >= 0");
  require(c.ellipticity >= 0 && c.ellipticity <= 0.2, "--ellipticity E must be in [0, 0.2] (axis ratio 1 + E)");
  require(std::fabs(c.ellipticity_angle_deg) <= 360, "--ellipticity ANGLE must be within [-360, 360] degrees");
  require(c.beam_stop_radius_px >= 0, "--beam-stop must be >= 0 (radius in detector px; 0: none)");
  require(c.beam_stop_arm_px >= 0, "--beam-stop-arm must be >= 0 (width in detector px; 0: none)");
  require(c.beam_stop_arm_px == 0 || c.beam_stop_radius_px > 0, "--beam-stop-arm needs a --beam-stop disc to start from");
  require(c.contrast >= 0 && c.contrast <= 1, "--contrast must be in [0, 1]");
  require(c.tau_median_s > 0, "--tau must be positive (seconds)");
  require(c.sigma_ln_tau >= 0, "--sigma-ln-tau must be >= 0");
  require(c.beta > 0 && c.beta <= 2, "--beta must be in (0, 2] (larger values are not a valid correlation)");
  require(c.aging_factor > 0 && c.aging_factor <= 1000, "--aging-factor must be in (0, 1000] (tau at the end / tau at the start)");
  // The aging model is an exact AR(1) process in material time, which has beta = 1; a
  // stretched decay in material time has no such exact sequential generator.
  require(c.aging_factor == 1.0 || c.beta == 1.0, "--aging-factor other than 1 needs --beta 1 (aging is simulated "
                                                  "as an exponential relaxation in material time)");
  require(c.domain_size_px >= 0 && c.domain_size_px <= 1000, "--domain-size must be in [0, 1000] scan pixels");
  require(c.thickness_contrast >= 0 && c.thickness_contrast < 1, "--thickness-contrast must be in [0, 1)");
  require(c.thickness_size_px >= 0 && c.thickness_size_px <= 1000, "--thickness-size must be in [0, 1000] scan pixels");
  require(c.n_sectors >= 1, "--sectors must be at least 1");
  require(std::fabs(c.kr_exponent) <= 20, "--kr-exponent must be within [-20, 20]");
  require(c.drift_walk_px >= 0, "--drift-walk must be >= 0");
  require(std::fabs(c.drift_y) + 4 * c.drift_walk_px <= 1e4 && std::fabs(c.drift_x) + 4 * c.drift_walk_px <= 1e4,
          "--drift / --drift-walk are implausibly large");
  require(std::fabs(c.center_drift_y) <= 1e4 && std::fabs(c.center_drift_x) <= 1e4,
          "--center-drift is implausibly large");
  require(c.counts_per_electron > 0, "--counts-per-electron must be positive");
  require(c.gain_spread >= 0 && c.gain_spread < 1, "--gain-spread must be in [0, 1)");
  require(c.dark_level >= 0 && c.dark_spread >= 0, "--dark-level and --dark-spread must be >= 0");
  require(c.read_noise >= 0, "--read-noise must be >= 0");
  require(c.hot_pixels <= c.det_y * c.det_x, "--hot-pixels exceeds the number of detector pixels");
  require(c.saturation_counts >= 0 && c.saturation_counts == std::floor(c.saturation_counts),
          "--saturation must be a whole number of counts >= 0 (0: only the dtype's range)");
  require(c.dtype == h5::DType::f32 || c.saturation_counts <= static_cast<double>(largest_integer(c.dtype)),
          "--saturation exceeds the largest " + h5::dtype_name(c.dtype) + " value (" +
              std::to_string(largest_integer(c.dtype)) + ")");
  require(c.memory_budget_mb > 0, "--memory-budget must be positive (MiB)");
  // A typo in --scan/--cycles/--detector should fail here, not after hours of writing.
  const double expected = c.dataset_bytes();
  require(expected < 1e15, "the dataset would exceed a petabyte; check --scan, --cycles and --detector");
}

}  // namespace ecm::simulate
