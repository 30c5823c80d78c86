#include "ecm/io/raw_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ecm/core/error.hpp"

namespace ecm::io {

RawFile::RawFile(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw InputError(path + ": not a regular file");
  }
  size_ = std::uint64_t(st.st_size);
}

RawFile::RawFile(RawFile&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_), size_(o.size_) { o.fd_ = -1; }

RawFile& RawFile::operator=(RawFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    size_ = o.size_;
    o.fd_ = -1;
  }
  return *this;
}

RawFile::~RawFile() {
  if (fd_ >= 0) ::close(fd_);
}

void RawFile::read_at(std::uint64_t offset, std::size_t n, void* buf, const std::string& what) const {
  if (offset > size_ || n > size_ - offset)
    throw InputError(path_ + ": " + what + " at byte " + std::to_string(offset) + " needs " + std::to_string(n) +
                     " bytes, but the file ends at byte " + std::to_string(size_) + " (truncated?)");
  auto* p = static_cast<char*>(buf);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, p + done, n - done, off_t(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0)
      throw InputError(path_ + ": reading " + what + " at byte " + std::to_string(offset + done) + " failed (" +
                       (got < 0 ? std::strerror(errno) : "unexpected end of file") + ")");
    done += std::size_t(got);
  }
}

std::vector<unsigned char> RawFile::read_at(std::uint64_t offset, std::size_t n, const std::string& what) const {
  std::vector<unsigned char> bytes(n);
  read_at(offset, n, bytes.data(), what);
  return bytes;
}

std::vector<unsigned char> file_head(const std::string& path, std::size_t n) {
  std::vector<unsigned char> head(n);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, head.data() + done, n - done, off_t(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += std::size_t(got);
  }
  ::close(fd);
  head.resize(done);
  return head;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void to_native(void* data, std::size_t n, std::size_t bytes, ByteOrder order) {
  const bool machine_little = [] {
    const std::uint16_t one = 1;
    unsigned char b;
    std::memcpy(&b, &one, 1);
    return b == 1;
  }();
  if (bytes == 1 || (order == ByteOrder::little) == machine_little) return;
  auto* p = static_cast<unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i, p += bytes)
    for (std::size_t a = 0, b = bytes - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
}

}  // namespace ecm::io
