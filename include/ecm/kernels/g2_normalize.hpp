#pragma once
// From raw correlation sums c(Δ) of one series to binned g2: the step both g2 backends
// share, so the FFTW path and the portable path normalise identically (see g2.hpp).
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <limits>

#include "ecm/core/kokkos_types.hpp"

namespace ecm::g2::detail {

// Made on the host and captured by value: device code has no portable NaN constant in Kokkos 3.4.
inline double quiet_nan() { return std::numeric_limits<double>::quiet_NaN(); }

// g2 at one lag from c(Δ), the series length n and the sums over the whole series (total),
// over I[0..n−Δ−1] (front) and over I[Δ..n−1] (back). A zero denominator gives NaN.
KOKKOS_INLINE_FUNCTION double g2_from_sums(double c, int n, int lag, double front, double back,
                                           double total, bool symmetric, double nan) {
  const double m = static_cast<double>(n - lag);
  if (symmetric) {
    // (c/m) / ((front/m)(back/m)) = c m / (front back)
    const double d = front * back;
    return d == 0.0 ? nan : c * m / d;
  }
  // (c/m) / (total/n)²
  const double d = total * total;
  return d == 0.0 ? nan : c * (static_cast<double>(n) * n) / (m * d);
}

// c(Δ) read from a host row of an FFTW buffer that holds n_fft · c(Δ).
struct PointerCorrelation {
  const double* row;
  double scale;
  KOKKOS_INLINE_FUNCTION double operator()(int lag) const { return row[lag] * scale; }
};

// c(Δ) read from the real parts of item i of the portable workspace.
template <class Work>
struct WorkCorrelation {
  Work work;
  int item;
  double scale;
  KOKKOS_INLINE_FUNCTION double operator()(int lag) const { return work(item, 2 * lag) * scale; }
};

// Writes out(s, b) = mean of g2 over the lags [first(b), last(b)] of every bin b.
// Bins tile 1..max_lag in increasing order. The window sums front/back are built by
// walking the lags downwards, so they only ever grow by adding samples: no cancellation,
// and a window of zeros sums to exactly 0 (hence NaN, as in g2_direct) for any data.
template <class Series, class Out, class Bins, class Corr>
KOKKOS_INLINE_FUNCTION void normalize_and_bin(int n, bool symmetric, double nan, const Bins& first,
                                              const Bins& last, const Series& series, const Out& out,
                                              std::size_t s, const Corr& corr) {
  const int n_bins = static_cast<int>(first.extent(0));
  const int max_lag = last(n_bins - 1);
  double total = 0.0;
  for (int t = 0; t < n; ++t) total += static_cast<double>(series(s, t));
  // Sums over I[0..n−1−lag] and I[lag..n−1] at lag = max_lag + 1.
  double front = 0.0, back = 0.0;
  for (int t = 0; t < n - 1 - max_lag; ++t) front += static_cast<double>(series(s, t));
  for (int t = max_lag + 1; t < n; ++t) back += static_cast<double>(series(s, t));
  for (int b = n_bins - 1; b >= 0; --b) {
    const int l0 = first(b), l1 = last(b);
    double acc = 0.0;
    for (int l = l1; l >= l0; --l) {
      front += static_cast<double>(series(s, n - 1 - l));
      back += static_cast<double>(series(s, l));
      acc += g2_from_sums(corr(l), n, l, front, back, total, symmetric, nan);
    }
    out(s, b) = acc / static_cast<double>(l1 - l0 + 1);
  }
}

}  // namespace ecm::g2::detail
