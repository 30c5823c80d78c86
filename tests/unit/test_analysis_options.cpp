// ecm::AnalysisOptions (include/ecm/analysis_options.hpp): keys, the INI round trip, set()'s
// refusals and one case per rule of the one validate().
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "ecm/analysis_options.hpp"
#include "ecm/kernels/kww_fit.hpp"

using ecm::AnalysisOptions;
using Catch::Matchers::Contains;

namespace {

// options with `key` set to `value` (through set()).
AnalysisOptions with(const std::string& key, const std::string& value) {
  AnalysisOptions o;
  o.set(key, value);
  return o;
}

}  // namespace

TEST_CASE("AnalysisOptions: the defaults are the CLI's and valid", "[api]") {
  const AnalysisOptions o;
  REQUIRE_NOTHROW(o.validate());
  CHECK(o.get("n-lags") == "50");
  CHECK(o.get("kr-range") == "0.3,0.6");
  CHECK(o.get("memory-budget") == "2G");
  CHECK(o.get("beta-max") == "2.5");
  CHECK(o.get("no-register") == "false");
  CHECK(o.get("time-step").empty());  // absent: the input's own
  CHECK(o.fit.beta_max == ecm::kMaxKwwBeta);
  CHECK(AnalysisOptions::keys().size() == 47);
}

TEST_CASE("AnalysisOptions: to_ini() reads back through set() to the same options", "[api]") {
  const AnalysisOptions defaults;
  CHECK(AnalysisOptions::from_ini(defaults.to_ini()).to_ini() == defaults.to_ini());

  AnalysisOptions o;
  const std::vector<std::pair<std::string, std::string>> values = {
      {"format", "hdf5"}, {"dataset", "/entry/data"}, {"scan-shape", "16,12"}, {"skip-frames", "3"},
      {"flyback", "1"}, {"cycle-frames", "208"}, {"drop-incomplete-cycle", "true"}, {"frame-count", "9000"},
      {"allow-external", "yes"}, {"time-step", "0.30000000000000004"}, {"k-pixel-size", "0.01239"},
      {"beam-center", "63.5,64.25"}, {"convergence", "0.07"}, {"dark", "dark.h5:/dark"}, {"gain", "none"},
      {"mask", "/mask"}, {"threshold", "7"}, {"kr-range", "0.25,0.55"}, {"n-kr", "5"}, {"n-kphi", "36"},
      {"bin-kr", "2"}, {"bin-kphi", "5"}, {"bin-t", "2"}, {"polar-subsample", "4"}, {"no-register", "true"},
      {"drift-file", ""}, {"drift-reference", "previous"}, {"register-stride", "4"}, {"drift-block", "16"},
      {"drift-smooth", "1.5"}, {"drift-threshold", "0.25"}, {"vdf-k-range", "0.2,0.4"},
      {"no-center-track", "on"}, {"center-block", "32"}, {"center-tolerance", "0.1"},
      {"ellipse", "1.02,1,30"}, {"normalization", "standard"}, {"n-lags", "40"}, {"max-lag-fraction", "0.25"},
      {"min-counts", "0.01"}, {"tau-min", "1"}, {"tau-max", "5000"}, {"beta-min", "0.2"}, {"beta-max", "2"},
      {"max-iterations", "200"}, {"save-g2", "1"}, {"memory_budget", "512M"}};
  for (const auto& [key, value] : values) o.set(key, value);
  REQUIRE_NOTHROW(o.validate());
  const std::string ini = o.to_ini();
  CHECK(ini != defaults.to_ini());
  const AnalysisOptions back = AnalysisOptions::from_ini(ini + "\n# a comment\n");
  CHECK(back.to_ini() == ini);
  // Every key: a value that differs from the default, and back the same.
  for (const auto& key : AnalysisOptions::keys()) {
    INFO(key);
    CHECK(back.get(key) == o.get(key));
  }
  CHECK(back.calibration.time_step_s == 0.30000000000000004);  // shortest exact text, not 0.3
  CHECK(back.memory_budget_bytes == 512.0 * 1024 * 1024);
  CHECK(!back.registration.drift);
  CHECK(back.strip.kr_range[0] == 0.25);
  // The order is fixed: the first and last lines.
  CHECK(ini.rfind("format = hdf5\n", 0) == 0);
  CHECK(ini.substr(ini.size() - std::string("memory-budget = 512M\n").size()) == "memory-budget = 512M\n");
  // An optional value set back to empty is absent again.
  o.set("scan-shape", "");
  CHECK(!o.input.scan_shape);
  CHECK(o.to_ini().find("# scan-shape =\n") != std::string::npos);
}

TEST_CASE("AnalysisOptions::set refuses an unknown key and a value that does not parse", "[api]") {
  AnalysisOptions o;
  CHECK_THROWS_WITH(o.set("n-lag", "50"), Contains("unknown analysis option 'n-lag'") && Contains("n-lags"));
  CHECK_THROWS_WITH(o.set("progress", "none"), Contains("unknown analysis option"));  // a RunControls field
  CHECK_THROWS_WITH(o.set("n-lags", "fifty"), Contains("--n-lags expects a whole number (got 'fifty')"));
  CHECK_THROWS_WITH(o.set("n-lags", "5.5"), Contains("--n-lags expects a whole number"));
  CHECK_THROWS_WITH(o.set("min-counts", "0.1x"), Contains("--min-counts expects a number"));
  CHECK_THROWS_WITH(o.set("time-step", "nan"), Contains("--time-step expects a number (got 'nan')"));
  CHECK_THROWS_WITH(o.set("skip-frames", "-1"), Contains("--skip-frames expects a whole number >= 0 (got '-1')"));
  CHECK_THROWS_WITH(o.set("kr-range", "0.3"), Contains("--kr-range expects two numbers as A,B (got '0.3')"));
  CHECK_THROWS_WITH(o.set("scan-shape", "2.5,3"), Contains("--scan-shape expects two whole numbers >= 1"));
  CHECK_THROWS_WITH(o.set("no-register", "maybe"), Contains("--no-register expects true or false"));
  CHECK_THROWS_WITH(o.set("drift-reference", "sideways"), Contains("--drift-reference must be first, previous or mean"));
  CHECK_THROWS_WITH(o.set("normalization", "weird"), Contains("normalisation 'weird'"));
  CHECK_THROWS_WITH(o.set("memory-budget", "2X"), Contains("--memory-budget: unknown unit 'X'"));
  CHECK_THROWS_WITH(o.set("n-kphi", "99999999999"), Contains("--n-kphi is out of range"));
  CHECK_THROWS_WITH(AnalysisOptions::from_ini("n-lags 50\n"), Contains("is not a line 'key = value'"));
  // A refused value leaves the option as it was.
  CHECK(o.correlation.n_lags == 50);
}

TEST_CASE("AnalysisOptions::validate holds every rule, each naming its option", "[api]") {
  const std::vector<std::pair<AnalysisOptions, std::string>> cases = {
      {with("time-step", "1e-300"), "--time-step is 1e-300"},
      {with("k-pixel-size", "5"), "--k-pixel-size is 5"},
      {with("convergence", "-1"), "--convergence is -1"},
      {with("threshold", "1e39"), "--threshold must be a count that fits a float"},
      {with("kr-range", "0.6,0.3"), "--kr-range must satisfy 0 <= LO < HI"},
      {with("kr-range", "-0.1,0.3"), "--kr-range must satisfy 0 <= LO < HI"},
      {with("bin-kr", "0"), "--bin-kr must be >= 1 (got 0)"},
      {with("bin-kphi", "-2"), "--bin-kphi must be >= 1 (got -2)"},
      {with("bin-t", "0"), "--bin-t must be >= 1 (got 0)"},
      {with("n-kr", "0"), "--n-kr and --n-kphi must be >= 1"},
      {with("n-kphi", "0"), "--n-kr and --n-kphi must be >= 1"},
      {with("polar-subsample", "0"), "polar sub-sampling must be in 1..64"},
      {with("polar-subsample", "65"), "polar sub-sampling must be in 1..64"},
      {with("ellipse", "round"), "--ellipse expects auto, off or A,B,ANGLE"},
      {with("ellipse", "1,0,0"), "needs semi-axes A, B > 0"},
      {with("ellipse", "2,1,0"), "is not a lens distortion"},
      {with("drift-smooth", "-1"), "--drift-smooth must be >= 0"},
      {with("drift-threshold", "-0.5"), "--drift-threshold must be >= 0"},
      {with("center-tolerance", "0"), "--center-tolerance must be > 0"},
      {with("max-iterations", "0"), "--max-iterations must be >= 1"},
      {with("min-counts", "-1"), "--min-counts must be >= 0"},
      {with("tau-min", "-1"), "--tau-min and --tau-max must be >= 0 s"},
      {with("tau-max", "-1"), "--tau-min and --tau-max must be >= 0 s"},
      {with("beta-max", "2.6"), "0 < --beta-min < --beta-max <= 2.5"},
      {with("beta-min", "0"), "0 < --beta-min < --beta-max <= 2.5"},
      {with("beta-min", "2.5"), "0 < --beta-min < --beta-max <= 2.5"},
      {with("max-lag-fraction", "0"), "--max-lag-fraction must be in (0, 1]"},
      {with("max-lag-fraction", "1.5"), "--max-lag-fraction must be in (0, 1]"},
      {with("n-lags", "4"), "--n-lags must be >= 5"},
  };
  for (const auto& [options, message] : cases) {
    INFO(message);
    CHECK_THROWS_WITH(options.validate(), Contains(message));
  }
  AnalysisOptions contradiction = with("no-register", "true");
  contradiction.set("drift-file", "drift.h5");
  CHECK_THROWS_WITH(contradiction.validate(), Contains("--drift-file and --no-register contradict each other"));
  AnalysisOptions no_memory;
  no_memory.memory_budget_bytes = 0;
  CHECK_THROWS_WITH(no_memory.validate(), Contains("--memory-budget must be a size > 0"));
  // Typed assignments are checked alike.
  AnalysisOptions typed;
  typed.calibration.beam_center_yx = std::array<double, 2>{std::numeric_limits<double>::infinity(), 3.0};
  CHECK_THROWS_WITH(typed.validate(), Contains("--beam-center expects two finite numbers"));

  ecm::RunControls controls;
  CHECK_NOTHROW(controls.validate());
  controls.progress = "loud";
  CHECK_THROWS_WITH(controls.validate(), Contains("--progress must be auto, bar, lines or none (got 'loud')"));
  controls.progress = "none";
  controls.throttle_s = -1;
  CHECK_THROWS_WITH(controls.validate(), Contains("--throttle must be >= 0 s"));
}

TEST_CASE("the fit's own guard takes its beta bound from ecm::kMaxKwwBeta", "[api]") {
  const double lag_s[] = {1, 2, 3, 4, 5, 6};
  ecm::fit::KwwOptions o;
  CHECK(o.beta_max == ecm::kMaxKwwBeta);
  CHECK_NOTHROW(ecm::fit::detail::make_config(o, lag_s, 6));
  o.beta_max = ecm::kMaxKwwBeta * 1.01;
  CHECK_THROWS_WITH(ecm::fit::detail::make_config(o, lag_s, 6), Contains("beta_max <= 2.5"));
}
