#pragma once
// Whether a path can become an output file, judged before any input is read (issue 14,
// class 10): `-o adir`, `-o ""` and `-o /` used to compute everything and fail at the
// final rename, leaving OUT.partial and its ledger behind (in / for `-o /`).
#include <string>
#include <vector>

namespace ecm::io {

// Throws InputError, one line naming the path, unless `path` can be created or replaced as a
// regular file: not empty, not a directory (nor ending in '/'), not an existing FIFO, device
// or socket (the final rename would replace /dev/null), in a directory that exists and can
// be written; and none of path + `suffixes` (".partial", ".partial.tiles": the files
// written before the rename) is a directory. Only looks at the file system.
void require_output_path(const std::string& path, const std::vector<std::string>& suffixes = {});

}  // namespace ecm::io
