// Placeholder until the mrc reader lands: detection says no, opening names the missing reader.
#include "ecm/core/error.hpp"
#include "ecm/io/sources/formats.hpp"

namespace ecm::io::sources {

bool looks_like_mrc(const std::string&, const std::vector<unsigned char>&) { return false; }

std::unique_ptr<FrameSource> open_mrc(const std::string& path, const SourceOptions&) {
  throw InputError(path + ": the mrc reader is not built yet");
}

}  // namespace ecm::io::sources
