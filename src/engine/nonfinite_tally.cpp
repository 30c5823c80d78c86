#include "ecm/engine/nonfinite_tally.hpp"

#include <cstring>
#include <sstream>

#include "ecm/core/mpi_check.hpp"

namespace ecm::engine {

namespace {
// The exponent bits all set: NaN or +-Inf. An integer test, so that the count loop
// vectorises and is immune to floating-point flags.
inline bool nonfinite_bits(std::uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u; }
}  // namespace

std::uint64_t NonFiniteTally::add(const float* frames, std::size_t n_frames) {
  const std::size_t det = det_y_ * det_x_;
  const std::uint64_t before = values_;
  for (std::size_t f = 0; f < n_frames; ++f) {
    const float* frame = frames + f * det;
    std::uint64_t n = 0;
    for (std::size_t p = 0; p < det; ++p) {
      std::uint32_t u;
      std::memcpy(&u, frame + p, sizeof u);
      n += nonfinite_bits(u);
    }
    if (n == 0) continue;  // the usual case: one cheap pass, nothing recorded
    values_ += n;
    if (bad_.empty()) bad_.assign(det, 0);
    for (std::size_t p = 0; p < det; ++p) {
      std::uint32_t u;
      std::memcpy(&u, frame + p, sizeof u);
      if (nonfinite_bits(u)) bad_[p] = 1;
    }
  }
  return values_ - before;
}

void NonFiniteTally::reduce(MPI_Comm comm) {
  unsigned long long sums[2] = {values_, lower_bound_ ? 1ull : 0ull};
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm),
             "MPI_Allreduce(NaN and Inf values)");
  values_ = sums[0];
  lower_bound_ = sums[1] > 0;
  if (values_ == 0) return;  // the same branch on every rank
  bad_.resize(det_y_ * det_x_, 0);
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, bad_.data(), int(bad_.size()), MPI_UNSIGNED_CHAR, MPI_MAX, comm),
             "MPI_Allreduce(NaN and Inf pixels)");
}

std::size_t NonFiniteTally::pixels() const {
  std::size_t n = 0;
  for (auto b : bad_) n += b;
  return n;
}

std::string NonFiniteTally::note() const {
  if (values_ == 0) return "";
  const std::size_t n_pix = pixels();
  std::ostringstream s;
  s << "NaN or Inf in " << (lower_bound_ ? "at least " : "") << values_ << " frame value" << (values_ == 1 ? "" : "s") << " (" << n_pix << " detector pixel"
    << (n_pix == 1 ? "" : "s");
  // The first few, so that a dead pixel can be found and masked.
  std::size_t listed = 0;
  for (std::size_t p = 0; p < bad_.size() && listed < 3; ++p)
    if (bad_[p]) s << (listed++ ? "; " : ": ") << "y " << p / det_x_ << ", x " << p % det_x_;
  if (n_pix > listed) s << "; ...";
  s << "), read as 0 counts";
  return s.str();
}

}  // namespace ecm::engine
