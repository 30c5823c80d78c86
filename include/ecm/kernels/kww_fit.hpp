#pragma once
// Batched KWW fit of g2 curves, Eq. (2) of the paper:
//   g2(t) = B + A·exp(−2 (t/τ)^β)
// one bounded Levenberg–Marquardt fit per curve, one curve per Kokkos work item.
//
// Bounds: τ in [tau_min_s, tau_max_s] (both 0 = derived from the lag window as
// [lag_s[0]/10, 10·lag_s[last]]), β in [beta_min, beta_max] ⊂ (0, kMaxKwwBeta], A > 0, B free.
// Uncertainties: sqrt(diag((JᵀJ)⁻¹)·χ²_red) in the fit coordinates (B, A, ln τ, β);
// tau_err = τ·σ(ln τ) (first order). chi2_red = SSR/(n_lags − 4), unweighted.
//
// Status per curve (first rule that applies):
//   pre_status ≠ 0                → that status, copied (masked, too_few_counts, ... set upstream;
//                                   a series holding NaN or Inf is invalid_input there)
//   any non-finite g2 value       → invalid_input
//   no decay: the head of the curve does not stand above the tail mean by more than twice
//     the tail's scatter (flat, rising, all-zero curves), the extrapolated A ≤ 0, A
//     collapsing to ~0 in the fit, or a singular covariance (decay not determined)
//                                 → no_decay
//   LM did not converge in max_iterations → max_iterations
//   τ or β within 1e-6 (relative) of a bound at convergence → at_bound
//   otherwise                     → converged
// Only `converged` rows hold numbers; every other row is NaN in every float output, and a
// converged row whose values do not fit in a float (Inf, or a tau that underflows to 0 or
// a subnormal) is reported as no_decay.
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "ecm/analysis_options.hpp"  // ecm::kMaxKwwBeta
#include "ecm/core/error.hpp"
#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/kww_lm.hpp"

namespace ecm::fit {

enum class Status : std::uint8_t {
  converged = 0,
  max_iterations = 1,
  no_decay = 2,
  masked = 3,
  too_few_counts = 4,
  invalid_input = 5,
  at_bound = 6,
  out_of_field = 7,  // drift took the scan position off the scanned area during the run
  // Never computed: what /fit_status holds before a tile's results are written (its fill
  // value), so that a position a partial output lacks cannot pass for a converged fit.
  // Never set by the fit; a complete output holds none.
  not_computed = 8
};
const char* status_name(Status status);  // "converged", "max_iterations", ...; "unknown" otherwise

struct KwwOptions {
  double tau_min_s = 0, tau_max_s = 0;  // seconds; 0 = derive [lag_s[0]/10, 10·lag_s[last]]
  double beta_min = 0.1, beta_max = kMaxKwwBeta;
  int max_iterations = 100;
  double rel_tolerance = 1e-8;  // convergence on relative parameter step / χ² change
  int n_initial_lags = 4;       // lags used to extrapolate A to t = 0
};

template <class MemSpace>
struct KwwResults {
  explicit KwwResults(std::size_t n)
      : tau("ecm::fit::tau", n),
        tau_err("ecm::fit::tau_err", n),
        beta("ecm::fit::beta", n),
        beta_err("ecm::fit::beta_err", n),
        contrast("ecm::fit::contrast", n),
        contrast_err("ecm::fit::contrast_err", n),
        baseline("ecm::fit::baseline", n),
        chi2_red("ecm::fit::chi2_red", n),
        status("ecm::fit::status", n) {}
  Kokkos::View<float*, MemSpace> tau, tau_err, beta, beta_err, contrast, contrast_err, baseline, chi2_red;
  Kokkos::View<std::uint8_t*, MemSpace> status;
};

namespace detail {
// Checks options and lags (host copy of lag_s) and turns them into the kernel's config.
FitConfig make_config(const KwwOptions& options, const double* lag_s, int n_lags);
}  // namespace detail

template <class ExecSpace>
void fit_kww(const ExecSpace& exec,
             Kokkos::View<const double**, Kokkos::LayoutRight, typename ExecSpace::memory_space> g2,
             Kokkos::View<const double*, typename ExecSpace::memory_space> lag_s,
             Kokkos::View<const std::uint8_t*, typename ExecSpace::memory_space> pre_status,
             const KwwOptions& options, KwwResults<typename ExecSpace::memory_space>& out) {
  using Mem = typename ExecSpace::memory_space;
  const std::size_t n_series = g2.extent(0);
  const int n_lags = static_cast<int>(g2.extent(1));
  require(lag_s.extent(0) == g2.extent(1), "fit: lag_s must have one entry per g2 lag");
  require(pre_status.extent(0) == n_series, "fit: pre_status must have one entry per curve");
  require(out.tau.extent(0) == n_series && out.tau_err.extent(0) == n_series && out.beta.extent(0) == n_series &&
              out.beta_err.extent(0) == n_series && out.contrast.extent(0) == n_series &&
              out.contrast_err.extent(0) == n_series && out.baseline.extent(0) == n_series &&
              out.chi2_red.extent(0) == n_series && out.status.extent(0) == n_series,
          "fit: result views must have one entry per curve");
  const auto lag_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), lag_s);
  const detail::FitConfig cfg = detail::make_config(options, lag_h.data(), n_lags);
  if (n_series == 0) return;

  Kokkos::View<double*, Mem> log_t(Kokkos::view_alloc(Kokkos::WithoutInitializing, "ecm::fit::log_lags"), n_lags);
  Kokkos::parallel_for(
      "ecm::fit::log_lags", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_lags),
      KOKKOS_LAMBDA(const int k) { log_t(k) = kmath::log(lag_s(k)); });

  // Made on the host: Kokkos 3.4 has no NaN constant usable in device code.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Kokkos::View<const double*, Mem> log_lags = log_t;
  const auto tau = out.tau, tau_err = out.tau_err, beta = out.beta, beta_err = out.beta_err;
  const auto contrast = out.contrast, contrast_err = out.contrast_err, baseline = out.baseline;
  const auto chi2_red = out.chi2_red;
  const auto status = out.status;
  Kokkos::parallel_for(
      "ecm::fit::kww_lm", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_series), KOKKOS_LAMBDA(const std::size_t s) {
        std::uint8_t st = pre_status(s);
        detail::FitOutcome r;
        if (st == 0) {
          const auto row = Kokkos::subview(g2, s, Kokkos::ALL());
          r = detail::fit_one(row, lag_s, log_lags, n_lags, cfg);
          st = r.status;
        }
        float v[8] = {nan, nan, nan, nan, nan, nan, nan, nan};
        if (st == detail::kConverged) {
          const double t = kmath::exp(r.p[detail::kU]);
          const double d[8] = {t, t * r.err[detail::kU], r.p[detail::kBeta], r.err[detail::kBeta],
                               r.p[detail::kA], r.err[detail::kA], r.p[detail::kB], r.chi2_red};
          bool finite = true;
          for (int i = 0; i < 8; ++i) {
            v[i] = static_cast<float>(d[i]);
            finite = finite && kmath::isfinite(static_cast<double>(v[i]));
          }
          // A tau that underflows a float (lags of 1e-300 s) would read as tau = 0, converged.
          if (!finite || !(v[0] >= 1.17549435e-38f)) {
            st = detail::kNoDecay;
            for (int i = 0; i < 8; ++i) v[i] = nan;
          }
        }
        tau(s) = v[0];
        tau_err(s) = v[1];
        beta(s) = v[2];
        beta_err(s) = v[3];
        contrast(s) = v[4];
        contrast_err(s) = v[5];
        baseline(s) = v[6];
        chi2_red(s) = v[7];
        status(s) = st;
      });
}

}  // namespace ecm::fit
