// AnalysisOptions::validate and RunControls::validate: every check of an option's value, in
// one place, before any input is opened. Each message names the CLI option.
#include "ecm/analysis_options.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecm/api/run_config_from_options.hpp"
#include "ecm/core/value_range.hpp"
#include "ecm/io/input_dataset.hpp"

namespace ecm {

namespace {

void check_calibration(const AnalysisOptions::Calibration& c) {
  // The ranges the file's values get (io::InputDataset::calibration).
  if (c.time_step_s) io::check_time_step(*c.time_step_s, "--time-step");
  if (c.k_pixel_size) io::check_k_pixel_size(*c.k_pixel_size, "--k-pixel-size");
  if (c.beam_center_yx && !(std::isfinite((*c.beam_center_yx)[0]) && std::isfinite((*c.beam_center_yx)[1])))
    throw InputError("--beam-center expects two finite numbers as A,B");
  if (c.convergence) io::check_convergence(*c.convergence, "--convergence");
}

void check_strip(const AnalysisOptions::Strip& s) {
  if (!(std::fabs(s.threshold) <= std::numeric_limits<float>::max()))
    throw InputError("--threshold must be a count that fits a float (got " + number_text(s.threshold) + ")");
  if (!(s.kr_range[0] >= 0 && s.kr_range[1] > s.kr_range[0] && std::isfinite(s.kr_range[1])))
    throw InputError("--kr-range must satisfy 0 <= LO < HI");
  const std::pair<int, const char*> factors[] = {{s.bin_kr, "--bin-kr"}, {s.bin_kphi, "--bin-kphi"}, {s.bin_t, "--bin-t"}};
  for (const auto& [factor, option] : factors)
    require(factor >= 1, std::string(option) + " must be >= 1 (got " + std::to_string(factor) + ")");
  require(s.n_kr >= 1 && s.n_kphi >= 1, "--n-kr and --n-kphi must be >= 1");
  require(s.polar_subsample >= 1 && s.polar_subsample <= 64,
          "--polar-subsample: polar sub-sampling must be in 1..64 (got " + std::to_string(s.polar_subsample) + ")");
}

void check_registration(const AnalysisOptions::Registration& r) {
  engine::RegistrationOptions parsed;
  api::parse_ellipse(r.ellipse, parsed);  // throws on a bad --ellipse
  if (r.vdf_k_range && !(std::isfinite((*r.vdf_k_range)[0]) && std::isfinite((*r.vdf_k_range)[1])))
    throw InputError("--vdf-k-range expects two finite numbers as A,B");
  if (!(r.drift_smooth >= 0)) throw InputError("--drift-smooth must be >= 0");
  if (!(r.drift_threshold >= 0)) throw InputError("--drift-threshold must be >= 0");
  if (!(r.center_tolerance > 0)) throw InputError("--center-tolerance must be > 0");
  if (!r.drift_file.empty() && !r.drift) throw InputError("--drift-file and --no-register contradict each other");
}

void check_correlation_and_fit(const AnalysisOptions::Correlation& c, const AnalysisOptions::Fit& f) {
  const std::string beta_max = number_text(kMaxKwwBeta);
  if (!(f.beta_min > 0 && f.beta_min < f.beta_max && f.beta_max <= kMaxKwwBeta))
    throw InputError("beta bounds must satisfy 0 < --beta-min < --beta-max <= " + beta_max);
  if (f.max_iterations < 1) throw InputError("--max-iterations must be >= 1");
  if (!(c.min_counts >= 0 && std::isfinite(c.min_counts)))
    throw InputError("--min-counts must be >= 0 (mean counts per frame in a bin)");
  if (!(f.tau_min_s >= 0 && f.tau_max_s >= 0 && std::isfinite(f.tau_min_s) && std::isfinite(f.tau_max_s)))
    throw InputError("--tau-min and --tau-max must be >= 0 s");
  require(c.max_lag_fraction > 0 && c.max_lag_fraction <= 1, "--max-lag-fraction must be in (0, 1]");
  require(c.n_lags >= 5, "--n-lags must be >= 5 (a KWW fit has 4 parameters)");
}

}  // namespace

void AnalysisOptions::validate() const {
  check_calibration(calibration);
  check_strip(strip);
  check_registration(registration);
  if (!(memory_budget_bytes > 0 && std::isfinite(memory_budget_bytes)))
    throw InputError("--memory-budget must be a size > 0 (got " + number_text(memory_budget_bytes) + " bytes)");
  check_correlation_and_fit(correlation, fit);
}

void RunControls::validate() const {
  if (progress != "auto" && progress != "bar" && progress != "lines" && progress != "none")
    throw InputError("--progress must be auto, bar, lines or none (got '" + progress + "')");
  if (!(throttle_s >= 0 && std::isfinite(throttle_s))) throw InputError("--throttle must be >= 0 s");
}

}  // namespace ecm
