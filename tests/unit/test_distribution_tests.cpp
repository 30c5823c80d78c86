// The statistics of `ecm stats`: median, log-normal (normal on ln tau) fits with the
// Anderson-Darling test, and the Kruskal-Wallis test of the k_phi slices, against samples
// whose distribution is known and against published values.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "ecm/analysis/distribution_tests.hpp"

using namespace ecm::analysis;

namespace {
std::vector<double> normal_sample(std::size_t n, double mean, double sd, unsigned seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> d(mean, sd);
  std::vector<double> v(n);
  for (auto& x : v) x = d(g);
  return v;
}
}  // namespace

TEST_CASE("median of finite values, even and odd counts", "[stats]") {
  CHECK(median({3, 1, 2}) == 2.0);
  CHECK(median({4, 1, 3, 2}) == 2.5);
  CHECK(median({NAN, 5, 1, NAN, 3}) == 3.0);
  CHECK(std::isnan(median({NAN})));
}

TEST_CASE("normal fit recovers mean and sigma and accepts a normal sample", "[stats]") {
  // Standard errors for n = 2000: mean 0.011, sigma 0.008 (sd 0.5).
  const auto fit = fit_normal(normal_sample(2000, 1.6, 0.5, 11));
  CHECK(fit.n == 2000);
  CHECK(fit.mean == Approx(1.6).margin(0.04));
  CHECK(fit.sigma == Approx(0.5).margin(0.03));
  CHECK(fit.p_value > 0.01);
}

TEST_CASE("Anderson-Darling rejects a sample that is not normal", "[stats]") {
  std::mt19937_64 g(5);
  std::exponential_distribution<double> d(1.0);
  std::vector<double> v(500);
  for (auto& x : v) x = d(g);
  const auto fit = fit_normal(v);
  CHECK(fit.anderson_darling > 1.0);  // 1 % critical value of A*^2 is 1.035
  CHECK(fit.p_value < 0.001);
}

TEST_CASE("Anderson-Darling statistic matches a hand computation", "[stats]") {
  // x = 1..10: mean 5.5, s = 3.02765; A^2 = 0.141109 from the definition
  // -n - (1/n) sum (2i - 1) [ln F(z_i) + ln(1 - F(z_{n+1-i}))] evaluated separately in
  // Python with math.erfc, A*^2 = A^2 (1 + 0.075 + 0.0225).
  std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const auto fit = fit_normal(x);
  CHECK(fit.sigma == Approx(3.02765).epsilon(1e-5));
  CHECK(fit.anderson_darling == Approx(0.141109 * 1.0975).epsilon(1e-5));
  CHECK(fit.p_value > 0.9);
}

TEST_CASE("Kruskal-Wallis: one distribution passes, a shifted slice is found", "[stats]") {
  std::vector<std::vector<double>> same, shifted;
  for (unsigned g = 0; g < 12; ++g) {
    same.push_back(normal_sample(200, 0.0, 1.0, 100 + g));
    shifted.push_back(normal_sample(200, g == 5 ? 0.5 : 0.0, 1.0, 100 + g));
  }
  const auto a = kruskal_wallis(same);
  CHECK(a.groups == 12);
  CHECK(a.dof == 11);
  CHECK(a.p_value > 0.01);
  const auto b = kruskal_wallis(shifted);
  CHECK(b.p_value < 1e-6);
  // Counting each value as a tenth of an independent sample weakens the evidence tenfold.
  const auto c = kruskal_wallis(shifted, 0.1);
  CHECK(c.h == Approx(b.h * 0.1));
  CHECK(c.p_value > b.p_value);
}

TEST_CASE("Kruskal-Wallis H matches the textbook example with ties", "[stats]") {
  // Three groups (Conover, Practical Nonparametric Statistics): H computed by hand with
  // the tie correction; here the groups {1, 2, 3}, {2, 4, 5}, {6, 7, 8}:
  // ranks 1, 2.5, 4 | 2.5, 5, 6 | 7, 8, 9; R = 7.5, 13.5, 24; N = 9
  // H = 12/(9*10) * (7.5^2 + 13.5^2 + 24^2)/3 - 30 = 6.2; ties: one pair -> C = 1 - 6/720.
  const auto kw = kruskal_wallis({{1, 2, 3}, {2, 4, 5}, {6, 7, 8}});
  CHECK(kw.h == Approx(6.2 / (1.0 - 6.0 / 720.0)).epsilon(1e-9));
  CHECK(kw.p_value == Approx(std::exp(-kw.h / 2.0)).epsilon(1e-9));  // chi^2 with 2 dof
}

TEST_CASE("independent fraction of a correlated map", "[stats]") {
  CHECK(independent_fraction(NAN) == 1.0);
  CHECK(independent_fraction(0.5) == 1.0);
  CHECK(independent_fraction(3.0) == Approx(4.0 * std::log(2.0) / (M_PI * 9.0)));
}
