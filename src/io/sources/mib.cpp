// Placeholder until the mib reader lands: detection says no, opening names the missing reader.
#include "ecm/core/error.hpp"
#include "ecm/io/sources/formats.hpp"

namespace ecm::io::sources {

bool looks_like_mib(const std::string&, const std::vector<unsigned char>&) { return false; }

std::unique_ptr<FrameSource> open_mib(const std::string& path, const SourceOptions&) {
  throw InputError(path + ": the mib reader is not built yet");
}

}  // namespace ecm::io::sources
