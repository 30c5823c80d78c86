// Host parts of the g2 kernels: option parsing, lag bins, the direct reference.
#include "ecm/kernels/g2.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace ecm::g2 {

Normalization parse_normalization(const std::string& name) {
  if (name == "symmetric") return Normalization::symmetric;
  if (name == "standard") return Normalization::standard;
  throw InputError("unknown g2 normalisation '" + name + "' (expected 'symmetric' or 'standard')");
}

std::string to_string(Normalization norm) {
  return norm == Normalization::symmetric ? "symmetric" : "standard";
}

std::string to_string(Backend backend) { return backend == Backend::fftw ? "fftw" : "portable"; }

LagBins make_log_lag_bins(int max_lag, int n_bins) {
  require(max_lag >= 1, "g2: max_lag must be >= 1, got " + std::to_string(max_lag));
  require(n_bins >= 1, "g2: the number of lag bins must be >= 1, got " + std::to_string(n_bins));
  LagBins bins;
  const double log_span = std::log(static_cast<double>(max_lag) + 1.0);
  int lo = 1;  // first lag not yet in a bin
  for (long long b = 1; b <= n_bins && lo <= max_lag; ++b) {
    // Integer lags below the edge e_b = (max_lag+1)^(b/n_bins) belong to bins < b. The
    // small tolerance keeps an edge that is an integer up to rounding on its own side.
    int hi = b == n_bins ? max_lag + 1
                         : static_cast<int>(std::ceil(std::exp(log_span * double(b) / n_bins) - 1e-9));
    if (hi > max_lag + 1) hi = max_lag + 1;
    if (hi <= lo) {
      // No integer lag in [e_{b-1}, e_b): merged into the next bin. With far more bins than
      // lags (--n-lags 2e9 took 100 s) most are empty: skip to just before the first edge
      // above lo, e_b > lo <=> b > n_bins ln(lo) / ln(max_lag + 1); the bins are the same.
      const double first_above = std::floor(double(n_bins) * std::log(double(lo)) / log_span) - 2.0;
      if (first_above > double(b)) b = static_cast<long long>(first_above);
      continue;
    }
    bins.first.push_back(lo);
    bins.last.push_back(hi - 1);
    bins.center.push_back(0.5 * (lo + hi - 1));
    lo = hi;
  }
  return bins;
}

void validate_lag_bins(const LagBins& bins, int max_lag) {
  require(bins.size() >= 1, "g2: no lag bins");
  require(bins.last.size() == bins.size() && bins.center.size() == bins.size(),
          "g2: lag bins have inconsistent first/last/center sizes");
  int next = 1;
  for (std::size_t b = 0; b < bins.size(); ++b) {
    require(bins.first[b] == next && bins.last[b] >= bins.first[b],
            "g2: lag bin " + std::to_string(b) + " does not continue the lags 1..max_lag in order");
    next = bins.last[b] + 1;
  }
  require(next == max_lag + 1, "g2: lag bins end at lag " + std::to_string(next - 1) +
                                   ", expected max_lag = " + std::to_string(max_lag));
}

std::vector<double> g2_direct(const float* series, int n_t, int max_lag, Normalization norm) {
  require(n_t >= 1 && max_lag >= 0 && max_lag <= n_t - 1, "g2_direct: need 0 <= max_lag < n_t");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double total = 0.0;
  for (int t = 0; t < n_t; ++t) total += series[t];
  const double mean = total / n_t;
  std::vector<double> g2(static_cast<std::size_t>(max_lag) + 1);
  for (int lag = 0; lag <= max_lag; ++lag) {
    const int m = n_t - lag;
    double c = 0.0, front = 0.0, back = 0.0;
    for (int t = 0; t < m; ++t) {
      c += static_cast<double>(series[t]) * series[t + lag];
      front += series[t];
      back += series[t + lag];
    }
    const double denom = norm == Normalization::standard ? mean * mean : (front / m) * (back / m);
    g2[lag] = denom == 0.0 ? nan : (c / m) / denom;
  }
  return g2;
}

int fftw_friendly_size(int min_size) {
  for (int n = min_size < 1 ? 1 : min_size;; ++n) {
    int r = n;
    for (int p : {2, 3, 5, 7})
      while (r % p == 0) r /= p;
    if (r == 1) return n;
  }
}

int next_power_of_two(int min_size) {
  int n = 1;
  while (n < min_size) n <<= 1;
  return n;
}

}  // namespace ecm::g2
