#include "ecm/engine/progress.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "ecm/core/error.hpp"

namespace ecm::engine {

namespace {
std::string hms(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = long(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}
}  // namespace

Progress::Style Progress::style_for(const std::string& option, bool is_terminal) {
  if (option == "auto") return is_terminal ? Style::bar : Style::lines;
  if (option == "bar") return Style::bar;
  if (option == "lines") return Style::lines;
  if (option == "none") return Style::none;
  throw InputError("--progress must be auto, bar, lines or none (got '" + option + "')");
}

Progress::Progress(std::ostream& out, Style style, std::size_t total, std::size_t done_before,
                   double bytes_per_position)
    : out_(out),
      style_(style),
      total_(total),
      done_before_(done_before),
      bytes_per_position_(bytes_per_position),
      start_(std::chrono::steady_clock::now()),
      last_line_(start_) {}

void Progress::update(std::size_t done, std::size_t positions_this_run) {
  if (style_ == Style::none || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double mb_per_s = elapsed > 0 ? bytes_per_position_ * double(positions_this_run) / 1e6 / elapsed : 0.0;
  const std::size_t done_now = done - done_before_, left = total_ - done;
  // ETA from this run's pace (tiles of earlier runs took no time here).
  const double eta = done_now ? elapsed / double(done_now) * double(left) : NAN;
  char line[160];
  if (style_ == Style::bar) {
    constexpr int width = 20;
    const int filled = int(double(width) * double(done) / double(total_));
    std::string bar(std::size_t(filled), '#');
    bar.append(std::size_t(width - filled), '.');
    std::snprintf(line, sizeof line, "\r[%s] %zu/%zu tiles  %.0f MB/s  ETA %s ", bar.c_str(), done, total_, mb_per_s,
                  hms(eta).c_str());
    out_ << line << std::flush;
    drawn_ = true;
    return;
  }
  const int decile = int(10.0 * double(done) / double(total_));
  if (decile == last_decile_ && std::chrono::duration<double>(now - last_line_).count() < 60.0 && done < total_) return;
  last_decile_ = decile;
  last_line_ = now;
  std::snprintf(line, sizeof line, "ecm run: %zu/%zu tiles (%.0f %%), %.0f MB/s, elapsed %s, ETA %s", done, total_,
                100.0 * double(done) / double(total_), mb_per_s, hms(elapsed).c_str(), hms(eta).c_str());
  out_ << line << std::endl;
}

void Progress::finish() {
  if (drawn_) out_ << std::endl;
  drawn_ = false;
}

}  // namespace ecm::engine
