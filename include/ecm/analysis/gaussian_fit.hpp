#pragma once
// Fit of a 2-D Gaussian to a spatial autocorrelation (docs/domain-size.md):
//
//   C(dy, dx) = a * exp(-(dy^2 / (2 sy^2) + dx^2 / (2 sx^2))) + c
//
// by Levenberg-Marquardt (Eigen's unsupported LevenbergMarquardt module), over the lags of a
// window 0 < |d| <= R, one of each pair (d, -d) since C is symmetric. The zero lag is left out:
// the fit noise of tau is uncorrelated from position to position and puts a spike there that
// is not part of the domain correlation. The offset c takes up the small negative shift the
// subtraction of the sample mean gives every lag.
//
// Window: the radial mean of C at integer radii r = 1, 2, ... is followed to the first r_e
// where it drops below `window_level` (e^-2) times its value at r = 1; R =
// clamp(ceil(window_factor * r_e), min_window, max lag). For a Gaussian of std s, r_e ~ 2 s + 1.
// The default R = r_e fits the decay itself: the lags beyond it carry the map's own random
// large-scale fluctuations of C (a 32 x 32 map holds only ~60 domains of 4 px), and a wider
// window let them double the map-to-map scatter of the FWHM (docs/domain-size.md has the numbers).
//
// Isotropic by default (one sigma): on isotropic fields it has half the scatter and a smaller
// bias than sy, sx per axis; the anisotropic fit is an option for elongated domains.
//
// FWHM = 2 sqrt(2 ln 2) sqrt(sy sx) (geometric mean of the axes), its error from the fit
// covariance s^2 (J^T J)^-1 with s^2 the residual variance. Neighbouring lags of one map are
// correlated, so this error is a lower bound; the scatter over independent maps is the honest one.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecm/analysis/autocorrelation.hpp"

namespace ecm::analysis {

struct GaussianFitOptions {
  bool isotropic = true;            // one sigma for both axes (false: sy and sx)
  double window_level = 0.1353352832366127;  // e^-2
  double window_factor = 1.0;
  std::size_t min_window = 3;       // [px] smallest window radius R
  // C at radius 1 must exceed this many times its spread under white noise, 1 / sqrt(2 P),
  // or the map is "no_correlation" (a white map's C(1) is ~ +-0.02 and would fit a spike).
  double min_significance = 5.0;
  double min_fwhm_px = 1.0;         // narrower fits are "unresolved" (the first lag sees < 6 % of a)
  // Fits wider than this fraction of the map's smaller side are "too_wide": the estimate
  // saturates near 0.75 N (a map shows no more than its own size), and is unbiased below N / 2.
  double max_fwhm_fraction = 0.5;
  int max_evaluations = 400;        // LM function evaluations
};

enum class GaussianFitStatus : std::uint8_t {
  ok = 0,
  no_correlation = 1,  // C at radius 1 is not significant, or the fitted amplitude is not positive
  too_wide = 2,        // C does not decay within the kept lags, a fitted sigma exceeds R, or
                       // the FWHM exceeds max_fwhm_fraction of the map
  too_few_lags = 3,    // fewer valid lags in the window than parameters + 2
  not_converged = 4,   // LM gave up, or J^T J is singular at the solution
  unresolved = 5,      // FWHM below min_fwhm_px: the domain is smaller than the lag spacing
};
std::string status_name(GaussianFitStatus status);

struct GaussianFit {
  GaussianFitStatus status = GaussianFitStatus::no_correlation;
  double amplitude = 0, offset = 0;   // a, c
  double sigma_y = 0, sigma_x = 0;    // [px]; equal when isotropic
  double fwhm = 0, fwhm_err = 0;      // [px]; NaN unless status is ok
  double rms_residual = 0;            // of C over the fitted lags
  std::size_t window = 0;             // R [px]
  std::size_t points = 0;             // lags fitted
  bool ok() const { return status == GaussianFitStatus::ok; }
};

// Fits the Gaussian to `acf`. Never throws for bad data: the status says why there is no
// FWHM (then fwhm and fwhm_err are NaN; the other numbers are what was reached, for diagnosis).
GaussianFit fit_gaussian(const Autocorrelation& acf, const GaussianFitOptions& options = {});

// FWHM of a Gaussian of standard deviation sigma: 2 sqrt(2 ln 2) sigma.
double fwhm_of_sigma(double sigma);

}  // namespace ecm::analysis
