#include "ecm/simulate/domains.hpp"

#include <cmath>

#include "ecm/core/geometry.hpp"
#include "ecm/simulate/rng.hpp"

namespace ecm::simulate {

double domain_kernel_sigma(double domain_size_px) {
  return domain_size_px / (2.0 * std::sqrt(2.0 * std::log(2.0)) * std::sqrt(2.0));
}

SmoothField::SmoothField(std::uint64_t seed, Purpose purpose, std::size_t channels, double size_px)
    : seed_(seed), purpose_(purpose), channels_(channels) {
  const double sigma = domain_kernel_sigma(size_px);
  // Below ~0.3 px the sampled Gaussian is a delta anyway: uncorrelated values.
  radius_ = sigma < 0.3 ? 0 : static_cast<int>(std::ceil(4.0 * sigma));
  kernel_.resize(2 * radius_ + 1);
  double sum2 = 0;
  for (int d = -radius_; d <= radius_; ++d) {
    const double g = radius_ == 0 ? 1.0 : std::exp(-0.5 * d * d / (sigma * sigma));
    kernel_[d + radius_] = g;
    sum2 += g * g;
  }
  // Unit variance exactly: Var z = (sum of g^2 over one axis)^2 for the separable kernel.
  for (double& g : kernel_) g /= std::sqrt(sum2);
}

std::vector<double> SmoothField::box(long y0, long x0, std::size_t ny, std::size_t nx) const {
  const std::size_t ns = channels_;
  const std::size_t r = static_cast<std::size_t>(radius_);
  const std::size_t by = ny + 2 * r, bx = nx + 2 * r;
  // White noise of the box widened by the kernel radius, one stream per sample position.
  std::vector<double> noise(by * bx * ns);
  for (std::size_t iy = 0; iy < by; ++iy)
    for (std::size_t ix = 0; ix < bx; ++ix) {
      Rng rng(seed_, y0 - radius_ + static_cast<long>(iy), x0 - radius_ + static_cast<long>(ix), purpose_);
      double* n = &noise[(iy * bx + ix) * ns];
      for (std::size_t s = 0; s < ns; ++s) n[s] = rng.normal();
    }
  // Separable smoothing; each output sums the same taps in the same order whatever the
  // box, so a position's value does not depend on which box it was computed in.
  std::vector<double> rows(by * nx * ns, 0.0);
  for (std::size_t iy = 0; iy < by; ++iy)
    for (std::size_t ix = 0; ix < nx; ++ix) {
      double* out = &rows[(iy * nx + ix) * ns];
      for (std::size_t d = 0; d < kernel_.size(); ++d) {
        const double* in = &noise[(iy * bx + ix + d) * ns];
        for (std::size_t s = 0; s < ns; ++s) out[s] += kernel_[d] * in[s];
      }
    }
  std::vector<double> z(ny * nx * ns, 0.0);
  for (std::size_t iy = 0; iy < ny; ++iy)
    for (std::size_t ix = 0; ix < nx; ++ix) {
      double* out = &z[(iy * nx + ix) * ns];
      for (std::size_t d = 0; d < kernel_.size(); ++d) {
        const double* in = &rows[((iy + d) * nx + ix) * ns];
        for (std::size_t s = 0; s < ns; ++s) out[s] += kernel_[d] * in[s];
      }
    }
  return z;
}

ThicknessMap::ThicknessMap(const SimConfig& cfg)
    : c_(std::sqrt(std::log(1.0 + cfg.thickness_contrast * cfg.thickness_contrast))),
      field_(cfg.seed, Purpose::thickness, 1, cfg.thickness_size_px) {}

std::vector<double> ThicknessMap::values(long y0, long x0, std::size_t ny, std::size_t nx) const {
  if (c_ == 0.0) return std::vector<double>(ny * nx, 1.0);
  std::vector<double> m = field_.box(y0, x0, ny, nx);
  for (double& v : m) v = std::exp(c_ * v - 0.5 * c_ * c_);
  return m;
}

TauMap::TauMap(const SimConfig& cfg)
    : n_sectors_(cfg.n_sectors),
      tau_median_s_(cfg.tau_median_s),
      sigma_ln_tau_(cfg.sigma_ln_tau),
      field_(cfg.seed, Purpose::tau, static_cast<std::size_t>(cfg.n_sectors), cfg.domain_size_px) {}

std::vector<double> TauMap::z_field(long y0, long x0, std::size_t ny, std::size_t nx) const {
  return field_.box(y0, x0, ny, nx);
}

std::vector<double> TauMap::tau(long y0, long x0, std::size_t ny, std::size_t nx) const {
  std::vector<double> t = z_field(y0, x0, ny, nx);
  for (double& v : t) v = tau_median_s_ * std::exp(sigma_ln_tau_ * v);
  return t;
}

Tracks make_tracks(const SimConfig& cfg) {
  const std::size_t T = cfg.cycles;
  Tracks tr;
  tr.drift_y.resize(T);
  tr.drift_x.resize(T);
  tr.center_y.resize(T);
  tr.center_x.resize(T);
  Rng rng(cfg.seed, 0, 0, Purpose::drift);
  // Random-walk steps sized so that the rms displacement at the end is drift_walk_px.
  const double step = cfg.drift_walk_px / std::sqrt(static_cast<double>(T - 1));
  double wy = 0, wx = 0;
  for (std::size_t t = 0; t < T; ++t) {
    if (t > 0 && step > 0) {
      wy += step * rng.normal();
      wx += step * rng.normal();
    }
    const double f = static_cast<double>(t) / static_cast<double>(T - 1);
    tr.drift_y[t] = cfg.drift_y * f + wy;
    tr.drift_x[t] = cfg.drift_x * f + wx;
    tr.center_y[t] = cfg.center0_y() + cfg.center_drift_y * f;
    tr.center_x[t] = cfg.center0_x() + cfg.center_drift_x * f;
  }
  return tr;
}

int sector_of(double phi_rad, int n_sectors) {
  double phi = std::fmod(phi_rad, kTwoPi);
  if (phi < 0) phi += kTwoPi;
  const int s = static_cast<int>(std::floor(phi / (kTwoPi / n_sectors)));
  return s < 0 ? 0 : (s >= n_sectors ? n_sectors - 1 : s);
}

}  // namespace ecm::simulate
