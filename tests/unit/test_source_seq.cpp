// The StreamPix / Direct Electron .seq source on the real DE samples
// (../shared/testdata/real/de/): header facts, the header's frame count against the records
// on disk, timestamps, dark / gain / bad-pixel companions, Celeritas halves stitched; pixel
// values against an independent numpy decoder (tests/unit/decoders/seq.py). Then files from
// `ecm simulate`'s seq writer (v5 8/16/32-bit, v4) read back by both, stacked (segment
// prebuffer) records, and bad input, each an InputError naming the file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"
#include "ecm/io/sources/seq_header.hpp"
#include "ecm/simulate/camera_writer.hpp"
#include "ecm/simulate/seq_writer.hpp"

using namespace ecm;
namespace fs = std::filesystem;

namespace {

const std::string kDe = std::string(ECM_REAL_DATA_DIR) + "/de/";
const std::string kPlain = kDe + "streampix_64x64/test.seq";
const std::string kCel = kDe + "celeritas_256x256_prebuffer1/";
const std::string kTop = kCel + "Movie_00785_Top_13-49-04.160.seq";
const std::string kBottom = kCel + "Movie_00785_Bottom_13-49-04.196.seq";
// ECM_REAL_DATA_DIR is "<source dir>/../shared/testdata/real": the decoder sits in the source tree.
std::string decoder_path() {
  const std::string real = ECM_REAL_DATA_DIR, tail = "/../shared/testdata/real";
  REQUIRE(real.size() > tail.size());
  REQUIRE(real.compare(real.size() - tail.size(), tail.size(), tail) == 0);
  return real.substr(0, real.size() - tail.size()) + "/tests/unit/decoders/seq.py";
}

std::string temp_dir() {
  char tmpl[] = "/tmp/ecm_test_seq_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

// What the numpy decoder printed: per frame its raw timestamp (s, ms, us) and pixels;
// or a reference's values, or bad-pixel indices.
struct Decoded {
  std::vector<long long> header;
  std::vector<std::array<long long, 3>> ts;
  std::vector<std::vector<double>> frames;
  std::vector<double> values;  // "values" / "bad" line
};

Decoded decode(const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + decoder_path() + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  REQUIRE(pclose(p) == 0);
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

std::unique_ptr<io::FrameSource> open(const std::string& path, std::optional<std::size_t> count = std::nullopt) {
  io::SourceOptions o;
  o.frame_count = count;
  return io::open_frame_source(path, o, MPI_COMM_SELF);
}

template <class T>
std::vector<double> read_as_double(const io::FrameSource& s, const std::vector<io::FrameRun>& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.count;
  std::vector<T> raw(n * s.shape().frame_pixels());
  s.read_frames(runs.data(), runs.size(), raw.data());
  return std::vector<double>(raw.begin(), raw.end());
}

std::vector<double> frame_of(const std::vector<double>& all, std::size_t i, std::size_t pixels) {
  return std::vector<double>(all.begin() + long(i * pixels), all.begin() + long((i + 1) * pixels));
}

bool has_note(const io::SourceMetadata& m, const std::string& text) {
  for (const auto& n : m.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

double correlation(const std::vector<double>& a, const std::vector<float>& b) {
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

void copy_to(const std::string& from, const std::string& dir) {
  fs::copy_file(from, dir + "/" + fs::path(from).filename().string());
}

}  // namespace

TEST_CASE("StreamPix sample: 10 frames of 15 records, timestamps, dark and gain, pixels as numpy reads them",
          "[source-seq]") {
  INFO("test data " << kPlain << " (the shared/ folder beside the checkout)");
  const auto src = open(kPlain);
  CHECK(src->format() == "seq");
  const auto& s = src->shape();
  CHECK(s.det_y == 64);
  CHECK(s.det_x == 64);
  CHECK(s.type == io::PixelType::u16);
  CHECK(s.n_frames == 10);
  const auto& m = src->metadata();
  CHECK(has_note(m, "header says 10 frames, the file holds 15 records: using 10 (--frame-count overrides)"));
  // The camera ran at 86956.52 fps (Config.Metadata.xml); the header's 30 fps is StreamPix's.
  REQUIRE(m.frame_time_s);
  CHECK(*m.frame_time_s == Approx(1.0 / 86956.52).epsilon(1e-12));
  CHECK(has_note(m, "header says 30 fps"));

  const Decoded d = decode("plain " + kPlain + " 0 3 9");
  REQUIRE(d.header == std::vector<long long>{5, 64, 64, 16, 10, 16384});
  const auto got = read_as_double<std::uint16_t>(*src, {{0, 1}, {3, 1}, {9, 1}});
  for (std::size_t i = 0; i < 3; ++i) CHECK(frame_of(got, i, 4096) == d.frames[i]);
  // All ten frames came in one segment (SegmentPreBuffer 256) and share one stamp.
  const auto t = src->timestamps({0, 3, 9});
  for (std::size_t i = 0; i < 3; ++i) CHECK(t[i] == Approx(d.ts[i][1] * 1e-3 + d.ts[i][2] * 1e-6).margin(1e-9));
  CHECK(has_note(m, "SegmentPreBuffer 256"));

  REQUIRE(m.dark);
  REQUIRE(m.gain);
  CHECK(m.dark->origin == kPlain + ".dark.mrc");
  const auto dark = decode("mrc " + kPlain + ".dark.mrc").values;
  const auto gain = decode("mrc " + kPlain + ".gain.mrc").values;
  CHECK(std::vector<double>(m.dark->values.begin(), m.dark->values.end()) == dark);
  CHECK(std::vector<double>(m.gain->values.begin(), m.gain->values.end()) == gain);
  // The sensor's one bad column (248) lies outside this 64x64 image at (480, 480).
  CHECK_FALSE(m.bad_pixels);
  CHECK(has_note(m, "lists 1 defect on the 1024x1024 sensor: 0 bad pixels in the 64x64 image at (480, 480)"));
  CHECK(src->description().find("test.seq") != std::string::npos);

  // --frame-count may take the 5 zero records too, not more.
  const auto all = open(kPlain, 15);
  CHECK(all->shape().n_frames == 15);
  const auto tail = read_as_double<std::uint16_t>(*all, {{12, 3}});
  CHECK(std::all_of(tail.begin(), tail.end(), [](double v) { return v == 0; }));
  CHECK_THROWS_WITH(open(kPlain, 16), Catch::Contains(kPlain) && Catch::Contains("holds only 15 frames"));
}

TEST_CASE("Celeritas sample: halves found from either one, stitched top flipped above bottom", "[source-seq]") {
  INFO("test data " << kCel);
  for (const auto& path : {kTop, kBottom}) {
    const auto src = open(path);
    const auto& s = src->shape();
    CHECK(s.det_y == 256);
    CHECK(s.det_x == 256);
    CHECK(s.type == io::PixelType::u16);
    CHECK(s.n_frames == 5);
    CHECK(src->description().find("Celeritas halves") != std::string::npos);
  }
  const auto src = open(kTop);
  const auto& m = src->metadata();
  const Decoded d = decode("celeritas " + kTop + " " + kBottom + " 0 2 4");
  REQUIRE(d.header == std::vector<long long>{5, 256, 256, 16, 5, 73728});
  const auto got = read_as_double<std::uint16_t>(*src, {{0, 1}, {2, 1}, {4, 1}});
  for (std::size_t i = 0; i < 3; ++i) CHECK(frame_of(got, i, 65536) == d.frames[i]);

  // The order does not rest on the decoder's belief: DE's dark reference (a full 256x256
  // frame) matches the stitched frames, and would not match other arrangements.
  REQUIRE(m.dark);
  CHECK(m.dark->origin == kCel + "Movie_00785.seq.dark.mrc");
  const auto frames = read_as_double<std::uint16_t>(*src, {{1, 4}});
  std::vector<double> mean(65536, 0.0), unflipped(65536, 0.0);
  for (std::size_t f = 0; f < 4; ++f)
    for (std::size_t p = 0; p < 65536; ++p) mean[p] += frames[f * 65536 + p] / 4;
  for (std::size_t y = 0; y < 128; ++y)  // the top half as stored, not flipped
    for (std::size_t x = 0; x < 256; ++x) unflipped[y * 256 + x] = mean[(127 - y) * 256 + x];
  for (std::size_t p = 128 * 256; p < 65536; ++p) unflipped[p] = mean[p];
  CHECK(correlation(mean, m.dark->values) > 0.99);
  CHECK(correlation(unflipped, m.dark->values) < 0.9);

  // One second apart (1.000036 s between the first two top-half stamps).
  const auto t = src->timestamps({0, 1, 2, 3, 4});
  const Decoded ts = decode("celeritas " + kTop + " " + kBottom + " 0 1 2 3 4");
  for (std::size_t i = 0; i < 5; ++i)
    CHECK(t[i] == Approx(double(ts.ts[i][0] - ts.ts[0][0]) + ts.ts[i][1] * 1e-3 + ts.ts[i][2] * 1e-6).margin(1e-9));
  CHECK(t[1] - t[0] == Approx(1.000036).margin(1e-9));
  REQUIRE(m.frame_time_s);
  CHECK(*m.frame_time_s == 1.0);

  // The gain was taken for movie 784; the only *.gain.mrc in the folder is used, with a note.
  REQUIRE(m.gain);
  CHECK(m.gain->origin == kCel + "Movie_00784.seq.gain.mrc");
  CHECK(has_note(m, "Movie_00784.seq.gain.mrc is not named after the movie"));
  // Pixel 0 of each half counts frames (0..4): both are marked bad, nothing else.
  REQUIRE(m.bad_pixels);
  CHECK(std::accumulate(m.bad_pixels->values.begin(), m.bad_pixels->values.end(), 0.0) == 2);
  CHECK(m.bad_pixels->values[127 * 256] == 1);
  CHECK(m.bad_pixels->values[128 * 256] == 1);
  CHECK(frames[127 * 256] == 1);  // frame 1: counter 1 in the top half, flipped to row 127
  CHECK(frames[128 * 256] == 1);
}

TEST_CASE("Celeritas bad input: a missing or ambiguous half", "[source-seq]") {
  const std::string dir = temp_dir();
  copy_to(kTop, dir);
  const std::string top = dir + "/" + fs::path(kTop).filename().string();
  CHECK_THROWS_WITH(open(top), Catch::Contains(top) && Catch::Contains("without its bottom half"));
  copy_to(kBottom, dir);
  CHECK(open(top)->shape().n_frames == 5);  // no Config.Metadata.xml: one frame per record
  fs::copy_file(kBottom, dir + "/Movie_00785_Bottom_13-49-05.000.seq");
  CHECK_THROWS_WITH(open(top), Catch::Contains(top) && Catch::Contains("2 candidates"));
  fs::remove_all(dir);
}

namespace {

simulate::CameraFileSpec small_spec(const std::string& path, io::PixelType type) {
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

template <class T>
void round_trip(io::PixelType type, int version, double top) {
  const std::string dir = temp_dir(), path = dir + "/sim.seq";
  auto spec = small_spec(path, type);
  const std::size_t px = spec.det_y * spec.det_x, n = spec.n_frames();
  spec.dark.resize(px);
  spec.gain.resize(px);
  spec.bad_pixels.assign(px, 0);
  for (std::size_t p = 0; p < px; ++p) spec.dark[p] = 100.5f + float(p), spec.gain[p] = 1.0f / float(p + 1);
  spec.bad_pixels[3] = spec.bad_pixels[4] = spec.bad_pixels[6 * 5 + 2] = 1;
  simulate::prepare_seq_version(spec, version);
  const auto frames = pattern<T>(n, px, top);
  {  // two writers, as two ranks would, in any order
    const auto a = simulate::open_camera_file("seq", spec);
    const auto b = simulate::open_camera_file("seq", spec);
    b->write_frames(5, n - 5, frames.data() + 5 * px);
    a->write_frames(0, 5, frames.data());
  }
  const auto src = open(path);
  CHECK(src->shape().type == type);
  CHECK(src->shape().n_frames == n);
  CHECK(src->shape().det_y == 7);
  CHECK(src->shape().det_x == 5);
  const auto got = read_as_double<T>(*src, {{0, n}});
  CHECK(got == std::vector<double>(frames.begin(), frames.end()));
  const Decoded d = decode("plain " + path + " 0 4 11");
  CHECK(d.header[0] == version);
  CHECK(d.frames[0] == frame_of(got, 0, px));
  CHECK(d.frames[1] == frame_of(got, 4, px));
  CHECK(d.frames[2] == frame_of(got, 11, px));
  // Frames 0.01 s apart within a cycle, cycles 0.25 s apart.
  const auto t = src->timestamps({0, 1, 5, 6, 11});
  CHECK(t[1] - t[0] == Approx(0.01).margin(1e-9));
  CHECK(t[3] - t[0] == Approx(0.25).margin(1e-9));
  CHECK(t[4] - t[3] == Approx(0.05).margin(1e-9));
  REQUIRE(src->metadata().frame_time_s);
  CHECK(*src->metadata().frame_time_s == Approx(0.01));
  REQUIRE(src->metadata().dark);
  REQUIRE(src->metadata().gain);
  CHECK(src->metadata().dark->values == spec.dark);
  CHECK(src->metadata().gain->values == spec.gain);
  CHECK(decode("mrc " + path + ".gain.mrc").values == std::vector<double>(spec.gain.begin(), spec.gain.end()));
  REQUIRE(src->metadata().bad_pixels);
  CHECK(src->metadata().bad_pixels->values == std::vector<float>(spec.bad_pixels.begin(), spec.bad_pixels.end()));
  CHECK(decode("badpixels " + path + ".Config.Metadata.xml 7 5").values == std::vector<double>{3, 4, 32});
  fs::remove_all(dir);
}

}  // namespace

TEST_CASE("seq writer round trips: v5 8/16/32-bit and v4, read back by ecm and by numpy", "[source-seq]") {
  SECTION("v5 uint8") { round_trip<std::uint8_t>(io::PixelType::u8, 5, 256); }
  SECTION("v5 uint16") { round_trip<std::uint16_t>(io::PixelType::u16, 5, 65536); }
  SECTION("v5 uint32") { round_trip<std::uint32_t>(io::PixelType::u32, 5, 4294967296.0); }
  SECTION("v4 uint16") { round_trip<std::uint16_t>(io::PixelType::u16, 4, 4096); }
  SECTION("float32 is refused") {
    CHECK_THROWS_AS(simulate::prepare_camera_file("seq", small_spec("/tmp/never.seq", io::PixelType::f32)),
                    InputError);
    CHECK_FALSE(fs::exists("/tmp/never.seq"));
  }
}

TEST_CASE("seq reads coalesce runs of records across the scratch buffer, runs in any order", "[source-seq]") {
  const std::string dir = temp_dir(), path = dir + "/many.seq";
  auto spec = small_spec(path, io::PixelType::u16);
  spec.det_y = spec.det_x = 4;
  spec.cycles = 200;  // 1200 records of 8192 B: three scratch loads
  simulate::prepare_seq(spec);
  const std::size_t n = spec.n_frames();
  const auto frames = pattern<std::uint16_t>(n, 16, 65536);
  simulate::open_camera_file("seq", spec)->write_frames(0, n, frames.data());
  const auto src = open(path);
  const std::vector<io::FrameRun> runs{{1100, 100}, {3, 2}, {400, 650}};
  const auto got = read_as_double<std::uint16_t>(*src, runs);
  std::vector<double> want;
  for (const auto& r : runs)
    for (std::size_t f = r.first; f < r.first + r.count; ++f)
      for (std::size_t p = 0; p < 16; ++p) want.push_back(frames[f * 16 + p]);
  CHECK(got == want);
  const io::FrameRun past{1199, 2};
  std::vector<std::uint16_t> buf(32);
  CHECK_THROWS_AS(src->read_frames(&past, 1, buf.data()), InputError);
  fs::remove_all(dir);
}

namespace {

// A .seq written record by record from the library's header encoder: `images` of h.image_bytes
// each, stamped `seconds[i]` s + `ms[i]` ms.
void write_seq(const std::string& path, io::sources::SeqHeader h, const std::vector<std::vector<std::uint16_t>>& images,
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

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// A copy of the StreamPix sample with `n` bytes at `at` replaced.
std::string patched_sample(const std::string& dir, std::size_t at, std::vector<unsigned char> bytes,
                           std::size_t keep = std::size_t(-1)) {
  std::ifstream in(kPlain, std::ios::binary);
  std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  all.resize(std::min(keep, all.size()));
  std::memcpy(all.data() + at, bytes.data(), bytes.size());
  const std::string path = dir + "/test.seq";
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(all.data(), long(all.size()));
  return path;
}

std::vector<unsigned char> u32(std::uint32_t v) { return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)}; }

}  // namespace

TEST_CASE("Celeritas records stacking several frames (segment prebuffer) are split and stitched", "[source-seq]") {
  const std::string dir = temp_dir();
  // Stitched frames of 6 x 4 pixels, F[k](r, c) = 100 k + 10 r + c; halves of 3 rows, 2 frames
  // per record, 3 records: 6 frames.
  io::sources::SeqHeader h;
  h.width = 4;
  h.height = 6;
  h.bit_depth = h.bit_depth_real = 16;
  h.image_bytes = 4 * 6 * 2;
  h.data_offset = io::sources::kSeqV5Alignment;
  h.true_image_size = std::uint32_t(io::sources::seq_record_stride(h.image_bytes, h.data_offset));
  h.frame_rate = 1000;
  std::vector<std::vector<std::uint16_t>> top(3), bottom(3);
  for (std::size_t rec = 0; rec < 3; ++rec)
    for (std::size_t j = 0; j < 2; ++j)
      for (std::size_t y = 0; y < 3; ++y)
        for (std::size_t c = 0; c < 4; ++c) {
          const std::size_t k = rec * 2 + j;
          top[rec].push_back(std::uint16_t(100 * k + 10 * (2 - y) + c));  // stored upside down
          bottom[rec].push_back(std::uint16_t(100 * k + 10 * (3 + y) + c));
        }
  write_seq(dir + "/M_Top_1.seq", h, top, {50, 60, 70}, {0, 0, 0});
  write_seq(dir + "/M_Bottom_2.seq", h, bottom, {50, 60, 70}, {0, 0, 0});
  write_text(dir + "/M.seq.Config.Metadata.xml",
             "<Configuration><FileInfo><ImageSizeX Value=\"4\" /><ImageSizeY Value=\"6\" />"
             "<FrameRate Value=\"1000\" /><SegmentPreBuffer Value=\"2\" /></FileInfo></Configuration>");
  const auto src = open(dir + "/M_Bottom_2.seq");
  CHECK(src->shape().n_frames == 6);
  CHECK(src->shape().det_y == 6);
  CHECK(src->shape().det_x == 4);
  CHECK(src->storage_chunk() == std::array<std::size_t, 3>{1, 1, 2});
  const auto got = read_as_double<std::uint16_t>(*src, {{1, 4}});
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t r = 0; r < 6; ++r)
      for (std::size_t c = 0; c < 4; ++c) CHECK(got[(i * 6 + r) * 4 + c] == double(100 * (i + 1) + 10 * r + c));
  // One stamp per record; its second frame a frame period (1 ms) later.
  const auto t = src->timestamps({0, 1, 2, 5});
  REQUIRE(t.size() == 4);
  CHECK(t[0] == 0);
  CHECK(t[1] == Approx(0.001).margin(1e-12));
  CHECK(t[2] == 10);
  CHECK(t[3] == Approx(20.001).margin(1e-12));
  CHECK(open(dir + "/M_Top_1.seq", 3)->shape().n_frames == 3);

  // Halves that disagree on the image size.
  h.width = 2;
  h.image_bytes = 2 * 6 * 2;
  write_seq(dir + "/M_Bottom_2.seq", h, {std::vector<std::uint16_t>(12), std::vector<std::uint16_t>(12)}, {1, 2}, {0, 0});
  CHECK_THROWS_WITH(open(dir + "/M_Top_1.seq"), Catch::Contains(dir + "/M_Bottom_2.seq") && Catch::Contains("top half"));
  fs::remove_all(dir);
}

TEST_CASE("seq bad input: truncated, lying headers, wrong references, timestamps going backwards", "[source-seq]") {
  const std::string dir = temp_dir();
  SECTION("a file shorter than the header's count") {
    const std::string p = patched_sample(dir, 0, {}, 8192 + 9 * 16384 + 100);
    CHECK_THROWS_WITH(open(p), Catch::Contains(p) && Catch::Contains("header says 10 frames") &&
                                   Catch::Contains("only 9 whole records"));
    CHECK(open(p, 9)->shape().n_frames == 9);  // --frame-count takes what is there
  }
  SECTION("a header that claims more frames than the file holds") {
    const std::string p = patched_sample(dir, 572, u32(1000));
    CHECK_THROWS_WITH(open(p), Catch::Contains(p) && Catch::Contains("only 15 whole records"));
  }
  SECTION("an image size that is not width x height x depth") {
    const std::string p = patched_sample(dir, 564, u32(9000));
    CHECK_THROWS_WITH(open(p), Catch::Contains(p) && Catch::Contains("images of 9000 bytes"));
  }
  SECTION("a record stride too small for image and timestamp") {
    const std::string p = patched_sample(dir, 580, u32(8192));
    CHECK_THROWS_WITH(open(p), Catch::Contains(p) && Catch::Contains("TrueImageSize"));
  }
  SECTION("versions, depths and formats not read") {
    CHECK_THROWS_WITH(open(patched_sample(dir, 28, u32(3))), Catch::Contains("version 3"));
    CHECK_THROWS_WITH(open(patched_sample(dir, 556, u32(12))), Catch::Contains("bit depth 12"));
    CHECK_THROWS_WITH(open(patched_sample(dir, 568, u32(200))), Catch::Contains("image format 200"));
    CHECK_THROWS_WITH(open(patched_sample(dir, 620, u32(1))), Catch::Contains("compressed"));
  }
  SECTION("a reference of the wrong shape names the reference") {
    const std::string p = patched_sample(dir, 0, {});
    auto spec = small_spec(dir + "/other.seq", io::PixelType::u16);
    spec.dark.assign(35, 1.f);
    simulate::prepare_seq(spec);
    fs::rename(dir + "/other.seq.dark.mrc", p + ".dark.mrc");
    CHECK_THROWS_WITH(open(p), Catch::Contains(p + ".dark.mrc") && Catch::Contains("7x5"));
  }
  SECTION("timestamps that go backwards") {
    const std::string p = dir + "/sim.seq";
    const auto spec = small_spec(p, io::PixelType::u16);
    simulate::prepare_seq(spec);
    const std::vector<std::uint16_t> frames(spec.n_frames() * 35, 1);
    simulate::open_camera_file("seq", spec)->write_frames(0, spec.n_frames(), frames.data());
    {  // record 3 stamped 5 s before the movie began
      std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(8192 + 3 * 8192 + 70);
      unsigned char s[4];
      f.read(reinterpret_cast<char*>(s), 4);
      std::uint32_t v = std::uint32_t(s[0] | s[1] << 8 | s[2] << 16 | std::uint32_t(s[3]) << 24) - 5;
      f.seekp(8192 + 3 * 8192 + 70);
      f.write(reinterpret_cast<const char*>(u32(v).data()), 4);
    }
    const auto src = open(p);
    CHECK(src->timestamps({0, 1, 2}).size() == 3);
    CHECK_THROWS_WITH(src->timestamps({5, 0, 3}), Catch::Contains(p) && Catch::Contains("timestamps go backwards") &&
                                                      Catch::Contains("frame 3"));
  }
  SECTION("not a .seq at all") {
    const std::string p = patched_sample(dir, 0, u32(0xBEEF));
    io::SourceOptions o;
    o.format = "seq";
    CHECK_THROWS_WITH(io::open_frame_source(p, o, MPI_COMM_SELF), Catch::Contains(p) && Catch::Contains("not a Norpix"));
  }
  fs::remove_all(dir);
}

TEST_CASE("Config.Metadata.xml defects: pixels, runs, rows, columns, patterns, offsets; comments skipped",
          "[source-seq]") {
  const std::string dir = temp_dir(), p = dir + "/d.seq";
  auto spec = small_spec(p, io::PixelType::u16);  // 7 x 5 frames
  spec.bad_pixels.assign(35, 0);
  simulate::prepare_seq(spec);
  // The image sits at row 100, column 200 of the sensor.
  write_text(p + ".Config.Metadata.xml", R"(<?xml version="1.0"?>
<Configuration>
  <BadPixels>
    <!-- <Defect Column="201" Row="101" />  an example, not a defect -->
    <BadPixelMap Rows="1024" Columns="1024">
      <Defect Column="200" Row="100" />
      <Defect Columns="201-210" Row="106" pattern="10" />
      <Defect Column="204" Rows="103-104" />
      <Defect Row="102" />
      <Defect Column="7" />
      <Defect Column="banana" />
    </BadPixelMap>
  </BadPixels>
  <FileInfo>
    <ImageSizeX Value="5" /><ImageSizeY Value="7" />
    <ImageOffsetX Value="200" /><ImageOffsetY Value="100" />
  </FileInfo>
</Configuration>
)");
  const auto src = open(p);
  const auto& m = src->metadata();
  REQUIRE(m.bad_pixels);
  std::vector<float> want(35, 0.f);
  want[0] = 1;                                            // (100, 200)
  want[6 * 5 + 1] = want[6 * 5 + 3] = 1;                  // row 106: columns 201, 203 (pattern 10)
  want[3 * 5 + 4] = want[4 * 5 + 4] = 1;                  // column 204, rows 103-104
  for (std::size_t c = 0; c < 5; ++c) want[2 * 5 + c] = 1;  // row 102
  CHECK(m.bad_pixels->values == want);
  CHECK(has_note(m, "lists 5 defects on the 1024x1024 sensor: 10 bad pixels in the 7x5 image at (100, 200)"));
  CHECK(has_note(m, "<Defect Column=\"banana\" /> not understood, ignored"));
  fs::remove_all(dir);
}

TEST_CASE("large frames read straight into an aligned buffer equal those through the scratch", "[source-seq]") {
  // Blocks of 128 x 256 uint16 (64 KiB): read by one pread per half into a 64-byte aligned
  // buffer, through the scratch into one 16 bytes off.
  const std::string dir = temp_dir();
  io::sources::SeqHeader h;
  h.width = 256;
  h.height = 256;  // two stacked frames per record
  h.bit_depth = h.bit_depth_real = 16;
  h.image_bytes = 256 * 256 * 2;
  h.data_offset = io::sources::kSeqV5Alignment;
  h.true_image_size = std::uint32_t(io::sources::seq_record_stride(h.image_bytes, h.data_offset));
  std::vector<std::vector<std::uint16_t>> top(3), bottom(3);
  for (std::size_t rec = 0; rec < 3; ++rec)
    for (std::size_t i = 0; i < 256 * 256; ++i) {
      top[rec].push_back(std::uint16_t(rec * 7 + i * 3));
      bottom[rec].push_back(std::uint16_t(rec * 5 + i * 11 + 1));
    }
  write_seq(dir + "/L_Top_a.seq", h, top, {1, 2, 3}, {0, 0, 0});
  write_seq(dir + "/L_Bottom_b.seq", h, bottom, {1, 2, 3}, {0, 0, 0});
  write_text(dir + "/L.seq.Config.Metadata.xml",
             "<Configuration><FileInfo><ImageSizeY Value=\"256\" /><SegmentPreBuffer Value=\"2\" /></FileInfo></Configuration>");
  write_seq(dir + "/plain.seq", h, top, {1, 2, 3}, {0, 0, 0});
  for (const std::string name : {"L_Top_a.seq", "plain.seq"}) {
    const auto src = open(dir + "/" + name);
    const std::size_t n = src->shape().n_frames, fb = src->shape().frame_bytes();
    CHECK(n == (name == "plain.seq" ? 3 : 6));
    const std::vector<io::FrameRun> runs{{1, n - 1}, {0, 1}};
    std::vector<unsigned char> store(n * fb + 128);
    unsigned char* aligned = store.data() + (64 - reinterpret_cast<std::uintptr_t>(store.data()) % 64) % 64;
    src->read_frames(runs.data(), runs.size(), aligned);
    const std::vector<unsigned char> direct(aligned, aligned + n * fb);
    src->read_frames(runs.data(), runs.size(), aligned + 16);
    CHECK(std::equal(direct.begin(), direct.end(), aligned + 16));
    // Frame 1 (first in the buffer): for the halves, the second block of record 0.
    std::vector<std::uint16_t> f1(fb / 2);
    std::memcpy(f1.data(), direct.data(), fb);
    if (name == "plain.seq") {
      CHECK(f1[0] == top[1][0]);
      CHECK(f1[1000] == top[1][1000]);
    } else {
      CHECK(f1[0] == top[0][(128 + 127) * 256]);  // top block 1, last row, flipped to the top
      CHECK(f1[127 * 256 + 3] == top[0][128 * 256 + 3]);
      CHECK(f1[128 * 256 + 9] == bottom[0][128 * 256 + 9]);
    }
  }
  fs::remove_all(dir);
}
