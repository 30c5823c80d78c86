// Placeholder: replaced by the HDF5 frame source in the next commit.
#include <algorithm>

#include "ecm/core/error.hpp"
#include "ecm/io/sources/formats.hpp"

namespace ecm::io::sources {
bool looks_like_hdf5(const std::string&, const std::vector<unsigned char>& head) {
  static const unsigned char magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return head.size() >= 8 && std::equal(magic, magic + 8, head.begin());
}
std::unique_ptr<FrameSource> open_hdf5(const std::string& path, const SourceOptions&, MPI_Comm) {
  throw InputError(path + ": the HDF5 frame source is not built yet");
}
}  // namespace ecm::io::sources
