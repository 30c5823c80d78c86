// NonFiniteTally: the count of NaN and Inf frame values the run summary reports (issue 14,
// class 2). The reduction over ranks is exercised by tests/cli/check_nonfinite_input.sh.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "ecm/engine/nonfinite_tally.hpp"

using ecm::engine::NonFiniteTally;

TEST_CASE("NaN and Inf frame values are counted per value and per detector pixel", "[nonfinite]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  NonFiniteTally tally(3, 4);  // 12 pixels per frame
  std::vector<float> frames(3 * 12, 1.0f);
  CHECK(tally.add(frames.data(), 3) == 0);  // a clean block: the kernels may skip the screen
  CHECK(tally.values() == 0);
  CHECK(tally.note().empty());
  frames[0 * 12 + 5] = nan;   // y 1, x 1
  frames[1 * 12 + 5] = -inf;  // the same pixel, next frame
  frames[2 * 12 + 11] = inf;  // y 2, x 3
  frames[2 * 12 + 0] = 3.0e38f;  // large but finite
  CHECK(tally.add(frames.data(), 3) == 3);
  CHECK(tally.add(frames.data(), 1) == 1);  // the first frame again
  CHECK(tally.values() == 4);
  CHECK(tally.pixels() == 2);
  CHECK(tally.note() == "NaN or Inf in 4 frame values (2 detector pixels: y 1, x 1; y 2, x 3), read as 0 counts");
}

TEST_CASE("the note lists three pixels and says when there are more", "[nonfinite]") {
  NonFiniteTally tally(2, 2);
  std::vector<float> frame(4, std::numeric_limits<float>::quiet_NaN());
  tally.add(frame.data(), 1);
  CHECK(tally.note() == "NaN or Inf in 4 frame values (4 detector pixels: y 0, x 0; y 0, x 1; y 1, x 0; ...), read as 0 counts");
}

TEST_CASE("a count that misses values says at least", "[nonfinite]") {
  NonFiniteTally tally(1, 2);
  std::vector<float> frame{std::numeric_limits<float>::infinity(), 0.0f};
  tally.add(frame.data(), 1);
  tally.mark_lower_bound();
  CHECK(tally.note() == "NaN or Inf in at least 1 frame value (1 detector pixel: y 0, x 0), read as 0 counts");
}
