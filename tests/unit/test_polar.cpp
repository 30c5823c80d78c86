// Polar transform: count conservation and geometry against analytic cases.
#include <catch2/catch.hpp>

#include <algorithm>

#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/polar_map.hpp"
#include "ecm/kernels/polar_transform.hpp"
#include "ecm/kernels/strip_binning.hpp"

using namespace ecm;

namespace {
// Applies the map to one frame on the default execution space and returns counts per bin.
std::vector<double> transform_frame(const polar::PolarMapHost& host, const std::vector<float>& frame) {
  auto map = polar::upload<MemSpace>(host);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", 1, frame.size());
  auto fh = Kokkos::create_mirror_view(frames);
  for (std::size_t i = 0; i < frame.size(); ++i) fh(0, i) = frame[i];
  Kokkos::deep_copy(frames, fh);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> out("out", 1, host.grid.n_bins());
  polar::transform(ExecSpace(), map, Kokkos::View<const float**, Kokkos::LayoutRight, MemSpace>(frames), out);
  auto oh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  std::vector<double> bins(host.grid.n_bins());
  for (int b = 0; b < host.grid.n_bins(); ++b) bins[b] = oh(0, b);
  return bins;
}

// Fills a host view of frames x pixels with small pseudo-random counts, state >> shift of a
// fixed LCG (the same values on every backend).
template <class HostView>
void fill_counts(const HostView& v, std::uint32_t state, int shift) {
  for (std::size_t f = 0; f < v.extent(0); ++f)
    for (std::size_t p = 0; p < v.extent(1); ++p) {
      state = state * 1664525u + 1013904223u;
      v(f, p) = typename HostView::value_type(state >> shift);
    }
}
}  // namespace

TEST_CASE("polar map conserves counts of pixels inside the strip", "[polar]") {
  PolarGrid grid{0.2, 0.5, 5, 36};
  const double dk = 0.02;  // strip radii 10..25 px
  const std::size_t ny = 64, nx = 60;
  const std::array<double, 2> c{31.3, 29.7};
  auto map = polar::build_polar_map(grid, dk, c, ny, nx, 8, {});
  // Each pixel's total weight is its share inside the annulus: 1 for pixels well inside.
  std::vector<double> coverage(ny * nx, 0.0);
  for (std::size_t i = 0; i < map.pixels.size(); ++i) coverage[map.pixels[i]] += map.weights[i];
  std::vector<float> frame(ny * nx);
  double inside_counts = 0.0, expected = 0.0;
  std::uint32_t state = 12345;
  for (std::size_t y = 0; y < ny; ++y)
    for (std::size_t x = 0; x < nx; ++x) {
      state = state * 1664525u + 1013904223u;
      const float v = float(state >> 28);  // sparse-ish counts 0..15
      frame[y * nx + x] = v;
      const double r = std::hypot(y - c[0], x - c[1]);
      if (r > 10.0 + 0.75 && r < 25.0 - 0.75) {
        CHECK(coverage[y * nx + x] == Approx(1.0).epsilon(1e-6));
        inside_counts += v;
      }
      expected += v * coverage[y * nx + x];
    }
  const auto bins = transform_frame(map, frame);
  const double total = std::accumulate(bins.begin(), bins.end(), 0.0);
  REQUIRE(inside_counts > 1000);
  CHECK(total == Approx(expected).epsilon(1e-6));
  // The strip area equals the annulus area to the sub-pixel sampling accuracy.
  const auto area = map.bin_area();
  const double strip_area = std::accumulate(area.begin(), area.end(), 0.0);
  CHECK(strip_area == Approx(kPi * (25.0 * 25.0 - 10.0 * 10.0)).epsilon(2e-3));
}

TEST_CASE("a ring of known radius lands in the right k_r bin and spreads evenly in k_phi", "[polar]") {
  PolarGrid grid{0.3, 0.6, 6, 24};  // bins 0.05 wide
  const double dk = 0.01;            // radii 30..60 px
  const std::size_t n = 140;
  const std::array<double, 2> c{69.5, 70.0};
  // A thin ring at k = 0.47 (bin 3: [0.45, 0.50)), drawn with 16x16 sub-samples per pixel.
  std::vector<float> frame(n * n, 0.0f);
  const double r0 = 0.47 / dk;
  for (std::size_t y = 0; y < n; ++y)
    for (std::size_t x = 0; x < n; ++x) {
      int hits = 0;
      for (int a = 0; a < 16; ++a)
        for (int b = 0; b < 16; ++b) {
          const double r = std::hypot(y - 0.5 + (a + 0.5) / 16 - c[0], x - 0.5 + (b + 0.5) / 16 - c[1]);
          hits += std::fabs(r - r0) < 1.0;
        }
      frame[y * n + x] = float(hits) / 256.0f;
    }
  auto map = polar::build_polar_map(grid, dk, c, n, n, 8, {});
  const auto bins = transform_frame(map, frame);
  std::vector<double> per_kr(grid.n_kr, 0.0);
  for (int ir = 0; ir < grid.n_kr; ++ir)
    for (int ip = 0; ip < grid.n_kphi; ++ip) per_kr[ir] += bins[ir * grid.n_kphi + ip];
  const double total = std::accumulate(per_kr.begin(), per_kr.end(), 0.0);
  CHECK(per_kr[3] / total > 0.999);
  for (int ip = 0; ip < grid.n_kphi; ++ip)
    CHECK(bins[3 * grid.n_kphi + ip] == Approx(per_kr[3] / grid.n_kphi).epsilon(0.02));
}

TEST_CASE("k_phi follows atan2(y - cy, x - cx) from +x towards +y", "[polar]") {
  PolarGrid grid{0.05, 0.2, 1, 4};  // 5..20 px, quarter-turn k_phi bins
  const std::size_t n = 41;
  auto map = polar::build_polar_map(grid, 0.01, {20.0, 20.0}, n, n, 4, {});
  std::vector<float> frame(n * n, 0.0f);
  frame[22 * n + 35] = 1.0f;  // (y=22, x=35): phi = atan2(2, 15) = 0.13 rad -> bin 0
  frame[35 * n + 21] = 2.0f;  // (y=35, x=21): phi = atan2(15, 1) = 1.50 rad -> bin 0
  frame[35 * n + 19] = 4.0f;  // (y=35, x=19): phi = atan2(15, -1) = 1.64 rad -> bin 1
  frame[5 * n + 22] = 8.0f;   // (y=5, x=22): phi = atan2(-15, 2) = 4.84 rad -> bin 3
  frame[20 * n + 10] = 16.0f; // (y=20, x=10): on the bin 1 | bin 2 edge (phi = pi): split half and half
  const auto bins = transform_frame(map, frame);
  CHECK(bins[0] == Approx(1.0 + 2.0));
  CHECK(bins[1] == Approx(4.0 + 8.0));
  CHECK(bins[2] == Approx(8.0));
  CHECK(bins[3] == Approx(8.0));
}

TEST_CASE("polar map rejects a strip that leaves the detector and drops masked pixels", "[polar]") {
  PolarGrid grid{0.3, 0.6, 2, 8};
  CHECK_THROWS_AS(polar::build_polar_map(grid, 0.02, {16.0, 16.0}, 32, 32, 4, {}), InputError);
  // Pixel (32, 52) lies 20 px = 0.4 1/A from the centre, inside the strip: the unmasked map
  // holds it, the masked one does not, and loses exactly its area.
  const int masked = 32 * 64 + 52;
  const auto in_map = [&](const polar::PolarMapHost& m) {
    return std::count(m.pixels.begin(), m.pixels.end(), masked);
  };
  const auto area = [](const polar::PolarMapHost& m) {
    double a = 0;
    for (double b : m.bin_area()) a += b;
    return a;
  };
  const auto unmasked = polar::build_polar_map(grid, 0.02, {32.0, 32.0}, 64, 64, 4, {});
  REQUIRE(in_map(unmasked) > 0);
  std::vector<float> mask(64 * 64, 0.0f);
  mask[masked] = 1.0f;
  auto map = polar::build_polar_map(grid, 0.02, {32.0, 32.0}, 64, 64, 4, mask);
  CHECK(in_map(map) == 0);
  CHECK(map.pixels.size() + std::size_t(in_map(unmasked)) == unmasked.pixels.size());
  CHECK(area(map) == Approx(area(unmasked) - 1.0).epsilon(1e-9));  // a whole pixel inside the strip
}

TEST_CASE("strip binning sums k_r, k_phi and t blocks", "[polar]") {
  // fine: 4 cycles x 2 positions (frame f = t * 2 + p), 4x6 bins; factors kr 2, kphi 3, t 2
  // -> 2x2 bins, 2 cycles, written at cycle offset 3 of the strip.
  auto value = [](int p, int b, int t) { return float(p * 1000 + b * 10 + t); };
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> fine("fine", 4 * 2, 24);
  auto fh = Kokkos::create_mirror_view(fine);
  for (int p = 0; p < 2; ++p)
    for (int b = 0; b < 24; ++b)
      for (int t = 0; t < 4; ++t) fh(t * 2 + p, b) = value(p, b, t);
  Kokkos::deep_copy(fine, fh);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> strip("strip", 2 * 4, 5);
  binning::bin_block(ExecSpace(), Kokkos::View<const float**, Kokkos::LayoutRight, MemSpace>(fine), 2, 4, 6,
                     {2, 3, 2}, strip, 3);
  auto sh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), strip);
  for (int p = 0; p < 2; ++p)
    for (int irc = 0; irc < 2; ++irc)
      for (int ipc = 0; ipc < 2; ++ipc)
        for (int tc = 0; tc < 2; ++tc) {
          double expected = 0;
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 3; ++b)
              for (int dt = 0; dt < 2; ++dt) expected += value(p, (irc * 2 + a) * 6 + ipc * 3 + b, tc * 2 + dt);
          CHECK(sh(p * 4 + irc * 2 + ipc, 3 + tc) == Approx(expected));
        }
}

TEST_CASE("the transform of many frames equals the transform of each frame", "[polar]") {
  // 19 frames: two full groups of 8 frames per work item and a partial group of 3.
  PolarGrid grid{0.2, 0.5, 3, 12};
  const std::size_t n = 60, n_frames = 19;
  auto host = polar::build_polar_map(grid, 0.02, {29.5, 30.2}, n, n, 4, {});
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", n_frames, n * n);
  auto fh = Kokkos::create_mirror_view(frames);
  fill_counts(fh, 7, 29);
  Kokkos::deep_copy(frames, fh);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> out("out", n_frames, grid.n_bins());
  polar::transform(ExecSpace(), polar::upload<MemSpace>(host),
                   Kokkos::View<const float**, Kokkos::LayoutRight, MemSpace>(frames), out);
  auto oh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  for (std::size_t f = 0; f < n_frames; ++f) {
    std::vector<float> one(n * n);
    for (std::size_t p = 0; p < n * n; ++p) one[p] = fh(f, p);
    const auto expected = transform_frame(host, one);
    for (int b = 0; b < grid.n_bins(); ++b) CHECK(oh(f, b) == Approx(expected[b]).epsilon(1e-6));
  }
}

namespace {
template <class T>
h5::DType dtype_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>) return h5::DType::u8;
  if constexpr (std::is_same_v<T, std::uint16_t>) return h5::DType::u16;
  if constexpr (std::is_same_v<T, std::uint32_t>) return h5::DType::u32;
  return h5::DType::f32;
}

// 19 frames (two groups of 8 and a partial one) of a 40 x 40 detector as stored type T, the
// polar bins of transform_stored and of to_float + preprocess::apply + transform.
template <class T>
void check_stored_equals_float_path(const std::vector<float>& dark, const std::vector<float>& gain,
                                    const std::vector<float>& mask, float threshold) {
  const std::size_t n = 40, n_frames = 19;
  PolarGrid grid{0.1, 0.35, 3, 24};  // 5..17.5 px from the centre
  auto map = polar::upload<MemSpace>(polar::build_polar_map(grid, 0.02, {19.6, 20.3}, n, n, 4, {}));
  Kokkos::View<T**, Kokkos::LayoutRight, MemSpace> stored("stored", n_frames, n * n);
  auto sh = Kokkos::create_mirror_view(stored);
  fill_counts(sh, 11, 27);  // 0..31
  Kokkos::deep_copy(stored, sh);
  const auto c = preprocess::make_corrections<MemSpace>(dark, gain, mask, threshold);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> fused("fused", n_frames, grid.n_bins());
  polar::transform_stored(ExecSpace(), map, dtype_of<T>(),
                          reinterpret_cast<const unsigned char*>(stored.data()), n_frames, n * n,
                          preprocess::PixelCorrection<MemSpace>(c, n * n), fused);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> frames("frames", n_frames, n * n);
  convert::to_float(ExecSpace(), dtype_of<T>(), reinterpret_cast<const unsigned char*>(stored.data()),
                    frames.data(), n_frames * n * n);
  preprocess::apply(ExecSpace(), frames, c);
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> separate("separate", n_frames, grid.n_bins());
  polar::transform(ExecSpace(), map, Kokkos::View<const float**, Kokkos::LayoutRight, MemSpace>(frames), separate);
  auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), fused);
  auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), separate);
  double total = 0;
  for (std::size_t f = 0; f < n_frames; ++f)
    for (int k = 0; k < grid.n_bins(); ++k) {
      CHECK(a(f, k) == b(f, k));  // the same floats, not just close
      total += a(f, k);
    }
  CHECK(total > 0);
}
}  // namespace

TEST_CASE("polar transform of stored frames equals conversion, corrections, then transform", "[polar]") {
  const std::size_t np = 40 * 40;
  std::vector<float> dark(np), gain(np), mask(np, 0.0f);
  for (std::size_t p = 0; p < np; ++p) {
    dark[p] = 0.25f * float(p % 7);
    gain[p] = 0.9f + 0.01f * float(p % 13);
    if (p % 97 == 0) mask[p] = 1.0f;
  }
  SECTION("no corrections") { check_stored_equals_float_path<std::uint16_t>({}, {}, {}, 0.0f); }
  SECTION("dark, gain, mask and a threshold, uint16") { check_stored_equals_float_path<std::uint16_t>(dark, gain, mask, 2.0f); }
  SECTION("dark and gain, uint8") { check_stored_equals_float_path<std::uint8_t>(dark, gain, {}, 0.0f); }
  SECTION("threshold only, uint32") { check_stored_equals_float_path<std::uint32_t>({}, {}, {}, 3.0f); }
  SECTION("mask only, float32") { check_stored_equals_float_path<float>({}, {}, mask, 0.0f); }
}

// Issue 14, class 2: NaN and Inf values of float frames are read as 0 by the fused
// transform (the path of unshifted tiles) as by preprocess::apply: no bin is NaN.
TEST_CASE("polar transform of float frames reads NaN and Inf as 0 counts", "[polar]") {
  const std::size_t n = 40;
  PolarGrid grid{0.1, 0.35, 3, 24};
  const auto host = polar::build_polar_map(grid, 0.02, {19.6, 20.3}, n, n, 4, {});
  std::vector<float> frame(n * n);
  for (std::size_t p = 0; p < frame.size(); ++p) frame[p] = float(p % 5);
  std::vector<float> bad = frame, zeroed = frame;
  for (std::size_t p : {std::size_t(10 * n + 30), std::size_t(25 * n + 8), std::size_t(0)}) zeroed[p] = 0.0f;
  bad[10 * n + 30] = std::numeric_limits<float>::quiet_NaN();
  bad[25 * n + 8] = std::numeric_limits<float>::infinity();
  bad[0] = -std::numeric_limits<float>::infinity();
  auto map = polar::upload<MemSpace>(host);
  Kokkos::View<float*, MemSpace> stored("stored", bad.size());
  auto sh = Kokkos::create_mirror_view(stored);
  for (std::size_t p = 0; p < bad.size(); ++p) sh(p) = bad[p];
  Kokkos::deep_copy(stored, sh);
  const auto expected = transform_frame(host, zeroed);
  // Screen only (float frames, no reference), and the general path (a dark of zeros).
  for (const bool with_dark : {false, true}) {
    auto c = preprocess::make_corrections<MemSpace>(with_dark ? std::vector<float>(n * n, 0.0f) : std::vector<float>{},
                                                    {}, {}, 0.0f);
    c.screen_nonfinite = true;
    const preprocess::PixelCorrection<MemSpace> correct(c, n * n);
    CHECK(correct.screens_only() == !with_dark);
    Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> out("out", 1, grid.n_bins());
    polar::transform_stored(ExecSpace(), map, h5::DType::f32, reinterpret_cast<const unsigned char*>(stored.data()), 1,
                            std::int64_t(n * n), correct, out);
    auto oh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
    for (int b = 0; b < grid.n_bins(); ++b) {
      INFO("dark " << with_dark << " bin " << b);
      REQUIRE(std::isfinite(oh(0, b)));
      CHECK(oh(0, b) == Approx(expected[b]));
    }
  }
}
