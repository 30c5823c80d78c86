// Files from `ecm simulate`'s seq writer (v5 8/16/32-bit, v4) read back by ecm and by the
// numpy decoder; reads of many records, of records stacking several frames (DE's segment
// prebuffer) and of large frames straight into the caller's buffer.
#include "seq_test_support.hpp"

using namespace ecm;
using namespace seq_test;

namespace {

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
