#pragma once
// Wall time per pipeline stage on one rank (read, kernels, g2, fit, write, wait).
#include <chrono>
#include <map>
#include <string>

namespace ecm::engine {

class StageTimer {
 public:
  using Clock = std::chrono::steady_clock;
  // Adds the time since the last mark (or construction) to `stage`.
  void mark(const std::string& stage) {
    const auto now = Clock::now();
    seconds_[stage] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }
  void restart() { last_ = Clock::now(); }
  const std::map<std::string, double>& seconds() const { return seconds_; }

 private:
  Clock::time_point last_ = Clock::now();
  std::map<std::string, double> seconds_;
};

}  // namespace ecm::engine
