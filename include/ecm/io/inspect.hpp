#pragma once
// Human-readable description of an ecm input or result file (used by `ecm inspect`).
#include <string>

namespace ecm::io {

// Reads only metadata and small datasets; throws InputError for a file that is neither.
std::string describe_file(const std::string& path, const std::string& dataset);

}  // namespace ecm::io
