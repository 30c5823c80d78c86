#include "ecm/simulate/pattern.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ecm/core/error.hpp"
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
    : cfg_(cfg),
      tracks_(tracks),
      undistortion_(projector_undistortion(cfg)),
      det_y_(cfg.det_y),
      det_x_(cfg.det_x),
      cy0_(cfg.center0_y()),
      cx0_(cfg.center0_x()) {
  r_peak_ = cfg.k_peak / cfg.k_pixel_size;
  sigma_r_ = cfg.ring_width / cfg.k_pixel_size;
  r_lo_ = std::max(0.0, r_peak_ - 4.0 * sigma_r_);
  r_hi_ = r_peak_ + 4.0 * sigma_r_;
  r_disc_ = cfg.convergence / cfg.k_pixel_size;
  s_ = speckle_sigma(cfg);
  H_ = half_width(s_);
  b_ = 1.0 - std::sqrt(cfg.contrast);

  // Lattice box of the round pattern, rows [ry0, ry1) and columns [rx0, rx1): every
  // lattice point any detector pixel's kernel reaches at any cycle.
  long ylo, yhi, xlo, xhi;
  shift_range(tracks_.center_y, cy0_, ylo, yhi);
  shift_range(tracks_.center_x, cx0_, xlo, xhi);
  const long ry0 = -yhi - H_ - 1, rx0 = -xhi - H_ - 1;
  const long ry1 = ry0 + static_cast<long>(det_y_) + (yhi - ylo) + 2 * H_ + 1;
  const long rx1 = rx0 + static_cast<long>(det_x_) + (xhi - xlo) + 2 * H_ + 1;
  long y0 = ry0, y1 = ry1, x0 = rx0, x1 = rx1;
  if (!undistortion_.identity) widen_box_for_distortion(y0, y1, x0, x1);
  oy_ = y0;
  ox_ = x0;
  by_ = static_cast<std::size_t>(y1 - y0);
  bx_ = static_cast<std::size_t>(x1 - x0);

  // Field points: lattice points within the kernel reach of the speckle annulus. Those of
  // the round box first, in its row-major order, then the rest: each point's series is the
  // next draw of the position's stream, so the shared points keep their values.
  const double margin = (H_ + 1) * std::sqrt(2.0) + 0.5;
  const double rho_lo = std::max(0.0, r_lo_ - margin), rho_hi = r_hi_ + margin;
  auto consider = [&](long m, long n) {
    const double ky = static_cast<double>(m) - cy0_, kx = static_cast<double>(n) - cx0_;
    const double rho = std::hypot(ky, kx);
    if (rho < rho_lo || rho > rho_hi) return;
    const std::size_t index = static_cast<std::size_t>(m - oy_) * bx_ + static_cast<std::size_t>(n - ox_);
    points_.push_back({index, sector_of(polar_angle(ky, kx), cfg.n_sectors), rho});
  };
  for (long m = ry0; m < ry1; ++m)
    for (long n = rx0; n < rx1; ++n) consider(m, n);
  for (long m = y0; m < y1; ++m)
    for (long n = x0; n < x1; ++n)
      if (m < ry0 || m >= ry1 || n < rx0 || n >= rx1) consider(m, n);

  wr_.assign(cfg.cycles * by_ * bx_, 0.0f);
  wi_.assign(cfg.cycles * by_ * bx_, 0.0f);
  e1r_.resize((det_y_ + 2 * H_ + 1) * det_x_);
  e1i_.resize(e1r_.size());
  hy_.resize(2 * H_ + 2);
  hx_.resize(2 * H_ + 2);
  kernel_g_.resize(2 * H_ + 2);
  col_re_.resize(2 * H_ + 2);
  col_im_.resize(2 * H_ + 2);
  // The direct path's weights (also field_at's on a round pattern): ~1 ms of exponentials.
  const std::size_t taps = static_cast<std::size_t>(2 * H_ + 2);
  kernel_table_.resize((kTableSteps + 1) * taps);
  for (int k = 0; k <= kTableSteps; ++k) {
    kernel(static_cast<double>(k) / kTableSteps, hx_.data());
    // Tap q reads lattice index U - (q - H): reversed, the row runs from U - H - 1 up.
    for (std::size_t q = 0; q < taps; ++q) kernel_table_[static_cast<std::size_t>(k) * taps + q] = hx_[taps - 1 - q];
  }
  window_y_.resize(taps);
  window_x_.resize(taps);
  // The stationary path stays exactly what it was (same draws, same bits) when F = 1.
  if (cfg.aging_factor == 1.0)
    gen_ = std::make_unique<KwwSeriesGenerator>(cfg.cycles, cfg.time_step_s, cfg.beta);
  else
    aging_ = std::make_unique<AgingSeriesGenerator>(cfg.cycles, cfg.time_step_s, cfg.aging_factor);
}

void SpeckleSynth::widen_box_for_distortion(long& y0, long& y1, long& x0, long& x1) const {
  // Offsets d = p - c(t) of any pixel at any cycle fill a rectangle; M^-1 maps it to a
  // parallelogram whose bounding box (its corners' range), cut to the annulus' reach
  // |q| <= r_hi, bounds the lattice coordinates u = q + c0 a speckle pixel samples.
  const auto [cy_lo, cy_hi] = std::minmax_element(tracks_.center_y.begin(), tracks_.center_y.end());
  const auto [cx_lo, cx_hi] = std::minmax_element(tracks_.center_x.begin(), tracks_.center_x.end());
  const double dy[2] = {-*cy_hi, static_cast<double>(det_y_) - 1.0 - *cy_lo};
  const double dx[2] = {-*cx_hi, static_cast<double>(det_x_) - 1.0 - *cx_lo};
  constexpr double inf = std::numeric_limits<double>::infinity();
  double qy_lo = inf, qy_hi = -inf, qx_lo = inf, qx_hi = -inf;
  for (double a : dy)
    for (double b : dx) {
      Offset q;
      undistortion_.apply(a, b, q.y, q.x);
      qy_lo = std::min(qy_lo, q.y), qy_hi = std::max(qy_hi, q.y);
      qx_lo = std::min(qx_lo, q.x), qx_hi = std::max(qx_hi, q.x);
    }
  qy_lo = std::max(qy_lo, -r_hi_), qy_hi = std::min(qy_hi, r_hi_);
  qx_lo = std::max(qx_lo, -r_hi_), qx_hi = std::min(qx_hi, r_hi_);
  // A pixel at u reads rows ceil(u) - H - 1 .. ceil(u) + H (tap_window).
  if (qy_lo <= qy_hi) {
    y0 = std::min(y0, static_cast<long>(std::floor(cy0_ + qy_lo)) - H_ - 1);
    y1 = std::max(y1, static_cast<long>(std::ceil(cy0_ + qy_hi)) + H_ + 1);
  }
  if (qx_lo <= qx_hi) {
    x0 = std::min(x0, static_cast<long>(std::floor(cx0_ + qx_lo)) - H_ - 1);
    x1 = std::max(x1, static_cast<long>(std::ceil(cx0_ + qx_hi)) + H_ + 1);
  }
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

void SpeckleSynth::kernel(double frac, float* h) {
  double sum2 = 0;
  for (int q = 0; q < 2 * H_ + 2; ++q) {
    const double u = (q - H_) - frac;
    kernel_g_[q] = std::exp(-0.5 * u * u / (s_ * s_));
    sum2 += kernel_g_[q] * kernel_g_[q];
  }
  // Normalised per shift so that <|E|^2> = 1 exactly at every sub-pixel offset.
  for (int q = 0; q < 2 * H_ + 2; ++q) h[q] = static_cast<float>(kernel_g_[q] / std::sqrt(sum2));
}

void SpeckleSynth::intensity(std::size_t t, float* out) {
  if (undistortion_.identity)
    intensity_separable(t, out);
  else
    intensity_distorted(t, out);
}

void SpeckleSynth::intensity_separable(std::size_t t, float* out) {
  // Pixel i sees lattice rows m = i - Iy - d with weight h(d - fy), d = -H..H+1.
  const double dy = tracks_.center_y[t] - cy0_, dx = tracks_.center_x[t] - cx0_;
  const long Iy = static_cast<long>(std::floor(dy)), Ix = static_cast<long>(std::floor(dx));
  kernel(dy - static_cast<double>(Iy), hy_.data());
  kernel(dx - static_cast<double>(Ix), hx_.data());
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

long SpeckleSynth::tap_window(double u, float* weights) const {
  // As in the separable pass: with U = ceil(u) and frac = U - u, tap q (d = q - H) reads
  // lattice index U - d, weight h(d - frac); the table lists them from U - H - 1 upwards.
  const double U = std::ceil(u);
  const double x = (U - u) * kTableSteps;
  const std::size_t k = std::min(static_cast<std::size_t>(x), static_cast<std::size_t>(kTableSteps - 1));
  const float f = static_cast<float>(x - static_cast<double>(k));
  const std::size_t taps = static_cast<std::size_t>(2 * H_ + 2);
  const float* lo = &kernel_table_[k * taps];
  const float* hi = lo + taps;
  for (std::size_t q = 0; q < taps; ++q) weights[q] = lo[q] + f * (hi[q] - lo[q]);
  return static_cast<long>(U) - H_ - 1;
}

std::size_t SpeckleSynth::window_base(double uy, double ux, float* hy, float* hx) const {
  const long m = tap_window(uy, hy) - oy_, n = tap_window(ux, hx) - ox_;
  const long taps = 2 * H_ + 2;
  if (m < 0 || n < 0 || m + taps > static_cast<long>(by_) || n + taps > static_cast<long>(bx_))
    throw Error("internal: speckle lattice coordinate outside the field box");
  return static_cast<std::size_t>(m) * bx_ + static_cast<std::size_t>(n);
}

std::complex<float> SpeckleSynth::sum_taps(std::size_t t, std::size_t base, const float* hy, const float* hx) {
  const std::size_t taps = static_cast<std::size_t>(2 * H_ + 2);
  const float* wr = &wr_[t * by_ * bx_ + base];
  const float* wi = &wi_[t * by_ * bx_ + base];
  // Along y into per-column sums first: contiguous updates that vectorise, and one
  // reduction per pixel instead of one per row.
  float* col_re = col_re_.data();
  float* col_im = col_im_.data();
  std::fill(col_re, col_re + taps, 0.0f);
  std::fill(col_im, col_im + taps, 0.0f);
  for (std::size_t a = 0; a < taps; ++a) {
    const float h = hy[a];
    const float* r = wr + a * bx_;
    const float* i = wi + a * bx_;
    for (std::size_t b = 0; b < taps; ++b) {
      col_re[b] += h * r[b];
      col_im[b] += h * i[b];
    }
  }
  float re = 0, im = 0;
  for (std::size_t b = 0; b < taps; ++b) {
    re += hx[b] * col_re[b];
    im += hx[b] * col_im[b];
  }
  return {re, im};
}

std::complex<float> SpeckleSynth::field_at(std::size_t t, double uy, double ux) {
  const std::size_t base = window_base(uy, ux, window_y_.data(), window_x_.data());
  return sum_taps(t, base, window_y_.data(), window_x_.data());
}

void SpeckleSynth::plan_distorted(double cy, double cx) {
  const std::size_t taps = static_cast<std::size_t>(2 * H_ + 2);
  // The envelope's annulus (hypot) widened by a hair: a pixel may be summed needlessly,
  // never left out.
  const double lo2 = r_lo_ * r_lo_ * (1.0 - 1e-9), hi2 = r_hi_ * r_hi_ * (1.0 + 1e-9);
  plan_pixel_.clear();
  plan_base_.clear();
  plan_weights_.clear();
  for (std::size_t i = 0; i < det_y_; ++i)
    for (std::size_t j = 0; j < det_x_; ++j) {
      const Offset q = reciprocal(i, j, cy, cx);
      const double r2 = q.y * q.y + q.x * q.x;
      if (r2 < lo2 || r2 > hi2) continue;  // outside the annulus the field is not used
      plan_pixel_.push_back(i * det_x_ + j);
      plan_weights_.resize(plan_weights_.size() + 2 * taps);
      float* w = &plan_weights_[plan_weights_.size() - 2 * taps];
      plan_base_.push_back(window_base(q.y + cy0_, q.x + cx0_, w, w + taps));
    }
  plan_cy_ = cy;
  plan_cx_ = cx;
}

void SpeckleSynth::intensity_distorted(std::size_t t, float* out) {
  // The plan depends on the beam centre only: built once for a static beam.
  const double cy = tracks_.center_y[t], cx = tracks_.center_x[t];
  if (!(cy == plan_cy_ && cx == plan_cx_)) plan_distorted(cy, cx);
  const std::size_t taps = static_cast<std::size_t>(2 * H_ + 2);
  std::fill(out, out + det_pixels(), 0.0f);
  for (std::size_t k = 0; k < plan_pixel_.size(); ++k) {
    const float* w = &plan_weights_[k * 2 * taps];
    out[plan_pixel_[k]] = std::norm(sum_taps(t, plan_base_[k], w, w + taps));
  }
}

void SpeckleSynth::envelope(std::size_t t, float* ring, float* disc, std::uint8_t* annulus) const {
  const double cy = tracks_.center_y[t], cx = tracks_.center_x[t];
  const double norm = cfg_.dose / (1.0 + cfg_.background);
  for (std::size_t i = 0; i < det_y_; ++i)
    for (std::size_t j = 0; j < det_x_; ++j) {
      const std::size_t p = i * det_x_ + j;
      // |q|: the pixel's k in px (q = d without ellipticity).
      const Offset q = reciprocal(i, j, cy, cx);
      const double r = std::hypot(q.y, q.x);
      const double u = (r - r_peak_) / sigma_r_;
      ring[p] = static_cast<float>(norm * (std::exp(-0.5 * u * u) + cfg_.background));
      // Anti-aliased edge: the disc's covered fraction of the pixel, to first order.
      disc[p] = static_cast<float>(cfg_.direct_beam * std::clamp(r_disc_ + 0.5 - r, 0.0, 1.0));
      annulus[p] = (r >= r_lo_ && r <= r_hi_) ? 1 : 0;
    }
}

}  // namespace ecm::simulate
