#pragma once
// Intensity autocorrelation g2(Δt) of every pixel's time series, Eq. (1) of the paper,
// for all linear lags at once (Wiener–Khinchin), then averaged into log-spaced lag bins.
//
//   c(Δ) = Σ_{t=0}^{N−1−Δ} I(t) I(t+Δ)
//   standard:  g2(Δ) = [c(Δ)/(N−Δ)] / mean(I)²
//   symmetric: g2(Δ) = [c(Δ)/(N−Δ)] / (mean(I[0..N−Δ−1]) · mean(I[Δ..N−1]))   (XPCS, authors)
//
// A zero denominator gives NaN (a dark pixel has no g2); the KWW fit turns NaN into a status.
// Lag bins hold lags 1..max_lag; a bin's value is the plain mean of g2 over its lags.
//
// Two backends compute c(Δ) for a batch of series:
//   fftw     — batched FFTW r2c/c2r plans made once per engine, executed inside a host
//              Kokkos kernel (one block of series per work item). Host execution spaces only.
//   portable — an iterative radix-2 complex FFT in a Kokkos kernel, one series per work
//              item; runs on any backend (GPU) until a cuFFT/hipFFT path exists.
// Both zero-pad to n_fft ≥ N + max_lag, which is exactly what keeps the circular
// correlation free of wrap-around for lags ≤ max_lag (≥ 2N − 1 when max_lag = N − 1).
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/core/kokkos_types.hpp"
#include "ecm/core/views.hpp"
#include "ecm/kernels/g2_fftw.hpp"
#include "ecm/kernels/g2_normalize.hpp"
#include "ecm/kernels/g2_portable.hpp"

namespace ecm::g2 {

enum class Normalization { symmetric, standard };
Normalization parse_normalization(const std::string& name);  // throws InputError
std::string to_string(Normalization norm);

// Log-spaced bins over the linear lags 1..max_lag (in frames).
struct LagBins {
  std::vector<int> first, last;  // inclusive lag range of bin b
  std::vector<double> center;    // mean lag of bin b (frames)
  std::size_t size() const { return first.size(); }
};

// Geometric edges 1 = e_0 < e_1 < ... < e_n = max_lag + 1; bin b holds the integer lags in
// [e_b, e_{b+1}). Bins that hold no integer lag are dropped (their lags are in the next
// bin), so size() may be < n_bins at short lags. Every lag 1..max_lag is in exactly one bin.
LagBins make_log_lag_bins(int max_lag, int n_bins);

// Throws InputError unless `bins` tiles 1..max_lag contiguously (as make_log_lag_bins does).
void validate_lag_bins(const LagBins& bins, int max_lag);

enum class Backend { fftw, portable };
std::string to_string(Backend backend);

// fftw where the execution space runs on the host, the portable FFT elsewhere.
template <class ExecSpace>
constexpr Backend default_backend() {
  return Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible ? Backend::fftw
                                                                              : Backend::portable;
}

// Reference for tests: direct lag-by-lag sums on the host for one series; g2 at lags 0..max_lag.
std::vector<double> g2_direct(const float* series, int n_t, int max_lag, Normalization norm);

// Smallest n ≥ min_size of the form 2^a 3^b 5^c 7^d (sizes FFTW handles fastest).
int fftw_friendly_size(int min_size);
// Smallest power of two ≥ min_size.
int next_power_of_two(int min_size);

// Computes binned g2 for batches of series of one length. One engine per concurrent
// stream: compute() reuses the engine's FFT buffers.
template <class ExecSpace>
class G2Engine {
 public:
  using Mem = typename ExecSpace::memory_space;
  using SeriesView = Kokkos::View<const float**, Kokkos::LayoutRight, Mem>;
  using OutView = Kokkos::View<double**, Kokkos::LayoutRight, Mem>;

  G2Engine(int n_t, int max_lag, const LagBins& bins, Normalization norm,
           Backend backend = default_backend<ExecSpace>());

  // series(s, t): counts, n_series x n_t. out(s, b): g2 averaged over the lags of bin b.
  void compute(const ExecSpace& exec, SeriesView series, OutView out);

  int n_t() const { return n_t_; }
  int max_lag() const { return max_lag_; }
  int n_bins() const { return static_cast<int>(first_.extent(0)); }
  int n_fft() const { return n_fft_; }
  Backend backend() const { return backend_; }
  Normalization normalization() const { return norm_; }
  // Bytes of FFT workspace the engine holds now (for memory planning): the FFTW buffer, or
  // the portable backend's workspace, which compute() grows to at most 256 MiB.
  std::size_t workspace_bytes() const {
    return fftw_ ? std::size_t(fftw_->chunk_rows()) * std::size_t(fftw_->row_stride()) * sizeof(double)
                 : work_.span() * sizeof(double);
  }

  // The two backends behind compute(), which checks the arguments first. Public only because
  // nvcc rejects device lambdas in private member functions; call compute().
  void compute_fftw(const ExecSpace& exec, SeriesView series, OutView out);
  void compute_portable(const ExecSpace& exec, SeriesView series, OutView out);

 private:
  int n_t_ = 0, max_lag_ = 0, n_fft_ = 0;
  Normalization norm_;
  Backend backend_;
  Kokkos::View<int*, Mem> first_, last_;            // bin lag ranges, on the device
  std::shared_ptr<detail::FftwAutocorr> fftw_;      // fftw backend only
  Kokkos::View<double*, Mem> twiddles_;              // portable backend only
  // Portable workspace, one row per work item. The execution space's preferred layout makes
  // it item-fastest (coalesced) on GPUs and row-contiguous (cache-friendly) on CPUs.
  using WorkView = Kokkos::View<double**, typename ExecSpace::array_layout, Mem>;
  WorkView work_;
};

// ---------------------------------------------------------------------------------------
template <class ExecSpace>
G2Engine<ExecSpace>::G2Engine(int n_t, int max_lag, const LagBins& bins, Normalization norm,
                              Backend backend)
    : n_t_(n_t), max_lag_(max_lag), norm_(norm), backend_(backend) {
  require(n_t >= 2, "g2: a time series needs at least 2 frames, got " + std::to_string(n_t));
  require(max_lag >= 1 && max_lag <= n_t - 1,
          "g2: max_lag must be in [1, n_t-1] = [1, " + std::to_string(n_t - 1) + "], got " +
              std::to_string(max_lag));
  validate_lag_bins(bins, max_lag);
  constexpr bool host_ok = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
  require(backend != Backend::fftw || host_ok,
          std::string("g2: the fftw backend needs a host execution space, not ") + ExecSpace::name());

  first_ = to_device<Mem>(bins.first, "ecm::g2::bin_first");
  last_ = to_device<Mem>(bins.last, "ecm::g2::bin_last");

  if (backend == Backend::fftw) {
    n_fft_ = fftw_friendly_size(n_t + max_lag);
    // 1024 series per chunk (8 MiB at N = 500), more when there are many threads to feed:
    // each work item takes one block of FftwAutocorr::kBlockRows series.
    const int per_thread = 4 * detail::FftwAutocorr::kBlockRows * ExecSpace().concurrency();
    fftw_ = std::make_shared<detail::FftwAutocorr>(n_fft_, per_thread > 1024 ? per_thread : 1024);
  } else {
    n_fft_ = next_power_of_two(n_t + max_lag);
    twiddles_ = detail::make_twiddles<Mem>(n_fft_);
  }
}

template <class ExecSpace>
void G2Engine<ExecSpace>::compute(const ExecSpace& exec, SeriesView series, OutView out) {
  require(static_cast<int>(series.extent(1)) == n_t_,
          "g2: series have " + std::to_string(series.extent(1)) + " frames, engine expects " +
              std::to_string(n_t_));
  require(out.extent(0) == series.extent(0) && static_cast<int>(out.extent(1)) == n_bins(),
          "g2: output must be n_series x n_bins");
  if (series.extent(0) == 0) return;
  if constexpr (Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible) {
    if (backend_ == Backend::fftw) return compute_fftw(exec, series, out);
  }
  compute_portable(exec, series, out);
}

template <class ExecSpace>
void G2Engine<ExecSpace>::compute_fftw(const ExecSpace& exec, SeriesView series, OutView out) {
  // Only instantiated for host execution spaces (see compute): the work items call FFTW.
  require(fftw_ != nullptr, "g2: this engine was made for the portable backend");
  const detail::FftwAutocorr* plans = fftw_.get();
  const int n_t = n_t_, n_fft = n_fft_, block = plans->block_rows(), stride = plans->row_stride();
  const bool symmetric = norm_ == Normalization::symmetric;
  const auto first = first_;
  const auto last = last_;
  double* const buffer = plans->buffer();
  const std::size_t n_series = series.extent(0);
  const std::size_t chunk = static_cast<std::size_t>(plans->chunk_rows());
  const double nan = detail::quiet_nan();
  // The buffer holds one chunk; each work item owns `block` consecutive rows of it.
  for (std::size_t c0 = 0; c0 < n_series; c0 += chunk) {
    const int rows = static_cast<int>(n_series - c0 < chunk ? n_series - c0 : chunk);
    const int n_blocks = (rows + block - 1) / block;
    Kokkos::parallel_for(
        "ecm::g2::fftw_block", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_blocks), [=](const int blk) {
          const int r0 = blk * block;
          const int nr = kmath::min(block, rows - r0);
          double* const rows_ptr = buffer + static_cast<std::size_t>(r0) * stride;
          for (int r = 0; r < nr; ++r) {
            double* row = rows_ptr + static_cast<std::size_t>(r) * stride;
            const std::size_t s = c0 + r0 + r;
            for (int t = 0; t < n_t; ++t) row[t] = series(s, t);
            for (int t = n_t; t < n_fft; ++t) row[t] = 0.0;
          }
          plans->autocorrelate_rows(rows_ptr, nr);  // row[Δ] = n_fft · c(Δ)
          const double scale = 1.0 / n_fft;
          for (int r = 0; r < nr; ++r) {
            const double* row = rows_ptr + static_cast<std::size_t>(r) * stride;
            const std::size_t s = c0 + r0 + r;
            detail::normalize_and_bin(n_t, symmetric, nan, first, last, series, out, s,
                                      detail::PointerCorrelation{row, scale});
          }
        });
  }
  exec.fence();  // the FFTW buffer is a raw pointer owned by this engine
}

template <class ExecSpace>
void G2Engine<ExecSpace>::compute_portable(const ExecSpace& exec, SeriesView series, OutView out) {
  require(backend_ == Backend::portable, "g2: this engine was made for the fftw backend");
  const std::size_t n_series = series.extent(0);
  const std::size_t chunk = detail::portable_chunk_rows(n_fft_, n_series);
  if (work_.extent(0) < chunk)
    work_ = WorkView(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, "ecm::g2::portable_work"), chunk,
        2 * static_cast<std::size_t>(n_fft_));
  const auto work = work_;
  const auto twiddles = twiddles_;
  const auto first = first_;
  const auto last = last_;
  const int n_t = n_t_, n_fft = n_fft_;
  int log2n = 0;
  while ((1 << log2n) < n_fft) ++log2n;
  const bool symmetric = norm_ == Normalization::symmetric;
  const double nan = detail::quiet_nan();
  for (std::size_t c0 = 0; c0 < n_series; c0 += chunk) {
    const int rows = static_cast<int>(n_series - c0 < chunk ? n_series - c0 : chunk);
    Kokkos::parallel_for(
        "ecm::g2::portable_fft", Kokkos::RangePolicy<ExecSpace>(exec, 0, rows), KOKKOS_LAMBDA(const int i) {
          const std::size_t s = c0 + i;
          for (int t = 0; t < n_t; ++t) {
            work(i, 2 * t) = series(s, t);
            work(i, 2 * t + 1) = 0.0;
          }
          for (int t = n_t; t < n_fft; ++t) work(i, 2 * t) = work(i, 2 * t + 1) = 0.0;
          detail::radix2_fft(work, i, n_fft, log2n, twiddles);
          for (int k = 0; k < n_fft; ++k) {  // power spectrum |X_k|², real and even
            const double re = work(i, 2 * k), im = work(i, 2 * k + 1);
            work(i, 2 * k) = re * re + im * im;
            work(i, 2 * k + 1) = 0.0;
          }
          // For a real even spectrum the forward transform equals n_fft times the inverse.
          detail::radix2_fft(work, i, n_fft, log2n, twiddles);
          const double scale = 1.0 / n_fft;
          detail::normalize_and_bin(n_t, symmetric, nan, first, last, series, out, s,
                                    detail::WorkCorrelation<WorkView>{work, i, scale});
        });
  }
}

}  // namespace ecm::g2
