#include "ecm/io/file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

namespace ecm::io {

namespace {

namespace fs = std::filesystem;

// A file as the file system knows it: (device, inode), or, for a file that does not exist
// yet, the entry `name` in the directory (device, inode).
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  std::string name;  // empty: the file itself exists
  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode && name == o.name; }
};

// The kernel stops after 40 links in a row (ELOOP); a longer chain names nothing.
constexpr int kMaxLinks = 40;

std::optional<FileIdentity> identity_of(const fs::path& path, int links_left) {
  if (path.empty()) return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return FileIdentity{st.st_dev, st.st_ino, {}};
  // Not there: a dangling symlink is where its target would be created.
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(path, ec))) {
    const fs::path target = fs::read_symlink(path, ec);
    if (ec || links_left == 0) return std::nullopt;
    return identity_of(target.is_absolute() ? target : path.parent_path() / target, links_left - 1);
  }
  // A name that does not exist yet: its directory by identity, and the name in it.
  const fs::path name = path.filename();
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino, name.string()};
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  const auto ia = identity_of(a, kMaxLinks), ib = identity_of(b, kMaxLinks);
  return ia && ib && *ia == *ib;
}

}  // namespace ecm::io
