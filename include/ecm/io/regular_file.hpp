#pragma once
// ecm reads and writes regular files only. Opening a FIFO for reading blocks until someone
// writes into it, so `ecm run fifo.h5` (or a FIFO as --config, --dark, a result file) hung
// for ever (issue 14, class 13); a directory or a device is no input either. Every path a
// command opens is looked at (stat, which never blocks) before it is opened.
#include <sys/types.h>

#include <string>

namespace ecm::io {

// What a file of this mode is, for messages: "a FIFO", "a directory", "a character device"...
std::string file_kind(mode_t mode);

// Throws InputError ("'<path>' is a FIFO, not a regular file ...") when `path` exists and is
// not a regular file (after symbolic links). A path that does not exist passes: the caller
// says "no such file" in its own terms.
void require_regular_file(const std::string& path);

// Whether `path` exists and is not a regular file (so that probing it must not open it).
bool exists_but_not_regular(const std::string& path);

}  // namespace ecm::io
