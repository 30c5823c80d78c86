// The simulator's speckle field: KWW time correlation by circulant embedding, the
// Siegert relation and contrast of the expected intensities, and the speckle size.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "ecm/simulate/field.hpp"
#include "ecm/simulate/frames.hpp"

using namespace ecm::simulate;

TEST_CASE("circulant embedding length is FFT friendly and at least 2T", "[simulate]") {
  CHECK(fft_friendly_size(2000) == 2000);
  CHECK(fft_friendly_size(2001) == 2025);
  CHECK(fft_friendly_size(7) == 8);
  KwwSeriesGenerator gen(1000, 0.25, 1.0);
  CHECK(gen.embedding_length() >= 2000);
  CHECK(gen.length() == 1000);
}

TEST_CASE("KWW series generator reproduces exp(-(lag/tau)^beta)", "[simulate]") {
  // Estimated <w(t) w*(t+lag)> over 1500 draws of 256 samples: the standard error is
  // about 0.005, so 0.025 is a ~5 sigma tolerance; the imaginary part must vanish.
  const std::size_t T = 256, draws = 1500;
  const double dt = 1.0, tau = 10.0;
  const std::vector<std::size_t> lags = {0, 1, 2, 5, 10, 20, 40};
  for (double beta : {0.5, 1.0, 1.5}) {
    KwwSeriesGenerator gen(T, dt, beta);
    Rng rng(42, 1, 2, Purpose::field);
    std::vector<std::complex<double>> w(T);
    std::vector<std::complex<double>> c(lags.size());
    for (std::size_t d = 0; d < draws; ++d) {
      gen.generate(tau, rng, w.data());
      for (std::size_t l = 0; l < lags.size(); ++l) {
        std::complex<double> s = 0;
        for (std::size_t t = 0; t + lags[l] < T; ++t) s += w[t] * std::conj(w[t + lags[l]]);
        c[l] += s / static_cast<double>(T - lags[l]);
      }
    }
    CHECK(gen.cached_spectra() == 1);  // one tau: one spectrum
    for (std::size_t l = 0; l < lags.size(); ++l) {
      const std::complex<double> est = c[l] / static_cast<double>(draws);
      INFO("beta " << beta << " lag " << lags[l] << " estimate " << est.real() << " expected "
                   << kww_g1(lags[l] * dt, tau, beta));
      CHECK(std::fabs(est.real() - kww_g1(lags[l] * dt, tau, beta)) < 0.025);
      CHECK(std::fabs(est.imag()) < 0.025);
    }
  }
}

namespace {

// Small pattern, uniform tau (one sector, no spread), no drift: the setting in which the
// expected intensity of every annulus pixel must obey g2 = 1 + A exp(-2 (t/tau)^beta).
SimConfig uniform_config(double beta) {
  SimConfig c;
  c.scan_y = 2;
  c.scan_x = 2;
  c.cycles = 400;
  c.time_step_s = 1.0;
  c.tau_median_s = 10.0;
  c.sigma_ln_tau = 0.0;
  c.n_sectors = 1;
  c.beta = beta;
  c.contrast = 0.3;
  c.direct_beam = 0.0;
  c.shot_noise = false;
  c.dtype = ecm::h5::DType::f32;
  return c;
}

}  // namespace

TEST_CASE("expected intensities obey Siegert with contrast A (g2 - 1 = A exp(-2 (t/tau)^beta))", "[simulate]") {
  for (double beta : {1.0, 1.5}) {
    const SimConfig cfg = uniform_config(beta);
    FrameGenerator gen(cfg);
    const ecm::ScanTile tile{0, 0, cfg.scan_y, cfg.scan_x};
    std::vector<float> lambda;
    gen.expected(tile, lambda);
    const std::size_t N = cfg.det_y * cfg.det_x, P = tile.positions(), T = cfg.cycles;
    std::vector<float> ring(N), disc(N);
    std::vector<std::uint8_t> annulus(N);
    gen.speckle().envelope(0, ring.data(), disc.data(), annulus.data());
    // <lambda> = I_env exactly, so normalise by the envelope, not by a noisy time mean.
    const std::vector<std::size_t> lags = {0, 2, 5, 10, 20, 40};
    std::vector<double> g2(lags.size(), 0.0), n(lags.size(), 0.0);
    double mean = 0, count = 0;
    for (std::size_t pos = 0; pos < P; ++pos)
      for (std::size_t p = 0; p < N; ++p) {
        if (!annulus[p]) continue;
        const double inv = 1.0 / ring[p];
        for (std::size_t t = 0; t < T; ++t) {
          mean += lambda[(t * P + pos) * N + p] * inv;
          count += 1;
        }
        for (std::size_t l = 0; l < lags.size(); ++l)
          for (std::size_t t = 0; t + lags[l] < T; ++t) {
            g2[l] += lambda[(t * P + pos) * N + p] * inv * lambda[((t + lags[l]) * P + pos) * N + p] * inv;
            n[l] += 1;
          }
      }
    CHECK(mean / count == Approx(1.0).margin(0.02));
    // About 300 independent speckles x 40 relaxation times: standard error ~0.003.
    for (std::size_t l = 0; l < lags.size(); ++l) {
      const double expected = 1.0 + cfg.contrast * std::exp(-2.0 * std::pow(lags[l] / cfg.tau_median_s, beta));
      INFO("beta " << beta << " lag " << lags[l]);
      CHECK(g2[l] / n[l] == Approx(expected).margin(0.015));
    }
  }
}

TEST_CASE("intensity speckles have FWHM k_c", "[simulate]") {
  // Spatial autocorrelation of |E|^2 along detector rows, over annulus pixels: a Gaussian
  // of std s = k_c / (2.355 dk), i.e. half maximum at s * sqrt(2 ln 2) = FWHM / 2.
  SimConfig cfg = uniform_config(1.0);
  cfg.cycles = 60;
  cfg.contrast = 1.0;  // lambda = I_env |E|^2: the speckle itself
  FrameGenerator gen(cfg);
  std::vector<float> lambda;
  gen.expected({0, 0, cfg.scan_y, cfg.scan_x}, lambda);
  const std::size_t N = cfg.det_y * cfg.det_x, P = 4, DX = cfg.det_x;
  std::vector<float> ring(N), disc(N);
  std::vector<std::uint8_t> annulus(N);
  gen.speckle().envelope(0, ring.data(), disc.data(), annulus.data());
  std::vector<double> c(6, 0.0), n(6, 0.0);
  for (std::size_t f = 0; f < cfg.cycles * P; f += 5)  // frames 5 cycles apart: fresh speckle
    for (std::size_t p = 0; p < N; ++p)
      for (std::size_t d = 0; d < c.size(); ++d) {
        const std::size_t q = p + d;
        if (p % DX + d >= DX || !annulus[p] || !annulus[q]) continue;
        c[d] += (lambda[f * N + p] / ring[p] - 1.0) * (lambda[f * N + q] / ring[q] - 1.0);
        n[d] += 1;
      }
  double half = -1;
  for (std::size_t d = 1; d < c.size(); ++d) {
    const double a = c[d - 1] / n[d - 1] / (c[0] / n[0]), b = c[d] / n[d] / (c[0] / n[0]);
    if (a >= 0.5 && b < 0.5) {
      half = static_cast<double>(d - 1) + (a - 0.5) / (a - b);
      break;
    }
  }
  const double fwhm_px = cfg.convergence / cfg.k_pixel_size;
  INFO("measured speckle FWHM " << 2 * half << " px, k_c = " << fwhm_px << " px");
  // Linear interpolation between integer lags and finite sampling: 12 % tolerance.
  CHECK(2 * half == Approx(fwhm_px).epsilon(0.12));
}
