#pragma once
// A radix-2 complex FFT written as plain Kokkos device code, one transform per work item,
// for the g2 engine's portable backend (any execution space, GPUs included).
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstddef>

#include "ecm/core/kokkos_types.hpp"

namespace ecm::g2::detail {

// tw(2k), tw(2k+1) = cos, −sin of 2πk/n for k < n/2 (forward transform), made on the host in
// double precision once per engine rather than by recurrences that accumulate rounding.
template <class Mem>
Kokkos::View<double*, Mem> make_twiddles(int n) {
  Kokkos::View<double*, Mem> tw("ecm::g2::twiddles", static_cast<std::size_t>(n));
  auto h = Kokkos::create_mirror_view(tw);
  const double two_pi = 6.283185307179586476925286766559;
  for (int k = 0; k < n / 2; ++k) {
    h(2 * k) = std::cos(two_pi * k / n);
    h(2 * k + 1) = -std::sin(two_pi * k / n);
  }
  Kokkos::deep_copy(tw, h);
  return tw;
}

// Series per portable kernel launch: bounded so the workspace stays ≤ 256 MiB.
inline std::size_t portable_chunk_rows(int n_fft, std::size_t n_series) {
  const std::size_t bytes_per_row = 2 * sizeof(double) * static_cast<std::size_t>(n_fft);
  std::size_t rows = (std::size_t(256) << 20) / bytes_per_row;
  if (rows < 1) rows = 1;
  return rows < n_series ? rows : n_series;
}

KOKKOS_INLINE_FUNCTION int bit_reverse(int k, int log2n) {
  int r = 0;
  for (int b = 0; b < log2n; ++b) {
    r = (r << 1) | (k & 1);
    k >>= 1;
  }
  return r;
}

// In-place forward DFT X_k = Σ_j x_j e^{−2πi jk/n} of the complex sequence stored as
// work(item, 2j) (real), work(item, 2j+1) (imaginary); n = 2^log2n. Iterative Cooley–Tukey.
template <class Work, class Twiddles>
KOKKOS_INLINE_FUNCTION void radix2_fft(const Work& work, int item, int n, int log2n, const Twiddles& tw) {
  for (int k = 0; k < n; ++k) {
    const int r = bit_reverse(k, log2n);
    if (r > k) {
      const double re = work(item, 2 * k), im = work(item, 2 * k + 1);
      work(item, 2 * k) = work(item, 2 * r);
      work(item, 2 * k + 1) = work(item, 2 * r + 1);
      work(item, 2 * r) = re;
      work(item, 2 * r + 1) = im;
    }
  }
  for (int len = 2; len <= n; len <<= 1) {
    const int half = len >> 1, step = n / len;
    for (int start = 0; start < n; start += len) {
      for (int j = 0; j < half; ++j) {
        const double wr = tw(2 * j * step), wi = tw(2 * j * step + 1);
        const int a = start + j, b = a + half;
        const double br = work(item, 2 * b), bi = work(item, 2 * b + 1);
        const double vr = br * wr - bi * wi, vi = br * wi + bi * wr;
        const double ar = work(item, 2 * a), ai = work(item, 2 * a + 1);
        work(item, 2 * a) = ar + vr;
        work(item, 2 * a + 1) = ai + vi;
        work(item, 2 * b) = ar - vr;
        work(item, 2 * b + 1) = ai - vi;
      }
    }
  }
}

}  // namespace ecm::g2::detail
