// g2 kernels: FFT paths against the direct lag sums, lag bins, analytic cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/g2.hpp"

namespace {

using ecm::g2::Backend;
using ecm::g2::Normalization;

// One bin per lag: the engine's output is then g2 at every linear lag 1..max_lag.
ecm::g2::LagBins single_lag_bins(int max_lag) {
  ecm::g2::LagBins bins;
  for (int l = 1; l <= max_lag; ++l) {
    bins.first.push_back(l);
    bins.last.push_back(l);
    bins.center.push_back(l);
  }
  return bins;
}

// Runs the engine on `Exec` for n_series series stored row-major in `host`; returns out row-major.
template <class Exec>
std::vector<double> run_engine(const std::vector<float>& host, int n_series, int n_t, int max_lag,
                               const ecm::g2::LagBins& bins, Normalization norm, Backend backend) {
  using Mem = typename Exec::memory_space;
  Kokkos::View<float**, Kokkos::LayoutRight, Mem> series("test::series", n_series, n_t);
  auto series_h = Kokkos::create_mirror_view(series);
  for (int s = 0; s < n_series; ++s)
    for (int t = 0; t < n_t; ++t) series_h(s, t) = host[static_cast<std::size_t>(s) * n_t + t];
  Kokkos::deep_copy(series, series_h);
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> out("test::out", n_series, bins.size());
  ecm::g2::G2Engine<Exec> engine(n_t, max_lag, bins, norm, backend);
  Exec exec;
  engine.compute(exec, series, out);
  exec.fence();
  auto out_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::vector<double> result(out_h.data(), out_h.data() + out_h.size());
  return result;
}

std::vector<double> run(const std::vector<float>& host, int n_series, int n_t, int max_lag,
                        const ecm::g2::LagBins& bins, Normalization norm, Backend backend) {
  // fftw needs a host space; portable runs on the default (possibly GPU) space.
  if (backend == Backend::fftw)
    return run_engine<ecm::HostExec>(host, n_series, n_t, max_lag, bins, norm, backend);
  return run_engine<ecm::ExecSpace>(host, n_series, n_t, max_lag, bins, norm, backend);
}

// Poisson counts with a per-series mean, plus a slowly varying modulation so g2 has structure.
std::vector<float> poisson_series(int n_series, int n_t, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> mean_dist(4.0, 30.0);
  std::vector<float> v(static_cast<std::size_t>(n_series) * n_t);
  for (int s = 0; s < n_series; ++s) {
    const double mean = mean_dist(rng);
    for (int t = 0; t < n_t; ++t) {
      std::poisson_distribution<int> p(mean * (1.0 + 0.3 * std::sin(0.05 * t + s)));
      v[static_cast<std::size_t>(s) * n_t + t] = static_cast<float>(p(rng));
    }
  }
  return v;
}

bool same_or_both_nan(double a, double b, double rel) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::abs(a - b) <= rel * std::max(1.0, std::abs(b));
}

}  // namespace

TEST_CASE("g2 normalisation names round-trip and bad names throw", "[g2]") {
  CHECK(ecm::g2::parse_normalization("symmetric") == Normalization::symmetric);
  CHECK(ecm::g2::parse_normalization("standard") == Normalization::standard);
  CHECK(ecm::g2::to_string(Normalization::symmetric) == "symmetric");
  CHECK(ecm::g2::to_string(Normalization::standard) == "standard");
  CHECK_THROWS_AS(ecm::g2::parse_normalization("Symmetric"), ecm::InputError);
  CHECK_THROWS_AS(ecm::g2::parse_normalization(""), ecm::InputError);
}

TEST_CASE("an engine made without a backend computes g2, with FFTW where the space is the host's", "[g2]") {
  // What the pipeline constructs (no backend argument) must equal the direct lag sums; on a
  // host build it must be the FFTW path bit for bit (the portable FFT rounds differently), on
  // a device build the portable one.
  const int n_series = 5, n_t = 300, max_lag = 150;
  const auto host = poisson_series(n_series, n_t, 99u);
  const auto bins = single_lag_bins(max_lag);
  using Mem = ecm::ExecSpace::memory_space;
  Kokkos::View<float**, Kokkos::LayoutRight, Mem> series("test::series", n_series, n_t);
  auto series_h = Kokkos::create_mirror_view(series);
  for (int s = 0; s < n_series; ++s)
    for (int t = 0; t < n_t; ++t) series_h(s, t) = host[static_cast<std::size_t>(s) * n_t + t];
  Kokkos::deep_copy(series, series_h);
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> out("test::out", n_series, bins.size());
  ecm::g2::G2Engine<ecm::ExecSpace> engine(n_t, max_lag, bins, Normalization::symmetric);
  engine.compute(ecm::ExecSpace(), series, out);
  ecm::ExecSpace().fence();
  auto out_h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  const std::vector<double> got(out_h.data(), out_h.data() + out_h.size());
  for (int s = 0; s < n_series; ++s) {
    const auto ref = ecm::g2::g2_direct(&host[static_cast<std::size_t>(s) * n_t], n_t, max_lag, Normalization::symmetric);
    for (int l = 1; l <= max_lag; ++l) CHECK(same_or_both_nan(got[std::size_t(s) * max_lag + (l - 1)], ref[l], 1e-10));
  }
  const bool host_space = Kokkos::SpaceAccessibility<ecm::ExecSpace, Kokkos::HostSpace>::accessible;
  const auto expected = run(host, n_series, n_t, max_lag, bins, Normalization::symmetric,
                            host_space ? Backend::fftw : Backend::portable);
  CHECK(got == expected);
}

TEST_CASE("log lag bins tile 1..max_lag geometrically", "[g2]") {
  for (int max_lag : {1, 2, 7, 49, 499, 1000}) {
    for (int n_bins : {1, 5, 50, 200}) {
      const auto bins = ecm::g2::make_log_lag_bins(max_lag, n_bins);
      INFO("max_lag " << max_lag << " n_bins " << n_bins);
      REQUIRE(bins.size() >= 1);
      REQUIRE(bins.size() <= static_cast<std::size_t>(n_bins));
      REQUIRE(bins.size() <= static_cast<std::size_t>(max_lag));
      REQUIRE_NOTHROW(ecm::g2::validate_lag_bins(bins, max_lag));  // contiguous, covers 1..max_lag
      for (std::size_t b = 0; b < bins.size(); ++b) {
        CHECK(bins.center[b] == Approx(0.5 * (bins.first[b] + bins.last[b])));
        if (b > 0) CHECK(bins.last[b] - bins.first[b] >= bins.last[b - 1] - bins.first[b - 1] - 1);
      }
    }
  }
  // Enough lags: exactly n_bins bins, and the widths grow geometrically.
  const auto bins = ecm::g2::make_log_lag_bins(100000, 10);
  REQUIRE(bins.size() == 10);
  CHECK(bins.first[1] == 4);  // edges 100001^(b/10): 3.16, 10.0, 31.6, ...
  CHECK(bins.first[2] == 11);
  CHECK(bins.last[9] == 100000);
  // Few lags, many bins: empty bins merged, every lag its own bin.
  const auto dense = ecm::g2::make_log_lag_bins(10, 50);
  CHECK(dense.size() == 10);
  CHECK_THROWS_AS(ecm::g2::make_log_lag_bins(0, 10), ecm::InputError);
  CHECK_THROWS_AS(ecm::g2::make_log_lag_bins(10, 0), ecm::InputError);
  auto broken = ecm::g2::make_log_lag_bins(50, 5);
  broken.first[2] += 1;
  CHECK_THROWS_AS(ecm::g2::validate_lag_bins(broken, 50), ecm::InputError);
}

// The bins as make_log_lag_bins made them before it skipped empty bins: one edge per bin.
static ecm::g2::LagBins naive_log_lag_bins(int max_lag, int n_bins) {
  ecm::g2::LagBins bins;
  const double log_span = std::log(static_cast<double>(max_lag) + 1.0);
  int lo = 1;
  for (int b = 1; b <= n_bins && lo <= max_lag; ++b) {
    int hi = b == n_bins ? max_lag + 1 : static_cast<int>(std::ceil(std::exp(log_span * b / n_bins) - 1e-9));
    if (hi > max_lag + 1) hi = max_lag + 1;
    if (hi <= lo) continue;
    bins.first.push_back(lo);
    bins.last.push_back(hi - 1);
    bins.center.push_back(0.5 * (lo + hi - 1));
    lo = hi;
  }
  return bins;
}

// Issue 14, class 13: --n-lags 2e9 on a short series took 100 s, one exp per empty bin.
TEST_CASE("log lag bins: far more bins than lags are quick and the same bins", "[g2]") {
  for (int max_lag : {1, 2, 3, 19, 100, 999}) {
    for (int n_bins : {5, 19, 20, 57, 1000, 123457, 2000000}) {
      INFO("max_lag " << max_lag << " n_bins " << n_bins);
      const auto fast = ecm::g2::make_log_lag_bins(max_lag, n_bins), naive = naive_log_lag_bins(max_lag, n_bins);
      CHECK(fast.first == naive.first);
      CHECK(fast.last == naive.last);
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto huge = ecm::g2::make_log_lag_bins(19, 2000000000);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  REQUIRE(huge.size() == 19);  // every lag its own bin
  CHECK_NOTHROW(ecm::g2::validate_lag_bins(huge, 19));
  CHECK(ecm::g2::make_log_lag_bins(1000000, 2147483647).size() == 1000000);
}

TEST_CASE("g2 engine rejects inconsistent arguments", "[g2]") {
  const auto bins = single_lag_bins(9);
  using Engine = ecm::g2::G2Engine<ecm::HostExec>;
  CHECK_THROWS_AS(Engine(10, 10, single_lag_bins(10), Normalization::standard), ecm::InputError);
  CHECK_THROWS_AS(Engine(10, 8, bins, Normalization::standard), ecm::InputError);
  Engine engine(10, 9, bins, Normalization::standard);
  Kokkos::View<float**, Kokkos::LayoutRight, ecm::HostExec::memory_space> series("s", 3, 11);
  Kokkos::View<double**, Kokkos::LayoutRight, ecm::HostExec::memory_space> out("o", 3, 9);
  CHECK_THROWS_AS(engine.compute(ecm::HostExec(), series, out), ecm::InputError);
}

TEST_CASE("FFT g2 equals direct lag sums at every lag", "[g2]") {
  const int n_series = 37;  // more than one FFTW block of 16, with a ragged last block
  for (Backend backend : {Backend::fftw, Backend::portable}) {
    for (Normalization norm : {Normalization::symmetric, Normalization::standard}) {
      for (int n_t : {7, 100, 500, 1001}) {
        const int max_lag = n_t - 1;
        const auto host = poisson_series(n_series, n_t, 1234u + n_t);
        const auto got = run(host, n_series, n_t, max_lag, single_lag_bins(max_lag), norm, backend);
        double worst = 0.0;
        int mismatches = 0;
        for (int s = 0; s < n_series; ++s) {
          const auto ref = ecm::g2::g2_direct(&host[static_cast<std::size_t>(s) * n_t], n_t, max_lag, norm);
          for (int l = 1; l <= max_lag; ++l) {
            const double g = got[static_cast<std::size_t>(s) * max_lag + (l - 1)];
            if (!same_or_both_nan(g, ref[l], 1e-10)) ++mismatches;
            if (!std::isnan(ref[l])) worst = std::max(worst, std::abs(g - ref[l]) / std::max(1.0, std::abs(ref[l])));
          }
        }
        INFO(ecm::g2::to_string(backend) << " " << ecm::g2::to_string(norm) << " n_t " << n_t
                                         << " worst relative error " << worst);
        CHECK(mismatches == 0);
        CHECK(worst < 1e-10);
      }
    }
  }
}

TEST_CASE("binned g2 is the mean of g2 over each bin's lags", "[g2]") {
  const int n_t = 300, max_lag = 200, n_series = 5;
  const auto bins = ecm::g2::make_log_lag_bins(max_lag, 20);
  const auto host = poisson_series(n_series, n_t, 99u);
  for (Backend backend : {Backend::fftw, Backend::portable}) {
    const auto got = run(host, n_series, n_t, max_lag, bins, Normalization::symmetric, backend);
    for (int s = 0; s < n_series; ++s) {
      const auto ref = ecm::g2::g2_direct(&host[static_cast<std::size_t>(s) * n_t], n_t, max_lag,
                                          Normalization::symmetric);
      for (std::size_t b = 0; b < bins.size(); ++b) {
        double mean = 0.0;
        for (int l = bins.first[b]; l <= bins.last[b]; ++l) mean += ref[l];
        mean /= bins.last[b] - bins.first[b] + 1;
        CHECK(got[s * bins.size() + b] == Approx(mean).epsilon(1e-10));
      }
    }
  }
}

TEST_CASE("g2 of constant, zero and period-2 series", "[g2]") {
  const int n_t = 100, max_lag = 99;
  const double a = 3.0, b = 7.0;  // exact in float
  std::vector<float> host(3 * n_t);
  for (int t = 0; t < n_t; ++t) {
    host[t] = 5.0f;                          // constant
    host[n_t + t] = 0.0f;                    // zero
    host[2 * n_t + t] = static_cast<float>(t % 2 == 0 ? a : b);  // alternating a, b
  }
  for (Backend backend : {Backend::fftw, Backend::portable}) {
    for (Normalization norm : {Normalization::symmetric, Normalization::standard}) {
      INFO(ecm::g2::to_string(backend) << " " << ecm::g2::to_string(norm));
      const auto got = run(host, 3, n_t, max_lag, single_lag_bins(max_lag), norm, backend);
      for (int l = 1; l <= max_lag; ++l) {
        INFO("lag " << l);
        CHECK(got[l - 1] == Approx(1.0).epsilon(1e-12));
        CHECK(std::isnan(got[max_lag + l - 1]));
        // Period 2, n_t even. Even lag: pairs a·a and b·b; odd lag: a·b.
        const int m = n_t - l;
        double expected;
        if (l % 2 == 0) {
          // Every window has equal numbers of a and b: both normalisations agree.
          expected = 2.0 * (a * a + b * b) / ((a + b) * (a + b));
        } else if (norm == Normalization::standard) {
          expected = 4.0 * a * b / ((a + b) * (a + b));
        } else {
          // Odd window length m: I[0..m−1] has one more a, I[l..n−1] one more b.
          const double front = ((m + 1) / 2 * a + (m - 1) / 2 * b) / m;
          const double back = ((m + 1) / 2 * b + (m - 1) / 2 * a) / m;
          expected = a * b / (front * back);
        }
        CHECK(got[2 * max_lag + l - 1] == Approx(expected).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("g2 NaN only where a window mean is zero", "[g2]") {
  // Counts only at the start: late lags of the symmetric form see an empty back window.
  const int n_t = 20, max_lag = 19;
  std::vector<float> host(n_t, 0.0f);
  host[0] = 2.0f;
  host[1] = 3.0f;
  const auto sym = run(host, 1, n_t, max_lag, single_lag_bins(max_lag), Normalization::symmetric, Backend::fftw);
  const auto ref = ecm::g2::g2_direct(host.data(), n_t, max_lag, Normalization::symmetric);
  CHECK(sym[0] == Approx(ref[1]));  // lag 1: I[1..19] has the 3
  for (int l = 2; l <= max_lag; ++l) CHECK(std::isnan(sym[l - 1]));
  const auto std_ = run(host, 1, n_t, max_lag, single_lag_bins(max_lag), Normalization::standard, Backend::portable);
  for (int l = 2; l <= max_lag; ++l) CHECK(std_[l - 1] == Approx(0.0).margin(1e-12));
}

TEST_CASE("g2 over many FFTW chunks matches the direct sums", "[g2]") {
  // More series than one FFTW chunk (1024, or 64 per thread), ending in a ragged block.
  const int concurrency = ecm::HostExec().concurrency();
  const int n_series = 2 * std::max(1024, 64 * concurrency) + 37;
  const int n_t = 24, max_lag = 23;
  const auto host = poisson_series(n_series, n_t, 4321u);
  for (Backend backend : {Backend::fftw, Backend::portable}) {
    const auto got = run(host, n_series, n_t, max_lag, single_lag_bins(max_lag), Normalization::standard, backend);
    int mismatches = 0;
    for (int s = 0; s < n_series; ++s) {
      const auto ref = ecm::g2::g2_direct(&host[static_cast<std::size_t>(s) * n_t], n_t, max_lag, Normalization::standard);
      for (int l = 1; l <= max_lag; ++l)
        if (!same_or_both_nan(got[static_cast<std::size_t>(s) * max_lag + l - 1], ref[l], 1e-10)) ++mismatches;
    }
    INFO(ecm::g2::to_string(backend));
    CHECK(mismatches == 0);
  }
}
