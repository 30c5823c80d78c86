// Merlin modes the real samples in shared/ do not cover, built here byte by byte and read by
// ecm and by the numpy decoder: raw R64 frames (counter depths 1, 6, 12; one chip and a quad's
// 1024 x 256 strip of four chips) and packed U01 frames; the modes ecm refuses; and bad input
// (truncated, lying or disagreeing headers, a corrupt record, timestamps going backwards, a
// missing or broken .hdr), each an InputError naming the file.
#include <catch2/catch.hpp>

#include <cstdio>

#include "mib_test_support.hpp"
#include "ecm/io/sources/mib_header.hpp"

using namespace ecm;
using namespace ecm::mib_test;

namespace {

// A frame header of `length` bytes with the fields real Merlin files carry.
std::string header(std::size_t seq, std::size_t length, std::size_t chips, std::size_t w, std::size_t h,
                   const std::string& depth, const std::string& layout, int counter_depth) {
  char t[1024];
  const int n = std::snprintf(
      t, sizeof t,
      "MQ1,%06zu,%05zu,%02zu,%04zu,%04zu,%s,   %s,0F,2024-01-01 00:00:%02zu.500000,0.001000,0,0,0,"
      "2.000000E+0,5.110000E+2,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0,0.000000E+0,"
      "3RX,011,511,000,000,000,000,000,000,175,010,200,125,100,100,093,100,099,030,128,004,255,140,128,191,179,511,511,"
      "MQ1A,2024-01-01T00:00:%02zu.500000001Z,1000000ns,%d,",
      seq, length, chips, w, h, depth.c_str(), layout.c_str(), seq, seq, counter_depth);
  REQUIRE(n > 0);
  REQUIRE(std::size_t(n) < length);
  std::string s(t, std::size_t(n));
  s.resize(length, '\0');
  return s;
}

// Stored-order pixels as raw words: 64-bit big-endian, the first pixel in the low bits.
std::vector<unsigned char> encode_raw(const std::vector<std::uint32_t>& px, int bits) {
  const std::size_t per = std::size_t(64 / bits);
  REQUIRE(px.size() % per == 0);
  std::vector<unsigned char> out;
  for (std::size_t w = 0; w < px.size() / per; ++w) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < per; ++k) v |= std::uint64_t(px[w * per + k]) << (k * std::size_t(bits));
    for (int b = 7; b >= 0; --b) out.push_back(std::uint8_t(v >> (8 * b)));
  }
  return out;
}

// A quad frame (512 x 512) as the raw strip of its chips 0..3 (1024 x 256): chips 3 and 2 are
// the top quadrants, chips 1 and 0 the bottom ones turned by 180 degrees.
std::vector<std::uint32_t> quad_strip(const std::vector<std::uint32_t>& img) {
  std::vector<std::uint32_t> strip(1024 * 256);
  for (std::size_t r = 0; r < 256; ++r)
    for (std::size_t c = 0; c < 1024; ++c) {
      const std::size_t chip = c / 256, cc = c % 256;
      const std::size_t y = chip >= 2 ? r : 511 - r;
      const std::size_t x = chip == 3 ? cc : chip == 2 ? 256 + cc : chip == 1 ? 255 - cc : 511 - cc;
      strip[r * 1024 + c] = img[y * 512 + x];
    }
  return strip;
}

std::vector<std::uint32_t> image(std::size_t n, int bits, std::size_t salt) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = std::uint32_t(((i + 1) * 2654435761u + salt * 97u) >> 9) & ((1u << bits) - 1u);
  return v;
}

std::vector<std::uint64_t> widened(const std::vector<std::uint32_t>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("Merlin raw R64 frames, one chip and a quad, and packed U01, read by ecm and by numpy", "[source-mib]") {
  const TempDir tmp;
  const std::string& dir = tmp.path;
  struct Mode {
    int depth;       // counter depth
    int bits;        // bits a pixel in the raw words
    bool quad;
    std::size_t w, h;  // one chip: a few rows (a region of interest)
  };
  for (const Mode m : {Mode{1, 1, false, 256, 8}, Mode{6, 8, false, 256, 4}, Mode{12, 16, false, 128, 3},
                       Mode{1, 1, true, 0, 0}, Mode{12, 16, true, 0, 0}}) {
    INFO("counter depth " << m.depth << (m.quad ? " quad" : " one chip"));
    const std::string path = dir + "/raw" + std::to_string(m.depth) + (m.quad ? "q" : "s") + ".mib";
    const std::size_t out_w = m.quad ? 512 : m.w, out_h = m.quad ? 512 : m.h;
    std::vector<unsigned char> file;
    std::vector<std::vector<std::uint32_t>> images;
    for (std::size_t f = 0; f < 2; ++f) {
      images.push_back(image(out_w * out_h, m.depth == 6 ? 6 : m.bits, f));
      const std::string h = m.quad ? header(f + 1, 768, 4, 1024, 256, "R64", "2x2", m.depth)
                                   : header(f + 1, 384, 1, m.w, m.h, "R64", "1x1", m.depth);
      const auto data = encode_raw(m.quad ? quad_strip(images.back()) : images.back(), m.bits);
      file.insert(file.end(), h.begin(), h.end());
      file.insert(file.end(), data.begin(), data.end());
    }
    spit(path, file);
    auto src = open_source(path);
    CHECK(src->shape().det_y == out_h);
    CHECK(src->shape().det_x == out_w);
    CHECK(src->shape().type == (m.depth == 12 ? io::PixelType::u16 : io::PixelType::u8));
    REQUIRE(src->shape().n_frames == 2);
    CHECK(frame(*src, 0) == widened(images[0]));
    CHECK(frame(*src, 1) == widened(images[1]));
    CHECK(src->timestamps({0, 1}) == std::vector<double>{0.0, 1.0});
    // Only the 1-bit layout was checked against camera files; the others say so.
    CHECK(has_note(src->metadata(), "raw (R64)") == (m.depth != 1));
    const Decoded d = decode(path, {0, 1});
    CHECK(d.height == out_h);
    CHECK(d.width == out_w);
    CHECK(d.pixels.at(0) == widened(images[0]));
    CHECK(d.pixels.at(1) == widened(images[1]));
  }

  // Packed 1-bit: the first pixel in each byte's most significant bit.
  const auto bits = image(16 * 4, 1, 3);
  std::vector<unsigned char> packed(8, 0);
  for (std::size_t i = 0; i < bits.size(); ++i) packed[i / 8] |= std::uint8_t(bits[i] << (7 - i % 8));
  const std::string h = header(1, 384, 1, 16, 4, "U01", "1x1", 1);
  std::vector<unsigned char> file(h.begin(), h.end());
  file.insert(file.end(), packed.begin(), packed.end());
  spit(dir + "/packed.mib", file);
  auto src = open_source(dir + "/packed.mib");
  CHECK(src->shape().type == io::PixelType::u8);
  CHECK(frame(*src, 0) == widened(bits));
  CHECK(has_note(src->metadata(), "U01"));
  CHECK(decode(dir + "/packed.mib", {0}).pixels.at(0) == widened(bits));
}

TEST_CASE("Merlin modes ecm does not read are refused, naming the file and the mode", "[source-mib]") {
  const TempDir tmp;
  const std::string& dir = tmp.path;
  struct Refused {
    std::string name, header, why;
    std::size_t data_bytes;
  };
  const std::vector<Refused> cases = {
      {"raw24.mib", header(1, 384, 1, 256, 256, "R64", "1x1", 24), "counter depth 24", 256 * 256 * 4},
      {"rawroi.mib", header(1, 768, 4, 1024, 128, "R64", "2x2", 12), "1024 x 256", 1024 * 128 * 2},
      {"rawstrip.mib", header(1, 768, 4, 1024, 256, "R64", "4x1", 1), "4x1", 1024 * 256 / 8},
      {"u64.mib", header(1, 384, 1, 16, 16, "U64", "1x1", 24), "U64", 16 * 16 * 8},
      {"u12.mib", header(1, 384, 1, 16, 16, "U12", "1x1", 12), "U12", 16 * 16 * 2},
  };
  for (const auto& c : cases) {
    const std::string path = dir + "/" + c.name;
    std::vector<unsigned char> file(c.header.begin(), c.header.end());
    file.resize(file.size() + c.data_bytes, 0);
    spit(path, file);
    const std::string m = input_error([&] { open_source(path); });
    CHECK(m.find(path) != std::string::npos);
    CHECK(m.find(c.why) != std::string::npos);
  }
}

TEST_CASE("Merlin bad input: one line naming the file, or a note where the frames are still sound", "[source-mib]") {
  const TempDir tmp;
  const std::string& dir = tmp.path;
  const auto mib = slurp(kMerlin + kScan + ".mib");
  const auto hdr = slurp(kMerlin + kScan + ".hdr");
  const std::size_t stride = 384 + 256 * 256;
  REQUIRE(mib.size() == 8 * stride);
  // Copies `bytes` as NAME.mib (with the sample's .hdr beside it when `with_hdr`).
  auto copy = [&](const std::string& name, const std::vector<unsigned char>& bytes, bool with_hdr = true) {
    spit(dir + "/" + name + ".mib", bytes);
    if (with_hdr) spit(dir + "/" + name + ".hdr", hdr);
    return dir + "/" + name + ".mib";
  };
  auto names_file = [](const std::string& message, const std::string& path) {
    INFO(message);
    CHECK(message.find(path) != std::string::npos);
  };

  // Cut in the middle of frame 3: three whole frames and a note.
  {
    const std::string p = copy("cut", std::vector<unsigned char>(mib.begin(), mib.begin() + long(3 * stride + 1000)));
    auto src = open_source(p);
    CHECK(src->shape().n_frames == 3);
    CHECK(has_note(src->metadata(), "partial frame of 1000 bytes"));
    CHECK(has_note(src->metadata(), "says 8 frames"));
    CHECK(frame(*src, 2) == frame(*open_source(kMerlin + kScan + ".mib"), 2));
    names_file(input_error([&] { open_source(p, "auto", 5); }), p);  // --frame-count beyond the file
  }
  // Cut inside the first header, and a file smaller than one frame.
  for (std::size_t keep : {std::size_t(100), std::size_t(stride - 1)}) {
    const std::string p = copy("short" + std::to_string(keep), std::vector<unsigned char>(mib.begin(), mib.begin() + long(keep)));
    names_file(input_error([&] { open_source(p); }), p);
  }
  // A header that lies about its own length, or about the frame size: the records do not line up.
  for (const auto& [from, to] : {std::pair<std::string, std::string>{",00384,", ",00512,"}, {",0256,0256,", ",0255,0256,"}}) {
    auto bytes = mib;
    patch(bytes, 0, from, to);
    const std::string p = copy("lie", bytes);
    names_file(input_error([&] { open_source(p); }), p);
  }
  // The last frame's header disagrees with the first (same bytes, another shape).
  {
    auto bytes = mib;
    patch(bytes, 7 * stride, ",0256,0256,", ",0128,0512,");
    const std::string p = copy("disagree", bytes);
    const std::string m = input_error([&] { open_source(p); });
    names_file(m, p);
    CHECK(m.find("must agree") != std::string::npos);
  }
  // A corrupt record in the middle: found when its frames are read.
  {
    auto bytes = mib;
    patch(bytes, 4 * stride, "MQ1,", "MQ2,");
    const std::string p = copy("corrupt", bytes);
    auto src = open_source(p);
    names_file(input_error([&] { values(*src, {{2, 4}}); }), p);
  }
  // The last frame taken before the first.
  {
    auto bytes = mib;
    patch(bytes, 7 * stride, "2021-05-07T16", "2021-05-06T16");
    const std::string p = copy("backwards", bytes);
    const std::string m = input_error([&] { open_source(p); });
    names_file(m, p);
    CHECK(m.find("backwards") != std::string::npos);
  }
  // The .hdr named without its .mib; a .hdr that is not one; one whose numbers are not.
  {
    spit(dir + "/lonely.hdr", hdr);
    const std::string m = input_error([&] { open_source(dir + "/lonely.hdr"); });
    names_file(m, dir + "/lonely.mib");
    const std::string p = copy("badhdr", mib, false);
    spit(dir + "/badhdr.hdr", std::vector<unsigned char>{'j', 'u', 'n', 'k'});
    names_file(input_error([&] { open_source(p); }), dir + "/badhdr.hdr");
    auto text = hdr;
    patch(text, 0, "Trigger (Number):\t1", "Trigger (Number):\tx");
    const std::string q = copy("nanhdr", mib, false);
    spit(dir + "/nanhdr.hdr", text);
    names_file(input_error([&] { open_source(q); }), dir + "/nanhdr.hdr");
  }
  // Not a Merlin file at all, forced with --format mib.
  {
    spit(dir + "/other.bin", std::vector<unsigned char>(1000, 'x'));
    names_file(input_error([&] { open_source(dir + "/other.bin", "mib"); }), dir + "/other.bin");
  }
}

// Found by the fuzzer (tests/fuzz/regressions/mib): a year such as 9999 in a frame header made
// the conversion to ns since 1970 overflow 64 bits (undefined behaviour). A time no camera can
// have written is no time: the header reads, without one.
TEST_CASE("Merlin frame header: a time outside 1970-2200 is no time, not an overflow", "[source-mib]") {
  auto header = [](const std::string& time) {
    std::string text = "MQ1,000001,00384,01,0256,0256,U16,   1x1,01," + time + ",0.001000,0,0,0";
    text.resize(384, '\0');
    return ecm::io::sources::parse_mib_frame_header(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                                                    "test.mib");
  };
  const auto good = header("2024-10-21 12:00:01.500000");
  REQUIRE(good.time_ns);
  CHECK(*good.time_ns == ecm::io::sources::mib_civil_to_ns(2024, 10, 21, 12, 0, 1, 500000000));
  for (const char* bad : {"9999-01-01 00:00:00.000000", "0001-12-31 23:59:59.000000", "1969-12-31 23:59:59.000000",
                          "2201-01-01 00:00:00.000000"}) {
    INFO(bad);
    CHECK_FALSE(header(bad).time_ns);
  }
}
