#pragma once
// Shared by the [source-seq] tests: the real DE samples' paths, the numpy decoder
// (tests/unit/decoders/seq.py) run through popen, and small .seq files written for tests.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"
#include "ecm/io/sources/seq_header.hpp"
#include "ecm/simulate/camera_writer.hpp"
#include "ecm/simulate/seq_writer.hpp"

#include "decoder_support.hpp"

namespace seq_test {

using namespace ecm;
namespace fs = std::filesystem;

const std::string kDe = std::string(ECM_REAL_DATA_DIR) + "/de/";
const std::string kPlain = kDe + "streampix_64x64/test.seq";
const std::string kCel = kDe + "celeritas_256x256_prebuffer1/";
const std::string kTop = kCel + "Movie_00785_Top_13-49-04.160.seq";
const std::string kBottom = kCel + "Movie_00785_Bottom_13-49-04.196.seq";
// The numpy decoder of .seq files (tests/unit/decoders/seq.py).
inline std::string decoder_path() { return ecm::test::decoder_path("seq.py"); }

inline std::string temp_dir() { return ecm::test::make_temp_dir("seq"); }

// What the numpy decoder printed: per frame its raw timestamp (s, ms, us) and pixels;
// or a reference's values, or bad-pixel indices.
struct Decoded {
  std::vector<long long> header;
  std::vector<std::array<long long, 3>> ts;
  std::vector<std::vector<double>> frames;
  std::vector<double> values;  // "values" / "bad" line
};

inline Decoded decode(const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + decoder_path() + " " + args;
  const std::string out = ecm::test::command_output(cmd);
  Decoded d;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream w(line);
    std::string key;
    w >> key;
    if (key == "header") {
      for (long long v; w >> v;) d.header.push_back(v);
    } else if (key == "frame") {
      std::string ts;
      long long f, s, ms, us;
      w >> f >> ts >> s >> ms >> us;
      d.ts.push_back({s, ms, us});
    } else if (key == "pixels") {
      d.frames.emplace_back();
      for (double v; w >> v;) d.frames.back().push_back(v);
    } else if (key == "values" || key == "bad") {
      for (double v; w >> v;) d.values.push_back(v);
    }
  }
  return d;
}

inline std::unique_ptr<io::FrameSource> open(const std::string& path, std::optional<std::size_t> count = std::nullopt) {
  io::SourceOptions o;
  o.frame_count = count;
  return io::open_frame_source(path, o, MPI_COMM_SELF);
}

template <class T>
inline std::vector<double> read_as_double(const io::FrameSource& s, const std::vector<io::FrameRun>& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.count;
  std::vector<T> raw(n * s.shape().frame_pixels());
  s.read_frames(runs.data(), runs.size(), raw.data());
  return std::vector<double>(raw.begin(), raw.end());
}

inline std::vector<double> frame_of(const std::vector<double>& all, std::size_t i, std::size_t pixels) {
  return std::vector<double>(all.begin() + long(i * pixels), all.begin() + long((i + 1) * pixels));
}

using ecm::test::has_note;

inline double correlation(const std::vector<double>& a, const std::vector<float>& b) {
  const double n = double(a.size());
  double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

inline void copy_to(const std::string& from, const std::string& dir) {
  fs::copy_file(from, dir + "/" + fs::path(from).filename().string());
}


inline simulate::CameraFileSpec small_spec(const std::string& path, io::PixelType type) {
  simulate::CameraFileSpec s;
  s.path = path;
  s.det_y = 7;
  s.det_x = 5;
  s.type = type;
  s.scan_y = 2;
  s.scan_x = 3;
  s.cycles = 2;
  s.frame_time_s = 0.01;
  s.time_step_s = 0.25;
  return s;
}

template <class T>
std::vector<T> pattern(std::size_t frames, std::size_t pixels, double top) {
  std::vector<T> v(frames * pixels);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = T(std::fmod(double(i) * 7919.0 + double(i / pixels), top));
  return v;
}



// A .seq written record by record from the library's header encoder: `images` of h.image_bytes
// each, stamped `seconds[i]` s + `ms[i]` ms.
inline void write_seq(const std::string& path, io::sources::SeqHeader h, const std::vector<std::vector<std::uint16_t>>& images,
               const std::vector<std::int64_t>& seconds, const std::vector<std::uint32_t>& ms) {
  h.allocated_frames = std::uint32_t(images.size());
  std::vector<unsigned char> bytes = io::sources::encode_seq_header(h, "test");
  bytes.resize(h.record_offset(images.size()), 0);
  for (std::size_t i = 0; i < images.size(); ++i) {
    std::memcpy(&bytes[h.record_offset(i)], images[i].data(), h.image_bytes);
    io::sources::encode_seq_timestamp({seconds[i], ms[i], 0}, h.version, &bytes[h.record_offset(i) + h.image_bytes]);
  }
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A copy of the StreamPix sample with `n` bytes at `at` replaced.
inline std::string patched_sample(const std::string& dir, std::size_t at, std::vector<unsigned char> bytes,
                           std::size_t keep = std::size_t(-1)) {
  std::ifstream in(kPlain, std::ios::binary);
  std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  all.resize(std::min(keep, all.size()));
  std::copy(bytes.begin(), bytes.end(), all.begin() + long(at));  // memcpy from an empty vector's null data is UB
  const std::string path = dir + "/test.seq";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(all.data(), long(all.size()));
  return path;
}

inline std::vector<unsigned char> u32(std::uint32_t v) {
  return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}

}  // namespace seq_test
