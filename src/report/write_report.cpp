#include "ecm/report/write_report.hpp"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "ecm/core/error.hpp"
#include "ecm/report/html.hpp"

namespace ecm::report {

namespace fs = std::filesystem;

namespace {

// Moves every file under `from` to the same place under `to` (folders created), replacing
// files of the same name: the staging folder is beside DIR, so these are renames.
void move_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const fs::path target = to / entry.path().filename();
    if (entry.is_directory()) {
      move_tree(entry.path(), target);
    } else {
      std::error_code ec;
      fs::rename(entry.path(), target, ec);
      if (ec) throw Error("moving " + entry.path().string() + " to " + target.string() + " failed (" + ec.message() + ")");
    }
  }
}

}  // namespace

WrittenReport write_report(const std::string& dir, const ReportInputs& in, const std::string& gnuplot,
                           const std::string& design_verdict) {
  fs::path target = fs::path(dir).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "out/" -> "out"
  if (target.empty()) throw InputError("no output directory given (-o DIR)");
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_directory(target, ec))
    throw InputError("-o '" + dir + "' is a file, not a directory");
  const fs::path staging = target.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(staging, ec);
  WrittenReport out;
  try {
    out.figures = draw_figures(staging.string(), in, gnuplot);
    write_html(staging.string(), in, out.figures, design_verdict);
    move_tree(staging, target);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(staging, ec);
  out.page = (target / "index.html").string();
  return out;
}

}  // namespace ecm::report
