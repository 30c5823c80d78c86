#include "ecm/report/figures.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/report/gnuplot.hpp"

namespace ecm::report {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v, int precision = 3) {
  std::ostringstream o;
  o.precision(precision);
  o << v;
  return o.str();
}

// Every script starts the same way: one PNG, missing values declared, readable fonts.
std::string preamble(const std::string& png, int width, int height) {
  return "set terminal pngcairo size " + std::to_string(width) + "," + std::to_string(height) +
         " enhanced font ',11'\nset output " + quoted(png) + "\nset datafile missing 'NaN'\nset encoding utf8\n";
}

void draw(const std::string& dir, const std::string& name, const std::string& script, const std::string& gnuplot) {
  const std::string gp = (fs::path(dir) / (name + ".gp")).string();
  std::ofstream out(gp);
  out << script;
  out.close();
  if (!out) throw Error("cannot write " + gp);
  run_gnuplot(gnuplot, gp, (fs::path(dir) / (name + ".png")).string());
}

// Percentile of the finite values (for colour ranges that outliers do not flatten).
double percentile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  return v[std::size_t(q * double(v.size() - 1))];
}

// Up to `n` k_phi indices spread evenly over the ring.
std::vector<std::size_t> spread(std::size_t total, std::size_t n) {
  std::vector<std::size_t> idx;
  n = std::min(n, total);
  for (std::size_t i = 0; i < n; ++i) idx.push_back(i * total / n);
  return idx;
}

// The k_r the map figures show: the I(k) peak, or where the peak has no valid fit (a partly
// failed run) the k_r with the most, so that no figure is drawn from NaN alone.
std::size_t shown_kr(const ReportInputs& in) {
  const auto& c = *in.cube;
  std::vector<std::size_t> valid(c.n_kr, 0);
  for (std::size_t y = 0; y < c.scan_y; ++y)
    for (std::size_t x = 0; x < c.scan_x; ++x)
      for (std::size_t ir = 0; ir < c.n_kr; ++ir)
        for (std::size_t ip = 0; ip < c.n_kphi; ++ip) valid[ir] += std::isfinite(c.tau[c.index(y, x, ir, ip)]);
  const std::size_t peak = in.stats->peak_kr;
  if (peak < c.n_kr && valid[peak] > 0) return peak;
  return std::size_t(std::max_element(valid.begin(), valid.end()) - valid.begin());
}

std::string shown_kr_words(const ReportInputs& in, std::size_t ir) {
  return ir == in.stats->peak_kr ? "the I(k) peak" : "the k_r with the most valid fits: the I(k) peak has none";
}

Figure tau_maps(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& c = *in.cube;
  const std::size_t ir = shown_kr(in);
  const auto phis = spread(c.n_kphi, 6);
  std::vector<double> all;
  std::ostringstream plots;
  for (std::size_t i = 0; i < phis.size(); ++i) {
    const auto map = c.tau_map(ir, phis[i]);
    all.insert(all.end(), map.begin(), map.end());
    const std::string data = "data/tau_map_" + std::to_string(i) + ".dat";
    write_matrix((fs::path(dir) / data).string(), map, c.scan_y, c.scan_x);
    plots << "set title " << quoted("k_{/Symbol f} = " + fmt(c.k_phi[phis[i]], 3) + " rad") << "\n"
          << "plot " << quoted(data) << " matrix with image notitle\n";
  }
  double lo = percentile(all, 0.02), hi = percentile(all, 0.98);
  if (!(hi > lo)) hi = lo * 1.01 + 1e-9;
  const int cols = std::min<int>(3, int(phis.size())), rows = int((phis.size() + 2) / 3);
  std::ostringstream s;
  s << preamble("tau_maps.png", 360 * cols, 330 * rows + 40)
    << "set multiplot layout " << rows << "," << cols << " title "
    << quoted("{/Symbol t}(r) [s] at k_r = " + fmt(c.k_r[ir], 3) + " Å^{-1} (white: no valid fit)") << "\n"
    << "set logscale cb\nset cbrange [" << lo << ":" << hi << "]\nset palette rgb 33,13,10\nset size ratio -1\n"
    << "set xrange [-0.5:" << double(c.scan_x) - 0.5 << "]\nset yrange [" << double(c.scan_y) - 0.5 << ":-0.5]\n"
    << "set xlabel 'scan x [px]'\nset ylabel 'scan y [px]'\n"
    << plots.str() << "unset multiplot\n";
  draw(dir, "tau_maps", s.str(), gnuplot);
  return {"tau_maps", "Relaxation-time maps at several k_φ",
          "τ(r) maps at k_r = " + fmt(c.k_r[ir], 3) + " Å⁻¹ (" + shown_kr_words(in, ir) + ") for " + std::to_string(phis.size()) +
              " azimuthal angles; colour scale logarithmic over the 2–98 % range of these maps (" + fmt(lo) + "–" +
              fmt(hi) + " s). Like the paper's Fig. 3a: similar time and length scales, different domains."};
}

Figure tau_vs_kphi(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& c = *in.cube;
  const std::size_t ir = shown_kr(in), y = c.scan_y / 2, x = c.scan_x / 2;
  std::vector<double> phi, tau, err, med;
  for (std::size_t ip = 0; ip < c.n_kphi; ++ip) {
    const std::size_t i = c.index(y, x, ir, ip);
    phi.push_back(c.k_phi[ip]);
    tau.push_back(c.tau[i]);
    err.push_back(c.tau_err.empty() ? kNaN : c.tau_err[i]);
    med.push_back(in.stats->maps[ir * c.n_kphi + ip].median_tau_s);
  }
  write_columns((fs::path(dir) / "data/tau_vs_kphi.dat").string(), {"k_phi_rad", "tau_s", "tau_err_s", "map_median_s"},
                {phi, tau, err, med});
  std::ostringstream s;
  s << preamble("tau_vs_kphi.png", 800, 480) << "set xlabel 'k_{/Symbol f} [rad]'\nset ylabel '{/Symbol t} [s]'\n"
    << "set logscale y\nset xrange [0:2*pi]\nset key top right\nset grid\n"
    << "set title " << quoted("scan position (y, x) = (" + std::to_string(y) + ", " + std::to_string(x) + "), k_r = " +
                              fmt(c.k_r[ir], 3) + " Å^{-1}") << "\n"
    << "plot 'data/tau_vs_kphi.dat' using 1:2:3 with yerrorbars pt 7 ps 0.8 lc rgb '#1f77b4' title '{/Symbol t} "
       "at this position (1{/Symbol s})', \\\n"
       "     '' using 1:4 with lines lw 2 lc rgb '#d62728' title 'median of each k_{/Symbol f} map'\n";
  draw(dir, "tau_vs_kphi", s.str(), gnuplot);
  return {"tau_vs_kphi", "τ vs k_φ at one position",
          "Relaxation time at the scan centre for every k_φ bin (error bars: 1σ fit uncertainty), against the "
          "median of each k_φ map (paper Fig. 3b). Missing points had no valid fit."};
}

Figure histograms(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& c = *in.cube;
  const auto& st = *in.stats;
  const std::size_t ir = shown_kr(in), nb = st.histogram_edges.size() - 1;
  const auto phis = spread(c.n_kphi, 4);
  const double w = (st.histogram_edges.back() - st.histogram_edges.front()) / double(nb);
  std::vector<std::vector<double>> cols(1 + phis.size());
  for (std::size_t b = 0; b < nb; ++b) cols[0].push_back(st.histogram_edges[b] + 0.5 * w);
  std::ostringstream plot;
  const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"};
  plot << "plot ";
  for (std::size_t i = 0; i < phis.size(); ++i) {
    const std::size_t b0 = (ir * c.n_kphi + phis[i]) * nb;
    for (std::size_t b = 0; b < nb; ++b) cols[i + 1].push_back(st.histograms[b0 + b]);
    const auto& m = st.maps[ir * c.n_kphi + phis[i]];
    // The fitted normal of ln tau, as counts per log10 bin: n w phi(x; mu/ln10, sigma/ln10).
    const double mu = m.log_tau.mean / std::log(10.0), sd = m.log_tau.sigma / std::log(10.0);
    const std::string colour = colours[i % 4];
    const bool fitted = std::isfinite(mu) && std::isfinite(sd) && sd > 0 && m.log_tau.n > 0;
    plot << (i ? ", \\\n     " : "") << "'data/histograms.dat' using 1:" << i + 2 << " with steps lw 2 lc rgb '"
         << colour << "' title "
         << quoted("k_{/Symbol f} = " + fmt(c.k_phi[phis[i]], 3) + ": " +
                   (fitted ? "median " + fmt(std::exp(m.log_tau.mean)) + " s, {/Symbol s} = " + fmt(m.log_tau.sigma, 2)
                           : std::string("no log-normal fit")));
    if (fitted)
      plot << ", \\\n     " << double(m.log_tau.n) * w << "/(" << sd << "*sqrt(2*pi))*exp(-0.5*((x-" << mu << ")/" << sd
           << ")**2) with lines dt 2 lw 1.5 lc rgb '" << colour << "' notitle";
  }
  std::vector<std::string> names{"log10_tau"};
  for (std::size_t i = 0; i < phis.size(); ++i) names.push_back("counts_kphi_" + std::to_string(phis[i]));
  write_columns((fs::path(dir) / "data/histograms.dat").string(), names, cols);
  std::ostringstream s;
  s << preamble("histograms.png", 800, 500) << "set xlabel 'log_{10}({/Symbol t} / s)'\nset ylabel 'positions'\n"
    << "set key top left font ',9'\nset grid\nset samples 400\nset xrange [" << st.histogram_edges.front() << ":"
    << st.histogram_edges.back() << "]\n"
    << "set title " << quoted("histograms of {/Symbol t}(r) at k_r = " + fmt(c.k_r[ir], 3) +
                              " Å^{-1}, with log-normal fits (dashed)") << "\n"
    << plot.str() << "\n";
  draw(dir, "histograms", s.str(), gnuplot);
  const auto& k = st.kr[ir];
  return {"histograms", "Histograms of log τ with log-normal fits",
          "Histograms of τ(r) for four k_φ at k_r = " + fmt(c.k_r[ir], 3) +
              " Å⁻¹ with maximum-likelihood log-normal fits (paper Fig. 3c). Kruskal–Wallis test over all " +
              std::to_string(k.slices) + " k_φ slices at this k_r: p = " + fmt(k.slices_test.p_value, 2) +
              (k.slices_test.p_value >= 0.01 ? " (one distribution)" : " (the slices differ)") + "."};
}

Figure tau_vs_kr(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& st = *in.stats;
  std::vector<double> k, tau, err, inten;
  for (const auto& r : st.kr) {
    k.push_back(r.k_r);
    tau.push_back(r.ensemble_tau_s);
    err.push_back(r.ensemble_tau_std_s);
    inten.push_back(r.intensity);
  }
  write_columns((fs::path(dir) / "data/tau_vs_kr.dat").string(),
                {"k_r_inv_angstrom", "ensemble_tau_s", "std_over_kphi_s", "intensity_counts_per_px_frame"},
                {k, tau, err, inten});
  std::ostringstream s;
  s << preamble("tau_vs_kr.png", 800, 500) << "set xlabel 'k_r [Å^{-1}]'\nset ylabel 'ensemble {/Symbol t} [s]'\n"
    << "set y2label 'I(k) [counts / px / frame]'\nset ytics nomirror\nset y2tics\nset key top left\nset grid\n"
    << "set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\n"
    << "set title 'ensemble relaxation time and diffraction intensity vs k_r'\n"
    << "plot ";
  // gnuplot stops on a curve with no defined point: the tau curve only where some k_r has an
  // ensemble tau, and a missing spread (one valid map) drawn as none.
  if (std::any_of(tau.begin(), tau.end(), [](double v) { return std::isfinite(v); }))
    s << "'data/tau_vs_kr.dat' using 1:2:($3 == $3 ? $3 : 0) with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' title "
         "'ensemble {/Symbol t} (error: std over k_{/Symbol f})', \\\n     ";
  s << "'data/tau_vs_kr.dat' using 1:4 axes x1y2 with linespoints pt 6 lw 1.5 dt 2 lc rgb '#7f7f7f' title 'I(k)'\n";
  draw(dir, "tau_vs_kr", s.str(), gnuplot);
  return {"tau_vs_kr", "Ensemble τ vs k_r over I(k)",
          "Median τ of each k_φ map averaged over k_φ (error bars: std over k_φ), beside the diffraction profile "
          "I(k) (paper Fig. 6a). I(k) peaks at k_r = " + fmt(st.kr[st.peak_kr].k_r, 3) + " Å⁻¹."};
}

// The k_r with both an ensemble tau and a domain size: the figure needs two (it fits power laws).
std::size_t domain_points(const ReportInputs& in) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < in.stats->kr.size() && i < in.domain->xi_px.size(); ++i) {
    const double tau = in.stats->kr[i].ensemble_tau_s, xi = in.domain->xi_px[i];
    n += std::isfinite(tau) && tau > 0 && std::isfinite(xi) && xi > 0;
  }
  return n;
}

Figure xi_vs_tau(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& st = *in.stats;
  const auto& d = *in.domain;
  std::vector<double> tau, tau_err, xi, xi_err, below;
  for (std::size_t i = 0; i < st.kr.size(); ++i) {
    tau.push_back(st.kr[i].ensemble_tau_s);
    tau_err.push_back(st.kr[i].ensemble_tau_std_s);
    xi.push_back(d.xi_px[i]);
    xi_err.push_back(d.xi_std_px[i]);
    below.push_back(i <= st.peak_kr ? 1.0 : 0.0);
  }
  write_columns((fs::path(dir) / "data/xi_vs_tau.dat").string(),
                {"ensemble_tau_s", "tau_std_s", "xi_px", "xi_std_px", "below_peak"}, {tau, tau_err, xi, xi_err, below});
  std::ostringstream s;
  s << preamble("xi_vs_tau.png", 800, 500) << "set logscale xy\nset xlabel 'ensemble {/Symbol t} [s]'\n"
    << "set ylabel '{/Symbol x}_{/Symbol t} [scan px]'\nset key top left\nset grid\n"
    << "set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\nset title 'domain size vs relaxation time'\n"
    << "plot ";
  // A branch without a point would stop gnuplot: each is drawn only where it has one.
  auto has_point = [&](bool below_peak) {
    for (std::size_t i = 0; i < tau.size(); ++i)
      if ((below[i] > 0) == below_peak && std::isfinite(tau[i]) && tau[i] > 0 && std::isfinite(xi[i]) && xi[i] > 0) return true;
    return false;
  };
  const char* sep = "";
  if (has_point(true)) {
    s << "'data/xi_vs_tau.dat' using ($5 > 0 ? $1 : NaN):3:2:4 with xyerrorbars pt 7 lc rgb '#1f77b4' title "
         "'k_r at or below the I(k) peak'";
    sep = ", \\\n     ";
  }
  if (has_point(false))
    s << sep << "'data/xi_vs_tau.dat' using ($5 > 0 ? NaN : $1):3:2:4 with xyerrorbars pt 5 lc rgb '#d62728' title "
                "'k_r above the peak'";
  if (std::isfinite(d.z_low))
    s << ", \\\n     " << d.a_low << "*x**" << d.z_low << " with lines lc rgb '#1f77b4' title "
      << quoted("{/Symbol x} ~ {/Symbol t}^{" + fmt(d.z_low, 2) + "}");
  if (std::isfinite(d.z_high))
    s << ", \\\n     " << d.a_high << "*x**" << d.z_high << " with lines lc rgb '#d62728' title "
      << quoted("{/Symbol x} ~ {/Symbol t}^{" + fmt(d.z_high, 2) + "}");
  s << "\n";
  draw(dir, "xi_vs_tau", s.str(), gnuplot);
  return {"xi_vs_tau", "Domain size ξ_τ vs τ",
          "FWHM of the spatial autocorrelation of each τ(r) map (2-D Gaussian fit), averaged over k_φ per k_r, "
          "against the ensemble τ of that k_r, with a power law per branch (paper Fig. 6b). Exponents: below the "
          "peak " + fmt(d.z_low, 3) + " ± " + fmt(d.z_low_err, 2) + ", above " + fmt(d.z_high, 3) + " ± " +
              fmt(d.z_high_err, 2) + (d.scan_step_nm > 0 ? "; scan step " + fmt(d.scan_step_nm) + " nm." : ".")};
}

Figure ttcf(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  const auto& t = *in.ttcf;
  // G - 1 on the elapsed-time grid [s]; the band edges t_a -+ width/2 drawn over it.
  std::vector<double> g1(t.g_mean.size());
  for (std::size_t i = 0; i < g1.size(); ++i) g1[i] = t.g_mean[i] - 1.0;
  write_matrix((fs::path(dir) / "data/ttcf.dat").string(), g1, t.n_t, t.n_t);
  std::vector<double> lower, upper;
  for (std::size_t i = 0; i < t.elapsed_s.size(); ++i) {
    lower.push_back(t.elapsed_s[i] - 0.5 * t.band_width_s[i]);
    upper.push_back(t.elapsed_s[i] + 0.5 * t.band_width_s[i]);
  }
  write_columns((fs::path(dir) / "data/ttcf_band.dat").string(),
                {"elapsed_s", "band_width_s", "band_low_s", "band_high_s"}, {t.elapsed_s, t.band_width_s, lower, upper});
  std::vector<double> diag;
  for (std::size_t i = 1; i < t.n_t; ++i) diag.push_back(g1[i * t.n_t + i - 1]);
  const double top = percentile(diag, 0.95);
  const double dt = t.time_step_s;
  std::ostringstream s;
  s << preamble("ttcf.png", 1100, 520) << "set multiplot layout 1,2\n"
    << "set size ratio -1\nset xlabel 't_1 [s]'\nset ylabel 't_2 [s]'\nset palette rgb 34,35,36\n"
    << "set cbrange [0:" << (std::isfinite(top) && top > 0 ? top : 1.0) << "]\nset cblabel 'G - 1'\n"
    << "set xrange [0:" << dt * double(t.n_t - 1) << "]\nset yrange [0:" << dt * double(t.n_t - 1) << "]\n"
    << "set title 'two-time correlation, mean over positions'\n"
    << "plot 'data/ttcf.dat' matrix using ($1*" << dt << "):($2*" << dt << "):3 with image notitle, \\\n"
    << "     'data/ttcf_band.dat' using ($1-$2/2):($1+$2/2) with lines lw 2 lc rgb 'white' notitle, \\\n"
    << "     '' using ($1+$2/2):($1-$2/2) with lines lw 2 lc rgb 'white' notitle\n"
    << "set size noratio\nunset cblabel\nset xlabel 'elapsed time [s]'\nset ylabel 'band width [s]'\nset grid\n"
    << "set autoscale y\nset yrange [0:*]\nset title 'band width (G - 1 at 1/e^2 of its diagonal)'\n"
    << "set label 1 " << quoted(t.verdict.substr(0, t.verdict.find(" ("))) << " at graph 0.03, graph 0.06 font ',10'\n"
    << "plot 'data/ttcf_band.dat' using 1:2 with linespoints pt 7 lw 2 lc rgb '#1f77b4' notitle\n"
    << "unset multiplot\n";
  draw(dir, "ttcf", s.str(), gnuplot);
  return {"ttcf", "Two-time correlation and band width",
          "G(t₁, t₂) − 1 averaged over scan positions (Eq. 5, paper Fig. 7b) from " + t.path +
              "; white lines: where G − 1 falls to 1/e² of its diagonal value. Right: band width vs elapsed time — a "
              "widening band means τ grows during the run (aging). " + t.verdict};
}

}  // namespace

std::vector<Figure> draw_figures(const std::string& dir, const ReportInputs& in, const std::string& gnuplot) {
  require(in.cube && in.stats, "internal: report needs a result and its statistics");
  fs::create_directories(fs::path(dir) / "data");
  std::vector<Figure> figures;
  figures.push_back(tau_maps(dir, in, gnuplot));
  figures.push_back(tau_vs_kphi(dir, in, gnuplot));
  figures.push_back(histograms(dir, in, gnuplot));
  figures.push_back(tau_vs_kr(dir, in, gnuplot));
  if (in.domain && domain_points(in) >= 2) figures.push_back(xi_vs_tau(dir, in, gnuplot));
  if (in.ttcf) figures.push_back(ttcf(dir, in, gnuplot));
  return figures;
}

}  // namespace ecm::report
