#include "ecm/engine/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ecm/core/mpi_check.hpp"

namespace ecm::engine {

Scheduler::Scheduler(std::vector<std::size_t> pending, bool dynamic, MPI_Comm comm)
    : pending_(std::move(pending)), dynamic_(dynamic), comm_(comm) {}

std::vector<std::size_t> Scheduler::split(const std::vector<double>& seconds_per_tile, std::size_t remaining,
                                          bool dynamic) {
  const std::size_t n = seconds_per_tile.size();
  std::vector<std::size_t> count(n, 1);
  const bool known = std::all_of(seconds_per_tile.begin(), seconds_per_tile.end(), [](double s) { return s > 0; });
  if (dynamic && known) {
    const double slowest = *std::max_element(seconds_per_tile.begin(), seconds_per_tile.end());
    for (std::size_t r = 0; r < n; ++r)
      count[r] = std::max<std::size_t>(1, std::size_t(std::floor(slowest / seconds_per_tile[r] + 1e-9)));
  }
  // Fewer tiles left than the round wants: the fastest ranks get them first.
  std::size_t total = std::accumulate(count.begin(), count.end(), std::size_t(0));
  if (total > remaining) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (known)
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return seconds_per_tile[a] < seconds_per_tile[b]; });
    std::vector<std::size_t> fair(n, 0);
    // Deal the remaining tiles one at a time in order of speed, each rank up to its count.
    std::size_t left = remaining;
    while (left > 0)
      for (std::size_t i = 0; i < n && left > 0; ++i)
        if (fair[order[i]] < count[order[i]]) ++fair[order[i]], --left;
    count = fair;
  }
  return count;
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
  const auto count = split(speeds, remaining, dynamic_);
  // Every rank computes the same split from the same numbers: rank r takes the next
  // count[r] tiles in plan order after ranks 0..r-1.
  std::size_t at = next_;
  for (int r = 0; r < n_ranks; ++r) {
    for (std::size_t k = 0; k < count[std::size_t(r)]; ++k) {
      if (r == me) mine.push_back(pending_[at]);
      round_.push_back(pending_[at]);
      ++at;
    }
    slots_ = std::max(slots_, count[std::size_t(r)]);
  }
  next_ = at;
  return true;
}

}  // namespace ecm::engine
