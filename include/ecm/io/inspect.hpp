#pragma once
// Human-readable description of an ecm input or result file (used by `ecm inspect`).
#include <string>

#include "ecm/io/frame_source.hpp"

namespace ecm::io {

// Reads only metadata and small datasets; throws InputError for a file that is neither.
// Inputs are described through their frame source (any format ecm reads).
std::string describe_file(const std::string& path, const SourceOptions& options);

}  // namespace ecm::io
