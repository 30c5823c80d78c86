#pragma once
// Masked, normalised spatial autocorrelation of a 2-D map with holes (docs/domain-size.md):
//
//   C(d) = sum_r m(r) m(r+d) (f(r) - mu) (f(r+d) - mu) / ( P(d) * var ),
//   P(d) = sum_r m(r) m(r+d)   (overlapping valid pairs at lag d),
//
// m the validity mask (finite values), mu and var the mean and variance of the valid values.
// Both sums are computed with FFTW (r2c / c2r) on a grid zero-padded to at least 2N per axis,
// so a lag never wraps around onto the other side of the map. C(0) = 1; lags with fewer than
// `min_pairs` pairs are NaN (too few products to mean anything).
//
// Two paths give the same numbers (to rounding): `autocorrelation` on one rank, and
// `autocorrelation_distributed`, which spreads the padded transforms of one map over the
// ranks of a communicator with FFTW-MPI (slabs of rows) for maps too large for one rank.
#include <mpi.h>

#include <cstddef>
#include <vector>

namespace ecm::analysis {

struct AutocorrelationOptions {
  // Largest |lag| kept per axis [px] (clamped to N-1). The Gaussian fit needs only the lags
  // where C decays, so keeping a window bounds the output for large maps.
  std::size_t max_lag = 64;
  std::size_t min_pairs = 32;  // lags with fewer overlapping valid pairs are NaN
};

struct Autocorrelation {
  std::size_t ny = 0, nx = 0;                // the map's shape
  std::size_t max_lag_y = 0, max_lag_x = 0;  // lags -L..L per axis
  // (2 max_lag_y + 1, 2 max_lag_x + 1) row-major, lag (0, 0) in the centre. NaN where invalid
  // (too few pairs, or a map without variance).
  std::vector<double> c;
  std::vector<double> pairs;  // overlapping valid pairs P(d), same layout
  std::size_t n_valid = 0;    // finite values in the map
  double mean = 0, variance = 0;

  std::size_t width() const { return 2 * max_lag_x + 1; }
  std::size_t height() const { return 2 * max_lag_y + 1; }
  std::size_t index(long dy, long dx) const {
    return static_cast<std::size_t>(dy + static_cast<long>(max_lag_y)) * width() +
           static_cast<std::size_t>(dx + static_cast<long>(max_lag_x));
  }
  double at(long dy, long dx) const { return c[index(dy, dx)]; }
  double pairs_at(long dy, long dx) const { return pairs[index(dy, dx)]; }
};

// One map (ny, nx) row-major; non-finite values are holes. Purely local.
// Throws InputError when the map does not have ny * nx values or is empty.
Autocorrelation autocorrelation(const std::vector<double>& map, std::size_t ny, std::size_t nx,
                                const AutocorrelationOptions& options = {});

// The same, with the transforms distributed over `comm` (FFTW-MPI). Collective: every rank
// passes the same map and options and gets the whole result.
Autocorrelation autocorrelation_distributed(const std::vector<double>& map, std::size_t ny, std::size_t nx,
                                            const AutocorrelationOptions& options, MPI_Comm comm);

// Smallest n >= min_n whose only prime factors are 2, 3, 5, 7 (sizes FFTW is fast at).
std::size_t fft_size_at_least(std::size_t min_n);

}  // namespace ecm::analysis
