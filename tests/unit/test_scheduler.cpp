// How the dynamic scheduler splits a round's tiles over ranks of different speeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "ecm/engine/scheduler.hpp"

using ecm::engine::Scheduler;

namespace {
std::size_t sum(const std::vector<std::size_t>& c) { return std::accumulate(c.begin(), c.end(), std::size_t(0)); }
// How long a round takes: its slowest rank's tiles times its seconds per tile.
double round_seconds(const std::vector<std::size_t>& count, const std::vector<double>& s) {
  double t = 0;
  for (std::size_t r = 0; r < s.size(); ++r) t = std::max(t, double(count[r]) * s[r]);
  return t;
}
// The shortest round for `tiles` equal tiles (all splits tried; for a few ranks).
double best_round_seconds(std::size_t tiles, const std::vector<double>& s) {
  double best = 1e300;
  std::vector<std::size_t> c(s.size(), 0);
  const auto visit = [&](auto&& self, std::size_t r, std::size_t left) -> void {
    if (r + 1 == s.size()) {
      c[r] = left;
      best = std::min(best, round_seconds(c, s));
      return;
    }
    for (std::size_t k = 0; k <= left; ++k) c[r] = k, self(self, r + 1, left - k);
  };
  visit(visit, 0, tiles);
  return best;
}
}  // namespace

TEST_CASE("the first round and the static schedule give one tile per rank", "[scheduler]") {
  CHECK(Scheduler::split({0.0, 0.0, 0.0}, 10, true) == std::vector<std::size_t>{1, 1, 1});
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 10, false) == std::vector<std::size_t>{1, 1, 1});
  CHECK(Scheduler::split({1.0, 0.0}, 10, true) == std::vector<std::size_t>{1, 1});  // one speed still unknown
  // The static schedule's last round goes round-robin, whatever the speeds.
  CHECK(Scheduler::split({3.0, 1.0, 2.0}, 2, false) == std::vector<std::size_t>{1, 1, 0});
}

TEST_CASE("dynamic rounds give each rank tiles in proportion to its speed", "[scheduler]") {
  constexpr std::size_t m = Scheduler::kSlowestTilesPerRound;
  // Rank 1 takes 3 s per tile, the others 1 s: in the time it does m, they do 3m.
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 100, true) == std::vector<std::size_t>{3 * m, m, 3 * m});
  CHECK(Scheduler::split({2.0, 2.0}, 100, true) == std::vector<std::size_t>{m, m});
  // Any ratio, not only whole multiples: 1.3x and 1.5x faster ranks take more tiles.
  CHECK(Scheduler::split({1.0, 1.3}, 100, true) == std::vector<std::size_t>{std::size_t(std::llround(1.3 * double(m))), m});
  CHECK(Scheduler::split({1.0, 1.5}, 100, true) == std::vector<std::size_t>{std::size_t(std::llround(1.5 * double(m))), m});
  // Every rank's share ends within half of one of its tiles of the round's horizon.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> speed(0.2, 5.0);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> s(1 + trial % 5);
    for (auto& v : s) v = speed(rng);
    const auto c = Scheduler::split(s, 100000, true);
    const double horizon = double(m) * *std::max_element(s.begin(), s.end());
    for (std::size_t r = 0; r < s.size(); ++r) {
      CHECK(c[r] >= 1);
      CHECK(std::abs(double(c[r]) * s[r] - horizon) <= 0.5 * s[r] + 1e-9);
    }
  }
}

TEST_CASE("a round lasts at most about a minute unless one tile takes longer", "[scheduler]") {
  const double cap = Scheduler::kMaxRoundSeconds;
  const auto c = Scheduler::split({cap / 2.5, cap / 5}, 1000, true);  // the slowest fits 2 in the cap
  CHECK(c == std::vector<std::size_t>{2, 4});
  CHECK(Scheduler::split({3 * cap, cap}, 1000, true) == std::vector<std::size_t>{1, 3});
}

TEST_CASE("the last tiles go where they finish first: the shortest last round", "[scheduler]") {
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 2, true) == std::vector<std::size_t>{1, 0, 1});
  CHECK(Scheduler::split({3.0, 1.0}, 1, true) == std::vector<std::size_t>{0, 1});
  CHECK(Scheduler::split({1.0, 1.0}, 3, true) == std::vector<std::size_t>{2, 1});
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> speed(0.2, 5.0);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<double> s(2 + trial % 3);
    for (auto& v : s) v = speed(rng);
    const std::size_t full = sum(Scheduler::split(s, 100000, true));
    for (std::size_t left = 0; left <= std::min<std::size_t>(full, 14); ++left) {
      const auto c = Scheduler::split(s, left, true);
      REQUIRE(sum(c) == left);
      CHECK(round_seconds(c, s) == Approx(best_round_seconds(left, s)).epsilon(1e-12));
    }
  }
}

TEST_CASE("no rank gets more tiles in a round than it may hold the results of", "[scheduler]") {
  // Rank 0 is 3x faster but may hold only 6 tiles' results: 6, not 12, and the round is
  // as short as its 6 tiles, so rank 1 takes 2, not 4.
  CHECK(Scheduler::split({1.0, 3.0}, 1000, true, 6) == std::vector<std::size_t>{6, 2});
  CHECK(Scheduler::split({1.0, 3.0}, 1000, true, 1) == std::vector<std::size_t>{1, 1});
  // The last round keeps to the same limit.
  CHECK(Scheduler::split({1.0, 3.0}, 7, true, 6) == std::vector<std::size_t>{6, 1});
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 14, true, 5) == std::vector<std::size_t>{5, 2, 5});
  CHECK(Scheduler::split({1.0, 3.0}, 1, true, 0) == std::vector<std::size_t>{1, 0});  // 0 counts as 1
}
