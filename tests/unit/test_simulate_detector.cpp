// The simulator's counting and detector model: Poisson sampler, dose at the ring, the
// dark/gain/mask references, dtype conversion, drift interpolation and tiling invariance.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "ecm/simulate/frames.hpp"

using namespace ecm::simulate;

TEST_CASE("Poisson sampler has mean and variance lambda", "[simulate]") {
  Rng rng(7, 0, 0, Purpose::shot);
  for (double lambda : {0.3, 2.0, 9.9, 10.0, 50.0, 500.0}) {
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double k = rng.poisson(lambda);
      s += k;
      s2 += k * k;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    INFO("lambda " << lambda);
    CHECK(std::fabs(mean - lambda) < 5 * std::sqrt(lambda / n));
    CHECK(var == Approx(lambda).epsilon(0.03));
  }
  CHECK(rng.poisson(0.0) == 0);
}

TEST_CASE("stored values are rounded and clamped to the dtype", "[simulate]") {
  CHECK(to_stored<std::uint8_t>(300.0) == 255);
  CHECK(to_stored<std::uint8_t>(-3.0) == 0);
  CHECK(to_stored<std::uint16_t>(2.5) == 3);
  CHECK(to_stored<std::uint16_t>(2.49) == 2);
  CHECK(to_stored<std::uint32_t>(1e12) == 4294967295u);
  CHECK(to_stored<float>(-1.25) == -1.25f);
}

TEST_CASE("mean counts at the ring peak equal the dose", "[simulate]") {
  SimConfig cfg;
  cfg.scan_y = 2;
  cfg.scan_x = 2;
  cfg.cycles = 400;
  cfg.time_step_s = 1.0;
  cfg.tau_median_s = 5.0;
  FrameGenerator gen(cfg);
  const ecm::ScanTile tile{0, 0, 2, 2};
  std::vector<std::uint16_t> raw(cfg.cycles * 4 * cfg.det_y * cfg.det_x);
  gen.record(tile, raw.data());
  const double r_peak = cfg.k_peak / cfg.k_pixel_size;
  double sum = 0, n = 0;
  for (std::size_t f = 0; f < cfg.cycles * 4; ++f)
    for (std::size_t i = 0; i < cfg.det_y; ++i)
      for (std::size_t j = 0; j < cfg.det_x; ++j) {
        const double r = std::hypot(i - cfg.center0_y(), j - cfg.center0_x());
        if (std::fabs(r - r_peak) > 0.5) continue;
        sum += raw[(f * cfg.det_y + i) * cfg.det_x + j];
        n += 1;
      }
  // ~2000 independent speckle samples with 30 % contrast: ~1.5 % standard error.
  CHECK(sum / n == Approx(cfg.dose).epsilon(0.04));
}

TEST_CASE("dark, gain and mask references undo the detector", "[simulate]") {
  SimConfig cfg;
  cfg.counts_per_electron = 3.0;
  cfg.gain_spread = 0.1;
  cfg.dark_level = 100.0;
  cfg.dark_spread = 5.0;
  cfg.hot_pixels = 7;
  cfg.hot_pixel_value = 1000.0;
  REQUIRE(cfg.has_detector_references());
  const DetectorModel det(cfg);
  Rng unused(1, 0, 0, Purpose::read);
  std::size_t hot = 0;
  for (std::size_t p = 0; p < cfg.det_y * cfg.det_x; ++p) {
    if (det.mask()[p]) {
      ++hot;
      CHECK(det.record(p, 5.0, unused) == 1000.0);
      continue;
    }
    for (double e : {0.0, 1.0, 7.0}) {
      const double raw = to_stored<std::uint16_t>(det.record(p, e, unused));
      // Rounding to integer counts leaves at most half a count, i.e. 0.5 * gain electrons.
      CHECK(std::fabs((raw - det.dark()[p]) * det.gain_reference()[p] - e) <= 0.5 * det.gain_reference()[p] + 1e-4);
    }
  }
  CHECK(hot == 7);
  CHECK_FALSE(SimConfig().has_detector_references());
  cfg.dtype = ecm::h5::DType::u8;
  CHECK(to_stored<std::uint8_t>(DetectorModel(cfg).record(0, 0.0, unused)) <= 255);
}

namespace {

SimConfig small_config() {
  SimConfig c;
  c.scan_y = 3;
  c.scan_x = 4;
  c.cycles = 21;
  c.det_y = 24;
  c.det_x = 20;
  c.k_pixel_size = 0.05;
  c.convergence = 0.15;
  c.n_sectors = 6;
  return c;
}

}  // namespace

TEST_CASE("frames do not depend on the tiling (drift, beam-centre drift, detector)", "[simulate]") {
  SimConfig cfg = small_config();
  cfg.drift_y = 1.3;
  cfg.drift_x = -0.7;
  cfg.drift_walk_px = 0.4;
  cfg.center_drift_y = 1.6;
  cfg.center_drift_x = -0.4;
  cfg.read_noise = 0.5;
  cfg.gain_spread = 0.05;
  cfg.kr_exponent = 1.5;
  FrameGenerator whole(cfg), parts(cfg);
  const std::size_t N = cfg.det_y * cfg.det_x, T = cfg.cycles;
  std::vector<std::uint16_t> a(T * 12 * N), b;
  whole.record({0, 0, 3, 4}, a.data());
  for (std::size_t y = 0; y < 3; ++y)
    for (std::size_t x0 = 0; x0 < 4; x0 += 3) {
      const std::size_t nx = std::min<std::size_t>(3, 4 - x0);
      b.assign(T * nx * N, 0);
      parts.record({y, x0, 1, nx}, b.data());
      for (std::size_t t = 0; t < T; ++t)
        for (std::size_t x = 0; x < nx; ++x)
          REQUIRE(std::memcmp(&a[((t * 3 + y) * 4 + x0 + x) * N], &b[(t * nx + x) * N], N * 2) == 0);
    }
}

TEST_CASE("sub-pixel sample drift interpolates the neighbouring patterns", "[simulate]") {
  // Drift 0 -> 1 scan px in y over 21 cycles: at t = 10 the offset is exactly 0.5, at
  // t = 20 exactly 1. Compare with the drift-free patterns of rows 0..2 at those cycles.
  // With a thickness map too: lambda is linear in the weighted contributions (S1 = sum w m),
  // so the moving frames are the weighted mean of the drift-free frames of a thick sample.
  for (const double thickness : {0.0, 0.3}) {
    INFO("thickness contrast " << thickness);
    SimConfig still = small_config();
    still.shot_noise = false;
    still.dtype = ecm::h5::DType::f32;
    still.thickness_contrast = thickness;
    still.thickness_size_px = 2.0;
    SimConfig moving = still;
    moving.drift_y = 1.0;
    std::vector<float> s, m;
    FrameGenerator(still).expected({0, 0, 3, 4}, s);
    FrameGenerator(moving).expected({0, 0, 2, 4}, m);
    const std::size_t N = still.det_y * still.det_x;
    auto at = [&](const std::vector<float>& v, std::size_t rows, std::size_t t, std::size_t y, std::size_t x) {
      return &v[((t * rows + y) * 4 + x) * N];
    };
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t x = 0; x < 4; ++x) {
        REQUIRE(std::memcmp(at(m, 2, 0, y, x), at(s, 3, 0, y, x), N * sizeof(float)) == 0);
        REQUIRE(std::memcmp(at(m, 2, 20, y, x), at(s, 3, 20, y + 1, x), N * sizeof(float)) == 0);
        const float* half = at(m, 2, 10, y, x);
        const float* lo = at(s, 3, 10, y, x);
        const float* hi = at(s, 3, 10, y + 1, x);
        for (std::size_t p = 0; p < N; ++p) REQUIRE(half[p] == Approx(0.5 * (lo[p] + hi[p])).epsilon(1e-5));
      }
  }
}

TEST_CASE("the direct beam follows the beam-centre track", "[simulate]") {
  SimConfig cfg = small_config();
  cfg.center_drift_y = 2.3;
  cfg.center_drift_x = -1.2;
  cfg.dose = 0.0;  // only the disc
  cfg.shot_noise = false;
  FrameGenerator gen(cfg);
  std::vector<float> l;
  gen.expected({0, 0, 1, 1}, l);
  const std::size_t N = cfg.det_y * cfg.det_x;
  for (std::size_t t : {std::size_t{0}, cfg.cycles - 1}) {
    double s = 0, sy = 0, sx = 0;
    for (std::size_t p = 0; p < N; ++p) {
      s += l[t * N + p];
      sy += l[t * N + p] * static_cast<double>(p / cfg.det_x);
      sx += l[t * N + p] * static_cast<double>(p % cfg.det_x);
    }
    // The anti-aliased disc edge keeps the centroid within a few hundredths of a pixel.
    CHECK(sy / s == Approx(gen.tracks().center_y[t]).margin(0.05));
    CHECK(sx / s == Approx(gen.tracks().center_x[t]).margin(0.05));
  }
}
