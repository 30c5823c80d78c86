// The simulator's configuration: option table, INI round trip, validation, tile planning.
#include <catch2/catch.hpp>

#include <set>

#include "ecm/core/error.hpp"
#include "ecm/simulate/frames.hpp"
#include "ecm/simulate/options.hpp"

using namespace ecm::simulate;

TEST_CASE("defaults are valid and satisfy the paper's reliability rules", "[simulate]") {
  const SimConfig c;
  REQUIRE_NOTHROW(validate(c));
  CHECK(c.dose >= 1.0);                                 // >= 1 electron/px at the ring
  CHECK(c.time_step_s <= c.tau_median_s / 20 + 1e-12);  // time step <= tau / 20
  CHECK(c.cycles * c.time_step_s >= 50 * c.tau_median_s);
  const double kc_px = c.convergence / c.k_pixel_size;
  CHECK(kc_px >= 3.0);
  CHECK(kc_px <= 5.0);
  // The analysis strip 0.3..0.6 1/A lies on the detector.
  CHECK(0.6 / c.k_pixel_size <= c.center0_y());
}

TEST_CASE("options parse, print and round-trip through INI", "[simulate]") {
  SimConfig c;
  apply_option(c, "scan", "5,7");
  apply_option(c, "dtype", "float32");
  apply_option(c, "layout", "stream");
  apply_option(c, "center", "20.5,21");
  apply_option(c, "drift", "1.5,-0.25");
  apply_option(c, "shot-noise", "off");
  apply_option(c, "tau", "3.3");
  apply_option(c, "seed", "99");
  apply_option(c, "memory-budget", "2G");
  CHECK(c.scan_y == 5);
  CHECK(c.scan_x == 7);
  CHECK(c.dtype == ecm::h5::DType::f32);
  CHECK(c.layout == Layout::stream);
  CHECK(c.center0_y() == 20.5);
  CHECK(c.drift_x == -0.25);
  CHECK_FALSE(c.shot_noise);
  const SimConfig back = from_ini(to_ini(c) + "# a comment\n\n");
  CHECK(to_ini(back) == to_ini(c));
  CHECK(back.tau_median_s == 3.3);
  CHECK(back.seed == 99);
  CHECK(back.memory_budget_mb == 2048);
  apply_option(c, "memory-budget", "1048576");  // plain numbers are bytes, as for `ecm run`
  CHECK(c.memory_budget_mb == 1);
  // Every option has help text and a printable default.
  std::set<std::string> names;
  for (const auto& o : option_table()) {
    CHECK_FALSE(o.help.empty());
    CHECK_FALSE(o.get(SimConfig()).empty());
    names.insert(o.name);
  }
  for (const char* required : {"scan", "cycles", "detector", "dtype", "layout", "k-pixel-size", "k-peak", "ring-width",
                               "convergence", "center", "center-drift", "dose", "background", "contrast", "tau",
                               "sigma-ln-tau", "beta", "domain-size", "sectors", "kr-exponent", "time-step", "drift",
                               "drift-walk", "dark-level", "gain-spread", "counts-per-electron", "read-noise",
                               "hot-pixels", "seed"})
    CHECK(names.count(required) == 1);
}

TEST_CASE("wrong options and values are one-line input errors", "[simulate]") {
  SimConfig c;
  CHECK_THROWS_AS(apply_option(c, "scan", "5"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "scan", "5,x"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "cycles", "-3"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "dtype", "int8"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "tau", "fast"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "memory-budget", "3X"), ecm::InputError);
  CHECK_THROWS_AS(apply_option(c, "no-such-option", "1"), ecm::InputError);
  CHECK_THROWS_WITH(apply_option(c, "layout", "4d"), Catch::Contains("--layout"));
  auto invalid = [](auto change) {
    SimConfig s;
    change(s);
    CHECK_THROWS_AS(validate(s), ecm::InputError);
  };
  invalid([](SimConfig& s) { s.contrast = 1.5; });
  invalid([](SimConfig& s) { s.beta = 2.5; });
  invalid([](SimConfig& s) { s.cycles = 1; });
  invalid([](SimConfig& s) { s.tau_median_s = 0; });
  invalid([](SimConfig& s) { s.hot_pixels = 48 * 48 + 1; });
  invalid([](SimConfig& s) { s.center_y = 100; });
  invalid([](SimConfig& s) { s.k_pixel_size = -1; });
}

TEST_CASE("tiles cover the rows once and respect the memory budget", "[simulate]") {
  SimConfig c;
  c.scan_y = 5;
  c.scan_x = 7;
  const std::size_t per_position = 1 << 20;  // 1 MiB per position
  for (double budget_mb : {100.0, 15.0, 3.0, 0.001}) {
    c.memory_budget_mb = budget_mb;
    const auto tiles = plan_tiles(c, 1, 5, per_position, 0);
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (const auto& t : tiles) {
      CHECK((t.nx == c.scan_x || t.ny == 1));  // a single hyperslab in the stream layout
      CHECK(t.positions() * per_position <= std::max<double>(budget_mb * (1 << 20), per_position));
      for (std::size_t y = t.y0; y < t.y0 + t.ny; ++y)
        for (std::size_t x = t.x0; x < t.x0 + t.nx; ++x) CHECK(seen.insert({y, x}).second);
    }
    CHECK(seen.size() == 4 * 7);
  }
  CHECK(plan_tiles(c, 3, 3, per_position, 0).empty());
}
