#include "ecm/analysis/stats_output.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::analysis {

namespace {
using Attrs = std::vector<std::pair<std::string, std::string>>;

template <class F>
std::vector<double> per_map(const EnsembleStats& s, F f) {
  std::vector<double> v;
  for (const auto& m : s.maps) v.push_back(f(m));
  return v;
}
template <class F>
std::vector<double> per_kr(const EnsembleStats& s, F f) {
  std::vector<double> v;
  for (const auto& k : s.kr) v.push_back(f(k));
  return v;
}
}  // namespace

void write_stats(io::ProductGroup& g, const EnsembleStats& s) {
  const std::vector<std::size_t> maps{s.n_kr, s.n_kphi}, kr{s.n_kr};
  g.write("maps/n_valid", per_map(s, [](const MapStats& m) { return double(m.n_valid); }), maps,
          Attrs{{"meaning", "scan positions with a valid fit in each (k_r, k_phi) map"}});
  g.write("maps/median_tau_s", per_map(s, [](const MapStats& m) { return m.median_tau_s; }), maps,
          Attrs{{"units", "s"}, {"meaning", "median tau over the scan; NaN when too few valid fits"}});
  g.write("maps/lognormal_median_s", per_map(s, [](const MapStats& m) { return std::exp(m.log_tau.mean); }), maps,
          Attrs{{"units", "s"}, {"meaning", "exp(mean ln tau): the median of the fitted log-normal"}});
  g.write("maps/lognormal_sigma", per_map(s, [](const MapStats& m) { return m.log_tau.sigma; }), maps,
          Attrs{{"meaning", "std of ln tau (the log-normal sigma), maximum likelihood with n - 1"}});
  g.write("maps/sigma_fit_noise", per_map(s, [](const MapStats& m) { return m.sigma_fit_noise; }), maps,
          Attrs{{"meaning", "spread of ln tau explained by the fits' uncertainty: sqrt(median (tau_err/tau)^2)"}});
  g.write("maps/sigma_corrected", per_map(s, [](const MapStats& m) { return m.sigma_corrected; }), maps,
          Attrs{{"meaning", "lognormal_sigma with sigma_fit_noise removed in quadrature"}});
  g.write("maps/anderson_darling", per_map(s, [](const MapStats& m) { return m.log_tau.anderson_darling; }), maps,
          Attrs{{"meaning", "Anderson-Darling A*^2 of ln tau against the fitted normal (Stephens case 3)"}});
  g.write("maps/anderson_darling_p", per_map(s, [](const MapStats& m) { return m.log_tau.p_value; }), maps,
          Attrs{{"meaning", "p-value of A*^2 (D'Agostino & Stephens 1986); small: not log-normal"}});
  g.write("k_r/k_r", per_kr(s, [](const KrStats& k) { return k.k_r; }), kr, Attrs{{"units", "1/angstrom"}});
  g.write("k_r/ensemble_tau_s", per_kr(s, [](const KrStats& k) { return k.ensemble_tau_s; }), kr,
          Attrs{{"units", "s"}, {"meaning", "median tau per k_phi map, averaged over k_phi"}});
  g.write("k_r/ensemble_tau_std_s", per_kr(s, [](const KrStats& k) { return k.ensemble_tau_std_s; }), kr,
          Attrs{{"units", "s"}, {"meaning", "std over k_phi of the map medians (the error bar)"}});
  g.write("k_r/slices", per_kr(s, [](const KrStats& k) { return double(k.slices); }), kr,
          Attrs{{"meaning", "k_phi maps with enough valid fits to enter the ensemble"}});
  g.write("k_r/intensity", per_kr(s, [](const KrStats& k) { return k.intensity; }), kr,
          Attrs{{"units", "counts per detector px per frame"}, {"meaning", "diffraction profile I(k)"}});
  g.write("k_r/valid_fraction", per_kr(s, [](const KrStats& k) { return k.valid_fraction; }), kr);
  g.write("k_r/sigma_ln_tau", per_kr(s, [](const KrStats& k) { return k.sigma_ln_tau; }), kr,
          Attrs{{"meaning", "mean over k_phi of the log-normal sigma"}});
  g.write("k_r/sigma_ln_tau_corrected", per_kr(s, [](const KrStats& k) { return k.sigma_ln_tau_corrected; }), kr,
          Attrs{{"meaning", "mean over k_phi of sigma_corrected"}});
  g.write("k_r/slices_h", per_kr(s, [](const KrStats& k) { return k.slices_test.h; }), kr,
          Attrs{{"meaning", "Kruskal-Wallis H over the k_phi slices of ln tau, scaled by effective_fraction"}});
  g.write("k_r/slices_p", per_kr(s, [](const KrStats& k) { return k.slices_test.p_value; }), kr,
          Attrs{{"meaning", "p-value of H (chi^2, slices - 1 dof); small: the slices differ"}});
  g.write("k_r/slices_effective_fraction", per_kr(s, [](const KrStats& k) { return k.slices_test.effective_fraction; }),
          kr, Attrs{{"meaning", "independent samples per position given the domain size (1: none known)"}});
  g.write("histograms/edges_log10_tau", s.histogram_edges, {s.histogram_edges.size()},
          Attrs{{"units", "log10(tau / s)"}});
  g.write("histograms/counts", s.histograms, {s.n_kr, s.n_kphi, s.histogram_edges.size() - 1},
          Attrs{{"meaning", "valid fits per log10 tau bin, per (k_r, k_phi) map"}});
  g.attribute("histogram_outside", s.histogram_outside);
  g.attribute("overall_median_tau_s", s.overall_median_tau_s);
  g.attribute("valid_fraction", s.valid_fraction);
  g.attribute("peak_k_r", s.kr.empty() ? 0.0 : s.kr[s.peak_kr].k_r);
}

std::string stats_table(const EnsembleStats& s) {
  std::ostringstream o;
  o << std::fixed;
  o << "  k_r [1/A]  I(k) [c/px/fr]  ensemble tau [s]      slices  sigma ln tau (corr.)  valid   same distribution?\n";
  for (const auto& k : s.kr) {
    o << "  " << std::setw(8) << std::setprecision(4) << k.k_r << "  " << std::setw(14) << std::setprecision(3)
      << k.intensity << "  " << std::setw(9) << std::setprecision(3) << k.ensemble_tau_s << " +- " << std::setw(7)
      << std::setprecision(3) << k.ensemble_tau_std_s << "  " << std::setw(6) << k.slices << "  " << std::setw(8)
      << std::setprecision(3) << k.sigma_ln_tau << " (" << std::setprecision(3) << k.sigma_ln_tau_corrected << ")"
      << "  " << std::setw(5) << std::setprecision(1) << 100.0 * k.valid_fraction << "%  ";
    if (std::isfinite(k.slices_test.p_value))
      o << (k.slices_test.p_value < 0.01 ? "no" : "yes") << " (p = " << std::setprecision(3) << k.slices_test.p_value
        << ")";
    else
      o << "-";
    o << "\n";
  }
  o << "  overall median tau " << std::setprecision(4) << s.overall_median_tau_s << " s, valid fits "
    << std::setprecision(1) << 100.0 * s.valid_fraction << " %, I(k) peaks at k_r = " << std::setprecision(4)
    << (s.kr.empty() ? 0.0 : s.kr[s.peak_kr].k_r) << " 1/A\n";
  return o.str();
}

std::vector<std::string> write_stats_csv(const std::string& prefix, const io::ResultCube& c, const EnsembleStats& s) {
  const std::string kr_path = prefix + "_kr.csv", maps_path = prefix + "_maps.csv";
  std::ofstream kr(kr_path), maps(maps_path);
  if (!kr || !maps) throw InputError("cannot write CSV files with prefix '" + prefix + "'");
  kr << std::setprecision(9);
  maps << std::setprecision(9);
  kr << "k_r_inv_angstrom,intensity_counts_per_px_frame,ensemble_tau_s,ensemble_tau_std_s,slices,valid_fraction,"
        "sigma_ln_tau,sigma_ln_tau_corrected,slices_h,slices_p\n";
  for (const auto& k : s.kr)
    kr << k.k_r << ',' << k.intensity << ',' << k.ensemble_tau_s << ',' << k.ensemble_tau_std_s << ',' << k.slices
       << ',' << k.valid_fraction << ',' << k.sigma_ln_tau << ',' << k.sigma_ln_tau_corrected << ','
       << k.slices_test.h << ',' << k.slices_test.p_value << '\n';
  maps << "k_r_inv_angstrom,k_phi_rad,n_valid,median_tau_s,lognormal_median_s,lognormal_sigma,sigma_fit_noise,"
          "sigma_corrected,anderson_darling,anderson_darling_p\n";
  for (std::size_t ir = 0; ir < s.n_kr; ++ir)
    for (std::size_t ip = 0; ip < s.n_kphi; ++ip) {
      const MapStats& m = s.maps[ir * s.n_kphi + ip];
      maps << c.k_r[ir] << ',' << c.k_phi[ip] << ',' << m.n_valid << ',' << m.median_tau_s << ','
           << std::exp(m.log_tau.mean) << ',' << m.log_tau.sigma << ',' << m.sigma_fit_noise << ','
           << m.sigma_corrected << ',' << m.log_tau.anderson_darling << ',' << m.log_tau.p_value << '\n';
    }
  if (!kr || !maps) throw Error("writing CSV files with prefix '" + prefix + "' failed");
  return {kr_path, maps_path};
}

}  // namespace ecm::analysis
