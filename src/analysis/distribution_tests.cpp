#include "ecm/analysis/distribution_tests.hpp"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace ecm::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Standard normal CDF, and log of it and of its complement without cancellation in the tails.
double log_phi(double z) { return std::log(0.5 * std::erfc(-z / std::sqrt(2.0))); }
double log_phi_complement(double z) { return std::log(0.5 * std::erfc(z / std::sqrt(2.0))); }

// D'Agostino & Stephens (1986), Table 4.9: p-value of the modified statistic, case 3.
double anderson_darling_p(double a) {
  if (a >= 0.6) return std::exp(1.2937 - 5.709 * a + 0.0186 * a * a);
  if (a >= 0.34) return std::exp(0.9177 - 4.279 * a - 1.38 * a * a);
  if (a >= 0.2) return 1.0 - std::exp(-8.318 + 42.796 * a - 59.938 * a * a);
  return 1.0 - std::exp(-13.436 + 101.14 * a - 223.73 * a * a);
}
}  // namespace

double median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return kNaN;
  const std::size_t n = values.size(), mid = n / 2;
  std::nth_element(values.begin(), values.begin() + long(mid), values.end());
  if (n % 2) return values[mid];
  const double upper = values[mid];
  const double lower = *std::max_element(values.begin(), values.begin() + long(mid));
  return 0.5 * (lower + upper);
}

NormalFit fit_normal(const std::vector<double>& x_in) {
  std::vector<double> x;
  for (double v : x_in)
    if (std::isfinite(v)) x.push_back(v);
  NormalFit f;
  f.n = x.size();
  if (f.n < 2) {
    f.mean = f.n ? x[0] : kNaN;
    f.sigma = f.anderson_darling = f.p_value = kNaN;
    return f;
  }
  const double n = double(f.n);
  f.mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double ss = 0;
  for (double v : x) ss += (v - f.mean) * (v - f.mean);
  f.sigma = std::sqrt(ss / (n - 1.0));
  if (f.n < 8 || !(f.sigma > 0)) {  // the p-value table is not valid for tiny samples
    f.anderson_darling = f.p_value = kNaN;
    return f;
  }
  std::sort(x.begin(), x.end());
  double s = 0;
  for (std::size_t i = 0; i < f.n; ++i) {
    const double zi = (x[i] - f.mean) / f.sigma, zj = (x[f.n - 1 - i] - f.mean) / f.sigma;
    s += (2.0 * double(i) + 1.0) * (log_phi(zi) + log_phi_complement(zj));
  }
  const double a2 = -n - s / n;
  f.anderson_darling = a2 * (1.0 + 0.75 / n + 2.25 / (n * n));
  f.p_value = std::clamp(anderson_darling_p(f.anderson_darling), 0.0, 1.0);
  return f;
}

KruskalWallis kruskal_wallis(const std::vector<std::vector<double>>& groups, double effective_fraction) {
  KruskalWallis kw;
  kw.effective_fraction = std::clamp(effective_fraction, 1e-9, 1.0);
  struct Item {
    double value;
    std::size_t group;
  };
  std::vector<Item> all;
  std::vector<std::size_t> sizes(groups.size(), 0);
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (double v : groups[g])
      if (std::isfinite(v)) {
        all.push_back({v, g});
        ++sizes[g];
      }
  kw.n = all.size();
  for (std::size_t s : sizes) kw.groups += s > 0;
  if (kw.groups < 2 || kw.n < kw.groups + 1) {
    kw.h = kw.dof = kw.p_value = kNaN;
    return kw;
  }
  std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.value < b.value; });
  std::vector<double> rank_sum(groups.size(), 0.0);
  double ties = 0;  // sum of t^3 - t over tied runs
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j + 1 < all.size() && all[j + 1].value == all[i].value) ++j;
    const double mean_rank = 0.5 * (double(i) + double(j)) + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank_sum[all[k].group] += mean_rank;
    const double t = double(j - i + 1);
    ties += t * t * t - t;
    i = j + 1;
  }
  const double N = double(kw.n);
  double h = 0;
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (sizes[g]) h += rank_sum[g] * rank_sum[g] / double(sizes[g]);
  h = 12.0 / (N * (N + 1.0)) * h - 3.0 * (N + 1.0);
  const double tie_correction = 1.0 - ties / (N * N * N - N);
  if (tie_correction > 0) h /= tie_correction;
  kw.h = std::max(0.0, h) * kw.effective_fraction;
  kw.dof = double(kw.groups - 1);
  kw.p_value = boost::math::gamma_q(0.5 * kw.dof, 0.5 * kw.h);
  return kw;
}

double independent_fraction(double xi_px) {
  if (!std::isfinite(xi_px) || xi_px <= 0) return 1.0;
  const double area = M_PI * xi_px * xi_px / (4.0 * std::log(2.0));
  return std::min(1.0, 1.0 / area);
}

}  // namespace ecm::analysis
