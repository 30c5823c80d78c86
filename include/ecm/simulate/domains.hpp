#pragma once
// What varies over the sample and over the run: relaxation-time domains (one log-normal
// tau map per azimuthal sector), the real-space drift track and the beam-centre track.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecm/simulate/config.hpp"
#include "ecm/simulate/rng.hpp"

namespace ecm::simulate {

// Std of the Gaussian that smooths white noise into a field whose autocorrelation has
// FWHM `domain_size_px`: the autocorrelation of g*n is g (x) g, a Gaussian of std
// sigma*sqrt(2), so sigma = FWHM / (2 sqrt(2 ln 2) sqrt(2)).
double domain_kernel_sigma(double domain_size_px);

// A smooth unit-variance Gaussian random field over an unbounded sample grid with
// `channels` independent values per position: white noise from one Rng stream per sample
// position (seed, py, px, purpose), smoothed by a separable Gaussian whose
// autocorrelation has FWHM `size_px`. Any box can be computed anywhere with the same values.
class SmoothField {
 public:
  SmoothField(std::uint64_t seed, Purpose purpose, std::size_t channels, double size_px);
  // Values of [y0, y0+ny) x [x0, x0+nx), layout (y, x, channel).
  std::vector<double> box(long y0, long x0, std::size_t ny, std::size_t nx) const;
  const std::vector<double>& kernel() const { return kernel_; }  // 1-D, sum of squares 1

 private:
  std::uint64_t seed_;
  Purpose purpose_;
  std::size_t channels_;
  int radius_ = 0;
  std::vector<double> kernel_;  // taps -radius..radius
};

// Sample thickness m(r) = exp(c z - c^2 / 2), c = sqrt(ln(1 + contrast^2)): log-normal with
// mean 1 and relative rms `thickness_contrast` (exactly 1 when the contrast is 0).
class ThicknessMap {
 public:
  explicit ThicknessMap(const SimConfig& cfg);
  std::vector<double> values(long y0, long x0, std::size_t ny, std::size_t nx) const;  // (y, x)
  bool uniform() const { return c_ == 0.0; }

 private:
  double c_;
  SmoothField field_;
};

// tau maps over an unbounded sample grid. Each sample position (py, px) owns its own
// white-noise stream, so any box of the maps can be computed on any rank without
// generating (or agreeing on) the rest: the maps do not depend on how work is split.
class TauMap {
 public:
  explicit TauMap(const SimConfig& cfg);

  // Unit-variance Gaussian field z of sample positions [y0, y0+ny) x [x0, x0+nx) (any
  // integers: the sample extends beyond the scan), layout (y, x, sector).
  std::vector<double> z_field(long y0, long x0, std::size_t ny, std::size_t nx) const;
  // tau = tau_median * exp(sigma_ln_tau * z)  [s], same layout.
  std::vector<double> tau(long y0, long x0, std::size_t ny, std::size_t nx) const;

  int n_sectors() const { return n_sectors_; }
  const std::vector<double>& kernel() const { return field_.kernel(); }  // 1-D, sum of squares 1

 private:
  int n_sectors_;
  double tau_median_s_, sigma_ln_tau_;
  SmoothField field_;
};

// Time tracks of one run (identical on every rank).
struct Tracks {
  // Sample drift [scan px]: scan position (sy, sx) at cycle t sees sample position
  // (sy + drift_y[t], sx + drift_x[t]); drift at t = 0 is 0.
  std::vector<double> drift_y, drift_x;
  // Beam centre on the detector at cycle t [detector px].
  std::vector<double> center_y, center_x;
};
Tracks make_tracks(const SimConfig& cfg);

// Sector index of azimuth phi in [0, 2 pi): floor(phi / (2 pi / n)), clamped to n-1.
int sector_of(double phi_rad, int n_sectors);

}  // namespace ecm::simulate
