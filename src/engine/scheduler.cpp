#include "ecm/engine/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ecm/core/mpi_check.hpp"

namespace ecm::engine {

Scheduler::Scheduler(std::vector<std::size_t> pending, bool dynamic, std::size_t max_tiles_per_round, MPI_Comm comm)
    : pending_(std::move(pending)), dynamic_(dynamic), max_tiles_per_round_(std::max<std::size_t>(1, max_tiles_per_round)),
      comm_(comm) {}

std::vector<std::size_t> Scheduler::split(const std::vector<double>& seconds_per_tile, std::size_t remaining,
                                          bool dynamic, std::size_t max_tiles_per_round) {
  const std::size_t cap = std::max<std::size_t>(1, max_tiles_per_round);
  const std::size_t n = seconds_per_tile.size();
  const bool known = dynamic && std::all_of(seconds_per_tile.begin(), seconds_per_tile.end(),
                                            [](double s) { return std::isfinite(s) && s > 0; });
  // Unknown speeds and the static schedule count as equal ones.
  const std::vector<double> s = known ? seconds_per_tile : std::vector<double>(n, 1.0);
  std::vector<std::size_t> count(n, 1);
  if (known) {
    const double slowest = *std::max_element(s.begin(), s.end());
    const double tiles_of_slowest =
        std::clamp(std::floor(kMaxRoundSeconds / slowest), 1.0, double(kSlowestTilesPerRound));
    // A fast rank limited by `cap` shortens the round for everyone, or the others would
    // keep it waiting.
    const double fastest = *std::min_element(s.begin(), s.end());
    const double horizon = std::min(tiles_of_slowest * slowest, double(cap) * fastest);
    for (std::size_t r = 0; r < n; ++r)
      count[r] = std::clamp<std::size_t>(std::size_t(std::llround(horizon / s[r])), 1, cap);
  }
  if (std::accumulate(count.begin(), count.end(), std::size_t(0)) <= remaining) return count;
  // The last round: each tile to the rank that would finish it first (ties: the faster
  // rank, then the lower one), which gives the shortest round for tiles of equal cost.
  std::vector<std::size_t> last(n, 0);
  for (std::size_t k = 0; k < remaining; ++k) {
    std::size_t best = n;
    for (std::size_t r = 0; r < n; ++r) {
      if (last[r] >= count[r]) continue;  // never more than a full round would give
      const double finish = double(last[r] + 1) * s[r];
      if (best == n || finish < double(last[best] + 1) * s[best] ||
          (finish == double(last[best] + 1) * s[best] && s[r] < s[best]))
        best = r;
    }
    ++last[best];
  }
  return last;
}

bool Scheduler::next_round(double my_seconds_per_tile, std::vector<std::size_t>& mine) {
  const int n_ranks = mpi::size(comm_), me = mpi::rank(comm_);
  std::vector<double> speeds(std::size_t(n_ranks), 0.0);
  mpi::check(MPI_Allgather(&my_seconds_per_tile, 1, MPI_DOUBLE, speeds.data(), 1, MPI_DOUBLE, comm_),
             "MPI_Allgather(seconds per tile)");
  mine.clear();
  round_.clear();
  slots_ = 0;
  const std::size_t remaining = pending_.size() - next_;
  if (remaining == 0) return false;
  counts_ = split(speeds, remaining, dynamic_, max_tiles_per_round_);
  // Every rank computes the same split from the same numbers: rank r takes the next
  // counts_[r] tiles in plan order after ranks 0..r-1.
  std::size_t at = next_;
  for (int r = 0; r < n_ranks; ++r) {
    for (std::size_t k = 0; k < counts_[std::size_t(r)]; ++k) {
      if (r == me) mine.push_back(pending_[at]);
      round_.push_back(pending_[at]);
      ++at;
    }
    slots_ = std::max(slots_, counts_[std::size_t(r)]);
  }
  next_ = at;
  return true;
}

std::vector<std::size_t> Scheduler::finished(std::size_t my_finished) const {
  const std::size_t n_ranks = counts_.size();
  std::vector<unsigned long long> done(n_ranks, 0);
  const unsigned long long mine = my_finished;
  mpi::check(MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, done.data(), 1, MPI_UNSIGNED_LONG_LONG, comm_),
             "MPI_Allgather(tiles finished in the round)");
  std::vector<std::size_t> tiles;
  std::size_t first = 0;  // rank r's tiles start here in round_
  for (std::size_t r = 0; r < n_ranks; ++r) {
    for (std::size_t k = 0; k < std::min<std::size_t>(done[r], counts_[r]); ++k) tiles.push_back(round_[first + k]);
    first += counts_[r];
  }
  return tiles;
}

}  // namespace ecm::engine
