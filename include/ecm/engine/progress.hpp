#pragma once
// What rank 0 tells the user while `ecm run` works through its tiles (on stderr, so that
// stdout keeps only the summary): on a terminal a bar redrawn every round,
//   [##########..........]  8/16 tiles  412 MB/s  ETA 0:00:09
// elsewhere (a SLURM log) a plain line whenever another 10 % is done or a minute passed.
#include <chrono>
#include <cstddef>
#include <ostream>

namespace ecm::engine {

class Progress {
 public:
  enum class Style { bar, lines, none };
  // total tiles, tiles already done by an earlier run, raw bytes per tile position.
  Progress(std::ostream& out, Style style, std::size_t total, std::size_t done_before, double bytes_per_position);
  // Tiles done so far (all ranks) and positions of the tiles this run computed.
  void update(std::size_t done, std::size_t positions_this_run);
  void finish();
  static Style style_for(const std::string& option, bool is_terminal);  // "auto" | "bar" | "lines" | "none"

 private:
  std::ostream& out_;
  Style style_;
  std::size_t total_, done_before_;
  double bytes_per_position_;
  std::chrono::steady_clock::time_point start_, last_line_;
  int last_decile_ = -1;
  bool drawn_ = false;
};

}  // namespace ecm::engine
