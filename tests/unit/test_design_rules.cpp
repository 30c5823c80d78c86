// The experiment-design rules of `ecm design` (paper Eqs. (3)-(5), Fig. 5) on planned
// parameters: each rule at, inside and outside its limit, and the remedies' arithmetic.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ecm/analysis/design_rules.hpp"
#include "ecm/core/error.hpp"

using namespace ecm::analysis;

namespace {
// 100 x 100 scan at 10 000 fps (time step 1 s), tau 40 s (1/40), 2e6 e/s into 100 ring
// pixels (2 e/px/frame), bins of 0.04 1/A against k_c 0.05.
PlannedExperiment good_plan() {
  PlannedExperiment p;
  p.scan_y = p.scan_x = 100;
  p.frame_rate_hz = 1e4;
  p.tau_s = 40;
  p.diffracted_current = 2e6;
  p.ring_pixels = 100;
  p.kphi_bin = 0.04;
  p.convergence = 0.05;
  p.cycles = 400;
  p.contrast = 0.1;
  return p;
}
const RuleCheck& rule(const PlanAssessment& a, int i) { return a.rules.at(std::size_t(i)); }
}  // namespace

TEST_CASE("a plan meeting every rule passes, with the paper's quantities", "[design]") {
  const auto a = assess_plan(good_plan());
  CHECK(a.time_step_s == Approx(1.0));
  CHECK(a.counts_per_pixel == Approx(2.0));
  CHECK(a.snr == Approx(0.1 * 2.0 * 1.0 * 20.0));  // A I_e t N sqrt(N_s)
  CHECK(rule(a, 0).value == Approx(1.0 / 40));
  CHECK(rule(a, 2).value == Approx(0.8));
  CHECK(a.verdict == Level::pass);
  // Window: f >= 1e4 / (0.05 * 40) = 5000 fps (time), f <= 2e6 / 100 = 20 000 fps (counts).
  CHECK(a.min_frame_rate_hz == Approx(5000));
  CHECK(a.max_frame_rate_hz == Approx(20000));
  CHECK(a.feasible);
  CHECK(a.max_positions_at_rate == Approx(0.05 * 40 * 1e4));
  CHECK(a.max_positions_any_rate == Approx(0.05 * 40 * 2e4));
  CHECK(a.remedy == "run at 5000 .. 20000 fps; 5000 fps (the slowest) gives the most counts per frame");
}

TEST_CASE("the time rule: pass below 0.05 tau, marginal to 0.1 tau, fail beyond", "[design]") {
  auto p = good_plan();
  p.tau_s = 1.0 / 0.049;  // time step 0.049 tau
  CHECK(rule(assess_plan(p), 0).level == Level::pass);
  p.tau_s = 1.0 / 0.051;
  CHECK(rule(assess_plan(p), 0).level == Level::marginal);
  CHECK(assess_plan(p).verdict == Level::marginal);
  p.tau_s = 1.0 / 0.099;
  CHECK(rule(assess_plan(p), 0).level == Level::marginal);
  p.tau_s = 5.0;  // tau / 5: the unreliable case
  const auto a = assess_plan(p);
  CHECK(rule(a, 0).level == Level::fail);
  CHECK(a.verdict == Level::fail);
  CHECK_FALSE(rule(a, 0).advice.empty());
}

TEST_CASE("the time rule at its limits: 0.05 tau is marginal, 0.1 tau fails", "[design]") {
  auto p = good_plan();  // time step 1 s exactly
  p.tau_s = 20;          // 1/20 rounds to the same double as 0.05
  CHECK(rule(assess_plan(p), 0).value == 0.05);
  CHECK(rule(assess_plan(p), 0).level == Level::marginal);
  p.tau_s = 10;
  CHECK(rule(assess_plan(p), 0).level == Level::fail);
  p.tau_s = 40;  // tau / 40: the reliable case
  CHECK(rule(assess_plan(p), 0).level == Level::pass);
}

TEST_CASE("the counts rule: more than one electron per ring pixel per frame", "[design]") {
  auto p = good_plan();
  p.diffracted_current = 1e6;  // exactly 1 e/px/frame: Eq. (5) is strict
  CHECK(assess_plan(p).counts_per_pixel == 1.0);
  CHECK(rule(assess_plan(p), 1).level == Level::fail);
  p.diffracted_current = 1.01e6;  // 1.01 e/px/frame
  CHECK(rule(assess_plan(p), 1).level == Level::pass);
  p.diffracted_current = 0.99e6;
  CHECK(rule(assess_plan(p), 1).level == Level::fail);
  p.diffracted_current = 1e5;  // 0.1 e/px: the unreliable case
  const auto a = assess_plan(p);
  CHECK(a.counts_per_pixel == Approx(0.1));
  CHECK(a.verdict == Level::fail);
  // Fastest frame rate the counts rule allows: 1e5 / 100 = 1000 fps, below the 5000 fps the
  // time rule needs at this scan: no frame rate passes both.
  CHECK(a.max_frame_rate_hz == Approx(1000));
  CHECK_FALSE(a.feasible);
}

TEST_CASE("the bin rule: k_phi bins no wider than k_c, unchecked without k_c", "[design]") {
  auto p = good_plan();
  p.kphi_bin = 0.05;
  CHECK(rule(assess_plan(p), 2).level == Level::pass);
  p.kphi_bin = 0.051;
  CHECK(rule(assess_plan(p), 2).level == Level::fail);
  p.convergence = 0;
  const auto a = assess_plan(p);
  CHECK(rule(a, 2).level == Level::unknown);
  CHECK(a.verdict == Level::pass);  // an unchecked rule does not decide the verdict
}

TEST_CASE("impossible plans are input errors", "[design]") {
  auto p = good_plan();
  p.frame_rate_hz = 0;
  CHECK_THROWS_AS(assess_plan(p), ecm::InputError);
  p = good_plan();
  p.ring_pixels = -1;
  CHECK_THROWS_AS(assess_plan(p), ecm::InputError);
}

TEST_CASE("an empty frame-rate window: the largest scan and the current that would pass", "[design]") {
  auto p = good_plan();
  p.diffracted_current = 1e5;  // 0.1 e/px/frame at 10 000 fps
  const auto a = assess_plan(p);
  // f_min = 1e4 / (0.05 * 40) = 5000 fps > f_max = 1e5 / 100 = 1000 fps. At 1000 fps the time
  // rule allows 0.05 * 40 * 1000 = 2000 positions (44 x 44); this 100 x 100 scan needs
  // 1 e/px at 5000 fps: 100 * 5000 = 5e5 e/s.
  CHECK_FALSE(a.feasible);
  CHECK(a.max_positions_any_rate == Approx(2000));
  CHECK(a.min_current_e_per_s == Approx(5e5));
  CHECK(a.remedy.find("no frame rate meets both rules") != std::string::npos);
  CHECK(a.remedy.find("2000 positions (44 x 44) at 1000 fps") != std::string::npos);
  CHECK(a.remedy.find("5e+05 e/s") != std::string::npos);
  CHECK(rule(a, 1).advice.find("run at <= 1000 fps") != std::string::npos);
  CHECK(rule(a, 1).advice.find("the other rule then fails") != std::string::npos);
  // A plan at the largest such scan and f_max sits on both limits, just inside passes.
  p.scan_y = p.scan_x = 44;  // 1936 positions
  p.frame_rate_hz = 990;
  const auto b = assess_plan(p);
  CHECK(b.feasible);
  CHECK(b.verdict == Level::pass);
  CHECK(b.min_frame_rate_hz == Approx(968));
}

TEST_CASE("the paper's 160 x 160 scan at 3600 fps, worked by hand", "[design]") {
  PlannedExperiment p;
  p.scan_y = p.scan_x = 160;
  p.frame_rate_hz = 3600;
  p.tau_s = 100;
  p.diffracted_current = 5e6;
  p.ring_pixels = 2000;
  p.kphi_bin = 0.04;
  p.convergence = 0.05;
  p.cycles = 500;
  p.contrast = 0.05;
  const auto a = assess_plan(p);
  CHECK(a.time_step_s == Approx(25600.0 / 3600));           // 7.11 s
  CHECK(rule(a, 0).level == Level::marginal);                // 0.0711 tau
  CHECK(a.counts_per_pixel == Approx(5e6 / (3600 * 2000.0)));  // 0.694
  CHECK(rule(a, 1).level == Level::fail);
  CHECK(a.snr == Approx(0.05 * 0.69444 * std::sqrt(500.0)).epsilon(1e-4));
  CHECK(a.min_frame_rate_hz == Approx(5120));
  CHECK(a.max_frame_rate_hz == Approx(2500));
  CHECK(square_side(a.max_positions_at_rate) == 134);   // 18 000 positions
  CHECK(square_side(a.max_positions_any_rate) == 111);  // 12 500 positions
  CHECK(a.min_current_e_per_s == Approx(1.024e7));
  CHECK(a.verdict == Level::fail);
}

TEST_CASE("square_side: the largest square within a number of positions", "[design]") {
  CHECK(square_side(16) == 4);
  CHECK(square_side(15.99) == 3);
  CHECK(square_side(24.5) == 4);
  CHECK(square_side(0.5) == 0);
}

TEST_CASE("per-pixel flags at and around each limit", "[design]") {
  const double nan = std::nan("");
  CHECK(pixel_flags(2.0, 0.01, 0.5) == 0);
  CHECK(pixel_flags(1.0, 0.01, 0.5) == flag_low_counts);  // Eq. (5) is strict
  CHECK(pixel_flags(1.01, 0.01, 0.5) == 0);
  CHECK(pixel_flags(2.0, 0.049, 0.5) == 0);
  CHECK(pixel_flags(2.0, 0.05, 0.5) == flag_time_marginal);
  CHECK(pixel_flags(2.0, 0.099, 0.5) == flag_time_marginal);
  CHECK(pixel_flags(2.0, 0.1, 0.5) == flag_time_fail);
  CHECK(pixel_flags(2.0, 0.01, 1.0) == 0);  // a bin of exactly k_c is allowed
  CHECK(pixel_flags(2.0, 0.01, 1.01) == flag_bin_too_wide);
  CHECK(pixel_flags(2.0, nan, 0.5) == flag_no_tau);
  CHECK(pixel_flags(nan, 0.01, nan) == 0);  // unknown counts and k_c flag nothing
  CHECK(pixel_flags(0.1, 0.2, 2.0) == (flag_low_counts | flag_time_fail | flag_bin_too_wide));
}

namespace {
// One k_r bin at 0.5 1/A, 4 k_phi bins (dphi = pi/2, arc 0.785 1/A), 1 x 2 scan, time step
// 1 s, bins of 10 detector px; `stats` as ensemble_stats would give it at the peak.
ecm::io::ResultCube tiny_cube() {
  ecm::io::ResultCube c;
  c.scan_y = 1;
  c.scan_x = 2;
  c.n_kr = 1;
  c.n_kphi = 4;
  c.k_r = {0.5};
  c.k_phi = {0.25 * M_PI, 0.75 * M_PI, 1.25 * M_PI, 1.75 * M_PI};
  c.bin_area_px = {10, 10, 10, 10};
  c.time_step_s = 1;
  c.convergence = 1.0;  // arc / k_c = 0.785
  //         position 0: ok,  low counts, marginal, no tau | position 1: ok, fail, ok, ok
  c.tau = {40.f, 40.f, 15.f, NAN, 40.f, 5.f, 40.f, 40.f};
  c.mean_intensity = {20.f, 10.f, 20.f, 20.f, 20.f, 20.f, 20.f, 20.f};
  c.fit_status.assign(8, 0);
  return c;
}
EnsembleStats tiny_stats(double tau, double counts) {
  EnsembleStats s;
  s.n_kr = 1;
  s.n_kphi = 4;
  s.kr.resize(1);
  s.kr[0].k_r = 0.5;
  s.kr[0].ensemble_tau_s = tau;
  s.kr[0].intensity = counts;
  s.kr[0].valid_fraction = 7.0 / 8;
  return s;
}
}  // namespace

TEST_CASE("a result's flags per pixel, the shares and the ensemble verdict", "[design]") {
  auto c = tiny_cube();
  auto a = assess_result(c, tiny_stats(40, 2));
  const std::vector<std::uint8_t> expected = {0, flag_low_counts, flag_time_marginal, flag_no_tau,
                                              0, flag_time_fail,  0,                  0};
  CHECK(a.flags == expected);
  CHECK(a.frac_low_counts == Approx(1.0 / 7));  // of the 7 valid pixels
  CHECK(a.frac_time_marginal == Approx(1.0 / 7));
  CHECK(a.frac_time_fail == Approx(1.0 / 7));
  CHECK(a.frac_bin == 0);
  CHECK(a.frac_no_tau == Approx(1.0 / 8));  // of all pixels
  CHECK(a.verdict == Level::pass);          // the ensemble (tau 40 s, 2 e/px) meets every rule
  CHECK(a.verdict_text == "reliable");

  a = assess_result(c, tiny_stats(5, 2));  // ensemble time step tau/5
  CHECK(a.verdict == Level::fail);
  CHECK(a.verdict_text.find("time sampling (Eq. 4) FAIL") != std::string::npos);
  {
    // Remedy at the same frame rate (2 positions per 1 s): 2 * 0.05 * 5 s / 1 s = 0.5, so not
    // even one position; with a 0.01 s step, 2 * 0.05 * 5 / 0.01 = 50 positions (7 x 7).
    CHECK(a.rules[0].advice.find("at most 0 positions") != std::string::npos);
    auto fast = c;
    fast.time_step_s = 0.01;
    fast.tau.assign(8, 0.08f);  // per pixel 0.125 tau: every pixel fails
    const auto b = assess_result(fast, tiny_stats(0.08, 2));
    CHECK(b.rules[0].level == Level::fail);
    CHECK(b.frac_time_fail == 1.0);
    // 0.067 tau: marginal, 2 * 0.05 * 0.15 / 0.01 = 1.5 positions would pass.
    const auto m = assess_result(fast, tiny_stats(0.15, 2));
    CHECK(m.rules[0].level == Level::marginal);
    CHECK(m.rules[0].advice.find("at most 1 positions (1 x 1)") != std::string::npos);
    const auto d = assess_result(fast, tiny_stats(5, 2));
    CHECK(d.rules[0].advice.empty());  // 0.002 tau passes: no advice
  }

  a = assess_result(c, tiny_stats(15, 2));  // 1/15 = 0.067: marginal
  CHECK(a.verdict == Level::marginal);

  a = assess_result(c, tiny_stats(40, 0.5));
  CHECK(a.verdict == Level::fail);
  CHECK(a.rules[1].level == Level::fail);

  a = assess_result(c, tiny_stats(NAN, 2));  // no ensemble tau: nothing measured is not reliable
  CHECK(a.verdict == Level::fail);
  CHECK(a.verdict_text.find("no ensemble tau") != std::string::npos);

  c.convergence = 0.5;  // arc 0.785 > k_c: every pixel's bin is too wide
  a = assess_result(c, tiny_stats(40, 2));
  CHECK(a.frac_bin == 1.0);
  CHECK(a.rules[2].level == Level::fail);
  CHECK(a.verdict == Level::fail);

  c.convergence = 0;  // unknown k_c: the bin rule is not checked and does not decide
  a = assess_result(c, tiny_stats(40, 2));
  CHECK(a.rules[2].level == Level::unknown);
  CHECK(a.verdict == Level::pass);
}
