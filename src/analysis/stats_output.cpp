#include "ecm/analysis/stats_output.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
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

void write_stats(io::ProductGroup& g, const EnsembleStats& s, const DomainResults* domain) {
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
  g.write("maps/sigma_spatial", per_map(s, [](const MapStats& m) { return m.sigma_spatial; }), maps,
          Attrs{{"meaning", "lognormal_sigma * sqrt(domain-size amplitude): the spatially correlated part, a lower "
                            "bound of the sample's spread (lognormal_sigma is the upper bound)"}});
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
  g.write("k_r/sigma_ln_tau_spatial", per_kr(s, [](const KrStats& k) { return k.sigma_ln_tau_spatial; }), kr,
          Attrs{{"meaning", "mean over k_phi of sigma_spatial (lower bound)"}});
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
  if (domain) {
    const auto& d = domain->sizes;
    std::vector<double> xi, xi_err, xi_nm, status, amplitude;
    for (const auto& m : d.maps) {
      xi.push_back(m.xi_px);
      xi_err.push_back(m.xi_err_px);
      xi_nm.push_back(m.xi_nm);
      status.push_back(double(m.status));
      amplitude.push_back(m.amplitude);
    }
    g.write("domain_size/maps/xi_px", xi, maps,
            Attrs{{"units", "scan px"}, {"meaning", "FWHM of a 2-D Gaussian fitted to the autocorrelation of ln tau"}});
    g.write("domain_size/maps/xi_err_px", xi_err, maps, Attrs{{"units", "scan px"}, {"meaning", "from the fit covariance (a lower bound)"}});
    g.write("domain_size/maps/xi_nm", xi_nm, maps, Attrs{{"units", "nm"}, {"meaning", "NaN when the scan step is unknown"}});
    g.write("domain_size/maps/amplitude", amplitude, maps,
            Attrs{{"meaning", "Gaussian amplitude: share of the ln tau variance correlated between neighbours"}});
    g.write("domain_size/maps/status", status, maps,
            Attrs{{"meaning", "0 ok, 1 too_few_valid, 2 no_variance, 3 no_correlation, 4 too_wide, 5 too_few_lags, "
                              "6 not_converged, 7 unresolved (docs/domain-size.md)"}});
    std::vector<double> kxi, kstd, ksem, knm, kmaps;
    for (const auto& k : d.kr) {
      kxi.push_back(k.xi_px);
      kstd.push_back(k.xi_std_px);
      ksem.push_back(k.xi_sem_px);
      knm.push_back(k.xi_nm);
      kmaps.push_back(double(k.maps));
    }
    g.write("domain_size/k_r/xi_px", kxi, kr, Attrs{{"units", "scan px"}, {"meaning", "mean over k_phi maps with status ok"}});
    g.write("domain_size/k_r/xi_std_px", kstd, kr, Attrs{{"units", "scan px"}, {"meaning", "std over k_phi (error bar)"}});
    g.write("domain_size/k_r/xi_sem_px", ksem, kr, Attrs{{"units", "scan px"}, {"meaning", "std / sqrt(maps)"}});
    g.write("domain_size/k_r/xi_nm", knm, kr, Attrs{{"units", "nm"}});
    g.write("domain_size/k_r/maps", kmaps, kr);
    const auto& sc = domain->scaling;
    g.write("domain_size/power_law", std::vector<double>{sc.below.exponent, sc.below.exponent_err, sc.below.prefactor,
                                      sc.above.exponent, sc.above.exponent_err, sc.above.prefactor}, {2, 3},
            Attrs{{"meaning", "xi = prefactor * tau^exponent; rows: below (k_r bins 0..peak), above (peak..end); "
                              "columns: exponent, exponent_err, prefactor [scan px / s^exponent]"}});
    g.attribute("scan_step_nm", d.scan_step_nm);
  }
  g.attribute("histogram_outside", s.histogram_outside);
  g.attribute("overall_median_tau_s", s.overall_median_tau_s);
  g.attribute("valid_fraction", s.valid_fraction);
  g.attribute("peak_k_r", s.kr.empty() ? 0.0 : s.kr[s.peak_kr].k_r);
}

std::string stats_table(const EnsembleStats& s, const DomainResults* domain) {
  std::ostringstream o;
  o << std::fixed;
  o << "  k_r [1/A]  I(k) [c/px/fr]  ensemble tau [s]      slices  sigma ln tau (lower)  valid   xi_tau [px]      "
       "same distribution?\n";
  for (std::size_t ir = 0; ir < s.kr.size(); ++ir) {
    const auto& k = s.kr[ir];
    o << "  " << std::setw(8) << std::setprecision(4) << k.k_r << "  " << std::setw(14) << std::setprecision(3)
      << k.intensity << "  " << std::setw(9) << std::setprecision(3) << k.ensemble_tau_s << " +- " << std::setw(7)
      << std::setprecision(3) << k.ensemble_tau_std_s << "  " << std::setw(6) << k.slices << "  " << std::setw(8)
      << std::setprecision(3) << k.sigma_ln_tau << " (" << std::setprecision(3) << k.sigma_ln_tau_spatial << ")"
      << "  " << std::setw(5) << std::setprecision(1) << 100.0 * k.valid_fraction << "%  ";
    if (domain)
      o << std::setw(6) << std::setprecision(2) << domain->sizes.kr[ir].xi_px << " +- " << std::setw(5)
        << std::setprecision(2) << domain->sizes.kr[ir].xi_std_px << "  ";
    else
      o << std::setw(15) << "-" << "  ";
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
  if (domain) {
    const auto& b = domain->scaling.below;
    const auto& a = domain->scaling.above;
    o << "  xi ~ tau^z: below the peak z = " << std::setprecision(3) << b.exponent << " +- " << b.exponent_err << " ("
      << b.points() << " k_r), above z = " << a.exponent << " +- " << a.exponent_err << " (" << a.points()
      << " k_r)\n";
  }
  return o.str();
}

std::vector<std::string> write_stats_csv(const std::string& prefix, const io::ResultCube& c, const EnsembleStats& s,
                                         const DomainResults* domain) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string kr_path = prefix + "_kr.csv", maps_path = prefix + "_maps.csv";
  std::ofstream kr(kr_path), maps(maps_path);
  if (!kr || !maps) throw InputError("cannot write CSV files with prefix '" + prefix + "'");
  kr << std::setprecision(9);
  maps << std::setprecision(9);
  kr << "k_r_inv_angstrom,intensity_counts_per_px_frame,ensemble_tau_s,ensemble_tau_std_s,slices,valid_fraction,"
        "sigma_ln_tau,sigma_ln_tau_spatial,slices_h,slices_p,xi_px,xi_std_px,xi_nm\n";
  for (std::size_t ir = 0; ir < s.kr.size(); ++ir) {
    const auto& k = s.kr[ir];
    kr << k.k_r << ',' << k.intensity << ',' << k.ensemble_tau_s << ',' << k.ensemble_tau_std_s << ',' << k.slices
       << ',' << k.valid_fraction << ',' << k.sigma_ln_tau << ',' << k.sigma_ln_tau_spatial << ','
       << k.slices_test.h << ',' << k.slices_test.p_value << ',' << (domain ? domain->sizes.kr[ir].xi_px : nan) << ','
       << (domain ? domain->sizes.kr[ir].xi_std_px : nan) << ',' << (domain ? domain->sizes.kr[ir].xi_nm : nan) << '\n';
  }
  maps << "k_r_inv_angstrom,k_phi_rad,n_valid,median_tau_s,lognormal_median_s,lognormal_sigma,sigma_fit_noise,"
          "sigma_spatial,anderson_darling,anderson_darling_p,xi_px\n";
  for (std::size_t ir = 0; ir < s.n_kr; ++ir)
    for (std::size_t ip = 0; ip < s.n_kphi; ++ip) {
      const MapStats& m = s.maps[ir * s.n_kphi + ip];
      maps << c.k_r[ir] << ',' << c.k_phi[ip] << ',' << m.n_valid << ',' << m.median_tau_s << ','
           << std::exp(m.log_tau.mean) << ',' << m.log_tau.sigma << ',' << m.sigma_fit_noise << ','
           << m.sigma_spatial << ',' << m.log_tau.anderson_darling << ',' << m.log_tau.p_value << ','
           << (domain ? domain->sizes.map(ir, ip).xi_px : nan) << '\n';
    }
  if (!kr || !maps) throw Error("writing CSV files with prefix '" + prefix + "' failed");
  return {kr_path, maps_path};
}

}  // namespace ecm::analysis
