#pragma once
// A read-only file read by positioned reads (pread), for the raw camera formats: every rank
// opens it itself and reads only its own frames at computed offsets. Every read is bounds
// checked against the file size, so a truncated file or a header that lies becomes one clear
// InputError naming the file, never a read outside it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecm::io {

class RawFile {
 public:
  explicit RawFile(const std::string& path);  // throws InputError when it cannot be opened
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  RawFile(RawFile&& o) noexcept;
  RawFile& operator=(RawFile&& o) noexcept;
  ~RawFile();

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // Reads exactly n bytes at offset into buf; throws InputError ("<path>: <what> at byte
  // <offset> needs <n> bytes, the file ends at <size>") when the file is shorter.
  void read_at(std::uint64_t offset, std::size_t n, void* buf, const std::string& what) const;
  std::vector<unsigned char> read_at(std::uint64_t offset, std::size_t n, const std::string& what) const;
  // Reads n records of `stride` bytes starting at offset, keeping the `keep` bytes at `skip`
  // within each record, back to back into buf (n * keep bytes): per-frame headers or trailers
  // are left in the file. One scatter read (preadv) per few hundred records, so pixel data is
  // copied once, as by read_at; bounds checked like read_at.
  void read_records(std::uint64_t offset, std::size_t n, std::size_t stride, std::size_t skip, std::size_t keep,
                    void* buf, const std::string& what) const;

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// A file written by positioned writes (pwrite), for the camera files `ecm simulate --format`
// writes: rank 0 creates and sizes it, then every rank opens it and writes its own frames at
// computed offsets. Failures throw Error naming the file and the system's reason.
class RawOutputFile {
 public:
  enum class Mode { create, existing };  // create: make or truncate; existing: must be there
  RawOutputFile(const std::string& path, Mode mode);
  RawOutputFile(const RawOutputFile&) = delete;
  RawOutputFile& operator=(const RawOutputFile&) = delete;
  ~RawOutputFile();

  const std::string& path() const { return path_; }
  void write_at(std::uint64_t offset, std::size_t n, const void* data) const;
  void resize(std::uint64_t bytes) const;  // ftruncate: sized for all frames, holes read as 0

 private:
  std::string path_;
  int fd_ = -1;
};

// Writes `text` as the whole content of `path` (headers and companions of camera files).
void write_text_file(const std::string& path, const std::string& text);

// The first n bytes of a file (fewer if it is shorter); empty when it cannot be read.
std::vector<unsigned char> file_head(const std::string& path, std::size_t n);
bool file_exists(const std::string& path);
// A path's extension after the last dot of its last component, in lower case ("" if none).
std::string lower_extension(const std::string& path);
// A path's last component.
std::string base_name(const std::string& path);
bool ends_with(const std::string& s, const std::string& tail);
// Byte order of multi-byte pixels as stored.
enum class ByteOrder { little, big };
// Swaps n elements of `bytes` bytes each in place when `order` is not the machine's.
void to_native(void* data, std::size_t n, std::size_t bytes, ByteOrder order);

}  // namespace ecm::io
