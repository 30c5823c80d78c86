#include "ecm/io/raw_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "ecm/core/error.hpp"
#include "ecm/io/regular_file.hpp"

namespace ecm::io {

RawFile::RawFile(const std::string& path) : path_(path) {
  require_regular_file(path);  // before open(), which blocks on a FIFO
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

void RawFile::read_records(std::uint64_t offset, std::size_t n, std::size_t stride, std::size_t skip, std::size_t keep,
                           void* buf, const std::string& what) const {
  if (n == 0 || keep == 0) return;
  if (skip > stride || keep > stride - skip)
    throw Error(path_ + ": " + what + ": records of " + std::to_string(stride) + " bytes cannot hold " +
                std::to_string(keep) + " bytes at " + std::to_string(skip));
  const std::uint64_t first = offset + skip;
  const std::uint64_t span = std::uint64_t(n - 1) * stride + keep;  // first kept byte to last
  if (first > size_ || span > size_ - first)
    throw InputError(path_ + ": " + what + " at byte " + std::to_string(first) + " needs " + std::to_string(span) +
                     " bytes, but the file ends at byte " + std::to_string(size_) + " (truncated?)");
  auto* out = static_cast<char*>(buf);
  const std::size_t gap = stride - keep;
  if (gap == 0) return read_at(first, n * keep, buf, what);
  // Gaps wider than the data: reading them would move more bytes than separate reads.
  if (gap > keep) {
    for (std::size_t r = 0; r < n; ++r) read_at(first + r * std::uint64_t(stride), keep, out + r * keep, what);
    return;
  }
  std::vector<char> junk(gap);  // every gap lands here: it stays in the cache
  constexpr std::size_t kRecordsPerCall = 512;  // 2 iovecs per record, within IOV_MAX (1024)
  std::vector<iovec> iov;
  for (std::size_t r0 = 0; r0 < n; r0 += kRecordsPerCall) {
    const std::size_t m = std::min(kRecordsPerCall, n - r0);
    iov.clear();
    for (std::size_t r = 0; r < m; ++r) {
      iov.push_back({out + (r0 + r) * keep, keep});
      if (r + 1 < m) iov.push_back({junk.data(), gap});
    }
    std::uint64_t pos = first + r0 * std::uint64_t(stride);
    for (std::size_t at = 0; at < iov.size();) {
      const int count = int(std::min<std::size_t>(iov.size() - at, IOV_MAX));
      const ssize_t got = ::preadv(fd_, iov.data() + at, count, off_t(pos));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0)
        throw InputError(path_ + ": reading " + what + " at byte " + std::to_string(pos) + " failed (" +
                         (got < 0 ? std::strerror(errno) : "unexpected end of file") + ")");
      pos += std::uint64_t(got);
      // A short read: resume in the middle of the iovec it stopped in.
      for (std::size_t left = std::size_t(got); left > 0;) {
        if (left >= iov[at].iov_len) {
          left -= iov[at].iov_len;
          ++at;
        } else {
          iov[at].iov_base = static_cast<char*>(iov[at].iov_base) + left;
          iov[at].iov_len -= left;
          left = 0;
        }
      }
    }
  }
}

RawOutputFile::RawOutputFile(const std::string& path, Mode mode) : path_(path) {
  const int flags = O_WRONLY | O_CLOEXEC | (mode == Mode::create ? O_CREAT | O_TRUNC : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) throw Error(path + ": cannot " + (mode == Mode::create ? "create" : "open") + " (" + std::strerror(errno) + ")");
}

RawOutputFile::~RawOutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void RawOutputFile::write_at(std::uint64_t offset, std::size_t n, const void* data) const {
  const auto* p = static_cast<const char*>(data);
  for (std::size_t done = 0; done < n;) {
    const ssize_t put = ::pwrite(fd_, p + done, n - done, off_t(offset + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) throw Error(path_ + ": writing at byte " + std::to_string(offset + done) + " failed (" +
                              (put < 0 ? std::strerror(errno) : "nothing written") + ")");
    done += std::size_t(put);
  }
}

void RawOutputFile::resize(std::uint64_t bytes) const {
  if (::ftruncate(fd_, off_t(bytes)) != 0)
    throw Error(path_ + ": cannot size to " + std::to_string(bytes) + " bytes (" + std::strerror(errno) + ")");
}

void write_text_file(const std::string& path, const std::string& text) {
  RawOutputFile f(path, RawOutputFile::Mode::create);
  f.write_at(0, text.size(), text.data());
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<unsigned char> file_head(const std::string& path, std::size_t n) {
  if (exists_but_not_regular(path)) return {};  // open() would block on a FIFO
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

std::string lower_extension(const std::string& path) {
  const auto slash = path.rfind('/');
  const auto dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return {};
  std::string e = path.substr(dot + 1);
  for (auto& c : e) c = char(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
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
