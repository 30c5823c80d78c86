#include "ecm/core/units.hpp"
#include "ecm/io/sources/de_server_info.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

namespace {



std::string num(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// A count the info states: a whole number >= 1, or nullopt when absent.
std::optional<std::size_t> count(const DeServerInfo& info, const std::string& key) {
  const auto v = info.number(key);
  if (!v) return std::nullopt;
  if (!(*v >= 1) || *v != std::floor(*v) || *v > 1e15)
    throw InputError(info.path + ": '" + key + "' is " + num(*v) + ", not a whole number >= 1");
  return std::size_t(*v);
}

}  // namespace

std::optional<std::string> DeServerInfo::text(const std::string& key) const {
  const auto it = values.find(key);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<double> DeServerInfo::number(const std::string& key) const {
  const auto v = text(key);
  if (!v || v->empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0' || !std::isfinite(d))
    throw InputError(path + ": '" + key + "' is '" + *v + "', not a number");
  return d;
}

DeServerInfo read_de_server_info(const std::string& path) {
  RawFile file(path);
  // The samples are 40 kB; a file far beyond that is not an info.txt.
  constexpr std::uint64_t kMaxBytes = 16u << 20;
  if (file.size() > kMaxBytes)
    throw InputError(path + ": " + std::to_string(file.size()) + " bytes is too large for a DE-Server info file");
  const auto bytes = file.read_at(0, std::size_t(file.size()), "the DE-Server info");
  DeServerInfo info;
  info.path = path;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(line.substr(0, eq));
    if (!key.empty()) info.values[key] = trim(line.substr(eq + 1));
  }
  if (info.values.empty()) throw InputError(path + ": no 'key = value' lines: not a DE-Server info file");
  return info;
}

std::string de_server_info_path(const std::string& movie_path) {
  const std::string tail = "_movie.mrc";
  if (!ends_with(movie_path, tail)) return {};
  return movie_path.substr(0, movie_path.size() - tail.size()) + "_info.txt";
}

void apply_de_server_info(const DeServerInfo& info, const std::string& movie_path, std::size_t n_frames,
                          SourceMetadata& meta) {
  // The camera's frame period: "Frames Per Second", else "Frame Time (nanoseconds)".
  if (const auto fps = info.number("Frames Per Second"); fps && *fps > 0) meta.frame_time_s = 1.0 / *fps;
  else if (const auto ns = info.number("Frame Time (nanoseconds)"); ns && *ns > 0) meta.frame_time_s = *ns * 1e-9;

  if (const auto x = info.number("Specimen Pixel Size X (nanometers)"); x && *x > 0) {
    meta.scan_step_nm = *x;
    const auto y = info.number("Specimen Pixel Size Y (nanometers)");
    if (y && *y != *x)
      meta.notes.push_back(info.path + ": scan pixels of " + num(*x) + " x " + num(*y) + " nm (X x Y): using " +
                           num(*x) + " nm as the scan step");
  }
  if (const auto d = info.number("Diffraction Pixel Size X"); d && *d > 0)
    meta.notes.push_back(info.path + ": 'Diffraction Pixel Size X' = " + num(*d) +
                         " gives no unit: not used as the k pixel size (give --k-pixel-size)");

  if (info.text("Scan - Enable") == std::optional<std::string>("Disable")) {
    meta.notes.push_back(info.path + ": 'Scan - Enable' = Disable: a movie without a scan (give --scan-shape)");
    return;
  }
  // With a scan ROI enabled, the scanned positions are the ROI's.
  const bool roi = info.text("Scan - ROI Enable") == std::optional<std::string>("Enable");
  const std::string size_key = roi ? "Scan - ROI Size " : "Scan - Size ";
  const auto nx = count(info, size_key + "X"), ny = count(info, size_key + "Y");
  if (!nx || !ny) {
    meta.notes.push_back(info.path + ": no '" + size_key + "X/Y': scan shape unknown (give --scan-shape)");
    return;
  }
  const std::size_t repeats = count(info, "Scan - Repeats").value_or(1);
  const std::size_t per_point = count(info, "Scan - Camera Frames Per Point").value_or(1);
  const std::size_t expected = *nx * *ny * repeats * per_point;
  if (expected != n_frames)
    throw InputError(movie_path + " holds " + std::to_string(n_frames) + " frames, but " + info.path +
                     " says a scan of " + std::to_string(*nx) + " x " + std::to_string(*ny) + " positions (X x Y), " +
                     std::to_string(repeats) + " repeats" +
                     (per_point == 1 ? std::string() : ", " + std::to_string(per_point) + " frames per point") + " = " +
                     std::to_string(expected) + " frames");
  if (per_point != 1) {
    meta.notes.push_back(info.path + ": " + std::to_string(per_point) +
                         " camera frames per scan point: the scan shape is left to --scan-shape / --cycle-frames");
    return;
  }
  meta.scan_shape = std::array<std::size_t, 2>{*ny, *nx};
  meta.cycles = repeats;
  // No per-frame timestamps in an MRC movie: a repeat starts one scan time plus the
  // configured delay after the one before.
  const auto per_scan = info.number("Scan - Time Per Scan (seconds)");
  if (per_scan && *per_scan > 0) {
    const double delay = info.number("Scan - Repeat Delay (seconds)").value_or(0.0);
    meta.time_step_s = *per_scan + std::max(delay, 0.0);
    meta.notes.push_back(info.path + ": time step " + num(*meta.time_step_s) + " s = time per scan " + num(*per_scan) +
                         " s + repeat delay " + num(std::max(delay, 0.0)) + " s (--time-step overrides)");
  }
}

}  // namespace ecm::io::sources
