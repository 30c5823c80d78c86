// The simulator's column and detector imperfections: the beam stop and the counter's
// saturation.
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

TEST_CASE("the beam stop removes every electron behind it and stays where the beam was at t = 0", "[simulate]") {
  SimConfig open = noise_free();
  open.cycles = 7;
  open.center_drift_y = 2.3;
  open.center_drift_x = -1.6;
  SimConfig stopped = open;
  stopped.beam_stop_radius_px = 4.0;
  stopped.beam_stop_arm_px = 2.0;
  std::vector<float> a, b;
  FrameGenerator(open).expected({0, 0, 1, 1}, a);
  FrameGenerator(stopped).expected({0, 0, 1, 1}, b);
  const std::size_t N = open.det_y * open.det_x;
  // Opaque: pixel centres within 4 px of the t = 0 centre, or within 1 px of its row on the +x side.
  auto opaque = [&](std::size_t p) {
    const double dy = static_cast<double>(p / open.det_x) - open.center0_y();
    const double dx = static_cast<double>(p % open.det_x) - open.center0_x();
    return std::hypot(dy, dx) <= 4.0 || (dx >= 0 && std::fabs(dy) <= 1.0);
  };
  std::size_t behind = 0;
  double hidden = 0;  // electrons the stop removed at the last cycle
  for (std::size_t t = 0; t < open.cycles; ++t)
    for (std::size_t p = 0; p < N; ++p) {
      if (opaque(p)) {
        REQUIRE(b[t * N + p] == 0.0f);
        behind += t == 0;
        if (t + 1 == open.cycles) hidden += a[t * N + p];
      } else {
        REQUIRE(b[t * N + p] == a[t * N + p]);
      }
    }
  // The disc covers 13 pixel centres per quadrant about (23.5, 23.5); the arm adds the two
  // rows at dy = +-0.5 from dx = 4.5 to the edge (20 pixels each).
  CHECK(behind == 52 + 2 * 20);
  CHECK(hidden > 100.0);  // the direct beam, moved by 2.8 px, is still partly behind the stop

  // Behind the stop the detector reads its dark level only.
  stopped.shot_noise = true;
  stopped.dark_level = 7.0;
  stopped.dtype = ecm::h5::DType::u16;
  std::vector<std::uint16_t> raw(stopped.cycles * N);
  FrameGenerator(stopped).record({0, 0, 1, 1}, raw.data());
  for (std::size_t t = 0; t < stopped.cycles; ++t)
    for (std::size_t p = 0; p < N; ++p)
      if (opaque(p)) REQUIRE(raw[t * N + p] == 7);
}

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

TEST_CASE("the imperfection options are listed with units and reject bad values in one line", "[simulate]") {
  SimConfig c;
  apply_option(c, "beam-stop", "3.5");
  apply_option(c, "beam-stop-arm", "2");
  apply_option(c, "saturation", "4095");
  CHECK(c.beam_stop_radius_px == 3.5);
  CHECK(c.beam_stop_arm_px == 2);
  CHECK(c.saturation_counts == 4095);
  REQUIRE_NOTHROW(validate(c));
  CHECK(to_ini(from_ini(to_ini(c))) == to_ini(c));
  for (const auto& o : option_table()) {
    if (o.name == "beam-stop" || o.name == "beam-stop-arm") CHECK_THAT(o.help, Catch::Contains("[detector px]"));
    if (o.name == "saturation") CHECK_THAT(o.help, Catch::Contains("[counts]"));
  }
  auto rejects = [](auto change, const char* option) {
    SimConfig s;
    change(s);
    CHECK_THROWS_AS(validate(s), ecm::InputError);
    CHECK_THROWS_WITH(validate(s), Catch::Contains(option));
  };
  rejects([](SimConfig& s) { s.beam_stop_radius_px = -1; }, "--beam-stop");
  rejects([](SimConfig& s) { s.beam_stop_arm_px = -1; }, "--beam-stop-arm");
  rejects([](SimConfig& s) { s.beam_stop_arm_px = 2; }, "--beam-stop-arm");  // an arm needs its disc
  rejects([](SimConfig& s) { s.saturation_counts = -1; }, "--saturation");
  rejects([](SimConfig& s) { s.saturation_counts = 100.5; }, "--saturation");
  rejects([](SimConfig& s) { s.dtype = ecm::h5::DType::u8, s.saturation_counts = 4095; }, "--saturation");
}
