#pragma once
// The files of one StreamPix movie: the .seq itself, or for DE Celeritas cameras the two
// halves `<movie>_Top_<time>.seq` and `<movie>_Bottom_<time>.seq` (the time suffixes differ
// between halves), and the companions DE writes beside it, named after `<movie>.seq`:
// `.dark.mrc`, `.gain.mrc`, `.Config.Metadata.xml`.
#include <optional>
#include <string>
#include <vector>

namespace ecm::io::sources {

struct SeqFiles {
  std::vector<std::string> parts;  // one plain file, or the top half then the bottom half
  bool halves() const { return parts.size() == 2; }
  std::string movie;               // what the companions are named after ("<dir>/Movie_00785.seq")
  std::optional<std::string> dark, gain, config;
  std::vector<std::string> notes;  // companions found by pattern rather than by name
};

// Finds the movie's files from any of its parts. Throws InputError naming `path` when a
// Celeritas half has no partner, or more than one candidate.
SeqFiles find_seq_files(const std::string& path);

}  // namespace ecm::io::sources
