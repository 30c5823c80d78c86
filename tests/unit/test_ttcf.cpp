// Two-time correlation (paper Eq. 5): the Kokkos kernels against a direct evaluation of
// G_r(t1, t2) on a small strip, and the band width / aging analysis on known G matrices.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "ecm/analysis/ttcf.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/kokkos_types.hpp"
#include "ecm/core/views.hpp"
#include "ecm/kernels/ttcf_kernels.hpp"
#include "ecm/simulate/field.hpp"

namespace {

using Right = Kokkos::LayoutRight;
using ecm::MemSpace;

// G_r(t1, t2) per Eq. 5 over the bins with counts, each series divided by its time mean,
// summed over the positions with a non-zero ring mean at every cycle (the documented rule).
std::vector<double> direct_sum(const std::vector<float>& strip, std::size_t n_pos, std::size_t n_bins, std::size_t T,
                               const std::vector<float>& area, const std::vector<bool>& off_scan,
                               std::size_t* used) {
  std::vector<double> G(T * T, 0.0);
  *used = 0;
  for (std::size_t p = 0; p < n_pos; ++p) {
    std::vector<std::vector<double>> rows;
    for (std::size_t k = 0; k < n_bins; ++k) {
      const float* x = &strip[(p * n_bins + k) * T];
      double mean = 0;
      for (std::size_t t = 0; t < T; ++t) mean += x[t] / double(T);
      if (area[k] <= 0 || mean <= 0) continue;
      std::vector<double> r(T);
      for (std::size_t t = 0; t < T; ++t) r[t] = x[t] / mean;
      rows.push_back(r);
    }
    std::vector<double> m(T, 0.0);
    bool ok = !rows.empty() && !off_scan[p];
    for (std::size_t t = 0; t < T && ok; ++t) {
      for (const auto& r : rows) m[t] += r[t] / double(rows.size());
      ok = m[t] > 0;
    }
    if (!ok) continue;
    ++*used;
    for (std::size_t a = 0; a < T; ++a)
      for (std::size_t b = 0; b < T; ++b) {
        double s = 0;
        for (const auto& r : rows) s += r[a] * r[b] / double(rows.size());
        G[a * T + b] += s / (m[a] * m[b]);
      }
  }
  return G;
}

// G = 1 + A exp(-2 |u(t1) - u(t2)| / tau0) off the diagonal, plus a shot-noise excess on it.
std::vector<double> model_G(std::size_t T, double dt, double tau0, double aging, double A, double shot) {
  ecm::simulate::AgingSeriesGenerator clock(T, dt, aging);
  const auto& u = clock.material_time();
  std::vector<double> G(T * T);
  for (std::size_t a = 0; a < T; ++a)
    for (std::size_t b = 0; b < T; ++b)
      G[a * T + b] = 1.0 + A * std::exp(-2.0 * std::fabs(u[a] - u[b]) / tau0) + (a == b ? shot : 0.0);
  return G;
}

}  // namespace

TEST_CASE("TTCF kernels sum Eq. 5 over positions, leaving out positions without counts", "[ttcf]") {
  // 4 positions x 5 bins x 70 cycles (three 32-blocks, the last one partial). Bin 2 has no
  // detector area; position 1 has no count in its ring at cycle 17; position 2's bin 4 never
  // has a count (left out of its k average only); position 3 is off the scan.
  const std::size_t n_pos = 4, n_bins = 5, T = 70;
  std::mt19937 rng(7);
  std::poisson_distribution<int> counts(3.0);
  std::vector<float> strip(n_pos * n_bins * T);
  for (auto& v : strip) v = float(counts(rng));
  std::vector<float> area{10, 12, 0, 9, 11};
  for (std::size_t p = 0; p < n_pos; ++p)
    for (std::size_t t = 0; t < T; ++t) strip[(p * n_bins + 2) * T + t] = 0;
  for (std::size_t k = 0; k < n_bins; ++k) strip[(1 * n_bins + k) * T + 17] = 0;
  for (std::size_t t = 0; t < T; ++t) strip[(2 * n_bins + 4) * T + t] = 0;
  const std::vector<bool> off_scan{false, false, false, true};

  Kokkos::View<float**, Right, MemSpace> J("strip", n_pos * n_bins, T);
  auto h = Kokkos::create_mirror_view(J);
  for (std::size_t s = 0; s < n_pos * n_bins; ++s)
    for (std::size_t t = 0; t < T; ++t) h(s, t) = strip[s * T + t];
  Kokkos::deep_copy(J, h);
  ecm::ExecSpace exec;
  ecm::ttcf::TileWork<MemSpace> work(n_pos, n_bins, T);
  ecm::ttcf::normalize(exec, J, n_bins, Kokkos::View<const float*, MemSpace>(ecm::to_device<MemSpace>(area, "area")),
                       Kokkos::View<const std::uint8_t*, MemSpace>(
                           ecm::to_device<MemSpace>(std::vector<std::uint8_t>{0, 0, 0, 1}, "off")),
                       work);
  Kokkos::View<double**, Right, MemSpace> G("G", T, T);
  ecm::ttcf::accumulate(exec, Kokkos::View<const float**, Right, MemSpace>(J), G);
  exec.fence();
  const auto status = ecm::to_host(work.status);
  CHECK(status == std::vector<std::uint8_t>{0, 1, 0, 2});

  std::size_t used = 0;
  const auto expected = direct_sum(strip, n_pos, n_bins, T, area, off_scan, &used);
  REQUIRE(used == 2);
  auto g = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), G);
  double worst = 0;
  for (std::size_t a = 0; a < T; ++a)
    for (std::size_t b = 0; b < T; ++b) {
      // Only blocks on and above the diagonal are summed; below is left for the mirror.
      const bool computed = a / ecm::ttcf::kBlock <= b / ecm::ttcf::kBlock;
      REQUIRE(std::isfinite(g(a, b)));
      if (computed) worst = std::max(worst, std::fabs(g(a, b) - expected[a * T + b]) / expected[a * T + b]);
      else CHECK(g(a, b) == 0.0);
    }
  CHECK(worst < 1e-5);  // J is single precision, the sums double
}

TEST_CASE("band width of a stationary G is tau, whatever the shot noise on the diagonal", "[ttcf]") {
  // tau = 20 time steps: the straight line through lags 1-4 of the convex exponential puts
  // the diagonal 2.1 % low (0.979 A), which moves the 1/e^2 crossing 1.1 % out.
  const std::size_t T = 600;
  const double dt = 0.5, tau = 10.0;
  const auto G = model_G(T, dt, tau, 1.0, 0.2, 0.8);
  const auto b = ecm::analysis::band_widths(G.data(), T, dt, {});
  REQUIRE(b.window == 60);
  REQUIRE(b.width_s.size() == 10);
  for (std::size_t w = 0; w < b.width_s.size(); ++w) {
    INFO("window " << w << " at " << b.elapsed_s[w] << " s");
    CHECK(b.width_s[w] == Approx(tau * 1.011).epsilon(0.002));
    CHECK(b.diagonal[w] == Approx(0.2 * 0.979).epsilon(0.002));
  }
  CHECK(b.elapsed_s.front() == Approx(29.5 * dt));
  const auto fit = ecm::analysis::fit_aging(b.elapsed_s, b.width_s, {});
  CHECK_FALSE(fit.detected);
  CHECK(std::fabs(fit.relative_change) < 0.01);
  CHECK_THAT(fit.verdict, Catch::StartsWith("no aging detected"));
}

TEST_CASE("band width follows tau(t) under aging, and the widening is detected", "[ttcf]") {
  const std::size_t T = 800;
  const double dt = 0.5, tau0 = 8.0, F = 3.0, run = double(T) * dt;
  const auto G = model_G(T, dt, tau0, F, 0.25, 0.5);
  ecm::analysis::BandOptions options;
  options.window = 100;
  const auto b = ecm::analysis::band_widths(G.data(), T, dt, options);
  REQUIRE(b.width_s.size() == 8);
  for (std::size_t w = 0; w < b.width_s.size(); ++w) {
    const double tau_t = tau0 * (1.0 + (F - 1.0) * b.elapsed_s[w] / run);
    INFO("window " << w << " at " << b.elapsed_s[w] << " s, tau(t) = " << tau_t);
    CHECK(b.width_s[w] == Approx(tau_t).epsilon(0.03));
  }
  const auto fit = ecm::analysis::fit_aging(b.elapsed_s, b.width_s, {});
  CHECK(fit.detected);
  CHECK(fit.slope == Approx(tau0 * (F - 1.0) / run).epsilon(0.05));
  CHECK(fit.relative_change > 1.0);
  CHECK_THAT(fit.verdict, Catch::StartsWith("aging detected"));
}

TEST_CASE("a band wider than the run is not measurable, and aging is then not judged", "[ttcf]") {
  const std::size_t T = 200;
  const auto G = model_G(T, 1.0, 1e5, 1.0, 0.2, 0.3);
  const auto b = ecm::analysis::band_widths(G.data(), T, 1.0, {});
  for (double w : b.width_s) CHECK(std::isnan(w));
  const auto fit = ecm::analysis::fit_aging(b.elapsed_s, b.width_s, {});
  CHECK_FALSE(fit.detected);
  CHECK(fit.n_windows == 0);
  CHECK_THAT(fit.verdict, Catch::StartsWith("not judged"));
  ecm::analysis::BandOptions too_long;
  too_long.window = 201;
  CHECK_THROWS_AS(ecm::analysis::band_widths(G.data(), T, 1.0, too_long), ecm::InputError);
}
