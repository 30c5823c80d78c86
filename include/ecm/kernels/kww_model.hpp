#pragma once
// Device-side pieces of the KWW fit (see kww_fit.hpp): model and Jacobian, initial
// guesses, a 4x4 Cholesky solve. Plain scalar code with no heap and no local arrays
// sized by the data, so one fit runs in one GPU thread as well as on a CPU core.
//
// Parameters p = (B, A, u = ln τ, β). Fitting ln τ keeps τ > 0 and makes the problem
// scale-free in time; with (t/τ)^β = exp(β (ln t − u)) each point costs two exp().
#include <Kokkos_Core.hpp>

#include "ecm/analysis_options.hpp"  // ecm::kMaxKwwBeta
#include "ecm/core/kokkos_types.hpp"

namespace ecm::fit::detail {

constexpr int kB = 0, kA = 1, kU = 2, kBeta = 3;

// What one fit needs besides its data: bounds in fit coordinates and stopping rules.
struct FitConfig {
  double u_min = 0, u_max = 0;  // ln τ bounds
  double beta_min = 0.1, beta_max = kMaxKwwBeta;
  int max_iterations = 100;
  double rel_tolerance = 1e-8;
  int n_initial = 4;  // head points for the A extrapolation
  int n_tail = 5;     // tail points for B and the noise level
};

// χ² = Σ r², JᵀJ and Jᵀr at p, with r = g − model. Returns false if χ² is not finite.
// Points go in blocks of 8 so the independent exp() calls of a block can overlap, and the
// sums live in scalars, not in an array the compiler would keep in memory: both measurably
// faster on a CPU core, and harmless on a GPU (fixed-size locals become registers).
template <class Row, class Lags>
KOKKOS_INLINE_FUNCTION bool evaluate(const Row& g, const Lags& log_t, int n, const double p[4], double& chi2,
                                     double h[4][4], double grad[4]) {
  double s01 = 0, s02 = 0, s03 = 0, s11 = 0, s12 = 0, s13 = 0, s22 = 0, s23 = 0, s33 = 0;
  double g0 = 0, g1 = 0, g2 = 0, g3 = 0, c = 0;
  constexpr int kBlock = 8;
  for (int k0 = 0; k0 < n; k0 += kBlock) {
    const int m = n - k0 < kBlock ? n - k0 : kBlock;
    double d[kBlock], x[kBlock], e[kBlock];
    for (int i = 0; i < m; ++i) {
      d[i] = log_t(k0 + i) - p[kU];
      x[i] = kmath::exp(p[kBeta] * d[i]);  // (t/τ)^β
    }
    for (int i = 0; i < m; ++i) e[i] = kmath::exp(-2.0 * x[i]);
    for (int i = 0; i < m; ++i) {
      const double ae = p[kA] * e[i];
      const double r = g(k0 + i) - (p[kB] + ae);
      // ∂model/∂(B, A, u, β) = (1, e, 2βx·Ae, −2x·ln(t/τ)·Ae)
      const double j1 = e[i], j2 = 2.0 * p[kBeta] * x[i] * ae, j3 = -2.0 * x[i] * d[i] * ae;
      c += r * r;
      g0 += r;
      g1 += j1 * r;
      g2 += j2 * r;
      g3 += j3 * r;
      s01 += j1;
      s02 += j2;
      s03 += j3;
      s11 += j1 * j1;
      s12 += j1 * j2;
      s13 += j1 * j3;
      s22 += j2 * j2;
      s23 += j2 * j3;
      s33 += j3 * j3;
    }
  }
  chi2 = c;
  h[0][0] = n;
  h[0][1] = h[1][0] = s01;
  h[0][2] = h[2][0] = s02;
  h[0][3] = h[3][0] = s03;
  h[1][1] = s11;
  h[1][2] = h[2][1] = s12;
  h[1][3] = h[3][1] = s13;
  h[2][2] = s22;
  h[2][3] = h[3][2] = s23;
  h[3][3] = s33;
  grad[0] = g0;
  grad[1] = g1;
  grad[2] = g2;
  grad[3] = g3;
  return kmath::isfinite(chi2);
}

// Cholesky factor L (lower) of the symmetric 4x4 m; false unless m is positive definite.
KOKKOS_INLINE_FUNCTION bool cholesky4(const double m[4][4], double l[4][4]) {
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j <= i; ++j) {
      double s = m[i][j];
      for (int k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(s > 0.0) || !kmath::isfinite(s)) return false;
        l[i][i] = kmath::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
    for (int j = i + 1; j < 4; ++j) l[i][j] = 0.0;
  }
  return true;
}

// Solves L Lᵀ x = b.
KOKKOS_INLINE_FUNCTION void cholesky4_solve(const double l[4][4], const double b[4], double x[4]) {
  double y[4];
  for (int i = 0; i < 4; ++i) {
    double s = b[i];
    for (int k = 0; k < i; ++k) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  for (int i = 3; i >= 0; --i) {
    double s = y[i];
    for (int k = i + 1; k < 4; ++k) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
}

// diag((L Lᵀ)⁻¹) = column sums of squares of L⁻¹.
KOKKOS_INLINE_FUNCTION void cholesky4_inverse_diagonal(const double l[4][4], double diag[4]) {
  double inv[4][4] = {};  // L⁻¹, lower triangular
  for (int c = 0; c < 4; ++c) {
    for (int i = c; i < 4; ++i) {
      double s = i == c ? 1.0 : 0.0;
      for (int k = c; k < i; ++k) s -= l[i][k] * inv[k][c];
      inv[i][c] = s / l[i][i];
    }
  }
  for (int c = 0; c < 4; ++c) {
    diag[c] = 0.0;
    for (int i = c; i < 4; ++i) diag[c] += inv[i][c] * inv[i][c];
  }
}

// ln t where the curve first falls to `level`, interpolated linearly in ln t between the
// bracketing lags. Returns the index of the first point at or below the level (0 if the
// curve starts below it, n if it never gets there).
template <class Row, class Lags>
KOKKOS_INLINE_FUNCTION int crossing(const Row& g, const Lags& log_t, int n, double level, double& log_t_cross) {
  for (int k = 0; k < n; ++k) {
    if (g(k) <= level) {
      if (k == 0) {
        log_t_cross = log_t(0);
      } else {
        const double frac = (g(k - 1) - level) / (g(k - 1) - g(k));
        log_t_cross = log_t(k - 1) + frac * (log_t(k) - log_t(k - 1));
      }
      return k;
    }
  }
  log_t_cross = log_t(n - 1);
  return n;
}

// Initial guess. Returns false when the curve shows no decay to fit: the head (first
// n_initial points) does not stand above the tail by more than twice the tail's scatter,
// or the extrapolated amplitude is not positive.
template <class Row, class Lags>
KOKKOS_INLINE_FUNCTION bool initial_guess(const Row& g, const Lags& t, const Lags& log_t, int n,
                                          const FitConfig& cfg, double p[4]) {
  // Baseline and noise from the tail.
  double tail = 0.0;
  for (int k = n - cfg.n_tail; k < n; ++k) tail += g(k);
  const double b0 = tail / cfg.n_tail;
  double var = 0.0;
  for (int k = n - cfg.n_tail; k < n; ++k) var += (g(k) - b0) * (g(k) - b0);
  const double sigma = kmath::sqrt(var / (cfg.n_tail - 1));
  // Least-squares line g = c0 + c1 t through the head, extrapolated to t = 0.
  const int m = cfg.n_initial;
  double st = 0.0, sg = 0.0, stt = 0.0, stg = 0.0;
  for (int k = 0; k < m; ++k) {
    st += t(k);
    sg += g(k);
    stt += t(k) * t(k);
    stg += t(k) * g(k);
  }
  const double det = m * stt - st * st;
  const double c0 = det > 0.0 ? (stt * sg - st * stg) / det : sg / m;
  const double a0 = c0 - b0;
  const double drop = sg / m - b0;  // how far the head stands above the tail
  const double scale = kmath::max(kmath::fabs(b0), kmath::fabs(sg / m));
  if (!(a0 > 0.0) || !(drop > 2.0 * sigma) || !(drop > 1e-12 * scale)) return false;

  // τ: where the curve crosses B + A/e² (x = 1); β from the 1/e crossing (x = 1/2):
  // ln τ − ln t_{1/e} = ln 2 / β. Without a crossing fall back to the lag window's ends / β = 1.
  double u_e2 = 0.0, u_e1 = 0.0;
  const int k_e2 = crossing(g, log_t, n, b0 + a0 * 0.1353352832366127, u_e2);
  const int k_e1 = crossing(g, log_t, n, b0 + a0 * 0.36787944117144233, u_e1);
  double beta0 = 1.0;
  if (k_e2 > 0 && k_e2 < n && k_e1 > 0 && u_e2 - u_e1 > 1e-6) beta0 = 0.6931471805599453 / (u_e2 - u_e1);
  p[kB] = b0;
  p[kA] = a0;
  p[kU] = kmath::clamp(u_e2, cfg.u_min, cfg.u_max);
  p[kBeta] = kmath::clamp(beta0, cfg.beta_min, cfg.beta_max);
  return true;
}

}  // namespace ecm::fit::detail
