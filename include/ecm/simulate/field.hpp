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

// Material time [s] of the aging model at time t_s of a run of run_s seconds in which every
// relaxation time grows linearly by `factor` F: tau(t) = tau0 (1 + (F - 1) t / run_s), and
//   u(t) = int_0^t tau0 / tau(t') dt' = run_s / (F - 1) ln(1 + (F - 1) t / run_s)   (u = t for F = 1).
double aging_material_time(double t_s, double run_s, double factor);

// Complex Gaussian series that relaxes exponentially in material time (aging, beta = 1):
//   <w(t1) w*(t2)> = exp(-|u(t1) - u(t2)| / tau0),   <|w|^2> = 1,
// so the local relaxation time at t is tau(t) above. A Gaussian process with this
// correlation is Markov, so it is generated exactly, sample by sample, as AR(1) with a
// time-varying coefficient:
//   w_0 ~ CN(0, 1),   w_{i+1} = rho_i w_i + sqrt(1 - rho_i^2) xi_i,   rho_i = exp(-(u_{i+1} - u_i) / tau0),
// xi_i ~ CN(0, 1): the products of rho_i along a path give exp(-(u_j - u_i)/tau0) and the
// variance stays 1. One complex normal per sample is drawn from the stream.
class AgingSeriesGenerator {
 public:
  // Samples i = 0..n-1 at t = i * time_step_s of a run lasting n * time_step_s.
  AgingSeriesGenerator(std::size_t n_samples, double time_step_s, double aging_factor);

  std::size_t length() const { return u_.size(); }
  const std::vector<double>& material_time() const { return u_; }  // u(t_i) [s]

  void generate(double tau0_s, Rng& rng, float* out_re, float* out_im, std::size_t stride);
  void generate(double tau0_s, Rng& rng, std::complex<double>* out);

 private:
  const std::vector<double>& coefficients(double tau0_s);  // rho_i, cached for the last tau0

  std::vector<double> u_;
  std::vector<double> rho_;
  double rho_tau_ = -1.0;
};

}  // namespace ecm::simulate
