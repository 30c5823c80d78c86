// The simulator's aging model (aging_factor F): tau grows linearly over the run, modelled as
// a process stationary in material time u(t), so <w(t1) w*(t2)> = exp(-|u1 - u2| / tau0).
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/simulate/config.hpp"
#include "ecm/simulate/field.hpp"
#include "ecm/simulate/frames.hpp"

using namespace ecm::simulate;

TEST_CASE("material time of the aging model", "[simulate][aging]") {
  const double run = 400.0;
  CHECK(aging_material_time(123.0, run, 1.0) == 123.0);
  // u(T) = T ln F / (F - 1); du/dt = tau0 / tau(t) = 1 / (1 + (F - 1) t / T).
  CHECK(aging_material_time(run, run, 3.0) == Approx(run * std::log(3.0) / 2.0).epsilon(1e-12));
  const double t = 250.0, h = 1e-3;
  const double slope = (aging_material_time(t + h, run, 3.0) - aging_material_time(t - h, run, 3.0)) / (2 * h);
  CHECK(slope == Approx(1.0 / (1.0 + 2.0 * t / run)).epsilon(1e-6));
  // Continuous through F = 1 (no 0/0 there).
  CHECK(aging_material_time(t, run, 1.0 + 1e-9) == Approx(t).epsilon(1e-6));
}

TEST_CASE("aging series have the field correlation exp(-du/tau0), early and late", "[simulate][aging]") {
  // T = 400 samples of 1 s, tau0 = 10 s, F = 3: the local tau grows from 10 to 30 s. The
  // estimate of <w(t) w*(t + lag)> over t in a 40-sample window and 4000 draws has a
  // standard error below 0.012 (about 40/tau independent stretches per draw); 0.05 is
  // 4 sigma, while early and late differ by 0.2-0.35 at lags 5-20.
  const std::size_t T = 400, draws = 4000, span = 40;
  const double tau0 = 10.0, F = 3.0;
  AgingSeriesGenerator gen(T, 1.0, F);
  REQUIRE(gen.length() == T);
  const auto& u = gen.material_time();
  Rng rng(5, 1, 2, Purpose::field);
  const std::vector<std::size_t> lags = {0, 5, 10, 20};
  const std::vector<std::size_t> starts = {0, 340};  // early and late windows of t
  std::vector<std::complex<double>> w(T);
  std::vector<std::complex<double>> est(lags.size() * starts.size());
  for (std::size_t d = 0; d < draws; ++d) {
    gen.generate(tau0, rng, w.data());
    for (std::size_t a = 0; a < starts.size(); ++a)
      for (std::size_t l = 0; l < lags.size(); ++l)
        for (std::size_t t = starts[a]; t < starts[a] + span; ++t)
          est[a * lags.size() + l] += w[t] * std::conj(w[t + lags[l]]) / double(draws * span);
  }
  for (std::size_t a = 0; a < starts.size(); ++a)
    for (std::size_t l = 0; l < lags.size(); ++l) {
      double expected = 0;
      for (std::size_t t = starts[a]; t < starts[a] + span; ++t)
        expected += std::exp(-(u[t + lags[l]] - u[t]) / tau0) / double(span);
      const auto e = est[a * lags.size() + l];
      INFO("window from t = " << starts[a] << ", lag " << lags[l] << ": estimate " << e.real() << ", expected "
                              << expected);
      CHECK(std::fabs(e.real() - expected) < 0.05);
      CHECK(std::fabs(e.imag()) < 0.05);
    }
  // The late window really decorrelates slower (the test above could not tell otherwise).
  CHECK(est[1 * lags.size() + 2].real() > est[0 * lags.size() + 2].real() + 0.2);
}

TEST_CASE("aged expected intensities: g2 - 1 = A exp(-2 du / tau0) early and late", "[simulate][aging]") {
  SimConfig c;
  c.scan_y = c.scan_x = 4;
  c.convergence = 0.04;  // small speckles: ~4x more independent ones per pattern
  c.cycles = 400;
  c.time_step_s = 1.0;
  c.tau_median_s = 10.0;
  c.sigma_ln_tau = 0.0;
  c.n_sectors = 1;
  c.beta = 1.0;
  c.aging_factor = 3.0;
  c.contrast = 0.3;
  c.direct_beam = 0.0;
  c.shot_noise = false;
  c.dtype = ecm::h5::DType::f32;
  validate(c);
  FrameGenerator gen(c);
  std::vector<float> lambda;
  gen.expected({0, 0, c.scan_y, c.scan_x}, lambda);
  const std::size_t N = c.det_y * c.det_x, P = 16, span = 100, lag = 10;
  std::vector<float> ring(N), disc(N);
  std::vector<std::uint8_t> annulus(N);
  gen.speckle().envelope(0, ring.data(), disc.data(), annulus.data());
  AgingSeriesGenerator clock(c.cycles, c.time_step_s, c.aging_factor);
  const auto& u = clock.material_time();
  // Over 6 seeds the estimates scattered by 0.002 (early) and 0.006 (late) rms about the
  // expectation, which is 1.062 early and 1.144 late: 0.025 is a 4 sigma tolerance that
  // still tells the two apart.
  for (std::size_t start : {std::size_t(0), std::size_t(290)}) {
    double g2 = 0, n = 0, decay = 0;
    for (std::size_t t = start; t < start + span; ++t)
      decay += std::exp(-2.0 * (u[t + lag] - u[t]) / c.tau_median_s) / double(span);
    const double expected = 1.0 + c.contrast * decay;
    for (std::size_t pos = 0; pos < P; ++pos)
      for (std::size_t p = 0; p < N; ++p) {
        if (!annulus[p]) continue;
        for (std::size_t t = start; t < start + span; ++t) {
          g2 += double(lambda[(t * P + pos) * N + p]) * lambda[((t + lag) * P + pos) * N + p] / (double(ring[p]) * ring[p]);
          n += 1;
        }
      }
    INFO("window from t = " << start);
    CHECK(g2 / n == Approx(expected).margin(0.025));
  }
}

TEST_CASE("aging needs beta = 1 and a positive factor", "[simulate][aging]") {
  SimConfig c;
  c.aging_factor = 2.0;
  c.beta = 1.5;
  CHECK_THROWS_WITH(validate(c), Catch::Contains("--aging-factor"));
  c.beta = 1.0;
  CHECK_NOTHROW(validate(c));
  c.aging_factor = 0.0;
  CHECK_THROWS_AS(validate(c), ecm::InputError);
  c.aging_factor = 1.0;
  c.beta = 1.5;  // stationary: any beta
  CHECK_NOTHROW(validate(c));
}
