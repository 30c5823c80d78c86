#pragma once
// Support for the frame-source tests that check a reader against an independent numpy
// decoder (tests/unit/decoders/*.py): run the script, parse what it printed, read frames as
// doubles whatever their pixel type, and catch the InputError a bad file must raise.
#include <catch2/catch.hpp>
#include <mpi.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"
#include "ecm/io/raw_file.hpp"

namespace ecm::test {

// ECM_REAL_DATA_DIR is "<source dir>/../shared/testdata/real": the decoders sit in the source tree.
inline std::string decoder_path(const std::string& script) {
  const std::string real = ECM_REAL_DATA_DIR, tail = "/../shared/testdata/real";
  REQUIRE(real.size() > tail.size());
  REQUIRE(real.compare(real.size() - tail.size(), tail.size(), tail) == 0);
  return real.substr(0, real.size() - tail.size()) + "/tests/unit/decoders/" + script;
}

inline std::string make_temp_dir(const std::string& tag) {
  std::string tmpl = "/tmp/ecm_test_" + tag + "_XXXXXX";
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

// One shell word, whatever the path holds (the DE sample names have spaces).
inline std::string shell_word(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The decoder prints header lines, then per frame "frame F" and a line of its values.
struct DecoderOutput {
  std::vector<std::string> header;
  std::map<std::size_t, std::vector<double>> frames;
};

// What a shell command printed on stdout; a failed test when it fails.
inline std::string command_output(const std::string& cmd) {
  INFO(cmd);
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  REQUIRE(pclose(p) == 0);
  return out;
}

inline DecoderOutput run_decoder(const std::string& script, const std::string& args) {
  const std::string out = command_output("/usr/bin/python3 " + shell_word(decoder_path(script)) + " " + args);
  DecoderOutput d;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("frame ", 0) == 0) {
      const std::size_t f = std::stoul(line.substr(6));
      std::string values;
      REQUIRE(std::getline(lines, values));
      std::istringstream w(values);
      auto& v = d.frames[f];
      for (double x; w >> x;) v.push_back(x);
    } else {
      d.header.push_back(line);
    }
  }
  return d;
}

// Runs a decoder command that writes files; nothing to parse.
inline void run_maker(const std::string& script, const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + shell_word(decoder_path(script)) + " " + args;
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// Frame `f` of a source as doubles (every PixelType holds values a double holds exactly).
inline std::vector<double> frame_values(const io::FrameSource& s, std::size_t f) {
  const auto& shape = s.shape();
  std::vector<unsigned char> raw(shape.frame_bytes());
  const io::FrameRun run{f, 1};
  s.read_frames(&run, 1, raw.data());
  std::vector<double> v(shape.frame_pixels());
  for (std::size_t i = 0; i < v.size(); ++i) {
    switch (shape.type) {
      case io::PixelType::u8: v[i] = raw[i]; break;
      case io::PixelType::u16: {
        std::uint16_t x;
        std::memcpy(&x, raw.data() + 2 * i, 2);
        v[i] = x;
        break;
      }
      case io::PixelType::u32: {
        std::uint32_t x;
        std::memcpy(&x, raw.data() + 4 * i, 4);
        v[i] = x;
        break;
      }
      case io::PixelType::f32: {
        float x;
        std::memcpy(&x, raw.data() + 4 * i, 4);
        v[i] = x;
        break;
      }
    }
  }
  return v;
}

// Every pixel of frame f as read equals the decoder's (float32 values print exactly).
inline void check_frame(const io::FrameSource& s, const DecoderOutput& d, std::size_t f) {
  INFO("frame " << f);
  REQUIRE(d.frames.count(f) == 1);
  const auto& want = d.frames.at(f);
  const auto got = frame_values(s, f);
  REQUIRE(got.size() == want.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i];
  CHECK(differ == 0);
}

// The message of the InputError f throws ("" and a failed check when it throws none).
inline std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find('\n') == std::string::npos);  // one line
    return m;
  }
  FAIL_CHECK("no InputError");
  return {};
}

inline std::unique_ptr<io::FrameSource> open_source(const std::string& path, const std::string& format = "auto") {
  io::SourceOptions o;
  o.format = format;
  return io::open_frame_source(path, o, MPI_COMM_SELF);
}

inline bool has_note(const io::SourceMetadata& m, const std::string& text) {
  for (const auto& n : m.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace ecm::test
