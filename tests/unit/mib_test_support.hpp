#pragma once
// Shared by the Merlin source tests: the real files, the numpy decoder (tests/unit/decoders/mib.py)
// run and its output parsed, frames read as integers, files copied and patched, and the
// InputError a bad file must raise.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"

#include "decoder_support.hpp"

namespace ecm::mib_test {

inline const std::string kMerlin = std::string(ECM_REAL_DATA_DIR) + "/merlin/";
inline const std::string kScan = "001_4x2_6bit";
inline const std::string kHot = "002_merlin_test_roi_sig256x128_nav4x2_hot_pixel_52x_39y";

// The numpy decoder of .mib files (tests/unit/decoders/mib.py).
inline std::string decoder_path() { return test::decoder_path("mib.py"); }

// A fresh directory under /tmp, removed with what the test wrote into it.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ecm_test_mib_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline std::vector<unsigned char> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

// What the numpy decoder printed: frame count, shape, and per asked frame its time and pixels.
struct Decoded {
  std::size_t frames = 0, height = 0, width = 0;
  std::map<std::size_t, long long> time_ns;  // absent: the header has none
  std::map<std::size_t, std::vector<std::uint64_t>> pixels;
};

inline Decoded decode(const std::string& path, const std::vector<std::size_t>& frames) {
  std::string cmd = "/usr/bin/python3 " + decoder_path() + " '" + path + "'";
  for (auto f : frames) cmd += " " + std::to_string(f);
  INFO(cmd);
  const std::string out = test::command_output(cmd);
  Decoded d;
  std::istringstream lines(out);
  std::string line, word;
  REQUIRE(std::getline(lines, line));
  std::istringstream head(line);
  head >> word >> d.frames >> word >> d.height >> word >> d.width;
  while (std::getline(lines, line)) {
    std::istringstream w(line);
    std::size_t f;
    std::string t;
    w >> word >> f >> word >> t;
    REQUIRE(word == "time_ns");
    if (t != "none") d.time_ns[f] = std::stoll(t);
    REQUIRE(std::getline(lines, line));
    std::istringstream v(line);
    auto& px = d.pixels[f];
    for (std::uint64_t x; v >> x;) px.push_back(x);
  }
  return d;
}

inline std::unique_ptr<io::FrameSource> open_source(const std::string& path, const std::string& format = "auto",
                                      std::optional<std::size_t> frame_count = std::nullopt) {
  io::SourceOptions o;
  o.format = format;
  o.frame_count = frame_count;
  return io::open_frame_source(path, o, MPI_COMM_SELF);
}

// Frames of a source as integers, whatever their pixel type.
inline std::vector<std::uint64_t> values(const io::FrameSource& s, std::vector<io::FrameRun> runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.count;
  const auto& shape = s.shape();
  std::vector<unsigned char> raw(n * shape.frame_bytes());
  s.read_frames(runs.data(), runs.size(), raw.data());
  std::vector<std::uint64_t> v(n * shape.frame_pixels());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (shape.type == io::PixelType::u8) v[i] = raw[i];
    if (shape.type == io::PixelType::u16) {
      std::uint16_t x;
      std::memcpy(&x, raw.data() + 2 * i, 2);
      v[i] = x;
    }
    if (shape.type == io::PixelType::u32) {
      std::uint32_t x;
      std::memcpy(&x, raw.data() + 4 * i, 4);
      v[i] = x;
    }
  }
  return v;
}

inline std::vector<std::uint64_t> frame(const io::FrameSource& s, std::size_t f) { return values(s, {{f, 1}}); }

using test::input_error;

using test::has_note;

// Replaces `from` by `to` (same length) at its first occurrence at or after byte `start`.
inline void patch(std::vector<unsigned char>& bytes, std::size_t start, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  const auto it = std::search(bytes.begin() + long(start), bytes.end(), from.begin(), from.end());
  REQUIRE(it != bytes.end());
  std::copy(to.begin(), to.end(), it);
}


}  // namespace ecm::mib_test
