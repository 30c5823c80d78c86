#pragma once
// The paper's experiment-design rules (Huang & Voyles section 3.2-3.3, Eqs. (3)-(5), Figs. 4-5)
// as a tool: before an experiment from planned parameters, and after it per (r, k) pixel of a
// result. docs/design-rules.md has the rules, the flags and a worked example.
//   Eq. (3)  SNR = A I_e N t sqrt(N_s)                 (informational: the paper sets no limit)
//   Eq. (4)  time step Nx Ny / f < 0.05 tau            (0.05-0.1 tau: marginal, < 10 % deviation)
//   Eq. (5)  counts I_s / (f N_d) > 1 electron per pixel of the first ring, per frame
//   Fig. 5   k_phi bin <= k_c (bins wider than a speckle bias tau high)
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::analysis {

enum class Level { pass = 0, marginal = 1, fail = 2, unknown = 3 };
const char* level_name(Level level);      // per rule: pass, marginal, FAIL, unknown
const char* verdict_name(Level verdict);  // overall: reliable, marginal, unreliable, not assessed

// Limits, as the paper states them.
struct DesignLimits {
  double time_step_pass = 0.05;   // time step / tau below this: pass (Eq. 4)
  double time_step_marginal = 0.1;  // below this: marginal; above: fail
  double min_counts = 1.0;        // electrons per ring pixel per frame (Eq. 5)
  double max_bin_over_kc = 1.0;   // k_phi bin / k_c (Fig. 5)
};

struct RuleCheck {
  std::string rule;       // "time sampling (Eq. 4)", ...
  std::string quantity;   // what is compared, with units
  double value = 0, limit = 0;
  Level level = Level::unknown;
  std::string advice;     // what to change, with numbers; empty when it passes
};

// Planned parameters (0 = not given where optional).
struct PlannedExperiment {
  std::size_t scan_y = 0, scan_x = 0;  // scan positions
  double frame_rate_hz = 0;            // detector frames per second (one frame per position)
  double tau_s = 0;                    // expected ensemble relaxation time [s]
  double diffracted_current = 0;       // I_s: electrons per second into the first ring
  double ring_pixels = 0;              // N_d: detector pixels in the first ring
  double kphi_bin = 0;                 // planned k_phi bin width at the ring [1/A] (0: not checked)
  double convergence = 0;              // k_c [1/A] (0: bin rule not checked)
  double cycles = 0;                   // N_s, scan cycles (0: SNR not computed)
  double contrast = 0;                 // A of g2 (0: SNR not computed)
  double pixels_per_g2 = 1;            // N: detector pixels summed into one g2
};

struct PlanAssessment {
  std::vector<RuleCheck> rules;
  Level verdict = Level::unknown;      // worst rule
  double time_step_s = 0, counts_per_pixel = 0, snr = 0;
  // Remedies. Slower frames give more counts but a longer time step, so the two rules leave a
  // frame-rate window [f_min, f_max]: f_min = Nx Ny / (0.05 tau) is the slowest rate the time
  // rule allows at this scan, f_max = I_s / N_d the fastest the counts rule allows. The largest
  // scan passing the time rule at the planned rate, and passing both (at f_max); the diffracted
  // current this scan needs to pass both (at f_min); whether the window is non-empty.
  double min_frame_rate_hz = 0, max_frame_rate_hz = 0;
  double max_positions_at_rate = 0, max_positions_any_rate = 0;
  double min_current_e_per_s = 0;
  bool feasible = false;
  std::string remedy;  // one line: what passes both rules (a frame-rate window, or a smaller scan / more current)
};

// Side of the largest square scan with at most `positions` positions.
std::size_t square_side(double positions);

PlanAssessment assess_plan(const PlannedExperiment& plan, const DesignLimits& limits = {});

// Per-pixel reliability flags of a result (bits; 0 = every rule met):
enum ReliabilityFlag : std::uint8_t {
  flag_low_counts = 1,       // counts per detector pixel per frame in the bin < min_counts
  flag_time_marginal = 2,    // 0.05 <= time step / tau < 0.1
  flag_time_fail = 4,        // time step / tau >= 0.1
  flag_bin_too_wide = 8,     // k_r * dphi > k_c
  flag_no_tau = 16,          // no valid fit: the time rule cannot be evaluated
};

// A pixel's flags from its numbers (NaN where unknown): counts per detector pixel per frame of
// its bin, time step / its tau (NaN: no valid tau), its k_phi bin width over k_c (NaN: k_c unknown).
std::uint8_t pixel_flags(double counts, double step_over_tau, double bin_over_kc, const DesignLimits& limits = {});

struct ResultAssessment {
  std::vector<std::uint8_t> flags;         // (scan_y, scan_x, n_kr, n_kphi)
  // Share of valid pixels with each flag (low counts, time marginal, time fail, bin), and of
  // all pixels without a valid tau.
  double frac_low_counts = 0, frac_time_marginal = 0, frac_time_fail = 0, frac_bin = 0, frac_no_tau = 0;
  std::vector<RuleCheck> rules;            // ensemble level, at the I(k) peak
  Level verdict = Level::unknown;
  std::string verdict_text;                // one line: verdict and the rules that decided it
};

// `stats` of the same cube (for the peak k_r, I(k) and the ensemble tau). Counts are taken to
// be electrons (dark- and gain-corrected data at one count per electron). With no ensemble tau
// at the peak (too few valid fits) the time rule cannot be met and the verdict is unreliable.
ResultAssessment assess_result(const io::ResultCube& cube, const EnsembleStats& stats,
                               const DesignLimits& limits = {});

// The rules as a table for the terminal.
std::string rules_table(const std::vector<RuleCheck>& rules);

}  // namespace ecm::analysis
