// Host parts of the KWW fit: status names and the checked kernel configuration.
#include "ecm/kernels/kww_fit.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "ecm/core/value_range.hpp"

namespace ecm::fit {

const char* status_name(Status status) {
  switch (status) {
    case Status::converged: return "converged";
    case Status::max_iterations: return "max_iterations";
    case Status::no_decay: return "no_decay";
    case Status::masked: return "masked";
    case Status::too_few_counts: return "too_few_counts";
    case Status::invalid_input: return "invalid_input";
    case Status::at_bound: return "at_bound";
    case Status::out_of_field: return "out_of_field";
    case Status::not_computed: return "not_computed";
  }
  return "unknown";
}

namespace detail {

FitConfig make_config(const KwwOptions& o, const double* lag_s, int n_lags) {
  require(n_lags >= 5, "fit: a KWW fit (4 parameters, reduced chi2) needs >= 5 lags, got " +
                           std::to_string(n_lags));
  for (int k = 0; k < n_lags; ++k) {
    require(std::isfinite(lag_s[k]) && lag_s[k] > 0.0, "fit: lag times must be finite and > 0");
    require(k == 0 || lag_s[k] > lag_s[k - 1], "fit: lag times must be strictly increasing");
  }
  // The fit's own guard, with the bound AnalysisOptions::validate() checks (ecm::kMaxKwwBeta).
  require(o.beta_min > 0.0 && o.beta_min <= o.beta_max && o.beta_max <= kMaxKwwBeta,
          "fit: need 0 < beta_min <= beta_max <= " + number_text(kMaxKwwBeta));
  require(o.max_iterations >= 1, "fit: max_iterations must be >= 1");
  require(o.rel_tolerance > 0.0 && o.rel_tolerance < 1.0, "fit: rel_tolerance must be in (0, 1)");
  require(o.n_initial_lags >= 2 && o.n_initial_lags <= n_lags,
          "fit: n_initial_lags must be in [2, number of lags]");
  const double tau_min = o.tau_min_s > 0.0 ? o.tau_min_s : lag_s[0] / 10.0;
  const double tau_max = o.tau_max_s > 0.0 ? o.tau_max_s : 10.0 * lag_s[n_lags - 1];
  require(o.tau_min_s >= 0.0 && o.tau_max_s >= 0.0 && std::isfinite(tau_max) && tau_min < tau_max,
          "fit: need 0 < tau_min < tau_max (0 = derive from the lags)");
  FitConfig cfg;
  cfg.u_min = std::log(tau_min);
  cfg.u_max = std::log(tau_max);
  cfg.beta_min = o.beta_min;
  cfg.beta_max = o.beta_max;
  cfg.max_iterations = o.max_iterations;
  cfg.rel_tolerance = o.rel_tolerance;
  cfg.n_initial = o.n_initial_lags;
  // Tail for B and the noise level: the last tenth of the lags, 2..10 points.
  cfg.n_tail = std::clamp(n_lags / 10, 2, 10);
  return cfg;
}

}  // namespace detail
}  // namespace ecm::fit
