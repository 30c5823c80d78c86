#pragma once
// Whether two paths name the same file, judged by what the file system says (device and
// inode, after following symbolic links), never by how the paths are spelled: `data.h5`,
// `./data.h5`, `/abs/data.h5`, a symlink and a hard link to it are all one file. This is
// what keeps a command from writing over a file it reads (io/output_guard.hpp).
#include <string>

namespace ecm::io {

// True when `a` and `b` are the same file. A path that does not exist (yet) is the entry of
// its name in its parent directory, the directory again by identity: so `out/x.h5` and
// `./out/x.h5` are the same file before either is created, and a dangling symlink is the
// file it would create. Never throws; a path that cannot be resolved at all (an empty
// path, a missing parent directory) is the same as nothing.
bool same_file(const std::string& a, const std::string& b);

}  // namespace ecm::io
