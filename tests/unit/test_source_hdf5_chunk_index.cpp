// The chunk index read from the HDF5 file itself (Hdf5ChunkIndex): on files the HDF5
// library wrote with each index kind it makes (a v1 B-tree of default order and one 4 keys
// wide, so about 7 levels deep; a fixed array, paged and not; the implicit index), with chunks
// written out of order, chunks never written, a userblock and a shrunken extent, every frame
// read through the source must be the frame written. Kinds not read (extensible array) keep
// the library's per-chunk path, and a damaged B-tree leaf is an InputError naming the file.
#include <catch2/catch.hpp>
#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/frame_source.hpp"

using namespace ecm;

namespace {

constexpr hsize_t kDy = 4, kDx = 4;

std::string temp_dir() {
  char tmpl[] = "/tmp/ecm_test_chunk_index_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

std::uint16_t pixel_value(std::size_t f, std::size_t p) { return std::uint16_t((f * 131 + p * 7 + 3) % 65521); }

struct Layout {
  std::vector<hsize_t> dims, chunk, max_dims;  // max_dims empty: fixed at dims
  bool latest = false;                          // libver latest: fixed array / implicit / extensible array
  bool early = false;                           // early allocation (with latest: the implicit index)
  unsigned btree_k = 0;                         // 0: the default (32)
  hsize_t userblock = 0;
  bool reverse = false;                  // write the frames last to first
  std::set<std::size_t> unwritten;       // frames never written (fill value 0)
  hsize_t shrink_to = 0;                 // then shrink the first dimension to this
};

std::size_t frames_of(const std::vector<hsize_t>& dims) {
  std::size_t n = 1;
  for (std::size_t d = 0; d + 2 < dims.size(); ++d) n *= dims[d];
  return n;
}

void write_file(const std::string& path, const Layout& l) {
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (l.btree_k) REQUIRE(H5Pset_istore_k(fcpl, l.btree_k) >= 0);
  if (l.userblock) REQUIRE(H5Pset_userblock(fcpl, l.userblock) >= 0);
  if (l.latest) REQUIRE(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) >= 0);
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl);
  REQUIRE(f >= 0);
  const auto& maxd = l.max_dims.empty() ? l.dims : l.max_dims;
  hid_t space = H5Screate_simple(int(l.dims.size()), l.dims.data(), maxd.data());
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  REQUIRE(H5Pset_chunk(dcpl, int(l.chunk.size()), l.chunk.data()) >= 0);
  if (l.early) REQUIRE(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0);
  hid_t ds = H5Dcreate2(f, "/frames", H5T_STD_U16LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const std::size_t n = frames_of(l.dims), rank = l.dims.size();
  std::vector<std::uint16_t> frame(kDy * kDx);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t fr = l.reverse ? n - 1 - k : k;
    if (l.unwritten.count(fr)) continue;
    for (std::size_t p = 0; p < frame.size(); ++p) frame[p] = pixel_value(fr, p);
    std::vector<hsize_t> start(rank, 0), count(rank, 1);
    std::size_t rest = fr;
    for (std::size_t d = rank - 2; d-- > 0;) {
      start[d] = rest % l.dims[d];
      rest /= l.dims[d];
    }
    count[rank - 2] = kDy;
    count[rank - 1] = kDx;
    hid_t fs = H5Dget_space(ds);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    hsize_t m = frame.size();
    hid_t ms = H5Screate_simple(1, &m, nullptr);
    REQUIRE(H5Dwrite(ds, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, frame.data()) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
  }
  if (l.shrink_to) {
    auto smaller = l.dims;
    smaller[0] = l.shrink_to;
    REQUIRE(H5Dset_extent(ds, smaller.data()) >= 0);
  }
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Fclose(f);
  H5Pclose(fcpl);
  H5Pclose(fapl);
}

// Every stored frame read in runs of `run` (and as one scattered list of every third frame,
// backwards), checked against what was written. Returns the number of wrong pixels.
std::size_t wrong_pixels(const io::FrameSource& src, std::size_t run, const std::set<std::size_t>& unwritten) {
  const auto& s = src.shape();
  std::vector<std::uint16_t> buf(run * s.frame_pixels());
  std::size_t bad = 0;
  auto check = [&](std::size_t f, const std::uint16_t* px) {
    for (std::size_t p = 0; p < s.frame_pixels(); ++p) bad += px[p] != (unwritten.count(f) ? 0 : pixel_value(f, p));
  };
  for (std::size_t first = 0; first < s.n_frames; first += run) {
    const io::FrameRun r{first, std::min(run, s.n_frames - first)};
    src.read_frames(&r, 1, buf.data());
    for (std::size_t i = 0; i < r.count; ++i) check(first + i, buf.data() + i * s.frame_pixels());
  }
  std::vector<io::FrameRun> runs;
  for (std::size_t f = s.n_frames; f-- > 0;)
    if (f % 3 == 0) runs.push_back({f, 1});
  std::vector<std::uint16_t> all(runs.size() * s.frame_pixels());
  src.read_frames(runs.data(), runs.size(), all.data());
  for (std::size_t i = 0; i < runs.size(); ++i) check(runs[i].first, all.data() + i * s.frame_pixels());
  return bad;
}

std::string read_path_of(const io::FrameSource& src) { return src.description(); }

}  // namespace

TEST_CASE("chunks are read at the addresses of the index in the file, for every index kind HDF5 writes",
          "[source-hdf5][chunk-index]") {
  const std::string dir = temp_dir();
  struct Case {
    std::string name;
    Layout layout;
    std::string path;  // what the source must say of its read path
  };
  std::set<std::size_t> holes{0, 7, 8, 9, 500, 1023, 1024, 2047};
  std::set<std::size_t> first_page;  // every frame of the fixed array's first page
  for (std::size_t f = 0; f < 1024; ++f) first_page.insert(f);
  const std::vector<Case> cases = {
      {"btree_3d", {{2500, kDy, kDx}, {1, kDy, kDx}}, "v1 B-tree index"},
      {"btree_deep_reversed_holes", {{2500, kDy, kDx}, {1, kDy, kDx}, {}, false, false, 2, 0, true, holes}, "v1 B-tree index"},
      {"btree_5d", {{7, 6, 5, kDy, kDx}, {1, 1, 1, kDy, kDx}, {}, false, false, 2}, "v1 B-tree index"},
      {"btree_5d_blocks", {{7, 6, 5, kDy, kDx}, {2, 4, 3, kDy, kDx}, {}, false, false, 2}, "v1 B-tree index"},
      {"btree_userblock", {{300, kDy, kDx}, {1, kDy, kDx}, {}, false, false, 0, 1024}, "v1 B-tree index"},
      {"btree_unlimited_shrunk",
       {{400, kDy, kDx}, {1, kDy, kDx}, {H5S_UNLIMITED, kDy, kDx}, false, false, 2, 0, false, {}, 333},
       "v1 B-tree index"},
      {"fixed_array", {{900, kDy, kDx}, {1, kDy, kDx}, {}, true}, "fixed array index"},
      {"fixed_array_paged_holes", {{2500, kDy, kDx}, {1, kDy, kDx}, {}, true, false, 0, 0, true, holes}, "fixed array index"},
      {"fixed_array_first_page_unwritten", {{2500, kDy, kDx}, {1, kDy, kDx}, {}, true, false, 0, 0, false, first_page},
       "fixed array index"},
      {"fixed_array_5d_max_wider", {{6, 5, 4, kDy, kDx}, {1, 1, 1, kDy, kDx}, {6, 7, 4, kDy, kDx}, true}, "fixed array index"},
      {"implicit", {{700, kDy, kDx}, {1, kDy, kDx}, {}, true, true}, "implicit index"},
      {"implicit_blocks", {{7, 6, 5, kDy, kDx}, {2, 4, 3, kDy, kDx}, {}, true, true}, "implicit index"},
      {"extensible_array", {{300, kDy, kDx}, {1, kDy, kDx}, {H5S_UNLIMITED, kDy, kDx}, true}, "direct chunk reads (extensible array"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const std::string path = dir + "/" + c.name + ".h5";
      write_file(path, c.layout);
      const auto src = io::open_frame_source(path, {}, MPI_COMM_SELF);
      INFO(c.name << ": " << read_path_of(*src));
      CHECK(read_path_of(*src).find(c.path) != std::string::npos);
      const std::size_t n = c.layout.shrink_to ? frames_of(c.layout.dims) / c.layout.dims[0] * c.layout.shrink_to
                                               : frames_of(c.layout.dims);
      REQUIRE(src->shape().n_frames == n);
      for (std::size_t run : {std::size_t(1), std::size_t(13), n}) CHECK(wrong_pixels(*src, run, c.layout.unwritten) == 0);
    }
  }
  std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("a damaged B-tree leaf is an input error naming the file", "[source-hdf5][chunk-index]") {
  const std::string dir = temp_dir(), path = dir + "/damaged.h5";
  Layout l{{2500, kDy, kDx}, {1, kDy, kDx}};
  l.btree_k = 2;  // leaves of 2-4 chunks: most frames are far from the chunks checked at open
  write_file(path, l);
  // Open first: the library checks its index whole on the way (H5Dget_chunk_info_by_coord
  // walks every node), so the damage comes after, as to a file changed under a running job.
  const auto src = io::open_frame_source(path, {}, MPI_COMM_SELF);
  CHECK(src->description().find("v1 B-tree index") != std::string::npos);
  // Find a leaf (node type 1, level 0) whose first chunk is frame 1000-1100 and break its signature.
  std::vector<char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::size_t broken = 0, at = 0;
  for (std::size_t i = 0; i + 40 < bytes.size() && !broken; ++i) {
    if (std::string(&bytes[i], 4) != "TREE" || bytes[i + 4] != 1 || bytes[i + 5] != 0) continue;
    std::uint64_t first_frame = 0;
    for (int b = 0; b < 8; ++b) first_frame |= std::uint64_t(std::uint8_t(bytes[i + 24 + 8 + b])) << (8 * b);
    if (first_frame >= 1000 && first_frame < 1100) {
      broken = first_frame;
      at = i;
    }
  }
  REQUIRE(broken != 0);
  {
    std::fstream io(path, std::ios::binary | std::ios::in | std::ios::out);
    io.seekp(std::streamoff(at));
    io.write("XXXX", 4);
  }
  std::vector<std::uint16_t> buf(kDy * kDx * 200);
  const io::FrameRun early{0, 200};
  CHECK_NOTHROW(src->read_frames(&early, 1, buf.data()));
  const io::FrameRun middle{broken - 50, 200};
  try {
    src->read_frames(&middle, 1, buf.data());
    FAIL("a damaged leaf was read without error");
  } catch (const InputError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    CHECK(std::string(e.what()).find("damaged") != std::string::npos);
  }
  std::system(("rm -rf " + dir).c_str());
}
