// The simulator's column and detector imperfections: projector ellipticity of the whole
// pattern (ring, disc and speckle field), the beam stop, and the counter's saturation.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/core/geometry.hpp"
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

// Expected electrons of cycle t at the single scan position.
std::vector<float> pattern(const SimConfig& cfg, std::size_t t) {
  FrameGenerator gen(cfg);
  std::vector<float> lambda;
  gen.expected({0, 0, 1, 1}, lambda);
  const std::size_t N = cfg.det_y * cfg.det_x;
  return {lambda.begin() + static_cast<long>(t * N), lambda.begin() + static_cast<long>((t + 1) * N)};
}

// Intensity-weighted second moments of the offsets from the t = 0 centre: for a pattern
// f(|M^-1 d|) they are proportional to M^2, whose eigenvalues are (1+E) and 1/(1+E) times
// those of the round pattern, the larger one along the major axis.
struct Moments {
  double major, minor, angle_deg;  // eigenvalues [px^2], direction of `major` (polar angle mod 180)
};
Moments second_moments(const SimConfig& cfg, const std::vector<float>& image) {
  double s = 0, yy = 0, xx = 0, yx = 0;
  for (std::size_t i = 0; i < cfg.det_y; ++i)
    for (std::size_t j = 0; j < cfg.det_x; ++j) {
      const double w = image[i * cfg.det_x + j];
      const double dy = static_cast<double>(i) - cfg.center0_y(), dx = static_cast<double>(j) - cfg.center0_x();
      s += w;
      yy += w * dy * dy;
      xx += w * dx * dx;
      yx += w * dy * dx;
    }
  yy /= s, xx /= s, yx /= s;
  const double mean = 0.5 * (yy + xx), half_diff = std::hypot(0.5 * (xx - yy), yx);
  double angle = 0.5 * std::atan2(2 * yx, xx - yy) * 180.0 / ecm::kPi;
  if (angle < 0) angle += 180.0;
  return {mean + half_diff, mean - half_diff, angle};
}

// Difference of two axis directions [deg], modulo 180, in [0, 90].
double axis_difference(double a, double b) {
  const double d = std::fmod(std::fabs(a - b), 180.0);
  return std::min(d, 180.0 - d);
}

}  // namespace

TEST_CASE("an elliptical projector makes the ring and the disc ellipses of axis ratio 1 + E along ANGLE",
          "[simulate]") {
  // A detector large enough for the whole ring (and its Gaussian tails) at E = 0.2.
  SimConfig round = noise_free();
  round.det_y = round.det_x = 72;
  round.contrast = 0.0;  // lambda = envelope: the ring's shape alone
  round.background = 0.0;
  double angle_tolerance_deg = 0.2;
  SECTION("ring") { round.direct_beam = 0.0; }
  SECTION("direct-beam disc") {
    round.dose = 0.0;
    round.direct_beam = 1.0;
    round.convergence = 0.52;  // a disc of 20 px radius: its moments barely feel the pixels
    // Its 1 px anti-aliased edge is first order only: the pixel grid leaves ~0.05 % in the
    // moments, a few tenths of a degree in the axis at E = 0.02.
    angle_tolerance_deg = 1.0;
  }
  const Moments m0 = second_moments(round, pattern(round, 0));
  // E = 0 is isotropic.
  CHECK(std::sqrt(m0.major / m0.minor) == Approx(1.0).margin(1e-4));
  for (const double E : {0.02, 0.2})
    for (const double angle : {0.0, 30.0, 100.0}) {
      SimConfig cfg = round;
      cfg.ellipticity = E;
      cfg.ellipticity_angle_deg = angle;
      const Moments m = second_moments(cfg, pattern(cfg, 0));
      INFO(std::setprecision(8) << "E " << E << " angle " << angle << ": axis ratio " << std::sqrt(m.major / m.minor) << ", major axis at "
                << m.angle_deg << " deg");
      CHECK(std::sqrt(m.major / m.minor) == Approx(1.0 + E).margin(0.002));
      CHECK(axis_difference(m.angle_deg, angle) < angle_tolerance_deg);
      // Semi-axes r sqrt(1+E) and r / sqrt(1+E): the area is kept.
      CHECK(std::sqrt(m.major / m0.major) == Approx(std::sqrt(1.0 + E)).margin(0.001));
      CHECK(std::sqrt(m.minor / m0.minor) == Approx(1.0 / std::sqrt(1.0 + E)).margin(0.001));
    }
}

TEST_CASE("a vanishing ellipticity gives the round pattern: the direct speckle sum is the separable one",
          "[simulate]") {
  // The distorted path draws the same field and sums the same taps; at E = 1e-7 only the
  // order of float additions (and a 1e-6 px shift) differs. Beam-centre drift makes every
  // cycle's sub-pixel offset different. Cycle 0 is left out: there the round offsets are
  // whole pixels, where the truncated kernel's 2H+2 taps flip sides (a 7e-4 tap, in both
  // paths alike), and the 1e-6 px shift can put a pixel on either side of that.
  SimConfig round = noise_free();
  round.cycles = 9;
  round.contrast = 1.0;
  round.center_drift_y = 1.7;
  round.center_drift_x = -0.6;
  round.n_sectors = 6;
  SimConfig tiny = round;
  tiny.ellipticity = 1e-7;
  tiny.ellipticity_angle_deg = 30.0;
  std::vector<float> a, b;
  FrameGenerator(round).expected({0, 0, 1, 1}, a);
  FrameGenerator(tiny).expected({0, 0, 1, 1}, b);
  REQUIRE(a.size() == b.size());
  const std::size_t N = round.det_y * round.det_x;
  for (std::size_t p = N; p < a.size(); ++p) REQUIRE(b[p] == Approx(a[p]).epsilon(1e-4).margin(1e-5));
}

TEST_CASE("with ellipticity the speckle field is the round field resampled at q = M^-1 d", "[simulate]") {
  // Pixel p at cycle t must show the round pattern's field at lattice coordinate
  // u = M^-1 (p - c(t)) + c0. M is built here as written in config.hpp, R diag R^T in
  // (x, y) components with the first axis rotated to polar angle theta. A simulator that
  // distorted only the envelope would show the field at p - c(t) + c0 instead.
  SimConfig round = noise_free();
  round.det_y = round.det_x = 64;  // the distorted annulus stays inside the round lattice box
  round.cycles = 5;
  round.center_drift_y = 0.8;
  round.center_drift_x = 1.3;
  round.n_sectors = 1;
  SimConfig ell = round;
  ell.ellipticity = 0.2;
  ell.ellipticity_angle_deg = 30.0;
  const Tracks tracks = make_tracks(round);
  SpeckleSynth round_synth(round, tracks), ell_synth(ell, tracks);
  const double tau = 5.0;
  round_synth.load_sample(round.seed, 0, 0, &tau);
  ell_synth.load_sample(ell.seed, 0, 0, &tau);

  const double theta = ell.ellipticity_angle_deg * ecm::kPi / 180.0, a = std::sqrt(1.0 + ell.ellipticity);
  // (x, y) components: R = [[c, -s], [s, c]], M = R diag(a, 1/a) R^T, then its inverse.
  const double c = std::cos(theta), s = std::sin(theta);
  const double M_xx = a * c * c + s * s / a, M_xy = (a - 1.0 / a) * c * s, M_yy = a * s * s + c * c / a;
  const double det = M_xx * M_yy - M_xy * M_xy;
  const double Mi_xx = M_yy / det, Mi_xy = -M_xy / det, Mi_yy = M_xx / det;

  const std::size_t N = ell.det_y * ell.det_x, t = ell.cycles - 1;
  std::vector<float> round_frame(N), ell_frame(N), ring(N), disc(N);
  std::vector<std::uint8_t> annulus(N);
  round_synth.intensity(t, round_frame.data());
  ell_synth.intensity(t, ell_frame.data());
  ell_synth.envelope(t, ring.data(), disc.data(), annulus.data());
  const double cy = tracks.center_y[t], cx = tracks.center_x[t];
  std::size_t checked = 0, moved = 0;
  for (std::size_t i = 0; i < ell.det_y; ++i)
    for (std::size_t j = 0; j < ell.det_x; ++j) {
      const std::size_t p = i * ell.det_x + j;
      const double dy = static_cast<double>(i) - cy, dx = static_cast<double>(j) - cx;
      // The round field's direct sum is its separable frame where both apply (no distortion).
      CHECK(std::norm(round_synth.field_at(t, dy + round.center0_y(), dx + round.center0_x())) ==
            Approx(round_frame[p]).epsilon(1e-4).margin(1e-5));
      if (!annulus[p]) continue;
      const double qx = Mi_xx * dx + Mi_xy * dy, qy = Mi_xy * dx + Mi_yy * dy;
      const double resampled = std::norm(round_synth.field_at(t, qy + round.center0_y(), qx + round.center0_x()));
      CHECK(ell_frame[p] == Approx(resampled).epsilon(1e-4).margin(1e-5));
      ++checked;
      if (std::fabs(ell_frame[p] - round_frame[p]) > 0.1) ++moved;
    }
  CHECK(checked > 1500);
  CHECK(moved > checked / 2);  // the distortion is not a small effect at E = 0.2
}

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
  apply_option(c, "ellipticity", "0.05,-20");
  apply_option(c, "beam-stop", "3.5");
  apply_option(c, "beam-stop-arm", "2");
  apply_option(c, "saturation", "4095");
  CHECK(c.ellipticity == 0.05);
  CHECK(c.ellipticity_angle_deg == -20);
  CHECK(c.beam_stop_radius_px == 3.5);
  CHECK(c.beam_stop_arm_px == 2);
  CHECK(c.saturation_counts == 4095);
  REQUIRE_NOTHROW(validate(c));
  CHECK(to_ini(from_ini(to_ini(c))) == to_ini(c));
  for (const auto& o : option_table()) {
    if (o.name == "ellipticity") CHECK_THAT(o.help, Catch::Contains("[deg]") && Catch::Contains("1+E"));
    if (o.name == "beam-stop" || o.name == "beam-stop-arm") CHECK_THAT(o.help, Catch::Contains("[detector px]"));
    if (o.name == "saturation") CHECK_THAT(o.help, Catch::Contains("[counts]"));
  }
  CHECK_THROWS_WITH(apply_option(c, "ellipticity", "0.05"), Catch::Contains("--ellipticity"));
  auto rejects = [](auto change, const char* option) {
    SimConfig s;
    change(s);
    CHECK_THROWS_AS(validate(s), ecm::InputError);
    CHECK_THROWS_WITH(validate(s), Catch::Contains(option));
  };
  rejects([](SimConfig& s) { s.ellipticity = 0.25; }, "--ellipticity");
  rejects([](SimConfig& s) { s.ellipticity = -0.01; }, "--ellipticity");
  rejects([](SimConfig& s) { s.ellipticity_angle_deg = 400; }, "--ellipticity");
  rejects([](SimConfig& s) { s.beam_stop_radius_px = -1; }, "--beam-stop");
  rejects([](SimConfig& s) { s.beam_stop_arm_px = -1; }, "--beam-stop-arm");
  rejects([](SimConfig& s) { s.beam_stop_arm_px = 2; }, "--beam-stop-arm");  // an arm needs its disc
  rejects([](SimConfig& s) { s.saturation_counts = -1; }, "--saturation");
  rejects([](SimConfig& s) { s.saturation_counts = 100.5; }, "--saturation");
  rejects([](SimConfig& s) { s.dtype = ecm::h5::DType::u8, s.saturation_counts = 4095; }, "--saturation");
}
