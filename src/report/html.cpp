#include "ecm/report/html.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::report {

namespace {
std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}
std::string num(double v, int precision = 4) {
  if (!std::isfinite(v)) return "–";
  std::ostringstream o;
  o.precision(precision);
  o << v;
  return o.str();
}
}  // namespace

std::string write_html(const std::string& dir, const ReportInputs& in, const std::vector<Figure>& figures,
                       const std::string& design_verdict) {
  const auto& c = *in.cube;
  const auto& st = *in.stats;
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ecm report: " << esc(c.path)
    << "</title>\n<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}"
       "th{background:#eee}figure{margin:2em 0}img{max-width:100%}figcaption{color:#444}</style></head><body>\n"
    << "<h1>k-resolved ECM report</h1>\n<p>Result <code>" << esc(c.path) << "</code>: " << c.scan_y << " × "
    << c.scan_x << " scan positions, " << c.n_kr << " k_r × " << c.n_kphi << " k_φ bins, time step "
    << num(c.time_step_s) << " s, " << num(c.cycles, 6) << " cycles; k_c = " << num(c.convergence)
    << " Å⁻¹. Valid fits " << num(100.0 * st.valid_fraction, 3) << " %, overall median τ "
    << num(st.overall_median_tau_s) << " s.</p>\n";
  if (!design_verdict.empty()) h << "<p><b>Experiment-design rules:</b> " << esc(design_verdict) << "</p>\n";
  h << "<h2>Ensemble relaxation time per k_r</h2>\n<table><tr><th>k_r [Å⁻¹]</th><th>I(k) [counts/px/frame]</th>"
       "<th>ensemble τ [s]</th><th>std over k_φ [s]</th><th>k_φ slices</th><th>σ ln τ</th><th>σ ln τ, correlated part (lower bound)</th><th>valid</th><th>slices one distribution? (Kruskal–Wallis p)</th>";
  if (in.domain) h << "<th>ξ_τ [px]</th>";
  h << "</tr>\n";
  for (std::size_t i = 0; i < st.kr.size(); ++i) {
    const auto& k = st.kr[i];
    h << "<tr><td>" << num(k.k_r) << "</td><td>" << num(k.intensity, 3) << "</td><td>" << num(k.ensemble_tau_s)
      << "</td><td>" << num(k.ensemble_tau_std_s, 3) << "</td><td>" << k.slices << "</td><td>"
      << num(k.sigma_ln_tau, 3) << "</td><td>" << num(k.sigma_ln_tau_spatial, 3) << "</td><td>"
      << num(100.0 * k.valid_fraction, 3) << " %</td><td>"
      << (std::isfinite(k.slices_test.p_value) ? (k.slices_test.p_value >= 0.01 ? "yes" : "no") : "–") << " ("
      << num(k.slices_test.p_value, 2) << ")</td>";
    if (in.domain)
      h << "<td>" << num(in.domain->xi_px[i], 3) << " ± " << num(in.domain->xi_std_px[i], 2) << "</td>";
    h << "</tr>\n";
  }
  h << "</table>\n";
  for (const auto& f : figures)
    h << "<figure id=\"" << f.name << "\"><h2>" << esc(f.title) << "</h2><img src=\"" << f.name << ".png\" alt=\""
      << esc(f.title) << "\"><figcaption>" << esc(f.caption) << " Data: <code>data/" << f.name
      << "*.dat</code>, script: <code>" << f.name << ".gp</code>.</figcaption></figure>\n";
  h << "<p>Made by <code>ecm report</code>. Definitions: docs/science-products.md in the ecm repository.</p>\n"
       "</body></html>\n";
  const std::string path = (std::filesystem::path(dir) / "index.html").string();
  std::ofstream out(path);
  out << h.str();
  out.close();
  if (!out) throw Error("cannot write " + path);
  return path;
}

}  // namespace ecm::report
