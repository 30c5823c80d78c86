#include "ecm/analysis/design_rules.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double v, int precision = 3) {
  std::ostringstream o;
  o << std::setprecision(precision) << v;
  return o.str();
}

Level worst(const std::vector<RuleCheck>& rules) {
  Level w = Level::pass;
  bool any = false;
  for (const auto& r : rules) {
    if (r.level == Level::unknown) continue;
    any = true;
    if (int(r.level) > int(w)) w = r.level;
  }
  return any ? w : Level::unknown;
}

RuleCheck time_rule(double ratio, const DesignLimits& L) {
  RuleCheck r{"time sampling (Eq. 4)", "time step / tau", ratio, L.time_step_pass, Level::unknown, {}};
  if (!std::isfinite(ratio)) return r;
  r.level = ratio < L.time_step_pass ? Level::pass : ratio < L.time_step_marginal ? Level::marginal : Level::fail;
  return r;
}

RuleCheck counts_rule(double counts, const DesignLimits& L) {
  RuleCheck r{"counts (Eq. 5)", "electrons per ring pixel per frame", counts, L.min_counts, Level::unknown, {}};
  if (!std::isfinite(counts)) return r;
  r.level = counts > L.min_counts ? Level::pass : Level::fail;
  return r;
}

RuleCheck bin_rule(double bin, double kc, const DesignLimits& L) {
  RuleCheck r{"k_phi bin (Fig. 5)", "k_phi bin / k_c", kc > 0 && bin > 0 ? bin / kc : kNaN, L.max_bin_over_kc,
              Level::unknown, {}};
  if (!std::isfinite(r.value)) {
    r.advice = "not checked: give the k_phi bin and k_c (--convergence)";
    return r;
  }
  r.level = r.value <= L.max_bin_over_kc ? Level::pass : Level::fail;
  return r;
}
}  // namespace

const char* level_name(Level level) {
  switch (level) {
    case Level::pass: return "pass";
    case Level::marginal: return "marginal";
    case Level::fail: return "FAIL";
    case Level::unknown: return "unknown";
  }
  return "unknown";
}

const char* verdict_name(Level verdict) {
  switch (verdict) {
    case Level::pass: return "reliable";
    case Level::marginal: return "marginal";
    case Level::fail: return "unreliable";
    case Level::unknown: return "not assessed";
  }
  return "not assessed";
}

PlanAssessment assess_plan(const PlannedExperiment& p, const DesignLimits& L) {
  require(p.scan_y > 0 && p.scan_x > 0, "--scan must give positive scan sizes");
  require(p.frame_rate_hz > 0, "--frame-rate must be > 0");
  require(p.tau_s > 0, "--tau must be > 0");
  require(p.diffracted_current > 0, "the diffracted current must be > 0 (--diffracted-current, or --probe-current "
                                    "with --scattered-fraction)");
  require(p.ring_pixels > 0, "--ring-pixels must be > 0");
  require(p.pixels_per_g2 > 0, "--g2-pixels must be > 0");
  PlanAssessment a;
  const double positions = double(p.scan_y) * double(p.scan_x);
  a.time_step_s = positions / p.frame_rate_hz;
  a.counts_per_pixel = p.diffracted_current / (p.frame_rate_hz * p.ring_pixels);
  // Eq. (3) with I_e t = counts per pixel per frame.
  a.snr = p.contrast > 0 && p.cycles > 0 ? p.contrast * a.counts_per_pixel * p.pixels_per_g2 * std::sqrt(p.cycles) : kNaN;
  // The window: the time rule needs f >= N / (0.05 tau), the counts rule f <= I_s / N_d.
  a.min_frame_rate_hz = positions / (L.time_step_pass * p.tau_s);
  a.max_frame_rate_hz = p.diffracted_current / (L.min_counts * p.ring_pixels);
  a.feasible = a.min_frame_rate_hz <= a.max_frame_rate_hz;
  a.max_positions_at_rate = L.time_step_pass * p.tau_s * p.frame_rate_hz;
  a.max_positions_any_rate = L.time_step_pass * p.tau_s * a.max_frame_rate_hz;

  RuleCheck t = time_rule(a.time_step_s / p.tau_s, L);
  if (t.level != Level::pass)
    t.advice = "scan at most " + num(std::floor(a.max_positions_at_rate), 6) + " positions (" +
               num(std::floor(std::sqrt(a.max_positions_at_rate)), 6) + " x " +
               num(std::floor(std::sqrt(a.max_positions_at_rate)), 6) + ") at this frame rate, or run at >= " +
               num(a.min_frame_rate_hz, 4) + " fps";
  RuleCheck c = counts_rule(a.counts_per_pixel, L);
  if (c.level != Level::pass)
    c.advice = "run at <= " + num(a.max_frame_rate_hz, 4) + " fps (slower frames, more counts), raise the current, "
               "or bin detector pixels";
  RuleCheck b = bin_rule(p.kphi_bin, p.convergence, L);
  if (b.level == Level::fail) b.advice = "use k_phi bins of at most k_c = " + num(p.convergence) + " 1/A";
  a.rules = {t, c, b};
  a.verdict = worst(a.rules);
  return a;
}

ResultAssessment assess_result(const io::ResultCube& c, const EnsembleStats& s, const DesignLimits& L) {
  require(c.time_step_s > 0, "the result has no time_step_s attribute");
  ResultAssessment a;
  const std::size_t P = c.positions(), B = c.bins();
  a.flags.assign(P * B, 0);
  const double dphi = c.kphi_bin_width();
  std::size_t valid = 0, low = 0, marg = 0, fail = 0, wide = 0, no_tau = 0;
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t ir = 0; ir < c.n_kr; ++ir)
      for (std::size_t ip = 0; ip < c.n_kphi; ++ip) {
        const std::size_t i = p * B + ir * c.n_kphi + ip;
        std::uint8_t f = 0;
        const double area = c.bin_area(ir, ip);
        const double counts = c.mean_intensity.empty() || !(area > 0) ? kNaN : double(c.mean_intensity[i]) / area;
        if (std::isfinite(counts) && !(counts > L.min_counts)) f |= flag_low_counts;
        if (c.convergence > 0 && c.k_r[ir] * dphi > L.max_bin_over_kc * c.convergence) f |= flag_bin_too_wide;
        const double tau = c.tau[i];
        if (std::isfinite(tau)) {
          const double ratio = c.time_step_s / tau;
          if (ratio >= L.time_step_marginal) f |= flag_time_fail;
          else if (ratio >= L.time_step_pass) f |= flag_time_marginal;
          ++valid;
          low += (f & flag_low_counts) != 0;
          marg += (f & flag_time_marginal) != 0;
          fail += (f & flag_time_fail) != 0;
          wide += (f & flag_bin_too_wide) != 0;
        } else {
          f |= flag_no_tau;
          ++no_tau;
        }
        a.flags[i] = f;
      }
  const double nv = valid ? double(valid) : kNaN;
  a.frac_low_counts = double(low) / nv;
  a.frac_time_marginal = double(marg) / nv;
  a.frac_time_fail = double(fail) / nv;
  a.frac_bin = double(wide) / nv;
  a.frac_no_tau = P * B ? double(no_tau) / double(P * B) : 0.0;

  // Ensemble level, at the diffraction peak: what the paper's rules are stated for.
  const std::size_t k = s.peak_kr;
  const double tau = k < s.kr.size() ? s.kr[k].ensemble_tau_s : kNaN;
  RuleCheck t = time_rule(c.time_step_s / tau, L);
  if (!std::isfinite(tau)) t.advice = "no ensemble tau at the I(k) peak: too few valid fits";
  else if (t.level != Level::pass)
    t.advice = "time step " + num(c.time_step_s) + " s against tau " + num(tau) + " s: scan fewer positions or faster";
  RuleCheck n = counts_rule(k < s.kr.size() ? s.kr[k].intensity : kNaN, L);
  if (n.level == Level::fail) n.advice = "bin detector pixels or k_phi (up to k_c), or record with slower frames";
  RuleCheck b = bin_rule(k < c.k_r.size() ? c.k_r[k] * dphi : kNaN, c.convergence, L);
  if (b.level == Level::fail) b.advice = "re-run with more k_phi bins (--n-kphi) so that a bin is <= k_c";
  a.rules = {t, n, b};
  a.verdict = worst(a.rules);
  std::ostringstream v;
  v << verdict_name(a.verdict);
  std::string why;
  for (const auto& r : a.rules)
    if (r.level == Level::fail || r.level == Level::marginal)
      why += (why.empty() ? "" : "; ") + r.rule + " " + level_name(r.level) + " (" + r.quantity + " " + num(r.value) +
             ", limit " + num(r.limit) + ")";
  if (!why.empty()) v << ": " << why;
  a.verdict_text = v.str();
  return a;
}

std::string rules_table(const std::vector<RuleCheck>& rules) {
  std::ostringstream o;
  o << "  " << std::left << std::setw(24) << "rule" << std::setw(38) << "quantity" << std::right << std::setw(11)
    << "value" << std::setw(9) << "limit" << "  status\n";
  for (const auto& r : rules) {
    o << "  " << std::left << std::setw(24) << r.rule << std::setw(38) << r.quantity << std::right << std::setw(11)
      << (std::isfinite(r.value) ? num(r.value, 4) : "-") << std::setw(9) << num(r.limit, 3) << "  "
      << level_name(r.level);
    if (std::isfinite(r.value) && r.limit > 0 && r.level != Level::pass && r.level != Level::unknown)
      o << " (" << num(r.value / r.limit, 3) << "x the limit)";
    o << "\n";
    if (!r.advice.empty()) o << "      -> " << r.advice << "\n";
  }
  return o.str();
}

}  // namespace ecm::analysis
