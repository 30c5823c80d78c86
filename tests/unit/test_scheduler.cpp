// How the dynamic scheduler splits a round's tiles over ranks of different speeds.
#include <catch2/catch.hpp>

#include <numeric>

#include "ecm/engine/scheduler.hpp"

using ecm::engine::Scheduler;

TEST_CASE("the first round and the static schedule give one tile per rank", "[scheduler]") {
  CHECK(Scheduler::split({0.0, 0.0, 0.0}, 10, true) == std::vector<std::size_t>{1, 1, 1});
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 10, false) == std::vector<std::size_t>{1, 1, 1});
}

TEST_CASE("dynamic rounds give each rank tiles in proportion to its speed", "[scheduler]") {
  // Rank 1 takes 3 s per tile, the others 1 s: in the time it does one, they do three.
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 100, true) == std::vector<std::size_t>{3, 1, 3});
  CHECK(Scheduler::split({2.0, 2.0}, 100, true) == std::vector<std::size_t>{1, 1});
  // A rank 2.5x faster takes 2 (whole tiles, never more than fit in the slowest's time).
  CHECK(Scheduler::split({1.0, 2.5}, 100, true) == std::vector<std::size_t>{2, 1});
}

TEST_CASE("the last tiles go to the fastest ranks first", "[scheduler]") {
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 2, true) == std::vector<std::size_t>{1, 0, 1});
  CHECK(Scheduler::split({1.0, 3.0, 1.0}, 5, true) == std::vector<std::size_t>{2, 1, 2});
  CHECK(Scheduler::split({3.0, 1.0}, 1, true) == std::vector<std::size_t>{0, 1});
  for (std::size_t left = 0; left < 12; ++left) {
    const auto c = Scheduler::split({1.0, 4.0, 2.0}, left, true);
    CHECK(std::accumulate(c.begin(), c.end(), std::size_t(0)) == std::min<std::size_t>(left, 4 + 1 + 2));
  }
}
