#include "ecm/analysis/design_rules.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/core/value_range.hpp"
#include "ecm/io/input_dataset.hpp"

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

std::size_t square_side(double positions) {
  return positions >= 1 ? std::size_t(std::floor(std::sqrt(std::floor(positions)))) : 0;
}

std::uint8_t pixel_flags(double counts, double step_over_tau, double bin_over_kc, const DesignLimits& L) {
  std::uint8_t f = 0;
  if (std::isfinite(counts) && !(counts > L.min_counts)) f |= flag_low_counts;
  if (std::isfinite(bin_over_kc) && bin_over_kc > L.max_bin_over_kc) f |= flag_bin_too_wide;
  if (!std::isfinite(step_over_tau)) f |= flag_no_tau;
  else if (step_over_tau >= L.time_step_marginal) f |= flag_time_fail;
  else if (step_over_tau >= L.time_step_pass) f |= flag_time_marginal;
  return f;
}

namespace {
constexpr double kMaxPlannedPositions = 1e12;  // a 10^6 x 10^6 scan

// Each planned quantity within what an experiment can have. "> 0" was not enough: a tau of
// 1e300 or 1e-300 ring pixels passed every rule ("reliable"), and ratios of such numbers
// overflow or underflow. The bounds keep every derived number (time step, counts per pixel,
// SNR, the frame-rate window, the largest scan) finite and nonzero.
void check_plan(const PlannedExperiment& p) {
  require_in_range(double(p.scan_y) * double(p.scan_x), 1, kMaxPlannedPositions, "--scan", "positions",
                   "the number of scan positions NY x NX");
  require_in_range(p.frame_rate_hz, 1e-3, 1e9, "--frame-rate", "fps", "the detector frame rate");
  require_in_range(p.tau_s, io::kMinTimeStep_s, io::kMaxTimeStep_s, "--tau", "s", "the expected relaxation time");
  require_in_range(double(p.scan_y) * double(p.scan_x) / p.frame_rate_hz, io::kMinTimeStep_s, io::kMaxTimeStep_s,
                   "the time step --scan NY x NX / --frame-rate", "s", "the time between scan cycles");
  require_in_range(p.diffracted_current, 1e-3, 1e15, "the diffracted current (--diffracted-current, or --probe-current "
                   "x --scattered-fraction)", "e/s", "the electrons per second into the first ring");
  require_in_range(p.ring_pixels, 1, 1e9, "--ring-pixels", "pixels", "the detector pixels in the first ring");
  require_in_range(p.pixels_per_g2, 1, 1e9, "--g2-pixels", "pixels", "the detector pixels summed into one g2");
  // Optional (0 = not given).
  if (p.kphi_bin != 0) require_in_range(p.kphi_bin, 1e-6, 10, "--kphi-bin", "1/A", "the k_phi bin width");
  if (p.convergence != 0)
    require_in_range(p.convergence, 1e-6, io::kMaxConvergence, "--convergence", "1/A", "the probe convergence k_c");
  if (p.cycles != 0) require_in_range(p.cycles, 1, 1e12, "--cycles", "cycles", "the number of scan cycles");
  if (p.contrast != 0) require_in_range(p.contrast, 1e-6, 1, "--contrast", "", "the g2 contrast A");
}
}  // namespace

PlanAssessment assess_plan(const PlannedExperiment& p, const DesignLimits& L) {
  check_plan(p);
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
  a.min_current_e_per_s = L.min_counts * p.ring_pixels * a.min_frame_rate_hz;

  // Each rule's own remedy moves the frame rate; whether that breaks the other rule is what
  // `remedy` says: a window to run in, or (none) the scan that fits and the current needed.
  const std::string f_min = num(a.min_frame_rate_hz, 6), f_max = num(a.max_frame_rate_hz, 6);
  const std::string side = std::to_string(square_side(a.max_positions_any_rate));
  a.remedy = a.feasible ? "run at " + f_min + " .. " + f_max + " fps; " + f_min +
                              " fps (the slowest) gives the most counts per frame"
                        : "no frame rate meets both rules for this scan (time needs >= " + f_min + " fps, counts <= " +
                              f_max + " fps): scan at most " + num(std::floor(a.max_positions_any_rate), 6) +
                              " positions (" + side + " x " + side + ") at " + f_max +
                              " fps, raise the diffracted current to >= " + num(a.min_current_e_per_s, 3) +
                              " e/s, or bin detector pixels (fewer N_d)";
  const std::string conflict = a.feasible ? "" : " (the other rule then fails: see below)";
  RuleCheck t = time_rule(a.time_step_s / p.tau_s, L);
  if (t.level != Level::pass)
    t.advice = "scan at most " + num(std::floor(a.max_positions_at_rate), 6) + " positions (" +
               std::to_string(square_side(a.max_positions_at_rate)) + " x " +
               std::to_string(square_side(a.max_positions_at_rate)) + ") at this frame rate, or run at >= " + f_min +
               " fps" + conflict;
  RuleCheck c = counts_rule(a.counts_per_pixel, L);
  if (c.level != Level::pass)
    c.advice = "run at <= " + f_max + " fps (slower frames, more counts), raise the current, or bin detector pixels" +
               conflict;
  RuleCheck b = bin_rule(p.kphi_bin, p.convergence, L);
  if (b.level == Level::fail) b.advice = "use k_phi bins of at most k_c = " + num(p.convergence) + " 1/A";
  a.rules = {t, c, b};
  a.verdict = worst(a.rules);
  return a;
}

ResultAssessment assess_result(const io::ResultCube& c, const EnsembleStats& s, const DesignLimits& L) {
  require(c.time_step_s != 0, "the result has no time_step_s attribute");
  require_in_range(c.time_step_s, io::kMinTimeStep_s, io::kMaxTimeStep_s, "attribute 'time_step_s' of " + c.path, "s",
                   "the time between scan cycles");
  ResultAssessment a;
  const std::size_t P = c.positions(), B = c.bins();
  a.flags.assign(P * B, 0);
  const double dphi = c.kphi_bin_width();
  std::size_t valid = 0, low = 0, marg = 0, fail = 0, wide = 0, no_tau = 0;
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t ir = 0; ir < c.n_kr; ++ir)
      for (std::size_t ip = 0; ip < c.n_kphi; ++ip) {
        const std::size_t i = p * B + ir * c.n_kphi + ip;
        const double area = c.bin_area(ir, ip);
        const double counts = c.mean_intensity.empty() || !(area > 0) ? kNaN : double(c.mean_intensity[i]) / area;
        const double bin_over_kc = c.convergence > 0 ? c.k_r[ir] * dphi / c.convergence : kNaN;
        // NaN tau (no valid fit) gives a NaN ratio: flag_no_tau.
        const std::uint8_t f = pixel_flags(counts, c.time_step_s / double(c.tau[i]), bin_over_kc, L);
        a.flags[i] = f;
        if (f & flag_no_tau) {
          ++no_tau;
          continue;
        }
        ++valid;
        low += (f & flag_low_counts) != 0;
        marg += (f & flag_time_marginal) != 0;
        fail += (f & flag_time_fail) != 0;
        wide += (f & flag_bin_too_wide) != 0;
      }
  const double nv = valid ? double(valid) : kNaN;
  a.frac_low_counts = double(low) / nv;
  a.frac_time_marginal = double(marg) / nv;
  a.frac_time_fail = double(fail) / nv;
  a.frac_bin = double(wide) / nv;
  a.frac_no_tau = P * B > 0 ? double(no_tau) / double(P * B) : 0.0;

  // Ensemble level, at the diffraction peak: what the paper's rules are stated for.
  const std::size_t k = s.peak_kr;
  const double tau = k < s.kr.size() ? s.kr[k].ensemble_tau_s : kNaN;
  RuleCheck t = time_rule(c.time_step_s / tau, L);
  if (!std::isfinite(tau)) {
    // Nothing was measured to check the time step against: a result without tau is not reliable.
    t.level = Level::fail;
    t.advice = "no ensemble tau at the I(k) peak: too few valid fits (" +
               num(100 * (k < s.kr.size() ? s.kr[k].valid_fraction : 0.0)) + " % of its pixels)";
  } else if (t.level != Level::pass) {
    // Same frame rate, fewer positions: the time step shrinks in proportion to the scan.
    const double positions = double(c.positions()) * L.time_step_pass * tau / c.time_step_s;
    t.advice = "time step " + num(c.time_step_s) + " s against tau " + num(tau) + " s: at this frame rate scan at most " +
               num(std::floor(positions), 6) + " positions (" + std::to_string(square_side(positions)) + " x " +
               std::to_string(square_side(positions)) + "), or record faster";
  }
  RuleCheck n = counts_rule(k < s.kr.size() ? s.kr[k].intensity : kNaN, L);
  if (n.level == Level::fail)
    n.advice = "re-record with slower frames or more current; wider k_phi bins (up to k_c) raise the SNR of g2 "
               "(Eq. 3) but not the counts per pixel";
  RuleCheck b = bin_rule(k < c.k_r.size() ? c.k_r[k] * dphi : kNaN, c.convergence, L);
  if (b.level == Level::fail) b.advice = "re-run with more k_phi bins (--n-kphi) so that a bin is <= k_c";
  a.rules = {t, n, b};
  a.verdict = worst(a.rules);
  std::ostringstream v;
  v << verdict_name(a.verdict);
  std::string why;
  for (const auto& r : a.rules)
    if (r.level == Level::fail || r.level == Level::marginal)
      why += (why.empty() ? "" : "; ") + r.rule + " " + level_name(r.level) + " (" +
             (std::isfinite(r.value) ? r.quantity + " " + num(r.value) + ", limit " + num(r.limit) : r.advice) + ")";
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
