// The EMPAD frame source: the three real EMPAD xmls (0.51 scan and series, 1.2.2 scan) parsed,
// then each read with a .raw beside it made by an independent numpy script; files written by
// `ecm simulate --format empad` read back; every pixel compared with
// tests/unit/decoders/empad.py; and bad input (a .raw of partial frames, a missing .raw, a
// scan longer than the .raw, a .raw without its xml).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "decoder_support.hpp"
#include "ecm/io/sources/empad_xml.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/simulate/camera_writer.hpp"

using namespace ecm;
using namespace ecm::test;
namespace fs = std::filesystem;

namespace {

const std::string kEmpad = std::string(ECM_REAL_DATA_DIR) + "/empad/";
const std::string kV122 = kEmpad + "EMPAD_v1.2.2_x32_y64_size0.8.xml";
const std::string kMap = kEmpad + "map4x4.xml";
const std::string kSeries = kEmpad + "stack_images.xml";
constexpr std::size_t kRecord = 128 * 130 * 4;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string frame_list(const std::vector<std::size_t>& frames) {
  std::string s;
  for (auto f : frames) s += " " + std::to_string(f);
  return s;
}

}  // namespace

TEST_CASE("the real EMPAD xmls: the .raw each names, the scan, the series", "[source-empad]") {
  const auto v122 = io::sources::read_empad_xml(kV122);
  CHECK(v122.raw_file == "scan_x32_y64.raw");
  CHECK(v122.type.empty());  // 1.2.2 writes no <type>
  CHECK(v122.software_version == "1.2.2  (2021-08-20)");
  REQUIRE(v122.scan_shape);
  CHECK((*v122.scan_shape)[0] == 64);  // the "acquire" scan_parameters, not "search" (also 64 x 32 here)
  CHECK((*v122.scan_shape)[1] == 32);
  CHECK(v122.exposure_time == std::optional<double>(1));
  CHECK(v122.high_voltage == std::optional<double>(300000));

  const auto map = io::sources::read_empad_xml(kMap);
  CHECK(map.raw_file == "scan_x4_y4.raw");
  CHECK(map.type == "scan");
  REQUIRE(map.scan_shape);
  CHECK((*map.scan_shape)[0] == 4);  // pix_y / pix_x, not the 128 x 128 of scan_parameters
  CHECK((*map.scan_shape)[1] == 4);
  CHECK(map.calibrated_diffraction_angle == std::optional<double>(0.00042906574394463665));
  CHECK(map.calibrated_pixelsize == std::optional<double>(1.826537060227288e-10));
  CHECK(map.high_voltage == std::optional<double>(300000));  // source.get_voltage

  const auto series = io::sources::read_empad_xml(kSeries);
  CHECK(series.raw_file == "series_x10.raw");
  CHECK(series.type == "series");
  CHECK(series.series_count == std::optional<std::size_t>(10));
  REQUIRE(series.scan_shape);
  CHECK((*series.scan_shape)[0] == 1);
  CHECK((*series.scan_shape)[1] == 1);

  for (const auto& path : {kV122, kMap, kSeries})
    CHECK(io::sources::looks_like_empad(path, io::file_head(path, io::sources::kHeadBytes)));
  // No .raw in the shared folder: opening names the missing file.
  const std::string e = input_error([&] { open_source(kMap); });
  CHECK(e.find(kMap) != std::string::npos);
  CHECK(e.find("scan_x4_y4.raw") != std::string::npos);
}

TEST_CASE("the real xmls with a numpy-made .raw: frames of 128 x 128 float32, the scan from the xml",
          "[source-empad]") {
  const std::string dir = make_temp_dir("empad_real");
  struct Case {
    std::string xml;
    std::size_t frames, ny, nx, cycles;
    std::vector<std::size_t> filled;  // frames with values; the others stay zero (sparse file)
  };
  const Case cases[] = {{kMap, 16, 4, 4, 1, {0, 5, 6, 15}},
                        {kSeries, 10, 1, 1, 10, {0, 9}},
                        {kV122, 64 * 32, 64, 32, 1, {0, 1000, 2047}}};
  for (const auto& c : cases) {
    INFO(c.xml);
    const std::string xml = dir + "/" + fs::path(c.xml).filename().string();
    fs::copy_file(c.xml, xml);
    const std::string raw = dir + "/" + io::sources::read_empad_xml(xml).raw_file;
    run_maker("empad.py", "fill " + shell_word(raw) + " " + std::to_string(c.frames) + frame_list(c.filled));
    auto checked = c.filled;
    checked.push_back(c.filled[0] + 1);  // a zero frame
    const auto d = run_decoder("empad.py", "read " + shell_word(xml) + frame_list(checked));
    // The path may name the xml or the .raw.
    for (const auto& path : {xml, raw}) {
      INFO(path);
      const auto src = open_source(path);
      CHECK(src->format() == "empad");
      CHECK(src->shape().det_y == 128);
      CHECK(src->shape().det_x == 128);
      CHECK(src->shape().type == io::PixelType::f32);
      CHECK(src->shape().n_frames == c.frames);
      const auto& m = src->metadata();
      REQUIRE(m.scan_shape);
      CHECK((*m.scan_shape)[0] == c.ny);
      CHECK((*m.scan_shape)[1] == c.nx);
      CHECK(m.cycles == std::optional<std::size_t>(c.cycles));
      CHECK(src->timestamps({0}).empty());
      for (auto f : checked) check_frame(*src, d, f);
    }
    fs::remove(raw);  // 136 MB apparent for the 64 x 32 scan
  }
  fs::remove_all(dir);
}

TEST_CASE("EMPAD files written by numpy: every frame, the metadata rows dropped, scan repeats as cycles",
          "[source-empad]") {
  const std::string dir = make_temp_dir("empad_numpy");
  run_maker("empad.py", "write " + shell_word(dir) + " acq 3 2 2");
  const auto src = open_source(dir + "/acq.xml");
  REQUIRE(src->shape().n_frames == 12);
  REQUIRE(src->metadata().scan_shape);
  CHECK((*src->metadata().scan_shape)[0] == 3);
  CHECK((*src->metadata().scan_shape)[1] == 2);
  CHECK(src->metadata().cycles == std::optional<std::size_t>(2));
  const auto d = run_decoder("empad.py", "read " + shell_word(dir + "/acq.xml") + " 0 1 2 3 4 5 6 7 8 9 10 11");
  for (std::size_t f = 0; f < 12; ++f) check_frame(*src, d, f);
  // Runs out of order in one call: frames 11, 0, 1 (the metadata rows hold 1e30: never read).
  const io::FrameRun runs[] = {{11, 1}, {0, 2}};
  std::vector<float> out(3 * 128 * 128);
  src->read_frames(runs, 2, out.data());
  CHECK(double(out[0]) == d.frames.at(11)[0]);
  CHECK(double(out[128 * 128]) == d.frames.at(0)[0]);
  CHECK(double(out.back()) == d.frames.at(1).back());
  CHECK(*std::max_element(out.begin(), out.end()) < 1e29f);
  fs::remove_all(dir);
}

TEST_CASE("the EMPAD writer: xml + raw read back pixel for pixel, for every pixel type", "[source-empad]") {
  const std::string dir = make_temp_dir("empad_writer");
  const std::size_t px = 128 * 128;
  for (auto type : {io::PixelType::u16, io::PixelType::f32, io::PixelType::u8, io::PixelType::u32}) {
    INFO(io::pixel_type_name(type));
    simulate::CameraFileSpec spec;
    spec.path = dir + "/sim_" + io::pixel_type_name(type) + ".xml";
    spec.det_y = spec.det_x = 128;
    spec.type = type;
    spec.scan_y = 2;
    spec.scan_x = 3;
    spec.cycles = 2;
    spec.frame_time_s = 1e-3;
    spec.time_step_s = 0.01;
    const std::size_t n = spec.n_frames() * px;
    std::vector<double> want(n);
    std::vector<unsigned char> frames(n * io::pixel_bytes(type));
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t v = (i * 7 + i / px * 13) % 251;
      switch (type) {
        case io::PixelType::u8: frames[i] = std::uint8_t(v), want[i] = double(v); break;
        case io::PixelType::u16: {
          const auto x = std::uint16_t(v * 200);
          std::memcpy(frames.data() + 2 * i, &x, 2);
          want[i] = x;
          break;
        }
        case io::PixelType::u32: {
          const auto x = std::uint32_t((1u << 24) - v);
          std::memcpy(frames.data() + 4 * i, &x, 4);
          want[i] = x;
          break;
        }
        case io::PixelType::f32: {
          const float x = float(v) * 0.37f - 11.0f;
          std::memcpy(frames.data() + 4 * i, &x, 4);
          want[i] = x;
          break;
        }
      }
    }
    simulate::prepare_camera_file("empad", spec);
    {
      auto a = simulate::open_camera_file("empad", spec);
      auto b = simulate::open_camera_file("empad", spec);
      b->write_frames(7, 5, frames.data() + 7 * px * io::pixel_bytes(type));
      a->write_frames(0, 7, frames.data());
    }
    const std::string raw = dir + "/sim_" + io::pixel_type_name(type) + ".raw";
    REQUIRE(fs::file_size(raw) == 12 * kRecord);
    const auto src = open_source(spec.path);
    CHECK(src->shape().type == io::PixelType::f32);
    REQUIRE(src->shape().n_frames == 12);
    REQUIRE(src->metadata().scan_shape);
    CHECK((*src->metadata().scan_shape)[0] == 2);
    CHECK((*src->metadata().scan_shape)[1] == 3);
    CHECK(src->metadata().cycles == std::optional<std::size_t>(2));
    std::size_t differ = 0;
    for (std::size_t f = 0; f < 12; ++f) {
      const auto v = frame_values(*src, f);
      for (std::size_t p = 0; p < px; ++p) differ += v[p] != want[f * px + p];
    }
    CHECK(differ == 0);
    // The numpy decoder, finding the .raw through the xml, reads the same; the metadata rows are zero.
    const auto d = run_decoder("empad.py", "read " + shell_word(spec.path) + " 0 11");
    check_frame(*src, d, 0);
    check_frame(*src, d, 11);
    std::ifstream in(raw, std::ios::binary);
    std::vector<char> rec(kRecord);
    in.seekg(std::streamoff(5 * kRecord));
    in.read(rec.data(), std::streamsize(kRecord));
    CHECK(std::all_of(rec.begin() + long(px * 4), rec.end(), [](char c) { return c == 0; }));
  }
  // Named by the .raw: the xml beside it.
  simulate::CameraFileSpec spec;
  spec.path = dir + "/by_raw.raw";
  spec.det_y = spec.det_x = 128;
  spec.scan_y = spec.scan_x = 1;
  spec.cycles = 4;
  simulate::prepare_camera_file("empad", spec);
  CHECK(fs::exists(dir + "/by_raw.xml"));
  CHECK(open_source(spec.path)->shape().n_frames == 4);
  // Other frame shapes and counts float32 cannot hold are refused, naming the file.
  spec.type = io::PixelType::u32;
  const auto w = simulate::open_camera_file("empad", spec);
  std::vector<std::uint32_t> big(px, (1u << 24) + 1);
  CHECK(input_error([&] { w->write_frames(0, 1, big.data()); }).find("by_raw.raw") != std::string::npos);
  spec.det_x = 64;
  const std::string e = input_error([&] { simulate::prepare_camera_file("empad", spec); });
  CHECK(e.find(spec.path) != std::string::npos);
  CHECK(e.find("128 x 128") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("bad EMPAD input: partial frames, a missing .raw or xml, a scan longer than the .raw", "[source-empad]") {
  const std::string dir = make_temp_dir("empad_bad");
  run_maker("empad.py", "write " + shell_word(dir) + " acq 3 2 1");
  const std::string xml = dir + "/acq.xml", raw = dir + "/scan_x2_y3.raw";

  // Partial frames.
  {
    std::ofstream out(raw, std::ios::binary | std::ios::app);
    out << "0123456789";
  }
  std::string e = input_error([&] { open_source(xml); });
  CHECK(e.find(raw) != std::string::npos);
  CHECK(e.find("10 bytes over") != std::string::npos);
  fs::resize_file(raw, 6 * kRecord);
  CHECK(open_source(xml)->shape().n_frames == 6);

  // Fewer frames than the scan: the xml and the .raw are both named.
  fs::resize_file(raw, 5 * kRecord);
  e = input_error([&] { open_source(xml); });
  CHECK(e.find(raw) != std::string::npos);
  CHECK(e.find(xml) != std::string::npos);
  CHECK(e.find("3 x 2") != std::string::npos);

  // More frames, not whole scans: said; the scan geometry decides (--drop-incomplete-cycle).
  fs::resize_file(raw, 8 * kRecord);
  const auto extra = open_source(xml);
  CHECK(extra->shape().n_frames == 8);
  CHECK_FALSE(extra->metadata().cycles);
  CHECK(has_note(extra->metadata(), "2 over"));

  // A .raw without an xml naming it: read, the scan left to --scan-shape.
  fs::copy_file(raw, dir + "/lonely.raw");
  const auto lonely = open_source(dir + "/lonely.raw");
  CHECK(lonely->shape().n_frames == 8);
  CHECK_FALSE(lonely->metadata().scan_shape);
  CHECK(has_note(lonely->metadata(), "no EMPAD .xml"));

  // The xml names a .raw that is not there; an xml that is not there.
  fs::remove(raw);
  e = input_error([&] { open_source(xml); });
  CHECK(e.find(xml) != std::string::npos);
  CHECK(e.find("scan_x2_y3.raw") != std::string::npos);
  e = input_error([&] { open_source(dir + "/absent.xml"); });
  CHECK(e.find(dir + "/absent.xml") != std::string::npos);

  // A scan size that is not a number; an xml without <raw_file>.
  std::string text = read_text(xml);
  text.replace(text.find("<pix_x>2<"), 9, "<pix_x>two<");
  write_text(dir + "/nan.xml", text);
  e = input_error([&] { open_source(dir + "/nan.xml"); });
  CHECK(e.find(dir + "/nan.xml") != std::string::npos);
  CHECK(e.find("pix_x") != std::string::npos);
  write_text(dir + "/no_raw.xml", "<root name=\"x\"><pix_x>2</pix_x></root>");
  CHECK(input_error([&] { open_source(dir + "/no_raw.xml", "empad"); }).find(dir + "/no_raw.xml") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("RawFile::read_records: the kept bytes of every record, across batches, bounds checked", "[source-empad]") {
  const std::string dir = make_temp_dir("records");
  const std::string path = dir + "/bytes.bin";
  std::vector<unsigned char> bytes(1300 * 8 + 5);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i % 251);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  const io::RawFile file(path);
  // (offset, records, stride, skip, keep): gaps narrower than the data (scatter reads, more
  // records than one call takes), wider (separate reads), none (one read).
  const std::size_t cases[][5] = {{3, 1300, 8, 1, 6}, {5, 1024, 8, 2, 5}, {0, 90, 100, 10, 20}, {0, 100, 100, 0, 100}, {7, 1, 8, 0, 8}};
  for (const auto& c : cases) {
    INFO(c[0] << " " << c[1] << " " << c[2] << " " << c[3] << " " << c[4]);
    REQUIRE(c[0] + (c[1] - 1) * c[2] + c[3] + c[4] <= bytes.size());
    std::vector<unsigned char> got(c[1] * c[4], 0), want;
    file.read_records(c[0], c[1], c[2], c[3], c[4], got.data(), "records");
    for (std::size_t r = 0; r < c[1]; ++r)
      for (std::size_t b = 0; b < c[4]; ++b) want.push_back(bytes[c[0] + r * c[2] + c[3] + b]);
    CHECK(got == want);
  }
  std::vector<unsigned char> out(1400 * 8);
  const std::string e = input_error([&] { file.read_records(0, 1302, 8, 0, 8, out.data(), "records"); });
  CHECK(e.find(path) != std::string::npos);
  CHECK(e.find("file ends at byte 10405") != std::string::npos);
  CHECK_THROWS_AS(file.read_records(0, 2, 8, 4, 6, out.data(), "records"), Error);  // 4 + 6 > 8
  fs::remove_all(dir);
}
