// Throughput of the g2 engine and the KWW fit on the default execution space.
//   bench_kernels [n_series=200000] [n_t=500]
// Prints series/s (g2, both backends where available) and fits/s (50-lag KWW curves),
// each the best of three runs, with the number of Kokkos threads they ran on.
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/g2.hpp"
#include "ecm/kernels/kww_fit.hpp"

namespace {

// Best of `repeats` runs: wall seconds, and process CPU seconds (summed over threads; on a
// shared machine the CPU time is the better per-core figure, the wall time the honest one).
struct Timing {
  double wall = 1e300, cpu = 1e300;
};

template <class F>
Timing best_seconds(F&& f, int repeats = 3) {
  Timing best;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    f();
    const std::clock_t c1 = std::clock();
    const auto t1 = std::chrono::steady_clock::now();
    best.wall = std::min(best.wall, std::chrono::duration<double>(t1 - t0).count());
    best.cpu = std::min(best.cpu, double(c1 - c0) / CLOCKS_PER_SEC);
  }
  return best;
}

std::ostream& operator<<(std::ostream& os, const Timing& t) {
  return os << t.wall << " s wall, " << t.cpu << " s cpu";
}

template <class Exec>
void bench_g2(const char* label, ecm::g2::Backend backend, std::size_t n_series, int n_t) {
  using Mem = typename Exec::memory_space;
  const int max_lag = n_t - 1;
  const auto bins = ecm::g2::make_log_lag_bins(max_lag, 50);
  Kokkos::View<float**, Kokkos::LayoutRight, Mem> series("bench::series", n_series, n_t);
  auto h = Kokkos::create_mirror_view(series);
  std::mt19937 rng(1);
  std::poisson_distribution<int> counts(3.0);
  for (std::size_t s = 0; s < n_series; ++s)
    for (int t = 0; t < n_t; ++t) h(s, t) = static_cast<float>(counts(rng));
  Kokkos::deep_copy(series, h);
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> out("bench::g2", n_series, bins.size());
  ecm::g2::G2Engine<Exec> engine(n_t, max_lag, bins, ecm::g2::Normalization::symmetric, backend);
  Exec exec;
  const Timing s = best_seconds([&] {
    engine.compute(exec, series, out);
    exec.fence();
  });
  std::cout << "g2 " << label << " (" << Exec::name() << ", n_fft " << engine.n_fft() << ", " << bins.size()
            << " bins): " << n_series << " series of " << n_t << " frames in " << s << ": "
            << n_series / s.wall << " series/s wall, " << n_series / s.cpu << " series per cpu-second\n";
}

void bench_fit(std::size_t n_fits) {
  using Mem = ecm::MemSpace;
  const int n_lags = 50;
  Kokkos::View<double**, Kokkos::LayoutRight, Mem> g2("bench::curves", n_fits, n_lags);
  Kokkos::View<double*, Mem> lag_s("bench::lags", n_lags);
  Kokkos::View<std::uint8_t*, Mem> pre("bench::pre", n_fits);
  auto gh = Kokkos::create_mirror_view(g2);
  auto lh = Kokkos::create_mirror_view(lag_s);
  for (int k = 0; k < n_lags; ++k) lh(k) = 1e-3 * std::pow(1e3, k / (n_lags - 1.0));
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> log_tau(-2.5, -0.5), beta(0.5, 2.0);
  std::normal_distribution<double> noise(0.0, 0.02 * 0.3);
  for (std::size_t i = 0; i < n_fits; ++i) {
    const double tau = std::pow(10.0, log_tau(rng)), b = beta(rng);
    for (int k = 0; k < n_lags; ++k) gh(i, k) = 1.0 + 0.3 * std::exp(-2.0 * std::pow(lh(k) / tau, b)) + noise(rng);
  }
  Kokkos::deep_copy(g2, gh);
  Kokkos::deep_copy(lag_s, lh);
  ecm::fit::KwwResults<Mem> out(n_fits);
  ecm::ExecSpace exec;
  const Timing s = best_seconds([&] {
    ecm::fit::fit_kww(exec, g2, lag_s, pre, ecm::fit::KwwOptions{}, out);
    exec.fence();
  });
  auto st = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out.status);
  std::size_t converged = 0;
  for (std::size_t i = 0; i < n_fits; ++i) converged += st(i) == 0;
  std::cout << "fit kww (" << ecm::ExecSpace::name() << ", " << n_lags << " lags, noise 2% of A): " << n_fits
            << " fits in " << s << ": " << n_fits / s.wall << " fits/s wall, " << n_fits / s.cpu
            << " fits per cpu-second; converged " << converged << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  const std::size_t n_series = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const int n_t = argc > 2 ? std::atoi(argv[2]) : 500;
  std::cout << "Kokkos " << ecm::ExecSpace::name() << ", concurrency " << ecm::ExecSpace().concurrency() << "\n";
  bench_g2<ecm::HostExec>("fftw", ecm::g2::Backend::fftw, n_series, n_t);
  bench_g2<ecm::ExecSpace>("portable", ecm::g2::Backend::portable, n_series / 4, n_t);
  bench_fit(n_series);
  return 0;
}
