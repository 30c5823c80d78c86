// Batched FFTW plans for g2 (see ecm/kernels/g2_fftw.hpp).
#include "ecm/kernels/g2_fftw.hpp"

#include <fftw3.h>

#include <mutex>
#include <new>
#include <string>

#include "ecm/core/error.hpp"

namespace ecm::g2::detail {
namespace {

// FFTW's planner and plan destruction are not thread-safe; execution is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

fftw_plan plan_r2c(int n, int howmany, int cdist, double* buf) {
  return fftw_plan_many_dft_r2c(1, &n, howmany, buf, nullptr, 1, 2 * cdist,
                                reinterpret_cast<fftw_complex*>(buf), nullptr, 1, cdist, FFTW_ESTIMATE);
}

fftw_plan plan_c2r(int n, int howmany, int cdist, double* buf) {
  return fftw_plan_many_dft_c2r(1, &n, howmany, reinterpret_cast<fftw_complex*>(buf), nullptr, 1, cdist,
                                buf, nullptr, 1, 2 * cdist, FFTW_ESTIMATE);
}

}  // namespace

FftwAutocorr::FftwAutocorr(int n_fft, int chunk_rows)
    : n_fft_(n_fft), chunk_rows_(((chunk_rows < 1 ? 1 : chunk_rows) + kBlockRows - 1) / kBlockRows * kBlockRows) {
  require(n_fft >= 2, "g2: FFT length must be >= 2");
  // In-place r2c needs n/2+1 complex per row; rounding up to 4 complex (64 bytes) keeps
  // every row as aligned as the buffer start, so the plans can run on any row (new-array
  // execute requires the same alignment as the array they were planned on).
  const int cdist = ((n_fft / 2 + 1) + 3) / 4 * 4;
  row_stride_ = 2 * cdist;
  const std::size_t n_doubles = static_cast<std::size_t>(row_stride_) * chunk_rows_;
  std::lock_guard<std::mutex> lock(planner_mutex());
  buffer_ = fftw_alloc_real(n_doubles);
  if (!buffer_) throw std::bad_alloc();
  r2c_block_ = plan_r2c(n_fft, kBlockRows, cdist, buffer_);
  c2r_block_ = plan_c2r(n_fft, kBlockRows, cdist, buffer_);
  r2c_one_ = plan_r2c(n_fft, 1, cdist, buffer_);
  c2r_one_ = plan_c2r(n_fft, 1, cdist, buffer_);
  if (!r2c_block_ || !c2r_block_ || !r2c_one_ || !c2r_one_) {
    release();  // no destructor runs for a constructor that throws
    throw Error("g2: FFTW could not plan transforms of length " + std::to_string(n_fft));
  }
}

FftwAutocorr::~FftwAutocorr() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  release();
}

void FftwAutocorr::release() {
  for (void** p : {&r2c_block_, &c2r_block_, &r2c_one_, &c2r_one_}) {
    if (*p) fftw_destroy_plan(static_cast<fftw_plan>(*p));
    *p = nullptr;
  }
  fftw_free(buffer_);
  buffer_ = nullptr;
}

void FftwAutocorr::autocorrelate_rows(double* rows, int n_rows) const {
  const bool whole = n_rows == kBlockRows;
  const int n_freq = n_fft_ / 2 + 1;
  // Batched plan for a full block; the single-row plan, row by row, for a ragged one.
  const int n_exec = whole ? 1 : n_rows;
  auto r2c = static_cast<fftw_plan>(whole ? r2c_block_ : r2c_one_);
  auto c2r = static_cast<fftw_plan>(whole ? c2r_block_ : c2r_one_);
  for (int e = 0; e < n_exec; ++e) {
    double* p = rows + static_cast<std::size_t>(e) * row_stride_;
    fftw_execute_dft_r2c(r2c, p, reinterpret_cast<fftw_complex*>(p));
  }
  // |X_k|²: the spectrum of the autocorrelation (Wiener–Khinchin).
  for (int r = 0; r < n_rows; ++r) {
    double* z = rows + static_cast<std::size_t>(r) * row_stride_;
    for (int k = 0; k < n_freq; ++k) {
      z[2 * k] = z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1];
      z[2 * k + 1] = 0.0;
    }
  }
  for (int e = 0; e < n_exec; ++e) {
    double* p = rows + static_cast<std::size_t>(e) * row_stride_;
    fftw_execute_dft_c2r(c2r, reinterpret_cast<fftw_complex*>(p), p);
  }
}

}  // namespace ecm::g2::detail
