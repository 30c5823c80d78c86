#include "ecm/simulate/pattern.hpp"

#include <algorithm>
#include <cmath>

#include "ecm/core/geometry.hpp"

namespace ecm::simulate {

namespace {

// Field kernel std in px: intensity speckles (|E|^2) then have FWHM 2.355 s = k_c.
double speckle_sigma(const SimConfig& cfg) { return cfg.convergence / (2.0 * std::sqrt(2.0 * std::log(2.0)) * cfg.k_pixel_size); }
int half_width(double s) { return std::max(1, static_cast<int>(std::ceil(3.0 * s))); }

// Integer part of the beam-centre shift over the run, per axis: [min, max].
void shift_range(const std::vector<double>& centre, double c0, long& lo, long& hi) {
  lo = hi = 0;
  for (double c : centre) {
    const long i = static_cast<long>(std::floor(c - c0));
    lo = std::min(lo, i);
    hi = std::max(hi, i);
  }
}

}  // namespace

SpeckleSynth::SpeckleSynth(const SimConfig& cfg, const Tracks& tracks)
    : cfg_(cfg), tracks_(tracks), det_y_(cfg.det_y), det_x_(cfg.det_x), cy0_(cfg.center0_y()), cx0_(cfg.center0_x()) {
  r_peak_ = cfg.k_peak / cfg.k_pixel_size;
  sigma_r_ = cfg.ring_width / cfg.k_pixel_size;
  r_lo_ = std::max(0.0, r_peak_ - 4.0 * sigma_r_);
  r_hi_ = r_peak_ + 4.0 * sigma_r_;
  r_disc_ = cfg.convergence / cfg.k_pixel_size;
  s_ = speckle_sigma(cfg);
  H_ = half_width(s_);
  b_ = 1.0 - std::sqrt(cfg.contrast);

  // Lattice box: every lattice point any detector pixel's kernel reaches at any cycle.
  long ylo, yhi, xlo, xhi;
  shift_range(tracks_.center_y, cy0_, ylo, yhi);
  shift_range(tracks_.center_x, cx0_, xlo, xhi);
  oy_ = -yhi - H_ - 1;
  ox_ = -xhi - H_ - 1;
  by_ = det_y_ + static_cast<std::size_t>(yhi - ylo) + 2 * H_ + 1;
  bx_ = det_x_ + static_cast<std::size_t>(xhi - xlo) + 2 * H_ + 1;

  // Field points: lattice points within the kernel reach of the speckle annulus.
  const double margin = (H_ + 1) * std::sqrt(2.0) + 0.5;
  const double rho_lo = std::max(0.0, r_lo_ - margin), rho_hi = r_hi_ + margin;
  for (std::size_t iy = 0; iy < by_; ++iy)
    for (std::size_t ix = 0; ix < bx_; ++ix) {
      const double ky = static_cast<double>(oy_ + static_cast<long>(iy)) - cy0_;
      const double kx = static_cast<double>(ox_ + static_cast<long>(ix)) - cx0_;
      const double rho = std::hypot(ky, kx);
      if (rho < rho_lo || rho > rho_hi) continue;
      points_.push_back({iy * bx_ + ix, sector_of(polar_angle(ky, kx), cfg.n_sectors), rho});
    }
  wr_.assign(cfg.cycles * by_ * bx_, 0.0f);
  wi_.assign(cfg.cycles * by_ * bx_, 0.0f);
  e1r_.resize((det_y_ + 2 * H_ + 1) * det_x_);
  e1i_.resize(e1r_.size());
  // The stationary path stays exactly what it was (same draws, same bits) when F = 1.
  if (cfg.aging_factor == 1.0)
    gen_ = std::make_unique<KwwSeriesGenerator>(cfg.cycles, cfg.time_step_s, cfg.beta);
  else
    aging_ = std::make_unique<AgingSeriesGenerator>(cfg.cycles, cfg.time_step_s, cfg.aging_factor);
}

double SpeckleSynth::point_tau(double radius_px, int sector, const double* tau_by_sector) const {
  const double tau = tau_by_sector[sector];
  if (cfg_.kr_exponent == 0.0) return tau;
  const double k = std::max(radius_px, 0.5) * cfg_.k_pixel_size;
  return tau * std::pow(k / cfg_.k_peak, cfg_.kr_exponent);
}

void SpeckleSynth::load_sample(std::uint64_t seed, long py, long px, const double* tau_by_sector) {
  Rng rng(seed, py, px, Purpose::field);
  if (gen_) gen_->clear_cache();  // spectra are shared only within one position (its few distinct taus)
  const std::size_t stride = by_ * bx_, T = cfg_.cycles;
  // Series are generated in batches of neighbouring points and transposed into the
  // (t, y, x) layout batch by batch: writing each series straight into it would touch
  // one cache line per sample.
  constexpr std::size_t batch = 16;
  batch_re_.resize(batch * T);
  batch_im_.resize(batch * T);
  for (std::size_t first = 0; first < points_.size(); first += batch) {
    const std::size_t nb = std::min(batch, points_.size() - first);
    for (std::size_t b = 0; b < nb; ++b) {
      const Point& p = points_[first + b];
      const double tau = point_tau(p.radius_px, p.sector, tau_by_sector);
      if (gen_)
        gen_->generate(tau, rng, &batch_re_[b * T], &batch_im_[b * T], 1);
      else
        aging_->generate(tau, rng, &batch_re_[b * T], &batch_im_[b * T], 1);
    }
    for (std::size_t t = 0; t < T; ++t) {
      float* wr = &wr_[t * stride];
      float* wi = &wi_[t * stride];
      for (std::size_t b = 0; b < nb; ++b) {
        wr[points_[first + b].index] = batch_re_[b * T + t];
        wi[points_[first + b].index] = batch_im_[b * T + t];
      }
    }
  }
}

void SpeckleSynth::kernel(double frac, std::vector<float>& h) const {
  h.resize(2 * H_ + 2);
  double sum2 = 0;
  std::vector<double> g(h.size());
  for (int q = 0; q < 2 * H_ + 2; ++q) {
    const double u = (q - H_) - frac;
    g[q] = std::exp(-0.5 * u * u / (s_ * s_));
    sum2 += g[q] * g[q];
  }
  // Normalised per shift so that <|E|^2> = 1 exactly at every sub-pixel offset.
  for (std::size_t q = 0; q < g.size(); ++q) h[q] = static_cast<float>(g[q] / std::sqrt(sum2));
}

void SpeckleSynth::intensity(std::size_t t, float* out) {
  // Pixel i sees lattice rows m = i - Iy - d with weight h(d - fy), d = -H..H+1.
  const double dy = tracks_.center_y[t] - cy0_, dx = tracks_.center_x[t] - cx0_;
  const long Iy = static_cast<long>(std::floor(dy)), Ix = static_cast<long>(std::floor(dx));
  kernel(dy - static_cast<double>(Iy), hy_);
  kernel(dx - static_cast<double>(Ix), hx_);
  const std::size_t taps = hx_.size(), nx = det_x_;
  const std::size_t rows = det_y_ + 2 * H_ + 1;
  const long m0 = -Iy - H_ - 1;
  const float* wr_t = &wr_[t * by_ * bx_];
  const float* wi_t = &wi_[t * by_ * bx_];
  // Pass 1 (along x) for every lattice row the detector reaches at this cycle.
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t row = static_cast<std::size_t>(m0 + static_cast<long>(r) - oy_);
    float* er = &e1r_[r * nx];
    float* ei = &e1i_[r * nx];
    std::fill(er, er + nx, 0.0f);
    std::fill(ei, ei + nx, 0.0f);
    for (std::size_t q = 0; q < taps; ++q) {
      const long d = static_cast<long>(q) - H_;
      const std::size_t col = static_cast<std::size_t>(-Ix - d - ox_);
      const float* sr = wr_t + row * bx_ + col;
      const float* si = wi_t + row * bx_ + col;
      const float h = hx_[q];
      for (std::size_t j = 0; j < nx; ++j) {
        er[j] += h * sr[j];
        ei[j] += h * si[j];
      }
    }
  }
  // Pass 2 (along y) and |E|^2.
  std::vector<float> ar(nx), ai(nx);
  for (std::size_t i = 0; i < det_y_; ++i) {
    std::fill(ar.begin(), ar.end(), 0.0f);
    std::fill(ai.begin(), ai.end(), 0.0f);
    for (std::size_t q = 0; q < taps; ++q) {
      const std::size_t r = i + 2 * H_ + 1 - q;  // row index of m = i - Iy - (q - H)
      const float* er = &e1r_[r * nx];
      const float* ei = &e1i_[r * nx];
      const float h = hy_[q];
      for (std::size_t j = 0; j < nx; ++j) {
        ar[j] += h * er[j];
        ai[j] += h * ei[j];
      }
    }
    float* o = out + i * nx;
    for (std::size_t j = 0; j < nx; ++j) o[j] = ar[j] * ar[j] + ai[j] * ai[j];
  }
}

void SpeckleSynth::envelope(std::size_t t, float* ring, float* disc, std::uint8_t* annulus) const {
  const double cy = tracks_.center_y[t], cx = tracks_.center_x[t];
  const double norm = cfg_.dose / (1.0 + cfg_.background);
  for (std::size_t i = 0; i < det_y_; ++i)
    for (std::size_t j = 0; j < det_x_; ++j) {
      const std::size_t p = i * det_x_ + j;
      const double r = std::hypot(static_cast<double>(i) - cy, static_cast<double>(j) - cx);
      const double u = (r - r_peak_) / sigma_r_;
      ring[p] = static_cast<float>(norm * (std::exp(-0.5 * u * u) + cfg_.background));
      // Anti-aliased edge: the disc's covered fraction of the pixel, to first order.
      disc[p] = static_cast<float>(cfg_.direct_beam * std::clamp(r_disc_ + 0.5 - r, 0.0, 1.0));
      annulus[p] = (r >= r_lo_ && r <= r_hi_) ? 1 : 0;
    }
}

}  // namespace ecm::simulate
