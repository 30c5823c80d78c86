// The HDF5 frame source and the scan placement: every storage layout read through the fast
// paths (positioned reads of contiguous data or at the chunk index's addresses) and through
// H5Dread gives the same frames, which are checked against the formula they were written from; NeXus masters with
// bitshuffle-compressed data behind an ExternalLink (a real ARINA file), 4-D py4DSTEM
// datasets, virtual datasets; and stored frames placed on the scan with skipped, flyback
// and dead frames.
#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/io/scan_geometry.hpp"

using namespace ecm;

namespace {

const std::string kReal = ECM_REAL_DATA_DIR;

std::string temp_dir() {
  char tmpl[] = "/tmp/ecm_test_hdf5_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

// The value every test file holds at pixel p of stored frame f.
std::uint16_t pixel_value(std::size_t f, std::size_t p) { return std::uint16_t((f * 131 + p * 7) % 65521); }

constexpr std::size_t kDy = 6, kDx = 5;

// Writes /frames of `dims` (3-D or 5-D, the detector last) with pixel_value, chunked by
// `chunk` (empty: contiguous), optionally deflated, in `file_type`; `skip_chunk` leaves the
// chunk holding that frame unwritten (fill value 0).
void write_frames(const std::string& path, const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk,
                  bool deflate, hid_t file_type, long skip_frame = -1) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate_simple(int(dims.size()), dims.data(), nullptr);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (!chunk.empty()) H5Pset_chunk(dcpl, int(chunk.size()), chunk.data());
  if (deflate) H5Pset_deflate(dcpl, 1);
  hid_t ds = H5Dcreate2(f, "/frames", file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  std::size_t n = 1;
  for (std::size_t i = 0; i + 2 < dims.size(); ++i) n *= dims[i];
  std::vector<std::uint16_t> frame(kDy * kDx);
  for (std::size_t fr = 0; fr < n; ++fr) {
    if (long(fr) == skip_frame) continue;
    for (std::size_t p = 0; p < frame.size(); ++p) frame[p] = pixel_value(fr, p);
    std::vector<hsize_t> start(dims.size(), 0), count(dims.size(), 1);
    std::size_t rest = fr;
    for (int d = int(dims.size()) - 3; d >= 0; --d) {
      start[std::size_t(d)] = rest % dims[std::size_t(d)];
      rest /= dims[std::size_t(d)];
    }
    count[dims.size() - 2] = kDy;
    count[dims.size() - 1] = kDx;
    hid_t fs = H5Dget_space(ds);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    hsize_t m = frame.size();
    hid_t ms = H5Screate_simple(1, &m, nullptr);
    REQUIRE(H5Dwrite(ds, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, frame.data()) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
  }
  if (dims.size() == 3) {
    const long long scan[2] = {2, 3};
    hsize_t two = 2;
    hid_t as = H5Screate_simple(1, &two, nullptr);
    hid_t a = H5Acreate2(ds, "scan_shape", H5T_STD_I64LE, as, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_LLONG, scan);
    H5Aclose(a);
    H5Sclose(as);
  }
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
}

// Reads every stored frame in runs of `run` frames and checks each pixel against pixel_value.
void check_all_frames(const io::FrameSource& src, std::size_t run, long unwritten = -1) {
  const auto& s = src.shape();
  REQUIRE(s.type == io::PixelType::u16);
  std::vector<std::uint16_t> buf(run * s.frame_pixels());
  std::size_t bad = 0;
  for (std::size_t first = 0; first < s.n_frames; first += run) {
    const io::FrameRun r{first, std::min(run, s.n_frames - first)};
    src.read_frames(&r, 1, buf.data());
    for (std::size_t i = 0; i < r.count; ++i)
      for (std::size_t p = 0; p < s.frame_pixels(); ++p) {
        const std::size_t f = first + i;
        const std::uint16_t want = long(f) == unwritten ? 0 : pixel_value(f, p);
        bad += buf[i * s.frame_pixels() + p] != want;
      }
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("HDF5 layouts read through the fast paths and through H5Dread give the written frames", "[source-hdf5]") {
  const std::string dir = temp_dir();
  struct Case {
    std::string name;
    std::vector<hsize_t> dims, chunk;
    bool deflate;
    hid_t type;
    std::string path_fast;  // what the source says of its read path
  };
  const std::vector<Case> cases = {
      {"5d_contiguous", {4, 2, 3, kDy, kDx}, {}, false, H5T_STD_U16LE, "positioned reads"},
      {"5d_frame_chunks", {4, 2, 3, kDy, kDx}, {1, 1, 1, kDy, kDx}, false, H5T_STD_U16LE, "positioned reads of chunks (v1 B-tree index)"},
      {"5d_block_chunks", {4, 2, 3, kDy, kDx}, {3, 2, 2, kDy, kDx}, false, H5T_STD_U16LE, "positioned reads of chunks (v1 B-tree index)"},
      {"3d_frame_chunks", {24, kDy, kDx}, {1, kDy, kDx}, false, H5T_STD_U16LE, "positioned reads of chunks (v1 B-tree index)"},
      {"3d_five_frame_chunks", {24, kDy, kDx}, {5, kDy, kDx}, false, H5T_STD_U16LE, "positioned reads of chunks (v1 B-tree index)"},
      {"3d_split_frame_chunks", {24, kDy, kDx}, {2, 3, kDx}, false, H5T_STD_U16LE, "chunks that split a frame"},
      {"5d_deflate", {4, 2, 3, kDy, kDx}, {1, 2, 3, kDy, kDx}, true, H5T_STD_U16LE, "compressed or filtered"},
      {"3d_big_endian", {24, kDy, kDx}, {}, false, H5T_STD_U16BE, "stored type differs"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const std::string path = dir + "/" + c.name + ".h5";
      write_frames(path, c.dims, c.chunk, c.deflate, c.type);
      for (bool direct : {true, false}) {
        io::SourceOptions o;
        o.direct_reads = direct;
        const auto src = io::open_frame_source(path, o, MPI_COMM_SELF);
        INFO(c.name << (direct ? " fast path" : " H5Dread") << ": " << src->description());
        CHECK(src->format() == "hdf5");
        CHECK(src->shape().n_frames == 24);
        CHECK(src->shape().det_y == kDy);
        CHECK(src->shape().det_x == kDx);
        REQUIRE(src->metadata().scan_shape);
        CHECK((*src->metadata().scan_shape)[0] == 2);
        CHECK((*src->metadata().scan_shape)[1] == 3);
        if (direct) CHECK(src->description().find(c.path_fast) != std::string::npos);
        else CHECK(src->description().find("turned off") != std::string::npos);
        for (std::size_t run : {1, 4, 7, 24}) check_all_frames(*src, run);
      }
    }
  }
  SECTION("a chunk never written reads as the fill value") {
    const std::string path = dir + "/holes.h5";
    write_frames(path, {24, kDy, kDx}, {1, kDy, kDx}, false, H5T_STD_U16LE, 9);
    const auto src = io::open_frame_source(path, {}, MPI_COMM_SELF);
    check_all_frames(*src, 24, 9);
    check_all_frames(*src, 1, 9);
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("a virtual dataset over two files reads like the files", "[source-hdf5]") {
  const std::string dir = temp_dir();
  write_frames(dir + "/a.h5", {12, kDy, kDx}, {1, kDy, kDx}, false, H5T_STD_U16LE);
  // b.h5 holds frames 12..23 of the same formula: write 24 and map its second half.
  write_frames(dir + "/b.h5", {24, kDy, kDx}, {}, false, H5T_STD_U16LE);
  {
    hsize_t dims[3] = {24, kDy, kDx};
    hid_t space = H5Screate_simple(3, dims, nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    for (int part = 0; part < 2; ++part) {
      hsize_t start[3] = {hsize_t(12 * part), 0, 0}, count[3] = {12, kDy, kDx};
      hid_t vspace = H5Screate_simple(3, dims, nullptr);
      H5Sselect_hyperslab(vspace, H5S_SELECT_SET, start, nullptr, count, nullptr);
      hsize_t sdims[3] = {hsize_t(part == 0 ? 12 : 24), kDy, kDx};
      hid_t sspace = H5Screate_simple(3, sdims, nullptr);
      hsize_t sstart[3] = {hsize_t(part == 0 ? 0 : 12), 0, 0};
      H5Sselect_hyperslab(sspace, H5S_SELECT_SET, sstart, nullptr, count, nullptr);
      REQUIRE(H5Pset_virtual(dcpl, vspace, part == 0 ? "a.h5" : "b.h5", "/frames", sspace) >= 0);
      H5Sclose(vspace);
      H5Sclose(sspace);
    }
    hid_t f = H5Fcreate((dir + "/vds.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t ds = H5Dcreate2(f, "/frames", H5T_STD_U16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    REQUIRE(ds >= 0);
    H5Dclose(ds);
    H5Fclose(f);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  // Source files are found relative to the virtual file's folder, wherever the run starts.
  const auto src = io::open_frame_source(dir + "/vds.h5", {}, MPI_COMM_SELF);
  CHECK(src->description().find("virtual dataset") != std::string::npos);
  CHECK(src->shape().n_frames == 24);
  check_all_frames(*src, 24);
  check_all_frames(*src, 5);
  std::system(("rm -rf " + dir).c_str());
}

namespace {

// A file whose /frames is an ExternalLink to `target`:/frames.
void write_link(const std::string& path, const std::string& target) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(H5Lcreate_external(target.c_str(), "/frames", f, "/frames", H5P_DEFAULT, H5P_DEFAULT) >= 0);
  H5Fclose(f);
}

// A file whose /frames (24 frames) is external raw storage in `raw` (24 frames of pixel_value, little-endian).
void write_external_storage(const std::string& path, const std::string& raw) {
  std::vector<std::uint16_t> frames(24 * kDy * kDx);
  for (std::size_t f = 0; f < 24; ++f)
    for (std::size_t p = 0; p < kDy * kDx; ++p) frames[f * kDy * kDx + p] = pixel_value(f, p);
  FILE* out = std::fopen(raw.c_str(), "wb");
  REQUIRE(out != nullptr);
  std::fwrite(frames.data(), 2, frames.size(), out);
  std::fclose(out);
  hsize_t dims[3] = {24, kDy, kDx};
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t space = H5Screate_simple(3, dims, nullptr), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  REQUIRE(H5Pset_external(dcpl, raw.c_str(), 0, frames.size() * 2) >= 0);
  hid_t ds = H5Dcreate2(f, "/frames", H5T_STD_U16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("HDF5 data outside the input's folder are refused unless --allow-external", "[source-hdf5][external]") {
  // Issue 14, class 14: a crafted file's external storage or links reached any file (/etc/passwd was read as frames).
  const std::string dir = temp_dir(), input = dir + "/in", elsewhere = dir + "/elsewhere";
  REQUIRE(std::system(("mkdir -p " + input + "/sub " + elsewhere).c_str()) == 0);
  write_frames(elsewhere + "/data.h5", {24, kDy, kDx}, {}, false, H5T_STD_U16LE);
  write_frames(input + "/sub/data.h5", {24, kDy, kDx}, {}, false, H5T_STD_U16LE);
  write_link(input + "/outside_link.h5", elsewhere + "/data.h5");
  write_link(input + "/inside_link.h5", "sub/data.h5");
  REQUIRE(symlink((elsewhere + "/data.h5").c_str(), (input + "/alias.h5").c_str()) == 0);
  write_link(input + "/alias_link.h5", input + "/alias.h5");  // inside by name, outside after the link
  write_external_storage(input + "/outside_raw.h5", elsewhere + "/frames.raw");
  write_external_storage(input + "/inside_raw.h5", input + "/sub/frames.raw");
  io::SourceOptions allow;
  allow.allow_external = true;
  for (const char* name : {"outside_link.h5", "alias_link.h5", "outside_raw.h5"}) {
    INFO(name);
    const std::string path = input + "/" + name;
    try {
      io::open_frame_source(path, {}, MPI_COMM_SELF);
      FAIL("data outside the input's folder were read");
    } catch (const InputError& e) {
      const std::string m = e.what();
      INFO(m);
      CHECK(m.find(path) == 0);
      CHECK(m.find("outside the input's folder") != std::string::npos);
      CHECK(m.find("--allow-external") != std::string::npos);
    }
    const auto src = io::open_frame_source(path, allow, MPI_COMM_SELF);
    check_all_frames(*src, 24);
  }
  for (const char* name : {"inside_link.h5", "inside_raw.h5"}) {
    INFO(name);
    const auto src = io::open_frame_source(input + "/" + name, {}, MPI_COMM_SELF);
    check_all_frames(*src, 7);
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("a Dectris ARINA NeXus master: ExternalLink, bitshuffle+LZ4 chunks, mask, scan companion", "[source-hdf5]") {
  const std::string master = kReal + "/arina/test_00_master.h5";
  INFO("test data " << master << " (the shared/ folder beside the checkout)");
  const auto src = io::open_frame_source(master, {}, MPI_COMM_SELF);
  CHECK(src->format() == "hdf5");
  CHECK(src->dataset_path() == "/entry/data/data_000001");
  CHECK(src->shape().n_frames == 16);
  CHECK(src->shape().det_y == 192);
  CHECK(src->shape().det_x == 192);
  CHECK(src->shape().type == io::PixelType::u32);
  CHECK(src->description().find("compressed or filtered") != std::string::npos);
  const auto& m = src->metadata();
  REQUIRE(m.scan_shape);
  CHECK((*m.scan_shape)[0] == 4);
  CHECK((*m.scan_shape)[1] == 4);
  REQUIRE(m.frame_time_s);
  CHECK(*m.frame_time_s == Approx(9.96e-5).epsilon(1e-6));
  REQUIRE(m.bad_pixels);
  CHECK(m.bad_pixels->values.size() == 192u * 192u);
  // flatfield_correction_applied is 0 in this file: ecm multiplies by the flat field itself
  // (Dectris' convention, as ecm's gain); this camera's flat field is all ones.
  REQUIRE(m.gain);
  CHECK(m.gain->values.size() == 192u * 192u);
  CHECK(*std::min_element(m.gain->values.begin(), m.gain->values.end()) == 1.0f);
  CHECK(*std::max_element(m.gain->values.begin(), m.gain->values.end()) == 1.0f);
  // The filter plugin must decode every chunk (a missing plugin fails the read). The camera
  // recorded zeros; the decoded values are compared with h5py's, an independent decoder.
  std::vector<std::uint32_t> frames(16 * 192 * 192, 7);
  const io::FrameRun all{0, 16};
  src->read_frames(&all, 1, frames.data());
  const std::string cmd = "/usr/bin/python3 -c \"import h5py, numpy as np; d = h5py.File('" + master +
                          "', 'r')['/entry/data/data_000001'][()]; print(int(d.sum()), int(d.max()), d.size)\"";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  unsigned long long sum = 0, max = 0, size = 0;
  REQUIRE(std::fscanf(p, "%llu %llu %llu", &sum, &max, &size) == 3);
  pclose(p);
  unsigned long long our_sum = 0, our_max = 0;
  for (auto v : frames) {
    our_sum += v;
    our_max = std::max<unsigned long long>(our_max, v);
  }
  CHECK(size == frames.size());
  CHECK(our_sum == sum);
  CHECK(our_max == max);
}

TEST_CASE("HDF5 containers of other tools: a 4-D py4DSTEM datacube, a file without frames", "[source-hdf5]") {
  const auto emd = io::open_frame_source(kReal + "/emd/py4DSTEM_size2x3x4x5.h5", {}, MPI_COMM_SELF);
  CHECK(emd->dataset_path() == "/datacube_root/datacube/data");
  CHECK(emd->shape().n_frames == 6);
  CHECK(emd->shape().det_y == 4);
  CHECK(emd->shape().det_x == 5);
  CHECK(emd->shape().type == io::PixelType::f32);
  REQUIRE(emd->metadata().scan_shape);
  CHECK((*emd->metadata().scan_shape)[0] == 2);
  CHECK((*emd->metadata().scan_shape)[1] == 3);
  // One scan, not a time series: ecm run says so rather than analysing 1 cycle.
  io::InputOptions o;
  CHECK_THROWS_WITH(io::InputDataset(kReal + "/emd/py4DSTEM_size2x3x4x5.h5", o, MPI_COMM_SELF),
                    Catch::Contains("1 scan cycles") && Catch::Contains("too few"));
  CHECK_THROWS_WITH(io::open_frame_source(kReal + "/hspy/example2_v3.1.hspy", {}, MPI_COMM_SELF),
                    Catch::Contains("example2_v3.1.hspy") && Catch::Contains("no dataset of frames"));
}

TEST_CASE("scan placement: skipped, flyback and dead frames", "[source-hdf5][scan-geometry]") {
  io::ScanOptions o;
  o.scan_shape = std::array<std::size_t, 2>{2, 3};
  o.skip_frames = 2;
  o.flyback = 1;
  o.cycle_frames = 10;  // 2 rows of 3 + 1 flyback = 8, and 2 dead frames
  // 2 skipped + 4 cycles of 10, the last without its 2 dead frames and its last flyback.
  const auto g = io::make_scan_geometry(2 + 3 * 10 + 7, o, std::nullopt, "test");
  CHECK(g.cycles == 4);
  CHECK(g.stored(0, 0, 0) == 2);
  CHECK(g.stored(0, 1, 0) == 6);
  CHECK(g.stored(3, 1, 2) == 2 + 30 + 4 + 2);
  const auto runs = g.runs(1, 2, 0, 1, 2, 2);
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].first == 13);
  CHECK(runs[0].count == 2);
  CHECK(runs[1].first == 17);
  CHECK(runs[3].first == 27);
  // Without flyback, whole rows and whole scans merge into one run.
  io::ScanOptions plain;
  plain.scan_shape = std::array<std::size_t, 2>{2, 3};
  const auto p = io::make_scan_geometry(24, plain, std::nullopt, "test");
  CHECK(p.runs(0, 4, 0, 0, 2, 3).size() == 1);
  // Frames left over: an error naming the count, unless told to drop them.
  CHECK_THROWS_WITH(io::make_scan_geometry(26, plain, std::nullopt, "file.mib"),
                    Catch::Contains("file.mib") && Catch::Contains("leave 2 frames over"));
  plain.drop_incomplete_cycle = true;
  CHECK(io::make_scan_geometry(26, plain, std::nullopt, "file.mib").dropped_frames == 2);
  CHECK_THROWS_WITH(io::make_scan_geometry(26, io::ScanOptions{}, std::nullopt, "file.mib"),
                    Catch::Contains("--scan-shape"));
  io::ScanOptions short_cycle = o;
  short_cycle.cycle_frames = 7;
  CHECK_THROWS_WITH(io::make_scan_geometry(100, short_cycle, std::nullopt, "x"), Catch::Contains("--cycle-frames 7"));
}

TEST_CASE("InputDataset reads tiles through the scan placement", "[source-hdf5][scan-geometry]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/stream.h5";
  // 2 junk frames, then 4 cycles of a 2 x 3 scan with 1 flyback frame per row (8 frames).
  write_frames(path, {2 + 4 * 8, kDy, kDx}, {1, kDy, kDx}, false, H5T_STD_U16LE);
  io::InputOptions o;
  o.scan.scan_shape = std::array<std::size_t, 2>{2, 3};
  o.scan.skip_frames = 2;
  o.scan.flyback = 1;
  io::InputDataset input(path, o, MPI_COMM_SELF);
  REQUIRE(input.layout().n_t == 4);
  const ScanTile tile{1, 1, 1, 2};
  std::vector<std::uint16_t> out(2 * 2 * kDy * kDx);
  input.read_tile_block(2, 2, tile, out.data(), H5T_NATIVE_UINT16);
  std::size_t bad = 0;
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t x = 0; x < 2; ++x) {
      const std::size_t stored = 2 + (2 + t) * 8 + 1 * 4 + (1 + x);
      for (std::size_t p = 0; p < kDy * kDx; ++p) bad += out[(t * 2 + x) * kDy * kDx + p] != pixel_value(stored, p);
    }
  CHECK(bad == 0);
  std::vector<float> as_float(out.size());
  input.read_tile_block(2, 2, tile, as_float.data());
  for (std::size_t i = 0; i < out.size(); ++i) bad += as_float[i] != float(out[i]);
  CHECK(bad == 0);
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("bad HDF5 input: a missing linked data file, a truncated file", "[source-hdf5]") {
  const std::string dir = temp_dir();
  // The NeXus master without its data file: the ExternalLink dangles.
  REQUIRE(std::system(("cp " + kReal + "/arina/test_00_master.h5 " + dir + "/").c_str()) == 0);
  CHECK_THROWS_WITH(io::open_frame_source(dir + "/test_00_master.h5", {}, MPI_COMM_SELF),
                    Catch::Contains("test_00_master.h5") && Catch::Contains("missing file"));
  // A file cut short: the superblock is there, the objects it points to are not.
  write_frames(dir + "/whole.h5", {24, kDy, kDx}, {}, false, H5T_STD_U16LE);
  REQUIRE(std::system(("head -c 1200 " + dir + "/whole.h5 > " + dir + "/cut.h5").c_str()) == 0);
  CHECK_THROWS_AS(io::open_frame_source(dir + "/cut.h5", {}, MPI_COMM_SELF), InputError);
  // Contiguous data cut short: the positioned read stops at the end of the file.
  write_frames(dir + "/long.h5", {240, kDy, kDx}, {}, false, H5T_STD_U16LE);
  REQUIRE(std::system(("truncate -s 8000 " + dir + "/long.h5").c_str()) == 0);
  try {
    const auto src = io::open_frame_source(dir + "/long.h5", {}, MPI_COMM_SELF);
    std::vector<std::uint16_t> buf(240 * kDy * kDx);
    const io::FrameRun all{0, 240};
    CHECK_THROWS_WITH(src->read_frames(&all, 1, buf.data()), Catch::Contains("long.h5") && Catch::Contains("truncated"));
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("long.h5") != std::string::npos);  // or refused at open
  }
  std::system(("rm -rf " + dir).c_str());
}
