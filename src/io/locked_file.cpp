#include "ecm/io/locked_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ecm/core/error.hpp"

namespace ecm::io {

namespace {

enum class LockResult { locked, busy, unsupported };

LockResult lock_whole_file(int fd) {
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;  // to the end, however long the file grows
  while (::fcntl(fd, F_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    if (errno == EACCES || errno == EAGAIN) return LockResult::busy;
    if (errno == ENOLCK || errno == ENOSYS || errno == EOPNOTSUPP) return LockResult::unsupported;
    throw Error(std::string("cannot lock: ") + std::strerror(errno));
  }
  return LockResult::locked;
}

// Whether `path` still names the file open as `fd`.
bool names_open_file(const std::string& path, int fd) {
  struct stat by_path {}, by_fd {};
  return ::stat(path.c_str(), &by_path) == 0 && ::fstat(fd, &by_fd) == 0 && by_path.st_dev == by_fd.st_dev &&
         by_path.st_ino == by_fd.st_ino;
}

}  // namespace

LockedFile::LockedFile(const std::string& path, const std::string& busy_message) : path_(path) {
  // A previous owner removes the file before it lets go of the lock: a file locked only
  // after it was removed is not the output's lock, so open the name again (a few times:
  // each retry means another run just finished).
  for (int attempt = 0; attempt < 8; ++attempt) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw InputError("cannot create output file '" + path + "' (" + std::strerror(errno) +
                       "; is the directory writable?)");
    LockResult result;
    try {
      result = lock_whole_file(fd_);
    } catch (const Error& e) {
      ::close(fd_);
      throw Error(std::string(e.what()) + " '" + path + "'");
    }
    if (result == LockResult::busy) {
      ::close(fd_);  // we hold no lock on it: closing drops nothing
      fd_ = -1;
      throw InputError(busy_message);
    }
    locked_ = result == LockResult::locked;
    if (!locked_ || names_open_file(path, fd_)) return;
    ::close(fd_);
    fd_ = -1;
  }
  throw InputError(busy_message);
}

LockedFile::LockedFile(LockedFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), locked_(other.locked_) {
  other.fd_ = -1;
}

std::string LockedFile::read_all() const {
  std::string text;
  char buf[65536];
  long long offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd_, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read '" + path_ + "': " + std::strerror(errno));
    if (n == 0) return text;
    text.append(buf, std::size_t(n));
    offset += n;
  }
}

void LockedFile::write_all(const std::string& text, long long offset) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::pwrite(fd_, text.data() + written, text.size() - written, offset + static_cast<long long>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw Error("cannot write '" + path_ + "': " + (n < 0 ? std::strerror(errno) : "nothing written (disk full?)"));
    written += std::size_t(n);
  }
  if (::fsync(fd_) != 0) throw Error("cannot flush '" + path_ + "' to disk: " + std::strerror(errno));
}

void LockedFile::replace(const std::string& text) {
  if (::ftruncate(fd_, 0) != 0) throw Error("cannot truncate '" + path_ + "': " + std::strerror(errno));
  write_all(text, 0);
}

void LockedFile::append(const std::string& text) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw Error("cannot read the size of '" + path_ + "': " + std::strerror(errno));
  write_all(text, st.st_size);
}

void LockedFile::remove() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace ecm::io
