// The simulator's relaxation-time domains and time tracks: log-normal tau, the domain
// size, independence of the box a map is computed in, linear and random-walk drift.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/simulate/domains.hpp"

using namespace ecm::simulate;

TEST_CASE("tau maps are log-normal with the configured median and sigma", "[simulate]") {
  SimConfig cfg;
  cfg.tau_median_s = 5.0;
  cfg.sigma_ln_tau = 0.3;
  cfg.domain_size_px = 3.0;
  cfg.n_sectors = 4;
  const std::size_t n = 128;
  std::vector<double> tau = TauMap(cfg).tau(0, 0, n, n);
  std::vector<double> ln(tau.size());
  std::transform(tau.begin(), tau.end(), ln.begin(), [](double t) { return std::log(t); });
  const double mean = std::accumulate(ln.begin(), ln.end(), 0.0) / ln.size();
  double var = 0;
  for (double v : ln) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / (ln.size() - 1));
  std::nth_element(tau.begin(), tau.begin() + tau.size() / 2, tau.end());
  const double median = tau[tau.size() / 2];
  // ~6500 independent domains: median to ~0.5 %, sigma to ~1 %; tolerances are ~5 sigma.
  CHECK(median == Approx(5.0).epsilon(0.03));
  CHECK(std::exp(mean) == Approx(5.0).epsilon(0.03));
  CHECK(sd == Approx(0.3).epsilon(0.05));
}

TEST_CASE("domain size is the FWHM of the spatial autocorrelation of ln tau", "[simulate]") {
  for (double size : {3.0, 6.0}) {
    SimConfig cfg;
    cfg.domain_size_px = size;
    cfg.n_sectors = 4;  // four independent maps: more domains for the same cost
    const std::size_t n = 256, ns = 4;
    const std::vector<double> z = TauMap(cfg).z_field(0, 0, n, n);
    auto at = [&](std::size_t y, std::size_t x, std::size_t s) { return z[(y * n + x) * ns + s]; };
    // Autocorrelation along x and y (unit-variance field: C(0) ~ 1), averaged.
    std::vector<double> c(16, 0.0);
    for (std::size_t d = 0; d < c.size(); ++d) {
      double sum = 0, cnt = 0;
      for (std::size_t s = 0; s < ns; ++s)
        for (std::size_t y = 0; y < n; ++y)
          for (std::size_t x = 0; x + d < n; ++x) {
            sum += at(y, x, s) * at(y, x + d, s) + at(x, y, s) * at(x + d, y, s);
            cnt += 2;
          }
      c[d] = sum / cnt;
    }
    double half = -1;
    for (std::size_t d = 1; d < c.size(); ++d)
      if (c[d - 1] / c[0] >= 0.5 && c[d] / c[0] < 0.5) {
        const double a = c[d - 1] / c[0], b = c[d] / c[0];
        half = static_cast<double>(d - 1) + (a - 0.5) / (a - b);
        break;
      }
    INFO("domain size " << size << ": measured FWHM " << 2 * half << ", C(0) " << c[0]);
    // ~3000 independent domains at size 6: the sample variance is within ~3 % of 1.
    CHECK(c[0] == Approx(1.0).epsilon(0.1));
    // Linear interpolation of a Gaussian between integer lags, plus sampling noise: 10 %.
    CHECK(2 * half == Approx(size).epsilon(0.10));
  }
}

TEST_CASE("tau at a sample position does not depend on the box it is computed in", "[simulate]") {
  SimConfig cfg;
  cfg.n_sectors = 3;
  const TauMap map(cfg);
  const std::vector<double> big = map.tau(-4, -6, 20, 22);
  const std::vector<double> small = map.tau(3, 5, 4, 2);  // rows 3..6, cols 5..6
  for (std::size_t y = 0; y < 4; ++y)
    for (std::size_t x = 0; x < 2; ++x)
      for (std::size_t s = 0; s < 3; ++s)
        REQUIRE(small[(y * 2 + x) * 3 + s] == big[((y + 7) * 22 + (x + 11)) * 3 + s]);
  cfg.domain_size_px = 0;  // uncorrelated domains also work
  CHECK(TauMap(cfg).tau(0, 0, 2, 2).size() == 12);
}

TEST_CASE("drift and beam-centre tracks", "[simulate]") {
  SimConfig cfg;
  cfg.cycles = 101;
  cfg.drift_y = 2.0;
  cfg.drift_x = -1.5;
  cfg.center_drift_y = 0.5;
  const Tracks tr = make_tracks(cfg);
  CHECK(tr.drift_y.front() == 0.0);
  CHECK(tr.drift_y.back() == 2.0);
  CHECK(tr.drift_x.back() == -1.5);
  CHECK(tr.drift_y[50] == Approx(1.0));
  CHECK(tr.center_y.front() == cfg.center0_y());
  CHECK(tr.center_y.back() == Approx(cfg.center0_y() + 0.5));
  CHECK(tr.center_x.back() == cfg.center0_x());

  // Random walk: rms end-point displacement per axis = drift_walk_px (200 seeds: ~10 %).
  SimConfig walk;
  walk.cycles = 200;
  walk.drift_walk_px = 2.0;
  double sum2 = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    walk.seed = seed;
    const Tracks w = make_tracks(walk);
    CHECK(w.drift_y.front() == 0.0);
    sum2 += w.drift_y.back() * w.drift_y.back() + w.drift_x.back() * w.drift_x.back();
  }
  CHECK(std::sqrt(sum2 / 400) == Approx(2.0).epsilon(0.2));
}

TEST_CASE("sector rule: sector j covers phi from j 2pi/n up to (j+1) 2pi/n", "[simulate]") {
  CHECK(sector_of(0.0, 24) == 0);
  CHECK(sector_of(2 * ecm::kPi / 24 - 1e-9, 24) == 0);
  CHECK(sector_of(2 * ecm::kPi / 24 + 1e-9, 24) == 1);
  CHECK(sector_of(2 * ecm::kPi - 1e-12, 24) == 23);
  CHECK(sector_of(-0.1, 4) == 3);
  CHECK(sector_of(7.0, 1) == 0);
}

TEST_CASE("the thickness map has mean 1, the set relative rms and correlation length", "[simulate]") {
  SimConfig cfg;
  cfg.thickness_contrast = 0.2;
  cfg.thickness_size_px = 4.0;
  const ThicknessMap map(cfg);
  constexpr std::size_t n = 256;
  const auto m = map.values(-50, 30, n, n);
  double mean = 0, var = 0;
  for (double v : m) mean += v;
  mean /= double(m.size());
  for (double v : m) var += (v - mean) * (v - mean);
  var /= double(m.size());
  // 256^2 values with a ~4 px correlation length: ~4000 independent patches, so the mean
  // is within ~0.2/sqrt(4000) = 0.003 of 1 and the rms within a few % of 0.2.
  CHECK(mean == Approx(1.0).margin(0.02));
  CHECK(std::sqrt(var) / mean == Approx(0.2).epsilon(0.1));
  // Autocorrelation of ln m at a lag of half the FWHM is 1/2 (Gaussian autocorrelation).
  std::vector<double> z(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) z[i] = std::log(m[i]);
  const double zm = std::accumulate(z.begin(), z.end(), 0.0) / double(z.size());
  double c0 = 0, c2 = 0;
  std::size_t n2 = 0;
  for (std::size_t y = 0; y < n; ++y)
    for (std::size_t x = 0; x < n; ++x) {
      c0 += (z[y * n + x] - zm) * (z[y * n + x] - zm);
      if (x + 2 < n) c2 += (z[y * n + x] - zm) * (z[y * n + x + 2] - zm), ++n2;
    }
  CHECK(c2 / double(n2) / (c0 / double(z.size())) == Approx(0.5).margin(0.08));
  // Independent of the box: the same positions computed in another box.
  const auto part = map.values(-40, 35, 10, 10);
  for (std::size_t y = 0; y < 10; ++y)
    for (std::size_t x = 0; x < 10; ++x) REQUIRE(part[y * 10 + x] == m[(y + 10) * n + x + 5]);
  SimConfig flat;
  for (double v : ThicknessMap(flat).values(0, 0, 8, 8)) REQUIRE(v == 1.0);
}
