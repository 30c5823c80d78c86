#pragma once
// One bounded Levenberg–Marquardt KWW fit, as device code (see kww_fit.hpp, kww_model.hpp).
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/kww_model.hpp"

namespace ecm::fit::detail {

// Status codes as in ecm::fit::Status (kept as integers so this header stands alone).
constexpr std::uint8_t kConverged = 0, kMaxIterations = 1, kNoDecay = 2, kInvalidInput = 5, kAtBound = 6;

struct FitOutcome {
  double p[4] = {0, 0, 0, 0};    // B, A, ln τ, β
  double err[4] = {0, 0, 0, 0};  // 1σ of each, from the covariance
  double chi2_red = 0;
  std::uint8_t status = kInvalidInput;
  int iterations = 0;
};

// Projects p onto the box: A ≥ a_min, u and β within their bounds (B is free).
KOKKOS_INLINE_FUNCTION void project(double p[4], double a_min, const FitConfig& cfg) {
  p[kA] = kmath::max(p[kA], a_min);
  p[kU] = kmath::clamp(p[kU], cfg.u_min, cfg.u_max);
  p[kBeta] = kmath::clamp(p[kBeta], cfg.beta_min, cfg.beta_max);
}

// Fits g(k) at lags t(k) (log_t = ln t). Marquardt damping of the normal equations,
// (JᵀJ + λ diag JᵀJ) δ = Jᵀr, with the step projected onto the bounds. Converged when an
// accepted step moves no parameter by more than rel_tolerance (relative; absolute in ln τ)
// or, once close to Gauss–Newton (λ < 1), lowers χ² by less than rel_tolerance relatively or
// by less than 1e-6 of the noise variance χ²/(n−4).
template <class Row, class Lags>
KOKKOS_INLINE_FUNCTION FitOutcome fit_one(const Row& g, const Lags& t, const Lags& log_t, int n,
                                          const FitConfig& cfg) {
  FitOutcome out;
  for (int k = 0; k < n; ++k) {
    if (!kmath::isfinite(g(k))) return out;  // invalid_input
  }
  double p[4];
  if (!initial_guess(g, t, log_t, n, cfg, p)) {
    out.status = kNoDecay;
    return out;
  }
  // A may not collapse by more than 6 orders below its estimate: that is "no decay".
  const double a_min = 1e-6 * p[kA];
  const double tol = cfg.rel_tolerance;
  double chi2, h[4][4], grad[4];
  if (!evaluate(g, log_t, n, p, chi2, h, grad)) {
    out.status = kNoDecay;
    return out;
  }
  double lambda = 1e-3;
  bool converged = false;
  int it = 0;
  while (it < cfg.max_iterations && !converged) {
    ++it;
    // Damped normal equations; the floor keeps a zero column (e.g. A → 0) solvable.
    const double trace = h[0][0] + h[1][1] + h[2][2] + h[3][3];
    double m[4][4], l[4][4], rhs[4], delta[4];
    for (int a = 0; a < 4; ++a) {
      for (int b = 0; b < 4; ++b) m[a][b] = h[a][b];
      m[a][a] += lambda * kmath::max(h[a][a], 1e-15 * trace);
      rhs[a] = grad[a];
    }
    // Active set: a parameter on a bound that the step would push outwards is held fixed
    // (its row and column removed), so the free ones take a proper Newton step instead
    // of one distorted by clipping. Jᵀr points downhill in χ².
    for (int a = kA; a < 4; ++a) {
      const bool lower = a == kA ? p[a] <= a_min : a == kU ? p[a] <= cfg.u_min : p[a] <= cfg.beta_min;
      const bool upper = a == kU ? p[a] >= cfg.u_max : a == kBeta ? p[a] >= cfg.beta_max : false;
      if ((lower && grad[a] < 0.0) || (upper && grad[a] > 0.0)) {
        for (int b = 0; b < 4; ++b) m[a][b] = m[b][a] = 0.0;
        m[a][a] = 1.0;
        rhs[a] = 0.0;
      }
    }
    if (!cholesky4(m, l)) {
      lambda *= 10.0;
      if (lambda > 1e20) break;
      continue;
    }
    cholesky4_solve(l, rhs, delta);
    double trial[4];
    for (int a = 0; a < 4; ++a) trial[a] = p[a] + delta[a];
    project(trial, a_min, cfg);
    const double step_scale[4] = {tol * (kmath::fabs(p[kB]) + kmath::fabs(p[kA])), tol * kmath::fabs(p[kA]), tol,
                                  tol * p[kBeta]};
    bool small = true;
    for (int a = 0; a < 4; ++a) small = small && kmath::fabs(trial[a] - p[a]) <= step_scale[a];
    double chi2_t, h_t[4][4], grad_t[4];
    const bool ok = evaluate(g, log_t, n, trial, chi2_t, h_t, grad_t);
    if (ok && chi2_t <= chi2) {
      const double rel_drop = chi2 > 0.0 ? (chi2 - chi2_t) / chi2 : 0.0;
      // A drop below 1e-6 of the noise variance moves the parameters by ~1e-3 of their
      // standard errors: nothing left to gain, however slowly a shallow valley still descends.
      const bool negligible = (chi2 - chi2_t) < 1e-6 * chi2 / (n - 4);
      converged = small || (lambda < 1.0 && (rel_drop < tol || negligible));
      for (int a = 0; a < 4; ++a) {
        p[a] = trial[a];
        grad[a] = grad_t[a];
        for (int b = 0; b < 4; ++b) h[a][b] = h_t[a][b];
      }
      chi2 = chi2_t;
      lambda = kmath::max(lambda * 0.1, 1e-12);
    } else {
      // A rejected step that is already negligible means p is a (bounded) minimum.
      converged = small;
      lambda *= 10.0;
      if (lambda > 1e20) break;
    }
  }
  out.iterations = it;
  for (int a = 0; a < 4; ++a) out.p[a] = p[a];
  out.chi2_red = chi2 / (n - 4);
  if (!converged) {
    out.status = kMaxIterations;
    return out;
  }
  if (p[kA] <= a_min * (1.0 + 1e-9)) {  // the decay amplitude collapsed
    out.status = kNoDecay;
    return out;
  }
  const double eps_u = 1e-6, eps_b = 1e-6 * p[kBeta];
  if (p[kU] - cfg.u_min <= eps_u || cfg.u_max - p[kU] <= eps_u || p[kBeta] - cfg.beta_min <= eps_b ||
      cfg.beta_max - p[kBeta] <= eps_b) {
    out.status = kAtBound;
    return out;
  }
  // Covariance (JᵀJ)⁻¹ χ²_red at the solution; singular means the data do not fix the decay.
  double l[4][4], diag[4];
  if (!cholesky4(h, l)) {
    out.status = kNoDecay;
    return out;
  }
  cholesky4_inverse_diagonal(l, diag);
  for (int a = 0; a < 4; ++a) out.err[a] = kmath::sqrt(diag[a] * out.chi2_red);
  out.status = kConverged;
  return out;
}

}  // namespace ecm::fit::detail
