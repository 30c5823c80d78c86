#pragma once
// What `ecm ttcf` reads off the two-time correlation G(t1, t2) (paper Eq. 5 and Fig. 7;
// docs/ttcf.md), on the host:
//   - the band profile: for windows of elapsed time t_a, the mean of G - 1 over the pairs
//     (t1, t2 = t1 + D) whose mid-point (t1 + t2)/2 lies in the window, per lag D;
//   - the band width per window: the lag at which that profile falls to 1/e^2 of its
//     diagonal value. The diagonal itself carries the shot-noise term (<I^2> includes <I>),
//     so its value is a straight line through lags diag_first_lag..diag_last_lag extrapolated
//     to 0, as the authors estimate the contrast of g2. For KWW, g2 - 1 = A exp(-2 (D/tau)^beta)
//     falls to A/e^2 at D = tau for every beta: the band width is the relaxation time at t_a;
//   - aging: a straight-line fit of band width vs elapsed time.
#include <cstddef>
#include <string>
#include <vector>

namespace ecm::analysis {

struct BandOptions {
  std::size_t window = 0;  // elapsed-time window [binned cycles]; 0: a tenth of the series (10 windows)
  int diag_first_lag = 1;  // lags fitted by the straight line that gives the diagonal value
  int diag_last_lag = 4;
};

struct BandProfile {
  std::size_t window = 0;           // resolved window [binned cycles]
  std::vector<double> elapsed_s;    // centre of each window (mid-points t_a in it) [s from the first cycle]
  std::vector<double> diagonal;     // extrapolated G - 1 on the diagonal, per window
  std::vector<double> width_s;      // band width [s]; NaN where not measurable (see band_widths)
  std::size_t n_lags = 0;           // lags 0..n_lags-1 of `profile`
  std::vector<double> profile;      // (window, lag): mean G - 1; NaN where no pair has its mid-point in the window
};

// Throws InputError unless the options suit a series of n_t samples (checked before the
// correlation is computed, so that a bad --window fails at once).
void check_band_options(const BandOptions& options, std::size_t n_t);

// G: n_t x n_t values, row-major, symmetric (read only; no copy is made). The band width of
// a window is NaN when its extrapolated diagonal is not positive or its profile does not
// reach the 1/e^2 level within the lags the window has pairs for.
BandProfile band_widths(const double* G, std::size_t n_t, double time_step_s, const BandOptions& options);

struct AgingOptions {
  double min_sigma = 3.0;             // slope must exceed this many standard errors ...
  double min_relative_change = 0.2;   // ... and the fitted width grow by at least this fraction over the run
};

struct AgingFit {
  std::size_t n_windows = 0;      // windows with a finite band width (the fit's points)
  double slope = 0;               // d(band width)/d(elapsed time) [s/s]; NaN with fewer than 3 points
  double slope_err = 0;           // its standard error from the residuals
  double intercept_s = 0;         // fitted width at elapsed time 0 [s]
  double width_first_s = 0;       // fitted width at the first and last fitted window [s]
  double width_last_s = 0;
  double relative_change = 0;     // width_last / width_first - 1 (NaN if width_first <= 0)
  bool detected = false;          // slope > min_sigma * slope_err and relative_change > min_relative_change
  std::string verdict;            // one line, in words
};

AgingFit fit_aging(const std::vector<double>& elapsed_s, const std::vector<double>& width_s,
                   const AgingOptions& options);

}  // namespace ecm::analysis
