// The StreamPix / Direct Electron .seq source on the real DE samples
// (../shared/testdata/real/de/): header facts, the header's frame count against the records
// on disk, timestamps, dark / gain / bad-pixel companions, Celeritas halves stitched; pixel
// values against an independent numpy decoder (tests/unit/decoders/seq.py). Bad input, each
// an InputError naming the file, and Config.Metadata.xml's defect forms.
#include "seq_test_support.hpp"

using namespace ecm;
using namespace seq_test;

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

TEST_CASE("Config.Metadata.xml defects: pixels, runs, rows, columns, patterns, offsets, comments skipped",
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
