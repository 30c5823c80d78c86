// Shift estimation and time-series drift on synthetic textures shifted exactly (the blob
// sum is evaluated at shifted coordinates, so sub-pixel shifts carry no resampling error).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/registration/direct_correlation.hpp"
#include "ecm/registration/shift_estimation.hpp"

namespace {

using ecm::registration::estimate_drift;
using ecm::registration::estimate_shift;
using ecm::registration::Reference;
using ecm::registration::Shift;

struct Blob {
  double y, x, sigma, amplitude;
};

// A smooth random texture like a VDF image: ~30 Gaussian blobs per 32 x 32 pixels, widths
// 1.5-3 px, scattered beyond the grid so content enters as the image drifts.
std::vector<Blob> random_texture(std::size_t ny, std::size_t nx, unsigned seed) {
  constexpr double margin = 8.0;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uy(-margin, ny + margin), ux(-margin, nx + margin);
  std::uniform_real_distribution<double> width(1.5, 3.0), amplitude(0.5, 1.5);
  const auto n_blobs =
      static_cast<std::size_t>(30.0 * (ny + 2 * margin) * (nx + 2 * margin) / (32.0 * 32.0));
  std::vector<Blob> blobs(n_blobs);
  for (Blob& b : blobs) b = {uy(rng), ux(rng), width(rng), amplitude(rng)};
  return blobs;
}

// The texture moved by (dy, dx): value(y, x) = background + texture(y - dy, x - dx).
std::vector<double> render(const std::vector<Blob>& blobs, std::size_t ny, std::size_t nx, double dy, double dx,
                           double background = 0.0) {
  std::vector<double> img(ny * nx, background);
  for (std::size_t y = 0; y < ny; ++y)
    for (std::size_t x = 0; x < nx; ++x)
      for (const Blob& b : blobs) {
        const double ry = y - dy - b.y, rx = x - dx - b.x;
        img[y * nx + x] += b.amplitude * std::exp(-(ry * ry + rx * rx) / (2 * b.sigma * b.sigma));
      }
  return img;
}

// Series of images of one texture drifting along `truth`, noise-free.
std::vector<double> render_series(const std::vector<Blob>& blobs, std::size_t ny, std::size_t nx,
                                  const std::vector<Shift>& truth) {
  std::vector<double> series;
  series.reserve(truth.size() * ny * nx);
  for (const Shift& s : truth) {
    const auto img = render(blobs, ny, nx, s.dy, s.dx);
    series.insert(series.end(), img.begin(), img.end());
  }
  return series;
}

double rms_error(const std::vector<Shift>& got, const std::vector<Shift>& truth) {
  double sum = 0.0;
  for (std::size_t t = 0; t < truth.size(); ++t)
    sum += std::pow(got[t].dy - truth[t].dy, 2) + std::pow(got[t].dx - truth[t].dx, 2);
  return std::sqrt(sum / truth.size());
}

// RMS error once the best constant offset is removed. With blocks the drift's origin is
// the first block's centre, not image 0: a global translation, harmless to everything
// downstream (it moves every image of the series alike).
double rms_error_about_offset(const std::vector<Shift>& got, const std::vector<Shift>& truth) {
  double oy = 0.0, ox = 0.0;
  for (std::size_t t = 0; t < truth.size(); ++t) oy += got[t].dy - truth[t].dy, ox += got[t].dx - truth[t].dx;
  oy /= truth.size();
  ox /= truth.size();
  std::vector<Shift> moved(truth);
  for (Shift& s : moved) s.dy += oy, s.dx += ox;
  return rms_error(got, moved);
}

double max_error(const std::vector<Shift>& got, const std::vector<Shift>& truth) {
  double worst = 0.0;
  for (std::size_t t = 0; t < truth.size(); ++t)
    worst = std::max({worst, std::fabs(got[t].dy - truth[t].dy), std::fabs(got[t].dx - truth[t].dx)});
  return worst;
}

const std::vector<Shift> kTestShifts = {{0.0, 0.0}, {3.0, -2.0}, {2.3, -1.7}, {0.5, 0.5},
                                        {-4.1, 3.9}, {-0.25, 1.75}, {4.9, -4.6}};

void check_shifts_recovered(std::size_t ny, std::size_t nx, unsigned seed, bool window) {
  const auto blobs = random_texture(ny, nx, seed);
  const auto reference = render(blobs, ny, nx, 0.0, 0.0);
  for (const Shift& truth : kTestShifts) {
    const Shift got = estimate_shift(reference, render(blobs, ny, nx, truth.dy, truth.dx), ny, nx, window);
    INFO("grid " << ny << "x" << nx << " window " << window << " truth (" << truth.dy << ", " << truth.dx
                 << ") got (" << got.dy << ", " << got.dx << ") quality " << got.peak_quality);
    CHECK(std::fabs(got.dy - truth.dy) < 0.05);
    CHECK(std::fabs(got.dx - truth.dx) < 0.05);
    CHECK(got.peak_quality > 3.0);
  }
}

}  // namespace

TEST_CASE("estimate_shift recovers integer and sub-pixel shifts", "[registration]") {
  for (unsigned seed : {1u, 2u, 3u}) check_shifts_recovered(32, 32, seed, /*window=*/true);
}

TEST_CASE("estimate_shift works on non-square grids", "[registration]") {
  for (unsigned seed : {4u, 5u}) {
    check_shifts_recovered(24, 40, seed, /*window=*/true);
    check_shifts_recovered(40, 24, seed, /*window=*/true);
  }
}

TEST_CASE("estimate_shift is antisymmetric and rates a match above noise", "[registration]") {
  const auto blobs = random_texture(32, 32, 6);
  const auto a = render(blobs, 32, 32, 0.0, 0.0), b = render(blobs, 32, 32, 1.6, -2.2);
  const Shift ab = estimate_shift(a, b, 32, 32), ba = estimate_shift(b, a, 32, 32);
  CHECK(ab.dy == Approx(-ba.dy).margin(1e-9));
  CHECK(ab.dx == Approx(-ba.dx).margin(1e-9));
  // Two unrelated textures match worse than one texture with itself. The contrast is
  // modest (about 2x here): a smooth map of unrelated textures still has a peak a few
  // times its rms, so quality is a ranking, not a probability.
  const auto other = render(random_texture(32, 32, 7), 32, 32, 0.0, 0.0);
  const double unrelated = estimate_shift(a, other, 32, 32).peak_quality;
  INFO("quality matched " << ab.peak_quality << " unrelated " << unrelated);
  CHECK(unrelated < ab.peak_quality / 1.5);
}

TEST_CASE("estimate_shift of a constant image is zero with quality zero", "[registration]") {
  const auto texture = render(random_texture(32, 32, 8), 32, 32, 0.0, 0.0);
  const std::vector<double> constant(32 * 32, 3.7), zeros(32 * 32, 0.0);
  for (bool window : {true, false}) {
    for (const Shift& s : {estimate_shift(constant, texture, 32, 32, window),
                           estimate_shift(texture, constant, 32, 32, window),
                           estimate_shift(zeros, zeros, 32, 32, window)}) {
      CHECK(s.dy == 0.0);
      CHECK(s.dx == 0.0);
      CHECK(s.peak_quality == 0.0);
    }
  }
  const std::vector<double> series(5 * 32 * 32, 2.0);
  for (const Shift& s : estimate_drift(series, 5, 32, 32, Reference::mean, 2)) {
    CHECK(s.dy == 0.0);
    CHECK(s.peak_quality == 0.0);
  }
}

TEST_CASE("registration rejects bad sizes", "[registration]") {
  const std::vector<double> img(32 * 32, 1.0);
  CHECK_THROWS_AS(estimate_shift(img, img, 32, 31), ecm::InputError);
  CHECK_THROWS_AS(estimate_shift(img, std::vector<double>(10, 1.0), 32, 32), ecm::InputError);
  CHECK_THROWS_AS(estimate_shift(std::vector<double>(4, 1.0), std::vector<double>(4, 1.0), 2, 2), ecm::InputError);
  CHECK_THROWS_AS(estimate_shift({}, {}, 0, 0), ecm::InputError);
  auto bad = img;
  bad[5] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(estimate_shift(img, bad, 32, 32), ecm::InputError);

  const std::vector<double> series(3 * 32 * 32, 1.0);
  CHECK_THROWS_AS(estimate_drift(series, 4, 32, 32, Reference::first), ecm::InputError);
  CHECK_THROWS_AS(estimate_drift(series, 0, 32, 32, Reference::first), ecm::InputError);
  CHECK_THROWS_AS(estimate_drift(series, 3, 32, 32, Reference::first, 0), ecm::InputError);
  CHECK_THROWS_AS(estimate_drift(series, 3, 3, 1024, Reference::first), ecm::InputError);
}

TEST_CASE("the three references agree on a noise-free linear drift", "[registration]") {
  constexpr std::size_t ny = 32, nx = 32, n = 50;
  const auto blobs = random_texture(ny, nx, 9);
  std::vector<Shift> truth(n);
  for (std::size_t t = 0; t < n; ++t) truth[t] = {4.0 * t / (n - 1), -3.0 * t / (n - 1)};
  const auto series = render_series(blobs, ny, nx, truth);
  const auto first = estimate_drift(series, n, ny, nx, Reference::first);
  const auto previous = estimate_drift(series, n, ny, nx, Reference::previous);
  const auto mean = estimate_drift(series, n, ny, nx, Reference::mean);
  INFO("max error first " << max_error(first, truth) << " previous " << max_error(previous, truth) << " mean "
                          << max_error(mean, truth));
  CHECK(max_error(first, truth) < 0.05);
  // The cascade adds 49 small estimates: its error may grow, but only slowly.
  CHECK(max_error(previous, truth) < 0.1);
  CHECK(std::fabs(previous.back().dy - 4.0) < 0.1);
  CHECK(std::fabs(previous.back().dx + 3.0) < 0.1);
  CHECK(max_error(mean, truth) < 0.05);
  CHECK(max_error(first, mean) < 0.05);
  // Blocks of 7 along a linear drift: the per-block estimates, continued linearly over the
  // half-blocks at either end, give back the same line with image 0 as the origin.
  const auto blocked = estimate_drift(series, n, ny, nx, Reference::first, 7);
  INFO("blocks of 7: max error " << max_error(blocked, truth));
  CHECK(max_error(blocked, truth) < 0.05);
  CHECK((blocked[0].dy == 0.0 && blocked[0].dx == 0.0));
}

TEST_CASE("piecewise_linear interpolates between knots and continues the end segments", "[registration]") {
  const auto v = ecm::registration::piecewise_linear({2.0, 6.0, 10.0}, {1.0, 3.0, 1.0}, 13);
  CHECK(v[2] == Approx(1.0));
  CHECK(v[4] == Approx(2.0));
  CHECK(v[6] == Approx(3.0));
  CHECK(v[8] == Approx(2.0));
  CHECK(v[0] == Approx(0.0));   // first segment continued
  CHECK(v[12] == Approx(0.0));  // last segment continued
  CHECK(ecm::registration::piecewise_linear({5.0}, {7.0}, 3) == std::vector<double>{7.0, 7.0, 7.0});
}

TEST_CASE("gaussian_smooth keeps a straight line inside and removes alternating noise", "[registration]") {
  std::vector<double> line(40), zigzag(40);
  for (std::size_t i = 0; i < 40; ++i) {
    line[i] = 0.5 * double(i);
    zigzag[i] = i % 2 ? 1.0 : -1.0;
  }
  const auto l = ecm::registration::gaussian_smooth(line, 2.0);
  for (std::size_t i = 8; i < 32; ++i) CHECK(l[i] == Approx(line[i]).margin(1e-9));
  const auto z = ecm::registration::gaussian_smooth(zigzag, 2.0);
  for (std::size_t i = 8; i < 32; ++i) CHECK(std::fabs(z[i]) < 1e-3);
  CHECK(ecm::registration::gaussian_smooth(zigzag, 0.0) == zigzag);
}

TEST_CASE("block shifts shared out over owners equal the shifts computed in one place", "[registration]") {
  constexpr std::size_t ny = 32, nx = 32, n = 9;
  const auto blobs = random_texture(ny, nx, 10);
  std::vector<double> blocks;
  for (std::size_t b = 0; b < n; ++b)
    for (double v : render(blobs, ny, nx, 0.3 * double(b), -0.2 * double(b))) blocks.push_back(v);
  const std::vector<double> weights(n, 1.0);
  // `first` and `previous` combine once: three owners in turn, merged by summation as an
  // MPI_Allreduce would, give the single-owner result once the last one has added its part.
  // (`mean` combines twice, in lock step across ranks: the MPI e2e test covers it.)
  for (Reference ref : {Reference::first, Reference::previous}) {
    const auto whole = ecm::registration::estimate_block_shifts(blocks, n, ny, nx, ref, weights);
    std::vector<Shift> sum(n), last;
    for (int r = 0; r < 3; ++r) {
      ecm::registration::BlockDistribution dist;
      dist.owns = [r](std::size_t b) { return int(b % 3) == r; };
      dist.combine = [&sum](std::vector<Shift>& s) {
        for (std::size_t b = 0; b < s.size(); ++b) {
          sum[b].dy += s[b].dy;
          sum[b].dx += s[b].dx;
          sum[b].peak_quality += s[b].peak_quality;
        }
        s = sum;
      };
      last = ecm::registration::estimate_block_shifts(blocks, n, ny, nx, ref, weights, dist);
    }
    for (std::size_t b = 0; b < n; ++b) {
      CHECK(last[b].dy == Approx(whole[b].dy).margin(1e-12));
      CHECK(last[b].dx == Approx(whole[b].dx).margin(1e-12));
    }
    CHECK(std::fabs(whole.back().dy - 0.3 * double(n - 1)) < 0.05);
    CHECK(std::fabs(whole.back().dx + 0.2 * double(n - 1)) < 0.05);
  }
}

TEST_CASE("drift at ~1 count per pixel is recovered by blocks of 10", "[registration]") {
  constexpr std::size_t ny = 32, nx = 32, n = 200, block = 10;
  const auto blobs = random_texture(ny, nx, 10);
  // Linear drift to (3.5, -3) plus a random walk; the largest excursion stays near 5 px.
  std::mt19937 rng(11);
  std::normal_distribution<double> step(0.0, 0.05);
  std::vector<Shift> truth(n);
  double wy = 0.0, wx = 0.0;
  for (std::size_t t = 0; t < n; ++t) {
    if (t > 0) wy += step(rng), wx += step(rng);
    truth[t] = {3.5 * t / (n - 1) + wy, -3.0 * t / (n - 1) + wx};
  }
  for (Shift& s : truth) s.dy -= truth[0].dy, s.dx -= truth[0].dx;
  double largest = 0.0;
  for (const Shift& s : truth) largest = std::max(largest, std::hypot(s.dy, s.dx));
  REQUIRE(largest < 6.0);
  // Mean one count per pixel: a third of the signal is flat background, as in a VDF image.
  const auto mean_texture = [&] {
    const auto img = render(blobs, ny, nx, 0.0, 0.0);
    double s = 0.0;
    for (double v : img) s += v;
    return s / img.size();
  }();
  const double scale = (2.0 / 3.0) / mean_texture, background = 1.0 / 3.0;
  std::vector<double> series;
  series.reserve(n * ny * nx);
  std::mt19937 counts(12);
  for (const Shift& s : truth)
    for (double v : render(blobs, ny, nx, s.dy, s.dx)) {
      std::poisson_distribution<int> poisson(background + scale * v);
      series.push_back(poisson(counts));
    }
  for (Reference ref : {Reference::first, Reference::previous, Reference::mean}) {
    const auto got = estimate_drift(series, n, ny, nx, ref, block);
    INFO("reference " << static_cast<int>(ref) << ": rms error " << rms_error_about_offset(got, truth)
                      << " px about the origin offset, " << rms_error(got, truth) << " px raw, max "
                      << max_error(got, truth) << " px; largest drift " << largest << " px");
    CHECK(rms_error_about_offset(got, truth) < 0.2);
    CHECK(rms_error(got, truth) < 0.4);  // the origin offset included; the cascade's is largest
  }
}

// --- direct correlation: the estimator for small scans (direct_correlation.hpp) -------------

namespace {

// Shifts up to 3 px on a 10 x 10 image: the reported case (3 px is 30 % of the image) and
// sub-pixel values in every quadrant, all keeping more than half the image in the overlap.
const std::vector<Shift> kSmallShifts = {{0.0, 0.0},  {3.0, -2.0},  {2.3, -1.7}, {0.5, 0.5},
                                         {-2.6, 1.4}, {-0.25, 1.75}, {1.5, 3.0}, {-3.0, -0.7}};

// The texture with Poisson counts: `counts` electrons per pixel on average, a third of them
// flat background, like a block of VDF images.
std::vector<double> counted(const std::vector<double>& texture, double counts, std::mt19937& rng) {
  double mean = 0.0;
  for (double v : texture) mean += v / texture.size();
  std::vector<double> out(texture.size());
  for (std::size_t p = 0; p < texture.size(); ++p) {
    std::poisson_distribution<int> poisson(counts * (1.0 / 3.0 + (2.0 / 3.0) * texture[p] / mean));
    out[p] = poisson(rng);
  }
  return out;
}

}  // namespace

TEST_CASE("estimate_shift_direct recovers shifts of up to 3 px on a 10 x 10 image", "[registration]") {
  constexpr std::size_t n = 10;
  for (unsigned seed : {21u, 22u, 23u}) {
    const auto blobs = random_texture(n, n, seed);
    const auto reference = render(blobs, n, n, 0.0, 0.0);
    for (const Shift& truth : kSmallShifts) {
      const Shift got =
          ecm::registration::estimate_shift_direct(reference.data(), render(blobs, n, n, truth.dy, truth.dx).data(), n, n);
      INFO("seed " << seed << " truth (" << truth.dy << ", " << truth.dx << ") got (" << got.dy << ", " << got.dx
                   << ") quality " << got.peak_quality);
      // Blobs 1.5-3 px wide are not bilinear between pixels: the sub-pixel fit's model
      // error on them reaches ~0.08 px (on the simulator's data, which are bilinear, it is 0).
      CHECK(std::fabs(got.dy - truth.dy) < 0.1);
      CHECK(std::fabs(got.dx - truth.dx) < 0.1);
      CHECK(got.peak_quality > 5.0);
    }
  }
}

TEST_CASE("estimate_shift_direct stays within 0.2 px rms at 1000 counts per pixel", "[registration]") {
  // 1000 counts per pixel in both images (3 % shot noise): about the noise of a block of
  // VDF images on the reported 10 x 10 scan (2.5 %).
  constexpr std::size_t n = 10;
  std::mt19937 rng(24);
  double sum2 = 0.0;
  std::size_t count = 0;
  for (unsigned seed : {25u, 26u, 27u, 28u}) {
    const auto blobs = random_texture(n, n, seed);
    const auto reference = counted(render(blobs, n, n, 0.0, 0.0), 1000.0, rng);
    for (const Shift& truth : kSmallShifts) {
      const auto image = counted(render(blobs, n, n, truth.dy, truth.dx), 1000.0, rng);
      const Shift got = ecm::registration::estimate_shift_direct(reference.data(), image.data(), n, n);
      INFO("seed " << seed << " truth (" << truth.dy << ", " << truth.dx << ") got (" << got.dy << ", " << got.dx << ")");
      CHECK(std::hypot(got.dy - truth.dy, got.dx - truth.dx) < 0.6);  // never the wrong peak
      sum2 += std::pow(got.dy - truth.dy, 2) + std::pow(got.dx - truth.dx, 2);
      ++count;
    }
  }
  const double rms = std::sqrt(sum2 / count);
  INFO("rms error " << rms << " px over " << count << " pairs");
  CHECK(rms < 0.2);
}

TEST_CASE("estimate_shift_direct: a noise pair rarely reaches the noise maximum, a texture always", "[registration]") {
  // The per-block trust test of `ecm run` compares peak_quality with sqrt(2 ln N), the
  // largest of N unit-variance noise values (N = pixels). For two independent noise
  // images the quality must be on that scale, below it in most pairs.
  constexpr std::size_t n = 10;
  const double noise_max = std::sqrt(2.0 * std::log(double(n * n)));
  std::mt19937 rng(29);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::size_t above = 0;
  constexpr std::size_t pairs = 200;
  for (std::size_t i = 0; i < pairs; ++i) {
    std::vector<double> a(n * n), b(n * n);
    for (double& v : a) v = normal(rng);
    for (double& v : b) v = normal(rng);
    above += ecm::registration::estimate_shift_direct(a.data(), b.data(), n, n).peak_quality >= noise_max;
  }
  INFO(above << " of " << pairs << " noise pairs reach " << noise_max);
  CHECK(above < pairs / 4);
  const auto blobs = random_texture(n, n, 30);
  const auto texture = counted(render(blobs, n, n, 0.0, 0.0), 1000.0, rng);
  const auto moved = counted(render(blobs, n, n, 1.3, -2.4), 1000.0, rng);
  CHECK(ecm::registration::estimate_shift_direct(texture.data(), moved.data(), n, n).peak_quality > 2.0 * noise_max);
}

TEST_CASE("estimate_shift_direct of a constant image is zero with quality zero, and checks its input", "[registration]") {
  constexpr std::size_t n = 10;
  const auto texture = render(random_texture(n, n, 31), n, n, 0.0, 0.0);
  const std::vector<double> constant(n * n, 3.7);
  for (const Shift& s : {ecm::registration::estimate_shift_direct(constant.data(), texture.data(), n, n),
                         ecm::registration::estimate_shift_direct(texture.data(), constant.data(), n, n)}) {
    CHECK(s.dy == 0.0);
    CHECK(s.dx == 0.0);
    CHECK(s.peak_quality == 0.0);
  }
  CHECK_THROWS_AS(ecm::registration::estimate_shift_direct(texture.data(), texture.data(), 3, 3), ecm::InputError);
  auto bad = texture;
  bad[7] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(ecm::registration::estimate_shift_direct(texture.data(), bad.data(), n, n), ecm::InputError);
}

TEST_CASE("small scans are registered by direct correlation, large ones by FFT", "[registration]") {
  using ecm::registration::shift_method_for;
  using ecm::registration::ShiftMethod;
  CHECK(shift_method_for(10, 10) == ShiftMethod::direct);
  CHECK(shift_method_for(19, 64) == ShiftMethod::direct);
  CHECK(shift_method_for(20, 20) == ShiftMethod::fft);  // the existing 20 x 20 end-to-end test
}

TEST_CASE("a 3 px drift on a 10 x 10 scan at 1000 counts per pixel is recovered against the mean", "[registration]") {
  constexpr std::size_t n = 10, n_blocks = 10;
  const auto blobs = random_texture(n, n, 32);
  std::mt19937 rng(33);
  std::vector<double> blocks;
  std::vector<Shift> truth(n_blocks);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    truth[b] = {3.0 * b / (n_blocks - 1), -2.0 * b / (n_blocks - 1)};
    for (double v : counted(render(blobs, n, n, truth[b].dy, truth[b].dx), 1000.0, rng)) blocks.push_back(v);
  }
  const std::vector<double> weights(n_blocks, 1.0);
  const auto got = ecm::registration::estimate_block_shifts(blocks, n_blocks, n, n, Reference::mean, weights);
  INFO("rms error about the mean frame's offset " << rms_error_about_offset(got, truth) << " px");
  CHECK(rms_error_about_offset(got, truth) < 0.1);
  for (const Shift& s : got) CHECK(s.peak_quality > std::sqrt(2.0 * std::log(double(n * n))));
}

TEST_CASE("a drift of 8 px on a 10 x 10 scan is followed against the mean", "[registration]") {
  // (6.4, -4.8) px over 10 blocks. Started from the unaligned mean alone, which is blurred
  // along most of the image, far blocks lock onto wrong peaks (4 of these 20 textures off
  // by 0.5-2.9 px rms); the start from accumulated steps between neighbours follows the
  // drift (worst 0.44 px), and the better-matching start is kept. 5000 counts per pixel:
  // this is about the reach, not the noise.
  constexpr std::size_t n = 10, n_blocks = 10;
  std::mt19937 rng(35);
  for (unsigned seed = 36; seed < 56; ++seed) {
    const auto blobs = random_texture(n, n, seed);
    std::vector<double> blocks;
    std::vector<Shift> truth(n_blocks);
    for (std::size_t b = 0; b < n_blocks; ++b) {
      truth[b] = {6.4 * b / (n_blocks - 1), -4.8 * b / (n_blocks - 1)};
      for (double v : counted(render(blobs, n, n, truth[b].dy, truth[b].dx), 5000.0, rng)) blocks.push_back(v);
    }
    const auto got = ecm::registration::estimate_block_shifts(blocks, n_blocks, n, n, Reference::mean,
                                                             std::vector<double>(n_blocks, 1.0));
    INFO("texture " << seed << ": rms error about the offset " << rms_error_about_offset(got, truth) << " px");
    CHECK(rms_error_about_offset(got, truth) < 0.5);
  }
}

TEST_CASE("blocks of pure noise on a small scan do not match the mean they are part of", "[registration]") {
  // Few blocks: each is 1/6 of the mean, so its own noise correlates with the mean at zero
  // shift (r ~ 1/sqrt(6)) and would pass the per-block test in every block unless each
  // block is left out of its own reference.
  constexpr std::size_t n = 10, n_blocks = 6;
  std::mt19937 rng(34);
  std::poisson_distribution<int> poisson(200.0);
  std::vector<double> blocks(n_blocks * n * n);
  for (double& v : blocks) v = poisson(rng);
  const auto got =
      ecm::registration::estimate_block_shifts(blocks, n_blocks, n, n, Reference::mean, std::vector<double>(n_blocks, 1.0));
  const double noise_max = std::sqrt(2.0 * std::log(double(n * n)));
  std::size_t matched = 0;
  for (const Shift& s : got) matched += s.peak_quality >= noise_max;
  INFO(matched << " of " << n_blocks << " noise blocks reach the noise maximum " << noise_max);
  CHECK(2 * matched < n_blocks);
}
