#pragma once
// Which rank computes which tile, round by round. Each round ends in one collective write
// and a checkpoint (docs/checkpointing.md), so the split is decided collectively at the
// start of every round:
//   static   one tile per rank per round, in plan order (round-robin);
//   dynamic  tiles in proportion to each rank's measured speed: the round lasts about
//            `horizon` seconds (a few tiles of the slowest rank, at most about a minute
//            unless one tile takes longer), and each rank takes as many tiles as it
//            computes in that time, rounded to the nearest whole tile. So ranks of any
//            speed ratio (not only whole multiples) finish a round within half a tile of
//            one another, and a slow node holds no one up. The first round, before any
//            speed is known, gives one tile per rank.
//   last     when fewer tiles are left than a round wants, each goes to the rank that
//            would finish it first (the shortest round for tiles of equal cost).
// Speeds are exchanged with one MPI_Allgather per round; no rank waits on another
// between rounds, and no one-sided MPI is needed (whose passive-target progress on TCP
// clusters would depend on the owner of the queue entering MPI while it computes).
// A rank that is asked to stop (SIGTERM) skips the rest of its tiles in the round;
// `finished` then names only the tiles computed, the ones the ledger may record.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecm::engine {

class Scheduler {
 public:
  // A dynamic round lasts this many tiles of the slowest rank...
  static constexpr int kSlowestTilesPerRound = 4;
  // ...but no longer than this (it is the work a kill -9 can lose), unless one tile does.
  static constexpr double kMaxRoundSeconds = 60.0;

  // `pending`: indices of the tiles still to compute, in plan order. A rank holds the
  // results of its round's tiles until the round's writes: at most `max_tiles_per_round`.
  Scheduler(std::vector<std::size_t> pending, bool dynamic, std::size_t max_tiles_per_round, MPI_Comm comm);

  // Collective. Plans the next round from every rank's seconds per tile so far (0 while
  // unknown) and returns this rank's tiles; false when no tile is left for anyone.
  bool next_round(double my_seconds_per_tile, std::vector<std::size_t>& mine);

  // Of the round just planned: the most tiles any rank has (collective writes to make).
  std::size_t slots() const { return slots_; }

  // Collective, after the round's tiles are computed: every rank says how many of its tiles
  // it finished (all, unless it was asked to stop); returns the finished tiles of all ranks.
  std::vector<std::size_t> finished(std::size_t my_finished) const;

  // The split for given speeds (pure, for tests): tiles per rank for this round.
  static std::vector<std::size_t> split(const std::vector<double>& seconds_per_tile, std::size_t remaining,
                                        bool dynamic, std::size_t max_tiles_per_round = SIZE_MAX);

 private:
  std::vector<std::size_t> pending_;
  std::size_t next_ = 0;  // first pending tile not yet handed out
  bool dynamic_;
  std::size_t max_tiles_per_round_;
  MPI_Comm comm_;
  std::size_t slots_ = 0;
  std::vector<std::size_t> round_;   // the round's tiles, rank 0's first
  std::vector<std::size_t> counts_;  // tiles per rank in the round
};

}  // namespace ecm::engine
