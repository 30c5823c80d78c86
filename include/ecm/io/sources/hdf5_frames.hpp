#pragma once
// Reading frames out of one HDF5 dataset at disk speed.
//
// A dataset's frames are indexed in a 3-D space (d0, d1, d2) in row-major order: a 5-D
// (t, scan_y, scan_x, det_y, det_x) dataset has index dims (T, NY, NX), a 4-D (NY, NX, ...)
// one (1, NY, NX) and a 3-D frame stream (1, 1, F). Stored frame f is index f in that order.
//
// Where the data lie in the file as plain bytes in the machine's byte order, frames bypass
// H5Dread's selection and conversion machinery (which ran at 13 MB/s on one-frame chunks,
// issue 12): a contiguous dataset is read with positioned reads at H5Dget_offset, and chunks
// without filters that hold whole frames with positioned reads at the addresses of the
// dataset's chunk index, read from the file itself (Hdf5ChunkIndex: HDF5 1.10 can only look
// chunks up one at a time), merged where chunks lie back to back. Where that index is of a
// kind not read there, each chunk takes one direct chunk read (H5Dread_chunk). Everything
// else (filtered chunks, chunks that split a frame, virtual datasets, foreign byte order)
// goes through H5Dread, as do chunks never written (the fill value).
#include <hdf5.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/io/sources/hdf5_chunk_index.hpp"

namespace ecm::io::sources {

class Hdf5Frames {
 public:
  // `dataset` must be 3-, 4- or 5-D with the detector in the last two dimensions.
  // `mem_type` is what read() delivers (the source's PixelType).
  Hdf5Frames(h5::Handle dataset, std::string name, hid_t mem_type, bool allow_direct);

  std::size_t n_frames() const { return dims_[0] * dims_[1] * dims_[2]; }
  const std::array<std::size_t, 3>& index_dims() const { return dims_; }
  const std::array<std::size_t, 3>& chunk_dims() const { return chunk_; }  // (1,1,1) unless chunked
  std::size_t det_y() const { return det_y_; }
  std::size_t det_x() const { return det_x_; }
  hid_t dataset() const { return dataset_; }
  // Why reads go through H5Dread (empty when they are positioned reads).
  const std::string& library_path_reason() const { return library_reason_; }
  // How frames are read, in words: "positioned reads", "positioned reads of chunks (<index>
  // index)", "direct chunk reads (<why not positioned>)" or "HDF5 library (<why>)".
  std::string read_path() const {
    if (!library_reason_.empty()) return "read through the HDF5 library (" + library_reason_ + ")";
    if (contiguous_) return "positioned reads";
    if (index_) return "positioned reads of chunks (" + index_->kind() + " index)";
    return "direct chunk reads (" + index_note_ + ")";
  }

  // Frames [first, first + count) into out (frame_bytes each, mem_type).
  void read(std::size_t first, std::size_t count, void* out) const;
  // Chunks of several frames are read whole: a request should come as one list, so that each
  // chunk is read once however the frames it holds are spread over the request's runs.
  bool reads_whole_chunks() const { return library_reason_.empty() && !contiguous_ && chunk_[0] * chunk_[1] * chunk_[2] > 1; }
  struct FrameDestination {
    std::size_t frame;
    char* dst;
  };
  // Every listed frame into its destination, each chunk read once (the list is reordered).
  void read_scattered(std::vector<FrameDestination>& frames) const;

 private:
  void read_library(std::size_t first, std::size_t count, void* out) const;
  void read_direct(std::size_t first, std::size_t count, void* out) const;
  // The file HDF5 reads the dataset from, opened by name; null when that is not possible or
  // its size differs from what HDF5 says.
  std::unique_ptr<RawFile> open_data_file();
  // The dataset's chunk index read from the file, checked against the library; null with
  // index_note_ saying why not.
  std::unique_ptr<Hdf5ChunkIndex> checked_chunk_index();
  std::size_t chunk_grid_size() const;
  std::size_t chunk_bytes() const { return chunk_[0] * chunk_[1] * chunk_[2] * frame_bytes_; }
  std::array<std::size_t, 3> chunk_origin(std::size_t chunk_number) const;  // in the frame index space
  // Chunk `chunk_number` (row-major over the chunk grid) whole into dst with one direct chunk
  // read; false when never written.
  bool read_chunk_library(std::size_t chunk_number, char* dst) const;

  h5::Handle dataset_;
  std::string name_;
  hid_t mem_type_;
  std::size_t rank_ = 0, det_y_ = 0, det_x_ = 0, frame_bytes_ = 0;
  std::array<std::size_t, 3> dims_{1, 1, 1}, chunk_{1, 1, 1};
  // Positioned reads: the file holding the data, and where (contiguous) the data start.
  std::unique_ptr<RawFile> file_;
  bool contiguous_ = false;
  std::uint64_t base_ = 0, userblock_ = 0;
  std::string library_reason_, index_note_;
  std::unique_ptr<Hdf5ChunkIndex> index_;  // refers to *file_, so declared after it
  mutable std::vector<char> chunk_buffer_;  // one chunk of several frames
};

}  // namespace ecm::io::sources
