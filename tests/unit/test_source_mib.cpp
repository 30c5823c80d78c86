// The Merlin .mib source and writer: the real Merlin files (shape, type, count, timestamps,
// every pixel of chosen frames against an independent numpy decoder, tests/unit/decoders/mib.py,
// and the hot pixel of 002_...), files ecm simulate writes read back by both, the modes the
// samples do not cover (raw R64, single chip and quad; packed U01) built here, and bad input.
#include <catch2/catch.hpp>

#include <cstring>

#include "ecm/simulate/camera_writer.hpp"
#include "mib_test_support.hpp"

using namespace ecm;
using namespace ecm::mib_test;

TEST_CASE("Merlin samples: shape, type, count, timestamps and every pixel of chosen frames as numpy decodes them",
          "[source-mib]") {
  struct Sample {
    std::string name;
    std::size_t det_y, det_x;
    io::PixelType type;
    std::size_t frames;
    std::vector<std::size_t> check;
    std::optional<std::array<std::size_t, 2>> scan;
  };
  const std::vector<Sample> samples = {
      // 1 frame per trigger: the .hdr does not say the scan width.
      {kScan, 256, 256, io::PixelType::u8, 8, {0, 3, 7}, std::nullopt},
      // "ScanX: 4", "ScanY: 2" (and 4 frames per trigger).
      {kHot, 128, 256, io::PixelType::u16, 8, {0, 5, 7}, std::array<std::size_t, 2>{2, 4}},
      {"Single_1_Frame_CounterDepth_12_Rows_256", 256, 256, io::PixelType::u16, 1, {0}, std::nullopt},
      {"Single_1_Frame_CounterDepth_24_Rows_256", 256, 256, io::PixelType::u32, 1, {0}, std::nullopt},
  };
  for (const Sample& s : samples) {
    const std::string path = kMerlin + s.name + ".mib";
    INFO(path << " (the shared/ folder beside the checkout)");
    auto src = open_source(path);
    CHECK(src->format() == "mib");
    CHECK(src->description().find(s.name + ".hdr") != std::string::npos);
    const auto& shape = src->shape();
    CHECK(shape.det_y == s.det_y);
    CHECK(shape.det_x == s.det_x);
    CHECK(shape.type == s.type);
    REQUIRE(shape.n_frames == s.frames);
    CHECK(src->metadata().scan_shape == s.scan);

    std::vector<std::size_t> all(s.frames);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const Decoded d = decode(path, all);
    CHECK(d.frames == s.frames);
    CHECK(d.height == s.det_y);
    CHECK(d.width == s.det_x);
    // Timestamps: the ns times of the headers, relative to frame 0.
    const auto ts = src->timestamps(all);
    REQUIRE(ts.size() == s.frames);
    REQUIRE(d.time_ns.size() == s.frames);
    for (std::size_t i = 0; i < s.frames; ++i) CHECK(ts[i] == Approx(double(d.time_ns.at(i) - d.time_ns.at(0)) * 1e-9).margin(1e-12));
    REQUIRE(src->metadata().frame_time_s);
    if (s.frames > 1)  // the frame period from the timestamps (longer than the shutter: readout)
      CHECK(*src->metadata().frame_time_s ==
            Approx(double(d.time_ns.at(s.frames - 1) - d.time_ns.at(0)) * 1e-9 / double(s.frames - 1)));
    else  // one frame: its shutter time
      CHECK(*src->metadata().frame_time_s == Approx(0.001));
    for (std::size_t f : s.check) {
      INFO("frame " << f);
      CHECK(frame(*src, f) == d.pixels.at(f));
    }
  }
  // 001: 102 ms a frame for 100 ms shutter; 002: 1.85 ms a frame for 1 ms.
  CHECK(*open_source(kMerlin + kScan + ".mib")->metadata().frame_time_s == Approx(0.102).epsilon(1e-3));
  CHECK(*open_source(kMerlin + kHot + ".mib")->metadata().frame_time_s == Approx(0.00185).epsilon(1e-3));
}

TEST_CASE("Merlin: the hot pixel at x 52, y 39 of 002_... stands out in every frame", "[source-mib]") {
  auto src = open_source(kMerlin + kHot + ".mib");
  const std::size_t w = src->shape().det_x;
  REQUIRE(w == 256);
  for (std::size_t f = 0; f < src->shape().n_frames; ++f) {
    INFO("frame " << f);
    auto v = frame(*src, f);
    const std::uint64_t hot = v[39 * w + 52];
    v[39 * w + 52] = 0;
    const std::uint64_t others = *std::max_element(v.begin(), v.end());
    CHECK(hot >= 4);
    CHECK(hot >= 2 * others);
  }
}

TEST_CASE("Merlin: opened by its .hdr or by content whatever its name; without the .hdr a note", "[source-mib]") {
  auto by_mib = open_source(kMerlin + kHot + ".mib");
  auto by_hdr = open_source(kMerlin + kHot + ".hdr");
  CHECK(by_hdr->format() == "mib");
  CHECK(by_hdr->shape().n_frames == 8);
  CHECK(frame(*by_hdr, 3) == frame(*by_mib, 3));
  CHECK(by_hdr->metadata().scan_shape == by_mib->metadata().scan_shape);

  const TempDir tmp;
  const std::string& dir = tmp.path;
  const std::string renamed = dir + "/frames.dat";
  spit(renamed, slurp(kMerlin + kHot + ".mib"));
  auto alone = open_source(renamed);
  CHECK(alone->format() == "mib");
  CHECK(frame(*alone, 7) == frame(*by_mib, 7));
  CHECK_FALSE(alone->metadata().scan_shape);
  CHECK(has_note(alone->metadata(), "no acquisition header"));
  CHECK(alone->timestamps({0, 7}) == by_mib->timestamps({0, 7}));
}

TEST_CASE("Merlin writer: what ecm simulate writes reads back, by ecm and by numpy", "[source-mib]") {
  const TempDir tmp;
  const std::string& dir = tmp.path;
  for (io::PixelType type : {io::PixelType::u8, io::PixelType::u16, io::PixelType::u32}) {
    INFO("pixel type " << io::pixel_type_name(type));
    simulate::CameraFileSpec spec;
    spec.path = dir + "/sim_" + io::pixel_type_name(type) + ".mib";
    spec.det_y = 6, spec.det_x = 5, spec.type = type;
    spec.scan_y = 3, spec.scan_x = 4, spec.cycles = 2;
    spec.frame_time_s = 0.0125;
    spec.time_step_s = 0.25;
    const std::size_t n = spec.n_frames(), px = spec.det_y * spec.det_x, bytes = io::pixel_bytes(type);
    // Values that use every byte of the type (so a wrong byte order shows).
    auto value = [&](std::size_t f, std::size_t p) -> std::uint64_t {
      const std::uint64_t v = f * 2654435761u + p * 40503u + 7;
      return bytes == 1 ? v % 256 : bytes == 2 ? v % 65536 : v % 4294967296u;
    };
    std::vector<unsigned char> frames(n * px * bytes);
    for (std::size_t f = 0; f < n; ++f)
      for (std::size_t p = 0; p < px; ++p) {
        const std::uint64_t v = value(f, p);
        if (bytes == 1) frames[f * px + p] = std::uint8_t(v);
        if (bytes == 2) {
          const std::uint16_t x = std::uint16_t(v);
          std::memcpy(&frames[(f * px + p) * 2], &x, 2);
        }
        if (bytes == 4) {
          const std::uint32_t x = std::uint32_t(v);
          std::memcpy(&frames[(f * px + p) * 4], &x, 4);
        }
      }
    simulate::prepare_camera_file("mib", spec);
    {
      // Scan rows in reverse order, as ranks would write them: each frame at its own place.
      auto writer = simulate::open_camera_file("mib", spec);
      for (std::size_t row = n / spec.scan_x; row-- > 0;)
        writer->write_frames(row * spec.scan_x, spec.scan_x, frames.data() + row * spec.scan_x * px * bytes);
    }
    CHECK(slurp(spec.path).size() == n * (384 + px * bytes));
    CHECK(slurp(dir + "/sim_" + io::pixel_type_name(type) + ".hdr").size() == 2048);

    auto src = open_source(spec.path);
    CHECK(src->shape().det_y == 6);
    CHECK(src->shape().det_x == 5);
    CHECK(src->shape().type == type);
    REQUIRE(src->shape().n_frames == n);
    CHECK(src->metadata().scan_shape == std::array<std::size_t, 2>{3, 4});
    CHECK(src->metadata().notes.empty());
    std::vector<std::uint64_t> want(n * px);
    for (std::size_t f = 0; f < n; ++f)
      for (std::size_t p = 0; p < px; ++p) want[f * px + p] = value(f, p);
    CHECK(values(*src, {{0, n}}) == want);
    // Runs out of order into one buffer.
    auto two = values(*src, {{13, 2}, {1, 1}});
    CHECK(std::vector<std::uint64_t>(two.begin(), two.begin() + long(px)) == frame(*src, 13));
    CHECK(std::vector<std::uint64_t>(two.begin() + long(2 * px), two.end()) == frame(*src, 1));
    // Cycles start every time step; frames within one follow by the frame time.
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    const auto ts = src->timestamps(all);
    REQUIRE(ts.size() == n);
    for (std::size_t i = 0; i < n; ++i) CHECK(ts[i] == Approx(double(i / 12) * 0.25 + double(i % 12) * 0.0125).margin(1e-9));

    const Decoded d = decode(spec.path, {0, 11, n - 1});
    CHECK(d.frames == n);
    CHECK(d.height == 6);
    CHECK(d.width == 5);
    for (std::size_t f : {std::size_t(0), std::size_t(11), n - 1}) {
      CHECK(d.pixels.at(f) == std::vector<std::uint64_t>(want.begin() + long(f * px), want.begin() + long((f + 1) * px)));
      CHECK(double(d.time_ns.at(f) - d.time_ns.at(0)) * 1e-9 == Approx(ts[f]).margin(1e-9));
    }
  }
  simulate::CameraFileSpec f32;
  f32.path = dir + "/float.mib";
  f32.det_y = f32.det_x = 4, f32.scan_y = f32.scan_x = f32.cycles = 1, f32.type = io::PixelType::f32;
  CHECK(input_error([&] { simulate::prepare_camera_file("mib", f32); }).find(f32.path) != std::string::npos);
}
