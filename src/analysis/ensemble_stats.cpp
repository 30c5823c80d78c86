#include "ecm/analysis/ensemble_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecm/core/error.hpp"

namespace ecm::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Common log10(tau) edges: the 0.5-99.5 % range of every valid tau, widened to whole
// tenths of a decade, so histograms of all maps compare bin by bin.
std::vector<double> histogram_edges(const io::ResultCube& c, std::size_t bins) {
  std::vector<double> logs;
  for (float t : c.tau)
    if (std::isfinite(t)) logs.push_back(std::log10(double(t)));
  double lo = -1, hi = 1;
  if (!logs.empty()) {
    std::sort(logs.begin(), logs.end());
    lo = logs[std::size_t(0.005 * double(logs.size() - 1))];
    hi = logs[std::size_t(0.995 * double(logs.size() - 1))];
  }
  lo = std::floor(lo * 10.0) / 10.0;
  hi = std::ceil(hi * 10.0) / 10.0;
  if (!(hi > lo)) hi = lo + 0.1;
  std::vector<double> edges(bins + 1);
  for (std::size_t i = 0; i <= bins; ++i) edges[i] = lo + (hi - lo) * double(i) / double(bins);
  return edges;
}
}  // namespace

EnsembleStats ensemble_stats(const io::ResultCube& c, const StatsOptions& opt, const DomainSizes* domain) {
  require(!domain || domain->maps.size() == c.bins(), "internal: domain sizes of another result");
  EnsembleStats s;
  s.n_kr = c.n_kr;
  s.n_kphi = c.n_kphi;
  const std::size_t P = c.positions(), B = c.bins(), nb = std::max<std::size_t>(opt.histogram_bins, 1);
  s.maps.resize(B);
  s.kr.resize(c.n_kr);
  s.histogram_edges = histogram_edges(c, nb);
  s.histograms.assign(B * nb, 0.0);
  const double h_lo = s.histogram_edges.front(), h_w = (s.histogram_edges.back() - h_lo) / double(nb);
  const std::size_t need = std::max(opt.min_valid, std::size_t(std::ceil(opt.min_valid_fraction * double(P))));

  std::vector<double> all_valid;
  std::vector<std::vector<double>> ln_tau(B);
  for (std::size_t b = 0; b < B; ++b) {
    MapStats& m = s.maps[b];
    std::vector<double> noise2;
    for (std::size_t p = 0; p < P; ++p) {
      const double t = c.tau[p * B + b];
      if (!std::isfinite(t)) continue;
      ln_tau[b].push_back(std::log(t));
      all_valid.push_back(t);
      // Values beyond the common range are counted apart, not piled into the edge bins.
      const double at = (std::log10(t) - h_lo) / h_w;
      if (at >= 0 && at < double(nb)) s.histograms[b * nb + std::size_t(at)] += 1.0;
      else s.histogram_outside += 1.0;
      if (!c.tau_err.empty() && std::isfinite(c.tau_err[p * B + b])) noise2.push_back(std::pow(c.tau_err[p * B + b] / t, 2));
    }
    m.n_valid = ln_tau[b].size();
    m.log_tau = fit_normal(ln_tau[b]);
    m.median_tau_s = m.n_valid >= need ? std::exp(median(ln_tau[b])) : kNaN;
    if (opt.failures_as_zero) {
      std::vector<double> with_failures;
      for (double v : ln_tau[b]) with_failures.push_back(std::exp(v));
      for (std::size_t p = 0; p < P; ++p) {
        const auto st = c.fit_status[p * B + b];
        if (st == 1 || st == 2 || st == 6) with_failures.push_back(0.0);  // fit attempted, failed
      }
      m.median_tau_s = with_failures.size() >= need ? median(with_failures) : kNaN;
    }
    m.sigma_fit_noise = noise2.empty() ? kNaN : std::sqrt(median(noise2));
    m.sigma_spatial = domain && domain->maps[b].ok() && std::isfinite(m.log_tau.sigma)
                          ? m.log_tau.sigma * std::sqrt(std::clamp(domain->maps[b].amplitude, 0.0, 1.0))
                          : kNaN;
  }
  s.overall_median_tau_s = median(all_valid);
  s.valid_fraction = c.tau.empty() ? 0.0 : double(all_valid.size()) / double(c.tau.size());

  double best_intensity = -1;
  for (std::size_t ir = 0; ir < c.n_kr; ++ir) {
    KrStats& k = s.kr[ir];
    k.k_r = c.k_r[ir];
    double sum = 0, sum2 = 0, sig = 0, sig_c = 0;
    std::size_t n_sig_c = 0, valid = 0;
    std::vector<std::vector<double>> groups;
    for (std::size_t ip = 0; ip < c.n_kphi; ++ip) {
      const MapStats& m = s.maps[ir * c.n_kphi + ip];
      valid += m.n_valid;
      if (!std::isfinite(m.median_tau_s)) continue;
      ++k.slices;
      sum += m.median_tau_s;
      sum2 += m.median_tau_s * m.median_tau_s;
      sig += m.log_tau.sigma;
      if (std::isfinite(m.sigma_spatial)) {
        sig_c += m.sigma_spatial;
        ++n_sig_c;
      }
      groups.push_back(ln_tau[ir * c.n_kphi + ip]);
    }
    const double n = double(k.slices);
    k.ensemble_tau_s = k.slices ? sum / n : kNaN;
    k.ensemble_tau_std_s = k.slices > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / n) / (n - 1.0))) : kNaN;
    k.sigma_ln_tau = k.slices ? sig / n : kNaN;
    k.sigma_ln_tau_spatial = n_sig_c ? sig_c / double(n_sig_c) : kNaN;
    k.valid_fraction = double(valid) / double(P * c.n_kphi);
    const double xi = domain ? domain->kr[ir].xi_px : kNaN;
    k.slices_test = kruskal_wallis(groups, independent_fraction(xi));

    // I(k): counts per detector pixel per frame (the bin's counts over its area).
    double isum = 0;
    std::size_t icount = 0;
    if (!c.mean_intensity.empty())
      for (std::size_t ip = 0; ip < c.n_kphi; ++ip) {
        const double area = c.bin_area(ir, ip);
        if (!(area > 0)) continue;
        for (std::size_t p = 0; p < P; ++p) {
          const double v = c.mean_intensity[p * B + ir * c.n_kphi + ip];
          if (!std::isfinite(v)) continue;
          isum += v / area;
          ++icount;
        }
      }
    k.intensity = icount ? isum / double(icount) : kNaN;
    if (std::isfinite(k.intensity) && k.intensity > best_intensity) {
      best_intensity = k.intensity;
      s.peak_kr = ir;
    }
  }
  return s;
}

}  // namespace ecm::analysis
