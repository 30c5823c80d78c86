// The experiment-design rules of `ecm design` (paper Eqs. (3)-(5), Fig. 5) on planned
// parameters: each rule at, inside and outside its limit, and the remedies' arithmetic.
#include <catch2/catch.hpp>

#include <cmath>

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

TEST_CASE("the counts rule: more than one electron per ring pixel per frame", "[design]") {
  auto p = good_plan();
  p.diffracted_current = 1.01e6;  // 1.01 e/px/frame
  CHECK(rule(assess_plan(p), 1).level == Level::pass);
  p.diffracted_current = 0.99e6;
  CHECK(rule(assess_plan(p), 1).level == Level::fail);
  p.diffracted_current = 1e5;  // 0.1 e/px: the unreliable case
  const auto a = assess_plan(p);
  CHECK(a.counts_per_pixel == Approx(0.1));
  CHECK(a.verdict == Level::fail);
  // Slowest frame rate the counts rule allows: 1e5 / 100 = 1000 fps, below the 5000 fps the
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
