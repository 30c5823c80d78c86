#include "ecm/analysis/ttcf.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Value at x = 0 of the least-squares line through (x, y).
double extrapolate_to_zero(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = double(x.size());
  if (x.size() < 2) return kNaN;
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
  return my - (sxy / sxx) * mx;
}

std::string percent(double f) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << 100.0 * f << " %";
  return s.str();
}

}  // namespace

void check_band_options(const BandOptions& options, std::size_t n_t) {
  require(n_t >= 2, "the two-time correlation needs at least 2 cycles");
  require(options.diag_first_lag >= 1 && options.diag_last_lag > options.diag_first_lag,
          "--diagonal-lags must satisfy 1 <= FIRST < LAST");
  require(std::size_t(options.diag_last_lag) < n_t, "--diagonal-lags reach beyond the series (" +
                                                        std::to_string(n_t) + " cycles)");
  require(options.window <= n_t, "--window is longer than the series (" + std::to_string(n_t) + " cycles)");
}

BandProfile band_widths(const double* G, std::size_t n_t, double time_step_s, const BandOptions& options) {
  check_band_options(options, n_t);
  BandProfile b;
  b.window = options.window > 0 ? options.window : std::max<std::size_t>(1, n_t / 10);
  const std::size_t n_windows = n_t / b.window;  // the last window takes the remainder
  b.n_lags = n_t;
  b.profile.assign(n_windows * n_t, kNaN);
  const auto T = std::int64_t(n_t);
  for (std::size_t w = 0; w < n_windows; ++w) {
    // Mid-points (t1 + t2)/2 in [a0, a1), i.e. 2 t1 + D in [2 a0, 2 a1).
    const auto a0 = std::int64_t(w * b.window), a1 = w + 1 == n_windows ? T : std::int64_t((w + 1) * b.window);
    b.elapsed_s.push_back(0.5 * double(a0 + a1 - 1) * time_step_s);
    for (std::int64_t d = 0; d < T; ++d) {
      const std::int64_t lo_num = 2 * a0 - d, hi_num = 2 * a1 - 1 - d;
      if (hi_num < 0) break;  // no larger lag has pairs here either
      const std::int64_t t_lo = lo_num <= 0 ? 0 : (lo_num + 1) / 2;
      const std::int64_t t_hi = std::min(hi_num / 2, T - 1 - d);
      if (t_hi < t_lo) continue;
      double sum = 0;
      for (std::int64_t t = t_lo; t <= t_hi; ++t) sum += G[std::size_t(t * T + t + d)];
      b.profile[w * n_t + std::size_t(d)] = sum / double(t_hi - t_lo + 1) - 1.0;
    }
  }
  const double e2 = std::exp(-2.0);
  for (std::size_t w = 0; w < n_windows; ++w) {
    const double* c = &b.profile[w * n_t];
    std::vector<double> x, y;
    for (int d = options.diag_first_lag; d <= options.diag_last_lag; ++d)
      if (std::isfinite(c[d])) x.push_back(d), y.push_back(c[d]);
    const double diag = x.size() == std::size_t(options.diag_last_lag - options.diag_first_lag + 1)
                            ? extrapolate_to_zero(x, y)
                            : kNaN;
    b.diagonal.push_back(diag);
    double width = kNaN;
    if (std::isfinite(diag) && diag > 0) {
      const double level = diag * e2;
      // The first lag at or below the level, linearly interpolated from the lag before it
      // (from the extrapolated diagonal at lag 0).
      double before = diag;
      for (std::size_t d = 1; d < n_t; ++d) {
        if (!std::isfinite(c[d])) break;  // beyond the pairs this window has: not measurable
        if (c[d] <= level) {
          width = (double(d) - 1.0 + (before - level) / (before - c[d])) * time_step_s;
          break;
        }
        before = c[d];
      }
    }
    b.width_s.push_back(width);
  }
  return b;
}

AgingFit fit_aging(const std::vector<double>& elapsed_s, const std::vector<double>& width_s,
                   const AgingOptions& options) {
  require(elapsed_s.size() == width_s.size(), "internal: elapsed times and band widths differ in number");
  AgingFit f;
  std::vector<double> x, y;
  for (std::size_t i = 0; i < width_s.size(); ++i)
    if (std::isfinite(width_s[i]) && std::isfinite(elapsed_s[i])) x.push_back(elapsed_s[i]), y.push_back(width_s[i]);
  f.n_windows = x.size();
  if (x.size() < 3) {
    f.slope = f.slope_err = f.intercept_s = f.width_first_s = f.width_last_s = f.relative_change = kNaN;
    f.verdict = "not judged: " + std::to_string(x.size()) +
                " window(s) with a measurable band width, at least 3 are needed (shorter --window?)";
    return f;
  }
  const double n = double(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
  f.slope = sxy / sxx;
  f.intercept_s = my - f.slope * mx;
  double rss = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - (f.intercept_s + f.slope * x[i]);
    rss += r * r;
  }
  f.slope_err = std::sqrt(rss / (n - 2.0) / sxx);
  f.width_first_s = f.intercept_s + f.slope * x.front();
  f.width_last_s = f.intercept_s + f.slope * x.back();
  f.relative_change = f.width_first_s > 0 ? f.width_last_s / f.width_first_s - 1.0 : kNaN;
  const double sigmas = f.slope_err > 0 ? f.slope / f.slope_err : (f.slope > 0 ? HUGE_VAL : 0.0);
  const bool significant = sigmas > options.min_sigma;
  f.detected = significant && f.relative_change > options.min_relative_change;
  std::ostringstream s;
  s << std::setprecision(3) << "slope " << f.slope << " +- " << f.slope_err << " s/s, width " << f.width_first_s
    << " -> " << f.width_last_s << " s";
  if (f.detected)
    f.verdict = "aging detected: the band widens by " + percent(f.relative_change) + " over the run (" + s.str() + ")";
  else if (sigmas < -options.min_sigma && f.relative_change < -options.min_relative_change)
    f.verdict = "no aging; the band narrows by " + percent(-f.relative_change) + " over the run (" + s.str() + ")";
  else
    f.verdict = "no aging detected: band width changes by " + percent(f.relative_change) + " over the run (" +
                s.str() + ")";
  return f;
}

}  // namespace ecm::analysis
