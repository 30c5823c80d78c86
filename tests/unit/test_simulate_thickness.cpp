// The simulator's thickness map and what it does to the frames: independence of the box
// it is computed in, the uniform sample, the scaling of the scattered (not the direct-beam)
// intensity, and the options (sub-pixel drift mixing with a thickness map is in
// test_simulate_detector.cpp). Its statistics (mean, relative rms,
// correlation length) are tested in test_simulate_domains.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/simulate/frames.hpp"
#include "ecm/simulate/options.hpp"

using namespace ecm::simulate;

namespace {

SimConfig small_thick_config() {
  SimConfig c;
  c.scan_y = 3;
  c.scan_x = 4;
  c.cycles = 21;
  c.det_y = 24;
  c.det_x = 20;
  c.k_pixel_size = 0.05;
  c.convergence = 0.15;
  c.n_sectors = 6;
  c.shot_noise = false;
  c.dtype = ecm::h5::DType::f32;
  c.thickness_contrast = 0.3;
  c.thickness_size_px = 2.0;
  return c;
}

}  // namespace

TEST_CASE("a thickness box computed in two halves equals the box computed at once", "[simulate]") {
  for (double size : {4.0, 0.0}) {  // correlated and uncorrelated maps
    SimConfig cfg;
    cfg.thickness_contrast = 0.2;
    cfg.thickness_size_px = size;
    const ThicknessMap map(cfg);
    const long y0 = -7, x0 = 3;
    const std::size_t ny = 12, nx = 9;
    const std::vector<double> whole = map.values(y0, x0, ny, nx);
    REQUIRE(whole.size() == ny * nx);
    // Split along y (top / bottom) and along x (left / right); bit-identical values.
    const std::vector<double> top = map.values(y0, x0, 5, nx), bottom = map.values(y0 + 5, x0, ny - 5, nx);
    const std::vector<double> left = map.values(y0, x0, ny, 4), right = map.values(y0, x0 + 4, ny, nx - 4);
    for (std::size_t y = 0; y < ny; ++y)
      for (std::size_t x = 0; x < nx; ++x) {
        const double v = whole[y * nx + x];
        REQUIRE(v == (y < 5 ? top[y * nx + x] : bottom[(y - 5) * nx + x]));
        REQUIRE(v == (x < 4 ? left[y * 4 + x] : right[y * (nx - 4) + x - 4]));
        REQUIRE(v > 0.0);
      }
  }
}

TEST_CASE("zero thickness contrast is a uniform sample of exactly 1", "[simulate]") {
  SimConfig cfg;
  cfg.thickness_size_px = 2.5;
  const ThicknessMap map(cfg);
  CHECK(map.uniform());
  for (double v : map.values(-3, 5, 17, 11)) REQUIRE(v == 1.0);
  cfg.thickness_contrast = 0.1;
  CHECK_FALSE(ThicknessMap(cfg).uniform());
}

TEST_CASE("thickness scales the scattered intensity of a position, not the direct beam", "[simulate]") {
  // No drift: every scan position sees one sample position, so S1 = m and
  // lambda = m * (lambda_uniform - disc) + disc, pixel by pixel.
  SimConfig thick = small_thick_config();
  SimConfig flat = thick;
  flat.thickness_contrast = 0.0;
  FrameGenerator gen(thick);
  std::vector<float> lt, lf;
  const ecm::ScanTile tile{0, 0, thick.scan_y, thick.scan_x};
  gen.expected(tile, lt);
  FrameGenerator(flat).expected(tile, lf);
  const std::size_t N = thick.det_y * thick.det_x, P = tile.positions();
  std::vector<float> ring(N), disc(N);
  std::vector<std::uint8_t> annulus(N);
  gen.speckle().envelope(0, ring.data(), disc.data(), annulus.data());  // static beam
  const std::vector<double> m = gen.thickness().values(0, 0, thick.scan_y, thick.scan_x);
  double disc_total = 0;
  for (float d : disc) disc_total += d;
  REQUIRE(disc_total > 0);  // the test covers the direct beam
  bool any_off_one = false;
  for (std::size_t t = 0; t < thick.cycles; t += 5)
    for (std::size_t pos = 0; pos < P; ++pos) {
      any_off_one = any_off_one || std::fabs(m[pos] - 1.0) > 0.05;
      for (std::size_t p = 0; p < N; ++p) {
        const double want = m[pos] * (lf[(t * P + pos) * N + p] - disc[p]) + disc[p];
        REQUIRE(lt[(t * P + pos) * N + p] == Approx(want).epsilon(1e-5).margin(1e-5));
      }
    }
  CHECK(any_off_one);
}

TEST_CASE("thickness options parse, round-trip through INI and are validated", "[simulate]") {
  SimConfig c;
  apply_option(c, "thickness-contrast", "0.15");
  apply_option(c, "thickness-size", "2.5");
  CHECK(c.thickness_contrast == 0.15);
  CHECK(c.thickness_size_px == 2.5);
  REQUIRE_NOTHROW(validate(c));
  const SimConfig back = from_ini(to_ini(c));
  CHECK(back.thickness_contrast == 0.15);
  CHECK(back.thickness_size_px == 2.5);
  CHECK(to_ini(back) == to_ini(c));
  CHECK_THROWS_WITH(apply_option(c, "thickness-contrast", "much"), Catch::Contains("--thickness-contrast"));
  auto invalid = [](auto change, const char* name) {
    SimConfig s;
    change(s);
    CHECK_THROWS_WITH(validate(s), Catch::Contains(name));
  };
  invalid([](SimConfig& s) { s.thickness_contrast = 1.0; }, "--thickness-contrast");
  invalid([](SimConfig& s) { s.thickness_contrast = -0.1; }, "--thickness-contrast");
  invalid([](SimConfig& s) { s.thickness_size_px = -1.0; }, "--thickness-size");
}
