#pragma once
// Where the chunks of an HDF5 dataset lie in its file, read from the file's own index.
//
// Why not the library: HDF5 1.10 (Debian 12) can only look chunks up one at a time.
// H5Dread_chunk costs ~2.5 us per chunk and H5Dget_chunk_info walks the whole index on every
// call, so a file of 8 kB one-frame chunks read at a third of disk speed (issue 12), and a
// one-pass listing (H5Dchunk_iter) only came with HDF5 1.14. The index structures are part of
// the published file format (HDF5 File Format Specification 3.0), so we read them ourselves:
// the object header's data layout message, then
//   - a version-1 B-tree (layout message version 3: every writer's default, Dectris included),
//     searched for the requested range and walked along its leaves, so a rank reads only the
//     index nodes of its own frames;
//   - a fixed array (version 4, fixed dimensions, libver "latest"), paged or not;
//   - the implicit index (version 4, early allocation, no filters): chunks back to back.
// Other index kinds (extensible array, version-2 B-tree, single chunk) are reported as not
// read here, and the caller keeps the library's per-chunk path. Every structure is checked
// by its signature and bounds, and the caller compares sample chunks with the library.
#include <hdf5.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecm/io/raw_file.hpp"

namespace ecm::io::sources {

class Hdf5ChunkIndex {
 public:
  static constexpr std::uint64_t kNotStored = ~std::uint64_t(0);

  // The index of `dataset` (chunked, no filters), whose bytes are in `file`, whose addresses
  // count from `base` (the userblock size). Null with `why` set when the index is of a kind
  // not read here or the file's structures do not look as the specification says.
  static std::unique_ptr<Hdf5ChunkIndex> open(hid_t dataset, const RawFile& file, std::uint64_t base, std::string& why);

  virtual ~Hdf5ChunkIndex() = default;
  // Chunks are numbered row-major over the chunk grid of the dataset's current extent.
  std::size_t n_chunks() const { return n_chunks_; }
  // The file offsets (base included) of chunks [first, first + count), kNotStored for chunks
  // never written. An index found damaged on the way is an InputError naming the file.
  void addresses(std::size_t first, std::size_t count, std::uint64_t* out) const;
  // What kind of index this is, in words ("v1 B-tree", "fixed array", "implicit").
  virtual std::string kind() const = 0;

 protected:
  Hdf5ChunkIndex(const RawFile& file, std::uint64_t base, std::vector<std::uint64_t> grid, std::vector<std::uint64_t> chunk);
  virtual void lookup(std::size_t first, std::size_t count, std::uint64_t* out) const = 0;
  // The grid coordinates of chunk number n.
  std::vector<std::uint64_t> grid_coords(std::size_t chunk_number) const;

  const RawFile& file_;
  std::uint64_t base_;
  std::vector<std::uint64_t> grid_, chunk_;  // chunks per dimension, chunk extent (elements)
  std::size_t n_chunks_ = 1;
};

}  // namespace ecm::io::sources
