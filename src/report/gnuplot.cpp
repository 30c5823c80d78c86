#include "ecm/report/gnuplot.hpp"

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::report {

namespace fs = std::filesystem;

std::string find_gnuplot() {
  if (const char* env = std::getenv("ECM_GNUPLOT"); env && *env) return fs::exists(env) ? std::string(env) : std::string();
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "gnuplot";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return {};
}

std::string quoted(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += (c == '\'') ? std::string("''") : std::string(1, c);
  return q + "'";
}

namespace {
std::string tail_of(const std::string& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back(line);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += (out.empty() ? "" : " | ") + all[i];
  return out;
}
// Shell-quoted for /bin/sh.
std::string sh(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

void run_gnuplot(const std::string& gnuplot, const std::string& script, const std::string& png) {
  const fs::path s = fs::absolute(script);
  const std::string log = s.string() + ".log";
  std::error_code ec;
  fs::remove(png, ec);
  const std::string command = "cd " + sh(s.parent_path().string()) + " && " + sh(gnuplot) + " " +
                              sh(s.filename().string()) + " > " + sh(log) + " 2>&1";
  const int status = std::system(command.c_str());
  const bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) throw Error("gnuplot failed on " + script + ": " + tail_of(log, 3));
  if (!fs::exists(png) || fs::file_size(png) == 0) throw Error("gnuplot drew nothing into " + png + " (" + script + ")");
}

void write_columns(const std::string& path, const std::vector<std::string>& names,
                   const std::vector<std::vector<double>>& columns) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write " + path);
  out << '#';
  for (const auto& n : names) out << ' ' << n;
  out << '\n' << std::setprecision(9);
  const std::size_t rows = columns.empty() ? 0 : columns[0].size();
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const double v = columns[c][r];
      out << (c ? " " : "");
      if (std::isfinite(v)) out << v;
      else out << "NaN";
    }
    out << '\n';
  }
  if (!out) throw Error("writing " + path + " failed");
}

void write_matrix(const std::string& path, const std::vector<double>& values, std::size_t rows, std::size_t cols) {
  std::ofstream out(path);
  if (!out) throw Error("cannot write " + path);
  out << std::setprecision(7);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const double v = values[r * cols + c];
      out << (c ? " " : "");
      if (std::isfinite(v)) out << v;
      else out << "NaN";
    }
    out << '\n';
  }
  if (!out) throw Error("writing " + path + " failed");
}

}  // namespace ecm::report
