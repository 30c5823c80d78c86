#pragma once
// DE-Server's record of an acquisition, written beside each movie as `<name>_info.txt`: one
// "<key padded with spaces> = <value>" per line (e.g. "Scan - Size X  = 8"). The MRC reader
// takes the scan (size, repeats), the frame rate and the specimen pixel size from it.
#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "ecm/io/frame_source.hpp"

namespace ecm::io::sources {

struct DeServerInfo {
  std::string path;
  std::map<std::string, std::string> values;  // key -> value, both trimmed
  std::optional<std::string> text(const std::string& key) const;
  // The value as a number; nullopt when absent or empty; InputError naming the file and the
  // key when it is there but not a number.
  std::optional<double> number(const std::string& key) const;
};

// Parses `path`; throws InputError naming it when it cannot be read or holds no key = value line.
DeServerInfo read_de_server_info(const std::string& path);

// The companion of a DE-Server movie: "X_movie.mrc" -> "X_info.txt"; empty for other names.
std::string de_server_info_path(const std::string& movie_path);

// Fills meta from the info: scan_shape, cycles (repeats), frame_time_s (1 / frames per
// second), time_step_s (time per scan + repeat delay), scan_step_nm, and notes. Throws
// InputError naming both files when the scan size x repeats disagrees with the movie's
// `n_frames`.
void apply_de_server_info(const DeServerInfo& info, const std::string& movie_path, std::size_t n_frames,
                          SourceMetadata& meta);

}  // namespace ecm::io::sources
