#pragma once
// FFTW plans for the autocorrelation of many real series at once (host only).
// FFTW's headers stay in the .cpp: the plans are opaque here.
#include <cstddef>

namespace ecm::g2::detail {

// Owns an aligned buffer of chunk_rows() rows of row_stride() doubles and batched in-place
// r2c/c2r plans made on it once (FFTW_ESTIMATE, so results do not depend on timing).
// autocorrelate_rows() may be called concurrently on disjoint rows of the buffer.
class FftwAutocorr {
 public:
  // Rows per batched plan execution (one Kokkos work item).
  static constexpr int kBlockRows = 16;

  // chunk_rows (rounded up to whole blocks) bounds the buffer: chunk_rows x ~n_fft doubles.
  FftwAutocorr(int n_fft, int chunk_rows);
  ~FftwAutocorr();
  FftwAutocorr(const FftwAutocorr&) = delete;
  FftwAutocorr& operator=(const FftwAutocorr&) = delete;

  int n_fft() const { return n_fft_; }
  int row_stride() const { return row_stride_; }  // doubles; rows keep the buffer's alignment
  int block_rows() const { return kBlockRows; }
  int chunk_rows() const { return chunk_rows_; }
  double* buffer() const { return buffer_; }

  // Rows [rows, rows + n_rows) of the buffer hold zero-padded real series in their first
  // n_fft doubles; on return row[Δ] = n_fft · Σ_t x(t) x(t+Δ) for 0 ≤ Δ < n_fft (circular).
  // n_rows ≤ block_rows(); `rows` must be the buffer start plus a whole number of rows.
  void autocorrelate_rows(double* rows, int n_rows) const;

 private:
  void release();  // destroys plans and buffer; caller holds the planner lock
  int n_fft_ = 0, row_stride_ = 0, chunk_rows_ = 0;
  double* buffer_ = nullptr;
  void* r2c_block_ = nullptr;  // fftw_plan, howmany = kBlockRows
  void* c2r_block_ = nullptr;
  void* r2c_one_ = nullptr;    // fftw_plan, howmany = 1, for a ragged last block
  void* c2r_one_ = nullptr;
};

}  // namespace ecm::g2::detail
