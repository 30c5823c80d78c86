#include "ecm/simulate/field.hpp"

#include <cmath>
#include <new>
#include <algorithm>

#include "ecm/core/error.hpp"

namespace ecm::simulate {

double kww_g1(double lag_s, double tau_s, double beta) { return std::exp(-std::pow(std::fabs(lag_s) / tau_s, beta)); }

std::size_t fft_friendly_size(std::size_t n) {
  for (std::size_t m = n > 1 ? n : 1;; ++m) {
    std::size_t r = m;
    for (std::size_t f : {2, 3, 5})
      while (r % f == 0) r /= f;
    if (r == 1) return m;
  }
}

KwwSeriesGenerator::KwwSeriesGenerator(std::size_t n_samples, double time_step_s, double beta)
    : n_(n_samples), m_(fft_friendly_size(2 * n_samples)), dt_(time_step_s), beta_(beta) {
  if (n_ < 1 || !(dt_ > 0) || !(beta_ > 0)) throw InputError("KWW series generator: bad length, time step or beta");
  buf_ = static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * m_));
  if (!buf_) throw std::bad_alloc();
  // In-place backward transform; FFTW_ESTIMATE keeps planning cheap and deterministic.
  plan_ = fftw_plan_dft_1d(static_cast<int>(m_), buf_, buf_, FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!plan_) {
    fftw_free(buf_);
    throw Error("FFTW could not plan a transform of length " + std::to_string(m_));
  }
}

KwwSeriesGenerator::~KwwSeriesGenerator() {
  if (plan_) fftw_destroy_plan(plan_);
  if (buf_) fftw_free(buf_);
}

const std::vector<double>& KwwSeriesGenerator::amplitudes(double tau_s) {
  auto it = cache_.find(tau_s);
  if (it != cache_.end()) return it->second;
  // First row of the circulant: r_j = c(min(j, M - j)), symmetric, so its DFT is real.
  for (std::size_t j = 0; j < m_; ++j) {
    const std::size_t lag = j <= m_ / 2 ? j : m_ - j;
    buf_[j][0] = kww_g1(static_cast<double>(lag) * dt_, tau_s, beta_);
    buf_[j][1] = 0.0;
  }
  fftw_execute(plan_);
  std::vector<double> amp(m_);
  const double inv_m = 1.0 / static_cast<double>(m_);
  // Negative eigenvalues (only for beta > 1 and tau comparable to M dt) are clamped.
  for (std::size_t k = 0; k < m_; ++k) amp[k] = std::sqrt(std::max(buf_[k][0], 0.0) * inv_m);
  return cache_.emplace(tau_s, std::move(amp)).first->second;
}

void KwwSeriesGenerator::transform(double tau_s, Rng& rng) {
  const std::vector<double>& amp = amplitudes(tau_s);
  for (std::size_t k = 0; k < m_; ++k) {
    const std::complex<double> z = rng.complex_normal();
    buf_[k][0] = amp[k] * z.real();
    buf_[k][1] = amp[k] * z.imag();
  }
  fftw_execute(plan_);
}

void KwwSeriesGenerator::generate(double tau_s, Rng& rng, float* out_re, float* out_im, std::size_t stride) {
  transform(tau_s, rng);
  for (std::size_t i = 0; i < n_; ++i) {
    out_re[i * stride] = static_cast<float>(buf_[i][0]);
    out_im[i * stride] = static_cast<float>(buf_[i][1]);
  }
}

void KwwSeriesGenerator::generate(double tau_s, Rng& rng, std::complex<double>* out) {
  transform(tau_s, rng);
  for (std::size_t i = 0; i < n_; ++i) out[i] = {buf_[i][0], buf_[i][1]};
}

double aging_material_time(double t_s, double run_s, double factor) {
  if (factor == 1.0) return t_s;
  const double a = (factor - 1.0) / run_s;
  return std::log1p(a * t_s) / a;  // log1p: exact as F -> 1
}

AgingSeriesGenerator::AgingSeriesGenerator(std::size_t n_samples, double time_step_s, double aging_factor) {
  if (n_samples < 1 || !(time_step_s > 0) || !(aging_factor > 0))
    throw InputError("aging series generator: bad length, time step or aging factor");
  const double run_s = static_cast<double>(n_samples) * time_step_s;
  u_.resize(n_samples);
  for (std::size_t i = 0; i < n_samples; ++i)
    u_[i] = aging_material_time(static_cast<double>(i) * time_step_s, run_s, aging_factor);
}

const std::vector<double>& AgingSeriesGenerator::coefficients(double tau0_s) {
  // Points of one sample position share few distinct taus (one per sector), and they are
  // generated sector-interleaved; recomputing T exponentials per series is still cheap
  // next to the T complex normals drawn.
  if (tau0_s != rho_tau_) {
    rho_.resize(u_.size());
    for (std::size_t i = 0; i + 1 < u_.size(); ++i) rho_[i] = std::exp(-(u_[i + 1] - u_[i]) / tau0_s);
    rho_tau_ = tau0_s;
  }
  return rho_;
}

namespace {
// The AR(1) recursion; store(i, w) receives sample i.
template <class Store>
void ar1_series(const std::vector<double>& rho, std::size_t n, Rng& rng, Store&& store) {
  std::complex<double> w = rng.complex_normal();
  store(0, w);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    w = rho[i] * w + std::sqrt(std::max(0.0, 1.0 - rho[i] * rho[i])) * rng.complex_normal();
    store(i + 1, w);
  }
}
}  // namespace

void AgingSeriesGenerator::generate(double tau0_s, Rng& rng, std::complex<double>* out) {
  if (!(tau0_s > 0)) throw InputError("aging series generator: tau must be positive");
  ar1_series(coefficients(tau0_s), u_.size(), rng, [out](std::size_t i, std::complex<double> w) { out[i] = w; });
}

void AgingSeriesGenerator::generate(double tau0_s, Rng& rng, float* out_re, float* out_im, std::size_t stride) {
  if (!(tau0_s > 0)) throw InputError("aging series generator: tau must be positive");
  ar1_series(coefficients(tau0_s), u_.size(), rng, [=](std::size_t i, std::complex<double> w) {
    out_re[i * stride] = static_cast<float>(w.real());
    out_im[i * stride] = static_cast<float>(w.imag());
  });
}

}  // namespace ecm::simulate
