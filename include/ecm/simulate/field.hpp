#pragma once
// Complex Gaussian time series with a KWW (stretched-exponential) field correlation,
//   <w(t) w*(t + D)> = exp(-(D * dt / tau)^beta),   <|w|^2> = 1,
// generated exactly by circulant embedding (Dietrich & Newsam; Wood & Chan): the
// symmetric correlation sequence of length M >= 2T is diagonalised by the FFT, its
// eigenvalues (negative ones clamped to 0) give the spectrum, and the first T samples of
// IFFT(sqrt(lambda/M) * complex white noise) have exactly that covariance. |w|^2 of such a
// field obeys the Siegert relation g2 = 1 + |g1|^2.
#include <fftw3.h>

#include <complex>
#include <cstddef>
#include <map>
#include <vector>

#include "ecm/simulate/rng.hpp"

namespace ecm::simulate {

// exp(-(lag_s / tau_s)^beta): the field correlation g1 the generator reproduces.
double kww_g1(double lag_s, double tau_s, double beta);

class KwwSeriesGenerator {
 public:
  KwwSeriesGenerator(std::size_t n_samples, double time_step_s, double beta);
  ~KwwSeriesGenerator();
  KwwSeriesGenerator(const KwwSeriesGenerator&) = delete;
  KwwSeriesGenerator& operator=(const KwwSeriesGenerator&) = delete;

  std::size_t length() const { return n_; }
  std::size_t embedding_length() const { return m_; }

  // One series for relaxation time tau_s: draws M complex normals from rng, writes
  // out_re[i * stride], out_im[i * stride] for i < T (single precision is plenty for a
  // field that is squared into intensities).
  void generate(double tau_s, Rng& rng, float* out_re, float* out_im, std::size_t stride);
  void generate(double tau_s, Rng& rng, std::complex<double>* out);

  // Spectra are cached per distinct tau; drop them when a new sample position starts.
  void clear_cache() { cache_.clear(); }
  std::size_t cached_spectra() const { return cache_.size(); }

  // sqrt(max(eigenvalue, 0) / M) of the circulant embedding for tau_s (cached).
  const std::vector<double>& amplitudes(double tau_s);

 private:
  void transform(double tau_s, Rng& rng);  // leaves the series in buf_[0..T)

  std::size_t n_ = 0, m_ = 0;
  double dt_ = 0, beta_ = 0;
  fftw_complex* buf_ = nullptr;
  fftw_plan plan_ = nullptr;
  std::map<double, std::vector<double>> cache_;
};

// Smallest 2^a 3^b 5^c >= n (FFT-friendly embedding length).
std::size_t fft_friendly_size(std::size_t n);

}  // namespace ecm::simulate
