// The simulator's detector imperfections: the counter's saturation.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/simulate/frames.hpp"
#include "ecm/simulate/options.hpp"

using namespace ecm::simulate;

namespace {

// One position, noise free, float output: the expected electrons are what is checked.
SimConfig noise_free() {
  SimConfig c;
  c.scan_y = 1;
  c.scan_x = 1;
  c.cycles = 2;
  c.shot_noise = false;
  c.dtype = ecm::h5::DType::f32;
  return c;
}

}  // namespace

TEST_CASE("saturation clips raw values: a bright direct beam becomes a flat-topped disc", "[simulate]") {
  SimConfig open;
  open.scan_y = 1;
  open.scan_x = 2;
  open.cycles = 20;
  open.direct_beam = 500.0;
  SimConfig clipped = open;
  clipped.saturation_counts = 255;
  const std::size_t N = open.det_y * open.det_x, frames = open.cycles * 2;
  std::vector<std::uint16_t> a(frames * N), b(frames * N);
  FrameGenerator(open).record({0, 0, 1, 2}, a.data());
  FrameGenerator(clipped).record({0, 0, 1, 2}, b.data());
  const double r_disc = open.convergence / open.k_pixel_size;
  std::size_t top = 0;
  for (std::size_t f = 0; f < frames; ++f)
    for (std::size_t p = 0; p < N; ++p) {
      REQUIRE(b[f * N + p] <= 255);
      // Same electrons (the same Poisson draws), clipped only where they exceed the depth.
      REQUIRE(b[f * N + p] == std::min<std::uint16_t>(a[f * N + p], 255));
      const double r = std::hypot(static_cast<double>(p / open.det_x) - open.center0_y(),
                                  static_cast<double>(p % open.det_x) - open.center0_x());
      if (r < r_disc - 0.5) {
        CHECK(b[f * N + p] == 255);  // Poisson(500) never falls to 255
        ++top;
      }
    }
  CHECK(top > 20 * frames);

  // float32 is clipped too, hot pixels included.
  SimConfig f32 = noise_free();
  f32.direct_beam = 500.0;
  f32.saturation_counts = 100;
  f32.hot_pixels = 5;
  f32.hot_pixel_value = 4000;
  std::vector<float> v(f32.cycles * N);
  FrameGenerator(f32).record({0, 0, 1, 1}, v.data());
  std::size_t at_ceiling = 0;
  for (float x : v) {
    REQUIRE(x <= 100.0f);
    at_ceiling += x == 100.0f;
  }
  CHECK(at_ceiling >= 2 * (5 + 20));
}

TEST_CASE("the saturation option is listed with its unit and rejects bad values in one line", "[simulate]") {
  SimConfig c;
  apply_option(c, "saturation", "4095");
  CHECK(c.saturation_counts == 4095);
  REQUIRE_NOTHROW(validate(c));
  CHECK(to_ini(from_ini(to_ini(c))) == to_ini(c));
  for (const auto& o : option_table()) {
    if (o.name == "saturation") CHECK_THAT(o.help, Catch::Contains("[counts]"));
  }
  auto rejects = [](auto change, const char* option) {
    SimConfig s;
    change(s);
    CHECK_THROWS_AS(validate(s), ecm::InputError);
    CHECK_THROWS_WITH(validate(s), Catch::Contains(option));
  };
  rejects([](SimConfig& s) { s.saturation_counts = -1; }, "--saturation");
  rejects([](SimConfig& s) { s.saturation_counts = 100.5; }, "--saturation");
  rejects([](SimConfig& s) { s.dtype = ecm::h5::DType::u8, s.saturation_counts = 4095; }, "--saturation");
}
