// The beam centre and ellipticity from the first ring (registration/ring_fit), the direct
// beam's trust test (engine/beam_center) and the polar map that follows an ellipse, on
// patterns made here with Poisson counts: a Gaussian ring on a sloping background whose
// undistorted radius is computed in the ellipse's own axes (not through the fit's
// parameterisation).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/beam_center.hpp"
#include "ecm/kernels/polar_map.hpp"
#include "ecm/registration/ring_fit.hpp"

using namespace ecm;

namespace {

struct Ring {
  std::size_t ny = 64, nx = 64;
  double cy = 31.3, cx = 29.8;
  double radius = 18.0, width = 2.5;  // [px]
  double e = 0.0, angle_deg = 0.0;    // axis ratio - 1, major-axis direction
  // Expected counts of a mean pattern (a sum of some 10^4 frames at a few e/px).
  double peak = 4e4, background = 8e3, disc = 0.0, disc_radius = 3.0;
  std::uint64_t seed = 7;

  // Radius of (y, x) undone from the ellipse: components along and across the major axis,
  // the one along it shrunk by sqrt(1+e), the one across stretched.
  double undistorted(double y, double x) const {
    const double a = angle_deg * kPi / 180.0, s = std::sqrt(1.0 + e);
    const double dy = y - cy, dx = x - cx;
    const double along = dx * std::cos(a) + dy * std::sin(a), across = -dx * std::sin(a) + dy * std::cos(a);
    return std::hypot(along / s, across * s);
  }
  std::vector<double> pattern() const {
    std::mt19937_64 rng(seed);
    std::vector<double> p(ny * nx);
    for (std::size_t y = 0; y < ny; ++y)
      for (std::size_t x = 0; x < nx; ++x) {
        const double rho = undistorted(double(y), double(x)), u = (rho - radius) / width;
        double lambda = background * (1.0 - 0.3 * (rho - radius) / radius) + peak * std::exp(-0.5 * u * u);
        lambda += disc * std::clamp(disc_radius + 0.5 - rho, 0.0, 1.0);  // anti-aliased edge
        p[y * nx + x] = double(std::poisson_distribution<int>(std::max(lambda, 0.0))(rng));
      }
    return p;
  }
  registration::RingFitOptions options(double guess_dy = 1.5, double guess_dx = -2.0) const {
    registration::RingFitOptions o;
    o.center_guess = {cy + guess_dy, cx + guess_dx};
    o.r_lo = 10.0;
    o.r_hi = 27.0;
    return o;
  }
};

double angle_difference_deg(double a_rad, double b_deg) {
  double d = std::fmod(a_rad * 180.0 / kPi - b_deg + 360.0, 180.0);
  return std::min(d, 180.0 - d);
}

}  // namespace

TEST_CASE("a ring's centre and ellipticity are fitted without a direct beam", "[ring]") {
  for (double angle : {0.0, 30.0, 100.0, 155.0}) {
    Ring ring;
    ring.e = 0.02;
    ring.angle_deg = angle;
    const auto fit = registration::fit_ring(ring.pattern(), {}, ring.ny, ring.nx, ring.options());
    INFO("angle " << angle << ": " << fit.why << " centre " << fit.center[0] << "," << fit.center[1] << " e "
                  << fit.ellipse.e << " +- " << fit.sigma_e << " at " << fit.ellipse.angle * 180 / kPi);
    REQUIRE(fit.ok);
    CHECK(std::fabs(fit.center[0] - ring.cy) < 0.03);
    CHECK(std::fabs(fit.center[1] - ring.cx) < 0.03);
    CHECK(fit.ellipse.e == Approx(0.02).margin(0.001));
    CHECK(angle_difference_deg(fit.ellipse.angle, angle) < 2.0);
    CHECK(fit.radius == Approx(ring.radius).margin(0.05));
    CHECK(fit.significance > 100);
  }
}

TEST_CASE("a circular ring fits a circle, and a held ellipse stays held", "[ring]") {
  Ring ring;
  const auto fit = registration::fit_ring(ring.pattern(), {}, ring.ny, ring.nx, ring.options());
  REQUIRE(fit.ok);
  CHECK(fit.ellipse.e < 0.002);
  CHECK(std::hypot(fit.center[0] - ring.cy, fit.center[1] - ring.cx) < 0.03);

  ring.e = 0.03;
  ring.angle_deg = 60;
  auto o = ring.options();
  o.fit_ellipse = false;
  o.ellipse = {0.03, 60.0 * kPi / 180.0};
  const auto held = registration::fit_ring(ring.pattern(), {}, ring.ny, ring.nx, o);
  REQUIRE(held.ok);
  CHECK(held.ellipse.e == 0.03);
  CHECK(held.sigma_e == 0.0);
  CHECK(std::hypot(held.center[0] - ring.cy, held.center[1] - ring.cx) < 0.03);
}

TEST_CASE("the ring fit leaves out a beam-stop arm and masked pixels", "[ring]") {
  Ring ring;
  auto pattern = ring.pattern();
  // An opaque arm 3 px wide from the centre to the right edge, not masked: the robust pass
  // drops it. Then a block of pixels masked (NaN in the pattern must be skipped too).
  for (std::size_t y = 0; y < ring.ny; ++y)
    for (std::size_t x = 0; x < ring.nx; ++x)
      if (std::fabs(double(y) - ring.cy) < 1.5 && double(x) > ring.cx) pattern[y * ring.nx + x] = 0.0;
  std::vector<float> mask(pattern.size(), 0.0f);
  for (std::size_t y = 5; y < 20; ++y)
    for (std::size_t x = 5; x < 25; ++x) mask[y * ring.nx + x] = 1.0f, pattern[y * ring.nx + x] = NAN;
  const auto fit = registration::fit_ring(pattern, mask, ring.ny, ring.nx, ring.options());
  INFO(fit.why << " centre " << fit.center[0] << "," << fit.center[1]);
  REQUIRE(fit.ok);
  CHECK(std::hypot(fit.center[0] - ring.cy, fit.center[1] - ring.cx) < 0.05);
}

TEST_CASE("noise without a ring is not a ring", "[ring]") {
  Ring flat;
  flat.peak = 0.0;
  const auto fit = registration::fit_ring(flat.pattern(), {}, flat.ny, flat.nx, flat.options());
  INFO(fit.why << " significance " << fit.significance);
  CHECK((!fit.ok || fit.significance < 10));
}

TEST_CASE("the direct beam is trusted only where it stands out inside the ring", "[ring]") {
  const engine::RingAnnulus annulus{10.0, 27.0};
  Ring beam;
  beam.disc = 4e5;
  const auto c = engine::direct_beam_center(beam.pattern(), {}, beam.ny, beam.nx, annulus);
  REQUIRE(c.has_value());
  CHECK(std::hypot((*c)[0] - beam.cy, (*c)[1] - beam.cx) < 0.1);

  // No direct beam: the brightest pixels are the ring's; nothing is returned.
  Ring no_beam;
  CHECK_FALSE(engine::direct_beam_center(no_beam.pattern(), {}, no_beam.ny, no_beam.nx, annulus).has_value());
  // One hot pixel in the hole is not a beam, nor is one bright speckle on the ring.
  auto hot = no_beam.pattern();
  hot[32 * no_beam.nx + 30] = 5e6;
  CHECK_FALSE(engine::direct_beam_center(hot, {}, no_beam.ny, no_beam.nx, annulus).has_value());
  auto speckle = no_beam.pattern();
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) speckle[std::size_t(31 + dy) * no_beam.nx + std::size_t(48 + dx)] = 2e6;
  CHECK_FALSE(engine::direct_beam_center(speckle, {}, no_beam.ny, no_beam.nx, annulus).has_value());
  // A saturated (flat-topped) beam is still a beam, centred.
  auto saturated = beam.pattern();
  for (auto& v : saturated) v = std::min(v, 2e5);
  const auto s = engine::direct_beam_center(saturated, {}, beam.ny, beam.nx, annulus);
  REQUIRE(s.has_value());
  CHECK(std::hypot((*s)[0] - beam.cy, (*s)[1] - beam.cx) < 0.15);
}

TEST_CASE("a polar map follows an elliptical ring", "[polar][ring]") {
  const PolarGrid grid{0.2, 0.54, 17, 36};  // 0.02 1/A = 1 px per k_r bin at dk 0.02
  const double dk = 0.02;
  Ring ring;
  ring.e = 0.03;
  ring.angle_deg = 40;
  ring.background = 0.0;
  // Noise-free expected counts.
  std::vector<float> frame(ring.ny * ring.nx);
  for (std::size_t y = 0; y < ring.ny; ++y)
    for (std::size_t x = 0; x < ring.nx; ++x) {
      const double u = (ring.undistorted(double(y), double(x)) - ring.radius) / ring.width;
      frame[y * ring.nx + x] = float(100.0 * std::exp(-0.5 * u * u));
    }
  // The k_r bin of the ring's peak, per k_phi: one bin everywhere when the map follows the
  // ellipse; spread over bins (the radius varies by 3 % = 0.54 px) when it does not.
  const auto peak_bins = [&](const Ellipticity& e) {
    const auto map = polar::build_polar_map(grid, dk, {ring.cy, ring.cx}, ring.ny, ring.nx, 8, {}, e);
    std::vector<double> area = map.bin_area(), profile_var;
    std::vector<double> ring_k(grid.n_kphi);
    for (int j = 0; j < grid.n_kphi; ++j) {
      double sum = 0, sum_k = 0;
      for (int i = 0; i < grid.n_kr; ++i) {
        double v = 0;
        const int b = i * grid.n_kphi + j;
        for (auto n = map.row_offsets[b]; n < map.row_offsets[b + 1]; ++n) v += map.weights[n] * frame[map.pixels[n]];
        v /= area[b];
        sum += v, sum_k += v * grid.kr_center(i);
      }
      ring_k[j] = sum_k / sum;  // intensity-weighted mean k of the ring in this k_phi bin
    }
    double lo = 1e9, hi = -1e9;
    for (double k : ring_k) lo = std::min(lo, k), hi = std::max(hi, k);
    return (hi - lo) / dk;  // in px
  };
  const double followed = peak_bins({0.03, 40.0 * kPi / 180.0});
  const double circular = peak_bins({});
  INFO("spread of the ring's mean radius over k_phi: ellipse " << followed << " px, circle " << circular << " px");
  CHECK(circular > 0.4);
  CHECK(followed < 0.05);

  // No ellipse is the circular map, entry for entry.
  const auto a = polar::build_polar_map(grid, dk, {ring.cy, ring.cx}, ring.ny, ring.nx, 8, {});
  const auto b = polar::build_polar_map(grid, dk, {ring.cy, ring.cx}, ring.ny, ring.nx, 8, {}, Ellipticity{});
  CHECK(a.pixels == b.pixels);
  CHECK(a.weights == b.weights);
  // The stretched strip must fit on the detector along the major axis.
  CHECK_THROWS(polar::build_polar_map(PolarGrid{0.2, 0.62, 4, 36}, dk, {31.5, 31.5}, 64, 64, 4, {},
                                      Ellipticity{0.1, 0.0}));
  CHECK_NOTHROW(polar::build_polar_map(PolarGrid{0.2, 0.62, 4, 36}, dk, {31.5, 31.5}, 64, 64, 4, {}));
}

TEST_CASE("ellipses of several blocks combine by their uncertainties", "[ring]") {
  // Four rings of the same 2 % ellipse, each with its own centre and noise: the combined
  // estimate is as close as the best and tighter than each.
  std::vector<registration::RingFit> fits;
  for (std::uint64_t seed : {11, 12, 13, 14}) {
    Ring ring;
    ring.e = 0.02;
    ring.angle_deg = 70;
    ring.peak = 4e3, ring.background = 8e2;  // a block's worth of counts
    ring.cy += 0.3 * double(seed - 11), ring.cx -= 0.2 * double(seed - 11);
    ring.seed = seed;
    fits.push_back(registration::fit_ring(ring.pattern(), {}, ring.ny, ring.nx, ring.options()));
    REQUIRE(fits.back().ok);
  }
  registration::RingFit held;  // held or failed fits do not count
  fits.push_back(held);
  const auto combined = registration::combine_ellipses(fits);
  CHECK(combined.fits == 4);
  CHECK(combined.ellipse.e == Approx(0.02).margin(0.001));
  CHECK(angle_difference_deg(combined.ellipse.angle, 70.0) < 2.0);
  for (std::size_t i = 0; i < 4; ++i) CHECK(combined.sigma_e < fits[i].sigma_e);
  CHECK(combined.sigma_e > 0.4 * fits[0].sigma_e);  // four blocks: about half of one
}
