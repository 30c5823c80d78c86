// The MRC frame source: the real DE-Server movie (X_movie.mrc + X_info.txt) and its single
// images, the DE .seq dark/gain references (mode 2, placeholder nz 32766), stacks in every
// mode and byte order made by an independent numpy script, the `ecm simulate --format mrc`
// writer round-tripped, and bad input (truncated, lying nz, unknown mode, info.txt that
// disagrees). Pixel values are compared with tests/unit/decoders/mrc.py, pixel for pixel.
#include <catch2/catch.hpp>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "decoder_support.hpp"
#include "ecm/io/sources/de_server_info.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/io/sources/mrc_header.hpp"
#include "ecm/simulate/camera_writer.hpp"

using namespace ecm;
using namespace ecm::test;
namespace fs = std::filesystem;

namespace {

const std::string kServer = std::string(ECM_REAL_DATA_DIR) + "/de_server_mrc/";
const std::string kMovie = kServer + "20241021_00405_movie.mrc";
const std::string kInfo = kServer + "20241021_00405_info.txt";
const std::string kDe = std::string(ECM_REAL_DATA_DIR) + "/de/";

std::vector<unsigned char> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void spit(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}
void put_int(std::vector<unsigned char>& b, std::size_t at, std::int32_t v) { std::memcpy(b.data() + at, &v, 4); }

// The info.txt with one line's value replaced.
std::string info_with(const std::string& key, const std::string& value) {
  std::ifstream in(kInfo);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + " ", 0) == 0 && line.find('=') != std::string::npos) line = key + " = " + value;
    out += line + "\n";
  }
  return out;
}
void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("the DE-Server movie: 32 frames of 4 x 8 uint16, the 4 x 8 scan and frame rate from its info.txt",
          "[source-mrc]") {
  const auto head = io::file_head(kMovie, io::sources::kHeadBytes);
  CHECK(io::sources::looks_like_mrc(kMovie, head));
  const auto src = open_source(kMovie);
  CHECK(src->format() == "mrc");
  const auto& s = src->shape();
  CHECK(s.det_y == 4);
  CHECK(s.det_x == 8);
  CHECK(s.type == io::PixelType::u16);
  CHECK(s.n_frames == 32);
  const auto& m = src->metadata();
  REQUIRE(m.scan_shape);
  CHECK((*m.scan_shape)[0] == 4);  // Scan - Size Y
  CHECK((*m.scan_shape)[1] == 8);  // Scan - Size X
  CHECK(m.cycles == std::optional<std::size_t>(1));
  REQUIRE(m.frame_time_s);
  CHECK(*m.frame_time_s == Approx(1.0 / 700));  // Frames Per Second = 700
  REQUIRE(m.time_step_s);
  CHECK(*m.time_step_s == Approx(0.046854 + 3));  // time per scan + repeat delay
  CHECK(m.scan_step_nm == std::optional<double>(0.1));  // Specimen Pixel Size X (nanometers)
  CHECK(has_note(m, "0.1 x 0.2 nm"));               // Y is 0.2: said, not hidden
  CHECK(has_note(m, "Diffraction Pixel Size X"));
  CHECK_FALSE(m.k_pixel_size);
  CHECK(src->timestamps({0, 31}).empty());  // MRC has no per-frame times
  CHECK(src->description().find("20241021_00405_info.txt") != std::string::npos);

  const auto d = run_decoder("mrc.py", "read " + shell_word(kMovie) + " 0 1 13 30 31");
  REQUIRE(d.header.size() == 1);
  CHECK(d.header[0] == "nx 8 ny 4 nz 32 mode 6 images 32");
  for (std::size_t f : {0, 1, 13, 30, 31}) check_frame(*src, d, f);
  // The simulator's frame f holds f everywhere: the frames are in recording order.
  CHECK(frame_values(*src, 13) == std::vector<double>(32, 13.0));

  // Runs out of order and touching ones, as tiles ask: frames 30, 31, 0, 1.
  const io::FrameRun runs[] = {{30, 1}, {31, 1}, {0, 2}};
  std::vector<std::uint16_t> out(4 * 32);
  src->read_frames(runs, 3, out.data());
  CHECK(out[0] == 30);
  CHECK(out[32] == 31);
  CHECK(out[64] == 0);
  CHECK(out[127] == 1);
}

TEST_CASE("the DE-Server single images (sums, final, external) are 1-frame float32 stacks", "[source-mrc]") {
  for (const char* name : {"20241021_00405_0_Virt 0_sum.mrc", "20241021_00405_1_Virt 1_sum.mrc",
                           "20241021_00405_ext1_Ext 1.mrc", "20241021_00405_final.mrc"}) {
    INFO(name);
    const std::string path = kServer + name;
    const auto src = open_source(path);
    CHECK(src->shape().n_frames == 1);
    CHECK(src->shape().det_y == 4);
    CHECK(src->shape().det_x == 8);
    CHECK(src->shape().type == io::PixelType::f32);
    CHECK_FALSE(src->metadata().scan_shape);  // not a movie: no info.txt looked for
    CHECK(src->metadata().notes.empty());
    check_frame(*src, run_decoder("mrc.py", "read " + shell_word(path) + " 0"), 0);
  }
  // The sum of all 32 frames of f everywhere: 0 + 1 + ... + 31.
  CHECK(frame_values(*open_source(kServer + "20241021_00405_final.mrc"), 0) == std::vector<double>(32, 496.0));
}

TEST_CASE("the DE .seq dark/gain references: mode 2 with nz 32766, read as a reference and as a stack",
          "[source-mrc]") {
  struct Ref {
    std::string path;
    std::size_t edge, images;
  };
  const Ref refs[] = {{kDe + "streampix_64x64/test.seq.dark.mrc", 64, 8},
                      {kDe + "streampix_64x64/test.seq.gain.mrc", 64, 8},
                      {kDe + "celeritas_256x256_prebuffer1/Movie_00785.seq.dark.mrc", 256, 1},
                      {kDe + "celeritas_256x256_prebuffer1/Movie_00784.seq.gain.mrc", 256, 1}};
  for (const auto& r : refs) {
    INFO(r.path);
    io::RawFile file(r.path);
    const auto h = io::sources::read_mrc_header(file);
    CHECK(h.nz == 32766);
    CHECK(h.mode == 2);
    CHECK(h.images_in_file == r.images);
    const auto d = run_decoder("mrc.py", "read " + shell_word(r.path) + " 0");
    const auto ref = io::sources::read_mrc_reference(r.path, r.edge, r.edge);
    REQUIRE(ref.values.size() == d.frames.at(0).size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < ref.values.size(); ++i) differ += double(ref.values[i]) != d.frames.at(0)[i];
    CHECK(differ == 0);
    CHECK(input_error([&] { io::sources::read_mrc_reference(r.path, r.edge, r.edge / 2); }).find(r.path) !=
          std::string::npos);

    // As a stack: the whole images the file holds, not the placeholder nz.
    const auto src = open_source(r.path);
    CHECK(src->shape().n_frames == r.images);
    CHECK(src->shape().type == io::PixelType::f32);
    CHECK(has_note(src->metadata(), "placeholder"));
    check_frame(*src, d, 0);
  }
}

TEST_CASE("stacks in every mode and byte order, made by numpy, read pixel for pixel", "[source-mrc]") {
  const std::string dir = make_temp_dir("mrc");
  struct Case {
    std::string args;
    io::PixelType type;
  };
  // mode, byte order, nx, ny, nz, extended-header bytes
  const Case cases[] = {{"0 '<' 7 5 6 0", io::PixelType::f32},  // int8: negative values, as float
                        {"0 '<' 7 5 6 0 imod-unsigned", io::PixelType::u8},
                        {"1 '>' 7 5 6 0", io::PixelType::f32},  // int16, big-endian
                        {"1 '<' 7 5 6 96", io::PixelType::f32},
                        {"2 '>' 7 5 6 1024", io::PixelType::f32},
                        {"6 '>' 7 5 6 0", io::PixelType::u16},
                        {"6 '<' 7 5 6 8", io::PixelType::u16}};
  int i = 0;
  for (const auto& c : cases) {
    INFO(c.args);
    const std::string path = dir + "/stack" + std::to_string(i++) + ".mrcs";
    run_maker("mrc.py", "write " + shell_word(path) + " " + c.args);
    const auto src = open_source(path);
    CHECK(src->shape().type == c.type);
    CHECK(src->shape().det_y == 5);
    CHECK(src->shape().det_x == 7);
    REQUIRE(src->shape().n_frames == 6);
    CHECK(src->metadata().notes.empty());
    const auto d = run_decoder("mrc.py", "read " + shell_word(path) + " 0 1 2 3 4 5");
    for (std::size_t f = 0; f < 6; ++f) check_frame(*src, d, f);
    // Several frames in one call: the same values as one by one.
    std::vector<unsigned char> all(6 * src->shape().frame_bytes());
    const io::FrameRun run{0, 6};
    src->read_frames(&run, 1, all.data());
    std::vector<unsigned char> one(src->shape().frame_bytes());
    const io::FrameRun last{5, 1};
    src->read_frames(&last, 1, one.data());
    CHECK(std::equal(one.begin(), one.end(), all.end() - long(one.size())));
  }
  // Signed values really are negative (int8 and int16 go to float, not wrapped).
  CHECK(frame_values(*open_source(dir + "/stack0.mrcs"), 0)[0] == -128.0);
  CHECK(frame_values(*open_source(dir + "/stack2.mrcs"), 0)[0] == -32768.0);
  fs::remove_all(dir);
}

TEST_CASE("detection: \"MAP \" at byte 208, or a .mrc name with a sane header", "[source-mrc]") {
  const std::string dir = make_temp_dir("mrc_detect");
  run_maker("mrc.py", "write " + shell_word(dir + "/a.mrc") + " 6 '<' 4 3 2");
  auto bytes = slurp(dir + "/a.mrc");
  std::memcpy(bytes.data() + 208, "\0\0\0\0", 4);  // a pre-2000 file: no "MAP "
  spit(dir + "/old.mrc", bytes);
  spit(dir + "/old.bin", bytes);
  CHECK(io::sources::looks_like_mrc(dir + "/old.mrc", io::file_head(dir + "/old.mrc", 4096)));
  CHECK_FALSE(io::sources::looks_like_mrc(dir + "/old.bin", io::file_head(dir + "/old.bin", 4096)));
  CHECK(open_source(dir + "/old.mrc")->shape().n_frames == 2);
  CHECK(open_source(dir + "/old.bin", "mrc")->shape().n_frames == 2);  // --format says
  std::vector<unsigned char> junk(2048, 0xff);
  spit(dir + "/junk.mrc", junk);
  CHECK_FALSE(io::sources::looks_like_mrc(dir + "/junk.mrc", junk));
  CHECK(input_error([&] { open_source(dir + "/junk.mrc"); }).find(dir + "/junk.mrc") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("bad MRC input: truncated, a lying nz, an unknown mode, an info.txt that disagrees", "[source-mrc]") {
  const std::string dir = make_temp_dir("mrc_bad");
  const auto movie = slurp(kMovie);
  auto named = [&](const std::string& name) { return dir + "/" + name; };

  auto cut = movie;
  cut.resize(cut.size() - 100);
  spit(named("cut.mrc"), cut);
  std::string e = input_error([&] { open_source(named("cut.mrc")); });
  CHECK(e.find(named("cut.mrc")) != std::string::npos);
  CHECK(e.find("32 images") != std::string::npos);
  CHECK(e.find("30 whole images") != std::string::npos);

  auto liar = movie;
  put_int(liar, 8, 40);  // nz 40, 32 images on disk
  spit(named("liar.mrc"), liar);
  e = input_error([&] { open_source(named("liar.mrc")); });
  CHECK(e.find(named("liar.mrc")) != std::string::npos);
  CHECK(e.find("truncated") != std::string::npos);

  auto fewer = movie;
  put_int(fewer, 8, 30);  // nz 30: the 2 images after them are extra, said and ignored
  spit(named("fewer.mrc"), fewer);
  const auto src = open_source(named("fewer.mrc"));
  CHECK(src->shape().n_frames == 30);
  CHECK(has_note(src->metadata(), "ignored"));

  auto mode4 = movie;
  put_int(mode4, 12, 4);  // complex int16: not a camera's
  spit(named("mode4.mrc"), mode4);
  e = input_error([&] { open_source(named("mode4.mrc")); });
  CHECK(e.find(named("mode4.mrc")) != std::string::npos);
  CHECK(e.find("mode 4") != std::string::npos);

  std::vector<unsigned char> header_only(movie.begin(), movie.begin() + 1024);
  spit(named("header_only.mrc"), header_only);
  CHECK(input_error([&] { open_source(named("header_only.mrc")); }).find(named("header_only.mrc")) !=
        std::string::npos);
  CHECK(input_error([&] { open_source(named("absent.mrc")); }).find(named("absent.mrc")) != std::string::npos);

  // A DE-Server movie whose info.txt says 2 repeats of the 8 x 4 scan: 64 frames, not 32.
  spit(named("a_movie.mrc"), movie);
  write_text(named("a_info.txt"), info_with("Scan - Repeats", "2"));
  e = input_error([&] { open_source(named("a_movie.mrc")); });
  CHECK(e.find(named("a_movie.mrc")) != std::string::npos);
  CHECK(e.find(named("a_info.txt")) != std::string::npos);
  CHECK(e.find("64 frames") != std::string::npos);
  write_text(named("a_info.txt"), info_with("Scan - Size X", "eight"));
  e = input_error([&] { open_source(named("a_movie.mrc")); });
  CHECK(e.find(named("a_info.txt")) != std::string::npos);
  CHECK(e.find("Scan - Size X") != std::string::npos);
  // The movie's nz says 30 and the info 32: which to trust is not ecm's guess.
  spit(named("b_movie.mrc"), fewer);
  write_text(named("b_info.txt"), info_with("Scan - Repeats", "1"));
  e = input_error([&] { open_source(named("b_movie.mrc")); });
  CHECK(e.find(named("b_movie.mrc")) != std::string::npos);
  CHECK(e.find(named("b_info.txt")) != std::string::npos);

  // Without its info.txt a movie is a plain stack: said, not refused.
  spit(named("c_movie.mrc"), movie);
  const auto plain = open_source(named("c_movie.mrc"));
  CHECK(plain->shape().n_frames == 32);
  CHECK_FALSE(plain->metadata().scan_shape);
  CHECK(has_note(plain->metadata(), "c_info.txt"));
  fs::remove_all(dir);
}

TEST_CASE("the DE-Server info.txt: key = value lines, the companion's name", "[source-mrc]") {
  const auto info = io::sources::read_de_server_info(kInfo);
  CHECK(info.values.size() > 500);
  CHECK(info.text("Scan - ROI Type") == std::optional<std::string>("Raster"));
  CHECK(info.text("Instrument Project Magnification Allowed Values") == std::optional<std::string>(""));
  CHECK(info.number("Scan - Size X") == std::optional<double>(8));
  CHECK(info.number("Frame Time (nanoseconds)") == std::optional<double>(1428500));
  CHECK_FALSE(info.number("no such key"));
  CHECK(input_error([&] { info.number("Sensor Clock Frequency"); }).find(kInfo) != std::string::npos);  // "260MHz"
  CHECK(io::sources::de_server_info_path("/d/x_movie.mrc") == "/d/x_info.txt");
  CHECK(io::sources::de_server_info_path("/d/x.mrc").empty());
}

namespace {

// Frames of `spec.type` whose value at pixel p of frame f is f * 97 + p (u8: modulo 256;
// f32: a quarter added, so the fraction must survive).
std::vector<unsigned char> make_frames(const simulate::CameraFileSpec& spec) {
  const std::size_t n = spec.n_frames() * spec.det_y * spec.det_x, px = spec.det_y * spec.det_x;
  std::vector<unsigned char> b(n * io::pixel_bytes(spec.type));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t f = i / px, p = i % px, v = f * 97 + p;
    switch (spec.type) {
      case io::PixelType::u8: b[i] = std::uint8_t(v % 256); break;
      case io::PixelType::u16: {
        const auto x = std::uint16_t(v % 65536);
        std::memcpy(b.data() + 2 * i, &x, 2);
        break;
      }
      case io::PixelType::u32: {
        const auto x = std::uint32_t(v + (1u << 24) - 4096);  // near the exact-float limit
        std::memcpy(b.data() + 4 * i, &x, 4);
        break;
      }
      case io::PixelType::f32: {
        const float x = float(v) + 0.25f;
        std::memcpy(b.data() + 4 * i, &x, 4);
        break;
      }
    }
  }
  return b;
}

double value_of(const simulate::CameraFileSpec& spec, const std::vector<unsigned char>& b, std::size_t i) {
  switch (spec.type) {
    case io::PixelType::u8: return b[i];
    case io::PixelType::u16: {
      std::uint16_t x;
      std::memcpy(&x, b.data() + 2 * i, 2);
      return x;
    }
    case io::PixelType::u32: {
      std::uint32_t x;
      std::memcpy(&x, b.data() + 4 * i, 4);
      return x;
    }
    case io::PixelType::f32: {
      float x;
      std::memcpy(&x, b.data() + 4 * i, 4);
      return x;
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("the MRC writer: DE-Server movies and plain stacks read back pixel for pixel", "[source-mrc]") {
  const std::string dir = make_temp_dir("mrc_writer");
  for (auto type : {io::PixelType::u16, io::PixelType::f32, io::PixelType::u8, io::PixelType::u32}) {
    INFO(io::pixel_type_name(type));
    simulate::CameraFileSpec spec;
    spec.path = dir + "/sim_" + io::pixel_type_name(type) + "_movie.mrc";
    spec.det_y = 5;
    spec.det_x = 7;
    spec.type = type;
    spec.scan_y = 3;
    spec.scan_x = 2;
    spec.cycles = 4;
    spec.time_step_s = 0.125;
    spec.frame_time_s = 0.8 * 0.125 / 6;
    const auto frames = make_frames(spec);
    simulate::prepare_camera_file("mrc", spec);
    {
      // Two writers, as two ranks, each its own frames, out of order.
      auto a = simulate::open_camera_file("mrc", spec);
      auto b = simulate::open_camera_file("mrc", spec);
      const std::size_t fb = spec.det_y * spec.det_x * io::pixel_bytes(type);
      b->write_frames(10, 14, frames.data() + 10 * fb);
      a->write_frames(0, 10, frames.data());
    }
    const auto src = open_source(spec.path);
    const bool wide = type == io::PixelType::u8 || type == io::PixelType::u16;
    CHECK(src->shape().type == (wide ? io::PixelType::u16 : io::PixelType::f32));
    CHECK(src->shape().det_y == 5);
    CHECK(src->shape().det_x == 7);
    REQUIRE(src->shape().n_frames == 24);
    const auto& m = src->metadata();
    REQUIRE(m.scan_shape);
    CHECK((*m.scan_shape)[0] == 3);
    CHECK((*m.scan_shape)[1] == 2);
    CHECK(m.cycles == std::optional<std::size_t>(4));
    REQUIRE(m.frame_time_s);
    CHECK(*m.frame_time_s == Approx(spec.frame_time_s).epsilon(1e-12));
    REQUIRE(m.time_step_s);
    CHECK(*m.time_step_s == Approx(0.125).epsilon(1e-12));
    std::size_t differ = 0;
    for (std::size_t f = 0; f < 24; ++f) {
      const auto v = frame_values(*src, f);
      for (std::size_t p = 0; p < v.size(); ++p) differ += v[p] != value_of(spec, frames, f * 35 + p);
    }
    CHECK(differ == 0);
    // The numpy decoder reads the same values from the writer's file.
    const auto d = run_decoder("mrc.py", "read " + shell_word(spec.path) + " 0 17 23");
    for (std::size_t f : {0, 17, 23}) check_frame(*src, d, f);
  }

  // A name without _movie.mrc: a plain stack, no info.txt written or looked for.
  simulate::CameraFileSpec plain;
  plain.path = dir + "/plain.mrc";
  plain.det_y = plain.det_x = 4;
  plain.scan_y = plain.scan_x = 2;
  plain.cycles = 1;
  simulate::prepare_camera_file("mrc", plain);
  CHECK_FALSE(fs::exists(dir + "/plain_info.txt"));
  const auto p = open_source(plain.path);
  CHECK(p->shape().n_frames == 4);
  CHECK(p->metadata().notes.empty());

  // What MRC float32 cannot hold exactly is refused, naming the file.
  plain.type = io::PixelType::u32;
  simulate::prepare_camera_file("mrc", plain);
  std::vector<std::uint32_t> big(4 * 16, (1u << 24) + 1);
  const auto w = simulate::open_camera_file("mrc", plain);
  CHECK(input_error([&] { w->write_frames(0, 4, big.data()); }).find(plain.path) != std::string::npos);
  plain.det_x = 0;
  CHECK(input_error([&] { simulate::prepare_camera_file("mrc", plain); }).find(plain.path) != std::string::npos);
  fs::remove_all(dir);
}
