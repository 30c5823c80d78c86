#pragma once
// Which rank computes which tile, round by round. Each round ends in one collective write
// and a checkpoint (docs/checkpointing.md), so the split is decided collectively at the
// start of every round:
//   static   one tile per rank per round, in plan order (round-robin);
//   dynamic  tiles in proportion to each rank's measured speed: the slowest rank takes one
//            tile, a rank k times faster takes k, so a slow node holds no one up and every
//            round lasts about one tile of the slowest rank.
// Speeds are exchanged with one MPI_Allgather per round; no rank waits on another
// between rounds, and no one-sided MPI is needed (whose passive-target progress on TCP
// clusters would depend on the owner of the queue entering MPI while it computes).
#include <mpi.h>

#include <cstddef>
#include <vector>

namespace ecm::engine {

class Scheduler {
 public:
  // `pending`: indices of the tiles still to compute, in plan order.
  Scheduler(std::vector<std::size_t> pending, bool dynamic, MPI_Comm comm);

  // Collective. Plans the next round from every rank's seconds per tile so far (0 while
  // unknown) and returns this rank's tiles; false when no tile is left for anyone.
  bool next_round(double my_seconds_per_tile, std::vector<std::size_t>& mine);

  // Of the round just planned: the most tiles any rank has (collective writes to make),
  // and every tile of the round (what the ledger records after it).
  std::size_t slots() const { return slots_; }
  const std::vector<std::size_t>& round_tiles() const { return round_; }

  // The split for given speeds (pure, for tests): tiles per rank for this round.
  static std::vector<std::size_t> split(const std::vector<double>& seconds_per_tile, std::size_t remaining,
                                        bool dynamic);

 private:
  std::vector<std::size_t> pending_;
  std::size_t next_ = 0;  // first pending tile not yet handed out
  bool dynamic_;
  MPI_Comm comm_;
  std::size_t slots_ = 0;
  std::vector<std::size_t> round_;
};

}  // namespace ecm::engine
