#pragma once
// NaN and Inf values in float frames, counted as the analysis reads them. The kernels read
// such a value as 0 counts (preprocess::PixelCorrection); this tally is what the run
// summary reports about them ("input note"), so that a masked value is never silent.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecm::engine {

class NonFiniteTally {
 public:
  NonFiniteTally() = default;
  NonFiniteTally(std::size_t det_y, std::size_t det_x) : det_y_(det_y), det_x_(det_x) {}

  // Adds n_frames float frames of det_y * det_x values each, contiguous; returns how many
  // of their values are NaN or Inf (0: the kernels may skip the screen for them).
  std::uint64_t add(const float* frames, std::size_t n_frames);

  // The counts of this rank miss some values read (drift-corrected reads count only each
  // tile's own positions): the note then says "at least".
  void mark_lower_bound() { lower_bound_ = true; }

  // Sums the counts over comm and marks every pixel that held a NaN or Inf on any rank.
  // Collective: every rank calls it once, after its last add.
  void reduce(MPI_Comm comm);

  std::uint64_t values() const { return values_; }
  std::size_t pixels() const;  // detector pixels that held one (after reduce: on any rank)

  // One line for the run summary, e.g. "NaN or Inf in 64 frame values (1 detector pixel:
  // y 10, x 30), read as 0 counts" ("in at least 64" after mark_lower_bound); empty when
  // there were none.
  std::string note() const;

 private:
  std::size_t det_y_ = 0, det_x_ = 0;
  std::uint64_t values_ = 0;
  bool lower_bound_ = false;
  std::vector<std::uint8_t> bad_;  // per detector pixel, 1 = held one; empty until one is seen
};

}  // namespace ecm::engine
