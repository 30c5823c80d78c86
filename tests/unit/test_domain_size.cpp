// Domain size xi_tau (issue 5): the masked FFT autocorrelation against a direct sum, the
// Gaussian fit against a known Gaussian, the FWHM of Gaussian random fields of known size
// (with holes and with uncorrelated noise on top), failures that give NaN, the power law.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "ecm/analysis/autocorrelation.hpp"
#include "ecm/analysis/distribution_tests.hpp"
#include "ecm/analysis/domain_size.hpp"
#include "ecm/analysis/gaussian_fit.hpp"
#include "ecm/core/error.hpp"
#include "ecm/simulate/domains.hpp"

using namespace ecm;
using namespace ecm::analysis;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// C(d) by the definition, O(N^2 L^2): what the FFT path must reproduce.
void direct_autocorrelation(const std::vector<double>& f, long ny, long nx, long dy, long dx, double& c, double& pairs) {
  double sum = 0, n = 0;
  for (double v : f)
    if (std::isfinite(v)) sum += v, ++n;
  const double mean = sum / n;
  double var = 0;
  for (double v : f)
    if (std::isfinite(v)) var += (v - mean) * (v - mean) / n;
  double s = 0;
  pairs = 0;
  for (long y = 0; y < ny; ++y)
    for (long x = 0; x < nx; ++x) {
      const long y2 = y + dy, x2 = x + dx;
      if (y2 < 0 || y2 >= ny || x2 < 0 || x2 >= nx) continue;
      const double a = f[std::size_t(y * nx + x)], b = f[std::size_t(y2 * nx + x2)];
      if (!std::isfinite(a) || !std::isfinite(b)) continue;
      s += (a - mean) * (b - mean);
      pairs += 1;
    }
  c = s / (pairs * var);
}

// `count` independent unit-variance Gaussian random fields (n, n) whose autocorrelation has
// FWHM `fwhm` (the simulator's white noise smoothed by a Gaussian kernel), one per channel.
std::vector<std::vector<double>> random_fields(std::size_t n, double fwhm, std::size_t count, std::uint64_t seed) {
  simulate::SmoothField field(seed, simulate::Purpose::tau, count, fwhm);
  const auto box = field.box(0, 0, n, n);
  std::vector<std::vector<double>> maps(count, std::vector<double>(n * n));
  for (std::size_t p = 0; p < n * n; ++p)
    for (std::size_t k = 0; k < count; ++k) maps[k][p] = box[p * count + k];
  return maps;
}

// Mean and sample std (n - 1) of a list: the library's normal fit.
double mean_of(const std::vector<double>& v) { return ecm::analysis::fit_normal(v).mean; }
double std_of(const std::vector<double>& v) { return ecm::analysis::fit_normal(v).sigma; }

// xi of each map (as tau = exp(field)), all required to be ok.
std::vector<double> xi_of(const std::vector<std::vector<double>>& fields, std::size_t n, const DomainSizeOptions& o) {
  std::vector<double> xi;
  for (const auto& f : fields) {
    std::vector<double> tau(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) tau[i] = std::isfinite(f[i]) ? std::exp(0.5 * f[i]) : kNaN;
    const auto r = map_domain_size(tau, n, n, o);
    INFO("status " << status_name(r.status));
    REQUIRE(r.ok());
    xi.push_back(r.xi_px);
  }
  return xi;
}

}  // namespace

TEST_CASE("FFT sizes have only the factors 2, 3, 5, 7", "[domain-size]") {
  CHECK(fft_size_at_least(1) == 1);
  CHECK(fft_size_at_least(64) == 64);
  CHECK(fft_size_at_least(65) == 70);
  CHECK(fft_size_at_least(2 * 37) == 75);
  CHECK(fft_size_at_least(121) == 125);
}

TEST_CASE("the masked FFT autocorrelation equals the direct sum, holes and all", "[domain-size]") {
  const long ny = 19, nx = 23;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::vector<double> f(std::size_t(ny * nx));
  // Correlated along x (a running sum) so that C is not just a spike; 25 % holes.
  double run = 0;
  for (auto& v : f) {
    run = 0.7 * run + normal(rng);
    v = uniform(rng) < 0.25 ? kNaN : 3.0 + run;
  }
  AutocorrelationOptions o;
  o.max_lag = 30;  // clamped to N - 1 per axis
  o.min_pairs = 20;
  const auto a = autocorrelation(f, std::size_t(ny), std::size_t(nx), o);
  REQUIRE(a.max_lag_y == std::size_t(ny - 1));
  REQUIRE(a.max_lag_x == std::size_t(nx - 1));
  CHECK(a.at(0, 0) == Approx(1.0).epsilon(1e-12));
  std::size_t compared = 0, invalid = 0;
  for (long dy = -(ny - 1); dy <= ny - 1; ++dy)
    for (long dx = -(nx - 1); dx <= nx - 1; ++dx) {
      double c = 0, pairs = 0;
      direct_autocorrelation(f, ny, nx, dy, dx, c, pairs);
      REQUIRE(a.pairs_at(dy, dx) == pairs);  // counted exactly, no wrap-around
      if (pairs < double(o.min_pairs)) {
        CHECK(std::isnan(a.at(dy, dx)));
        ++invalid;
        continue;
      }
      REQUIRE(a.at(dy, dx) == Approx(c).margin(1e-10));
      ++compared;
    }
  CHECK(compared > 500);
  CHECK(invalid > 0);
  // The running sum along x: C(0, 1) is near its 0.7 coefficient, C(1, 0) near 0.
  CHECK(a.at(0, 1) > 0.5);
  CHECK(std::fabs(a.at(1, 0)) < 0.15);
}

TEST_CASE("bad maps are refused, empty and constant maps give NaN", "[domain-size]") {
  CHECK_THROWS_AS(autocorrelation(std::vector<double>(10, 1.0), 3, 4), InputError);
  CHECK_THROWS_AS(autocorrelation({}, 0, 4), InputError);
  const auto none = autocorrelation(std::vector<double>(64, kNaN), 8, 8);
  CHECK(none.n_valid == 0);
  CHECK(std::isnan(none.at(0, 1)));
  const auto flat = map_domain_size(std::vector<double>(32 * 32, 2.5), 32, 32, {});
  CHECK(flat.status == DomainStatus::no_variance);
  CHECK(std::isnan(flat.xi_px));
}

TEST_CASE("the Gaussian fit recovers a known anisotropic Gaussian, ignoring the zero-lag spike", "[domain-size]") {
  Autocorrelation a;
  a.ny = a.nx = 100;  // the map the lags would come from
  a.max_lag_y = a.max_lag_x = 20;
  a.c.assign(41 * 41, 0.0);
  a.pairs.assign(41 * 41, 1000.0);
  a.n_valid = 1000;
  a.variance = 1.0;
  const double amp = 0.6, off = -0.02, sy = 2.0, sx = 3.0, noise = 0.01;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, noise);
  for (long dy = -20; dy <= 20; ++dy)
    for (long dx = -20; dx <= 20; ++dx) {
      // Noise drawn for one of each pair (d, -d) and mirrored: C is symmetric.
      const bool first = dy > 0 || (dy == 0 && dx > 0);
      const double v = amp * std::exp(-(dy * dy / (2 * sy * sy) + dx * dx / (2 * sx * sx))) + off;
      if (first) {
        const double n = normal(rng);
        a.c[a.index(dy, dx)] = v + n;
        a.c[a.index(-dy, -dx)] = v + n;
      }
    }
  a.c[a.index(0, 0)] = 1.0;  // the uncorrelated noise spike that must not enter the fit
  GaussianFitOptions aniso;
  aniso.isotropic = false;
  const auto fit = fit_gaussian(a, aniso);
  INFO("status " << status_name(fit.status) << " window " << fit.window << " points " << fit.points);
  REQUIRE(fit.ok());
  const double truth = fwhm_of_sigma(std::sqrt(sy * sx));
  INFO("sigma_y " << fit.sigma_y << " sigma_x " << fit.sigma_x << " a " << fit.amplitude << " c " << fit.offset
                  << " fwhm " << fit.fwhm << " +- " << fit.fwhm_err << " (truth " << truth << ")");
  CHECK(fit.sigma_y == Approx(sy).epsilon(0.03));
  CHECK(fit.sigma_x == Approx(sx).epsilon(0.03));
  CHECK(fit.amplitude == Approx(amp).epsilon(0.03));
  CHECK(fit.offset == Approx(off).margin(0.005));
  CHECK(fit.rms_residual > 0.6 * noise);  // 40 residuals: their rms scatters by ~11 %
  CHECK(fit.rms_residual < 1.4 * noise);
  // The error the fit reports is of the size of its actual error.
  CHECK(fit.fwhm_err > 0);
  CHECK(fit.fwhm_err < 0.02 * truth);
  CHECK(std::fabs(fit.fwhm - truth) < 4 * fit.fwhm_err);
  CHECK(fit.points > 10);

  // The default isotropic fit of the same data: one sigma between the two axes.
  const auto fi = fit_gaussian(a);
  REQUIRE(fi.ok());
  CHECK(fi.sigma_y == fi.sigma_x);
  CHECK(fi.sigma_y > sy);
  CHECK(fi.sigma_y < sx);
}

TEST_CASE("xi of Gaussian random fields is their FWHM, with holes and with fit noise", "[domain-size]") {
  const std::size_t n = 64, count = 12;
  for (double fwhm : {3.0, 6.0}) {
    const auto fields = random_fields(n, fwhm, count, 3);
    DomainSizeOptions o;
    const auto xi = xi_of(fields, n, o);
    // Holes: 30 % of positions, independent of the field.
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> u;
    std::normal_distribution<double> normal;
    auto holed = fields, noisy = fields;
    for (auto& f : holed)
      for (double& v : f)
        if (u(rng) < 0.3) v = kNaN;
    // Uncorrelated noise of the field's own variance on top (fit noise of tau): a spike at
    // lag 0 only, which the fit leaves out; the amplitude drops to about 1/2.
    for (auto& f : noisy)
      for (double& v : f) v += normal(rng);
    const auto xi_holed = xi_of(holed, n, o);
    const auto xi_noisy = xi_of(noisy, n, o);
    DomainSizeOptions aniso = o;
    aniso.fit.isotropic = false;
    const auto xi_aniso = xi_of(fields, n, aniso);
    INFO("FWHM " << fwhm << " on " << count << " maps of " << n << "x" << n << ": xi " << mean_of(xi) << " (std "
                 << std_of(xi) << "), 30% holes " << mean_of(xi_holed) << " (std " << std_of(xi_holed)
                 << "), noise var 1 " << mean_of(xi_noisy) << " (std " << std_of(xi_noisy) << "), anisotropic "
                 << mean_of(xi_aniso) << " (std " << std_of(xi_aniso) << ")");
    CHECK(mean_of(xi) == Approx(fwhm).epsilon(0.05));
    CHECK(mean_of(xi_holed) == Approx(fwhm).epsilon(0.05));
    CHECK(mean_of(xi_noisy) == Approx(fwhm).epsilon(0.08));
    CHECK(mean_of(xi_aniso) == Approx(fwhm).epsilon(0.05));
    for (double x : xi) CHECK(x == Approx(fwhm).epsilon(0.2));
  }
}

TEST_CASE("maps without domains give NaN, never a number", "[domain-size]") {
  const std::size_t n = 48;
  std::mt19937_64 rng(23);
  std::normal_distribution<double> normal;
  std::vector<double> tau(n * n);
  for (double& t : tau) t = std::exp(0.5 * normal(rng));  // white: no correlation beyond lag 0
  const auto white = map_domain_size(tau, n, n, {});
  INFO("white noise: " << status_name(white.status) << ", sigma " << white.sigma_y_px << " x " << white.sigma_x_px);
  CHECK_FALSE(white.ok());
  CHECK(std::isnan(white.xi_px));
  CHECK(std::isnan(white.xi_nm));
  // Too few valid fits: below the 50 % default.
  std::vector<double> sparse = random_fields(n, 4.0, 1, 9)[0];
  for (std::size_t i = 0; i < sparse.size(); ++i) sparse[i] = i % 5 < 3 ? kNaN : std::exp(sparse[i]);
  const auto holes = map_domain_size(sparse, n, n, {});
  CHECK(holes.status == DomainStatus::too_few_valid);
  CHECK(holes.n_valid == n * n * 2 / 5);
  CHECK(std::isnan(holes.xi_px));
  // A domain as large as the map: C does not decay within the kept lags.
  auto wide = random_fields(24, 40.0, 1, 4)[0];
  for (double& v : wide) v = std::exp(v);
  const auto big = map_domain_size(wide, 24, 24, {});
  INFO("40 px domains on a 24 px map: " << status_name(big.status) << " xi " << big.xi_px);
  CHECK_FALSE(big.ok());
  CHECK(std::isnan(big.xi_px));
  // The scan step turns pixels into nm.
  auto field = random_fields(48, 4.0, 1, 2)[0];
  for (double& v : field) v = std::exp(v);
  const auto nm = map_domain_size(field, 48, 48, {}, 0.8);
  REQUIRE(nm.ok());
  CHECK(nm.xi_nm == Approx(0.8 * nm.xi_px));
  CHECK(nm.xi_err_nm == Approx(0.8 * nm.xi_err_px));
}

TEST_CASE("the power law of xi in tau is fitted on each leg of the peak", "[domain-size]") {
  // Below the peak xi = 2 tau^0.5, above it xi = 16 tau^-0.25; the peak (bin 3) is on both.
  const std::vector<double> tau = {1.0, 2.0, 4.0, 16.0, 8.0, 4.0, 2.0};
  std::vector<double> xi(tau.size());
  for (std::size_t i = 0; i < tau.size(); ++i) xi[i] = i <= 3 ? 2.0 * std::sqrt(tau[i]) : 16.0 * std::pow(tau[i], -0.25);
  REQUIRE(xi[3] == Approx(16.0 * std::pow(16.0, -0.25)));  // the apex lies on both laws
  auto s = xi_tau_scaling(tau, xi, {}, 3);
  REQUIRE(s.below.points() == 4);
  REQUIRE(s.above.points() == 4);
  CHECK(s.below.exponent == Approx(0.5).margin(1e-12));
  CHECK(s.below.prefactor == Approx(2.0).epsilon(1e-12));
  CHECK(s.above.exponent == Approx(-0.25).margin(1e-12));
  CHECK(s.above.prefactor == Approx(16.0).epsilon(1e-12));
  CHECK(s.below.exponent_err == Approx(0.0).margin(1e-9));
  CHECK_FALSE(s.below.weighted);

  // Scatter: the exponent error covers the truth and grows with the noise.
  std::vector<double> noisy = xi, err(xi.size());
  const double wiggle[] = {1.05, 0.96, 1.03, 1.0, 0.97, 1.04, 0.98};
  for (std::size_t i = 0; i < xi.size(); ++i) noisy[i] *= wiggle[i], err[i] = 0.04 * noisy[i];
  s = xi_tau_scaling(tau, noisy, err, 3);
  CHECK(s.below.weighted);
  CHECK(s.below.exponent_err > 0.005);
  CHECK(std::fabs(s.below.exponent - 0.5) < 3 * s.below.exponent_err);
  CHECK(std::fabs(s.above.exponent + 0.25) < 3 * s.above.exponent_err);

  // A leg with one point (peak at the first bin) and NaN bins are left out, not made up.
  xi[5] = kNaN;
  s = xi_tau_scaling(tau, xi, {}, 0);
  CHECK(s.below.points() == 1);
  CHECK(std::isnan(s.below.exponent));
  CHECK(s.above.points() == 6);
  CHECK(std::isfinite(s.above.exponent));
  // Two unweighted points: a slope, but no error from two points.
  s = xi_tau_scaling({1.0, 4.0}, {2.0, 4.0}, {}, 1);
  CHECK(s.below.exponent == Approx(0.5));
  CHECK(std::isnan(s.below.exponent_err));
  CHECK(std::isnan(s.above.exponent));
  CHECK_THROWS_AS(xi_tau_scaling({1.0}, {1.0, 2.0}, {}, 0), InputError);
}
