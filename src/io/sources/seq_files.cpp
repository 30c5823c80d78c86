// Finding a StreamPix movie's parts and companions by name.
#include "ecm/io/sources/seq_files.hpp"

#include <algorithm>
#include <filesystem>

#include "ecm/core/error.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

namespace {

namespace fs = std::filesystem;

const std::string kTop = "_Top_", kBottom = "_Bottom_";


std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// Regular files in `dir` (with its trailing slash, or empty for the working directory)
// whose names satisfy `keep`, sorted.
template <class Keep>
std::vector<std::string> list_dir(const std::string& dir, Keep keep) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir.empty() ? "." : dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (keep(name) && file_exists(dir + name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> first_existing(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates)
    if (file_exists(c)) return c;
  return std::nullopt;
}

}  // namespace

SeqFiles find_seq_files(const std::string& path) {
  SeqFiles f;
  const std::string dir = dir_of(path), base = path.substr(dir.size());
  const auto top = base.rfind(kTop), bottom = base.rfind(kBottom);
  const bool is_top = top != std::string::npos && (bottom == std::string::npos || top > bottom);
  const bool is_bottom = bottom != std::string::npos && !is_top;
  if (is_top || is_bottom) {
    const std::string prefix = base.substr(0, is_top ? top : bottom);
    const std::string other = prefix + (is_top ? kBottom : kTop);
    const auto matches = list_dir(dir, [&](const std::string& n) { return n.rfind(other, 0) == 0 && ends_with(n, ".seq"); });
    if (matches.empty())
      throw InputError(path + ": Celeritas " + (is_top ? "top" : "bottom") + " half without its " +
                       (is_top ? "bottom" : "top") + " half (no " + dir + other + "*.seq)");
    if (matches.size() > 1)
      throw InputError(path + ": " + std::to_string(matches.size()) + " candidates for the other Celeritas half (" +
                       matches[0] + ", " + matches[1] + (matches.size() > 2 ? ", ..." : "") + "): keep one");
    f.parts = is_top ? std::vector<std::string>{path, dir + matches[0]} : std::vector<std::string>{dir + matches[0], path};
    f.movie = dir + prefix + ".seq";
  } else {
    f.parts = {path};
    f.movie = path;
  }
  // Named after the movie; a half's own name is also tried.
  auto named = [&](const std::string& tail) {
    std::vector<std::string> c{f.movie + tail};
    for (const auto& p : f.parts) c.push_back(p + tail);
    return first_existing(c);
  };
  f.dark = named(".dark.mrc");
  f.gain = named(".gain.mrc");
  f.config = named(".Config.Metadata.xml");
  if (!f.gain) {
    // DE reuses a gain reference taken for another movie (the Celeritas sample's comes from
    // the movie before it): take the folder's only one, and say so.
    const auto gains = list_dir(dir, [](const std::string& n) { return ends_with(n, ".gain.mrc"); });
    if (gains.size() == 1) {
      f.gain = dir + gains[0];
      f.notes.push_back("gain reference " + gains[0] + " is not named after the movie; it is the only *.gain.mrc beside it: used");
    } else if (gains.size() > 1) {
      f.notes.push_back("no gain reference named after the movie, and " + std::to_string(gains.size()) +
                        " other *.gain.mrc beside it: none used");
    }
  }
  return f;
}

}  // namespace ecm::io::sources
