#include "ecm/io/sources/hdf5_frames.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "ecm/core/error.hpp"

namespace ecm::io::sources {

namespace {

std::array<std::size_t, 3> unravel(std::size_t f, const std::array<std::size_t, 3>& d) {
  return {f / (d[1] * d[2]), (f / d[2]) % d[1], f % d[2]};
}

// Dataset coordinates of frame index (i0, i1, i2), detector at 0.
std::vector<hsize_t> dataset_coords(const std::array<std::size_t, 3>& i, std::size_t rank) {
  if (rank == 5) return {i[0], i[1], i[2], 0, 0};
  if (rank == 4) return {i[1], i[2], 0, 0};
  return {i[2], 0, 0};
}

}  // namespace

Hdf5Frames::Hdf5Frames(h5::Handle dataset, std::string name, hid_t mem_type, bool allow_direct)
    : dataset_(std::move(dataset)), name_(std::move(name)), mem_type_(mem_type) {
  const auto shape = h5::dataset_shape(dataset_);
  rank_ = shape.size();
  if (rank_ < 3 || rank_ > 5) throw Error("internal: Hdf5Frames on a " + std::to_string(rank_) + "-D dataset");
  det_y_ = shape[rank_ - 2];
  det_x_ = shape[rank_ - 1];
  // A damaged file can claim any extent (a fuzzed one asked for frames of 32 GB): no detector's
  // frame comes near 1 GiB, and refusing one here keeps the reads below from allocating it.
  constexpr std::size_t kMaxFrameBytes = std::size_t(1) << 30;
  if (det_y_ == 0 || det_x_ == 0 || det_y_ > kMaxFrameBytes || det_x_ > kMaxFrameBytes ||
      det_y_ * det_x_ * H5Tget_size(mem_type_) > kMaxFrameBytes)
    throw InputError(name_ + ": frames of " + std::to_string(det_y_) + " x " + std::to_string(det_x_) +
                     " pixels are no detector's (empty or over 1 GiB): a damaged file?");
  frame_bytes_ = det_y_ * det_x_ * H5Tget_size(mem_type_);
  if (rank_ == 5) dims_ = {shape[0], shape[1], shape[2]};
  if (rank_ == 4) dims_ = {1, shape[0], shape[1]};
  if (rank_ == 3) dims_ = {1, 1, shape[0]};
  h5::Handle dcpl(h5::check(H5Dget_create_plist(dataset_), "H5Dget_create_plist", name_));
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  bool split_frames = false;
  if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> c(rank_);
    h5::check(H5Pget_chunk(dcpl, int(rank_), c.data()), "H5Pget_chunk", name_);
    if (rank_ == 5) chunk_ = {c[0], c[1], c[2]};
    if (rank_ == 4) chunk_ = {1, c[0], c[1]};
    if (rank_ == 3) chunk_ = {1, 1, c[0]};
    split_frames = c[rank_ - 2] != det_y_ || c[rank_ - 1] != det_x_;
  }
  const bool huge_chunks = layout == H5D_CHUNKED && chunk_[0] * chunk_[1] * chunk_[2] > kMaxFrameBytes / frame_bytes_;
  h5::Handle file_type(h5::check(H5Dget_type(dataset_), "H5Dget_type", name_));
  if (!allow_direct) library_reason_ = "positioned reads turned off";
  else if (layout == H5D_VIRTUAL) library_reason_ = "virtual dataset";
  else if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED) library_reason_ = "compact dataset";
  else if (H5Pget_external_count(dcpl) != 0) library_reason_ = "external raw storage";
  else if (layout == H5D_CHUNKED && H5Pget_nfilters(dcpl) != 0) library_reason_ = "compressed or filtered chunks";
  else if (split_frames) library_reason_ = "chunks that split a frame";
  else if (huge_chunks) library_reason_ = "chunks over 1 GiB";
  else if (H5Tequal(file_type, mem_type_) <= 0) library_reason_ = "stored type differs from the machine's";
  if (!library_reason_.empty()) return;
  contiguous_ = layout == H5D_CONTIGUOUS;
  if (contiguous_) {
    const haddr_t offset = H5Dget_offset(dataset_);
    if (offset == HADDR_UNDEF) {
      library_reason_ = "no data written (fill values)";
      return;
    }
    base_ = offset;
  }
  file_ = open_data_file();
  if (contiguous_) {
    // The name HDF5 gives a file reached through an external link may be relative to another
    // folder than ours: make sure the file opened by that name is the one HDF5 reads, by the
    // bytes of the first frame, before trusting positioned reads in it.
    if (file_ && n_frames() > 0) {
      std::vector<char> by_library(frame_bytes_), by_offset(frame_bytes_);
      read_library(0, 1, by_library.data());
      file_->read_at(userblock_ + base_, frame_bytes_, by_offset.data(), "the first frame of " + name_);
      if (by_library != by_offset) file_.reset();
    }
    if (!file_) library_reason_ = "the file holding the data cannot be opened by name";
    return;
  }
  if (file_) index_ = checked_chunk_index();
  else index_note_ = "the file holding the data cannot be opened by name";
  if (!index_) file_.reset();  // chunks are read with H5Dread_chunk
}

std::unique_ptr<RawFile> Hdf5Frames::open_data_file() {
  hid_t file_id = H5Iget_file_id(dataset_);
  if (file_id < 0) return nullptr;
  h5::Handle file(file_id);
  h5::Handle fcpl(h5::check(H5Fget_create_plist(file), "H5Fget_create_plist", name_));
  hsize_t userblock = 0;
  h5::check(H5Pget_userblock(fcpl, &userblock), "H5Pget_userblock", name_);
  userblock_ = userblock;
  const std::string path = h5::file_name(file);
  std::unique_ptr<RawFile> raw;
  try {
    if (!path.empty()) raw = std::make_unique<RawFile>(path);
  } catch (const InputError&) {
    return nullptr;
  }
  hsize_t size = 0;
  if (raw && (H5Fget_filesize(file, &size) < 0 || size != raw->size())) return nullptr;
  return raw;
}

std::unique_ptr<Hdf5ChunkIndex> Hdf5Frames::checked_chunk_index() {
  auto index = Hdf5ChunkIndex::open(dataset_, *file_, userblock_, index_note_);
  if (!index) return nullptr;
  const std::size_t n = index->n_chunks();
  if (n != chunk_grid_size()) {
    index_note_ = "chunk index of another grid";
    return nullptr;
  }
  // The first, middle and last chunk where the library says, and the bytes of the first
  // stored one as the library reads them: then the file opened by name is the one HDF5
  // reads, and our reading of its index agrees with the library's.
  bool compared_bytes = false;
  for (const std::size_t c : {std::size_t(0), n / 2, n - 1}) {
    std::uint64_t ours = 0;
    index->addresses(c, 1, &ours);
    const auto coords = dataset_coords(chunk_origin(c), rank_);
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info_by_coord(dataset_, coords.data(), &mask, &addr, &size) < 0) {
      index_note_ = "H5Dget_chunk_info_by_coord failed";
      return nullptr;
    }
    const std::uint64_t theirs = addr == HADDR_UNDEF ? Hdf5ChunkIndex::kNotStored : userblock_ + addr;
    if (ours != theirs) {
      index_note_ = "the chunk index read from the file disagrees with the library";
      return nullptr;
    }
    if (compared_bytes || ours == Hdf5ChunkIndex::kNotStored) continue;
    std::vector<char> by_library(chunk_bytes()), by_offset(chunk_bytes());
    std::uint32_t filter_mask = 0;
    h5::check(H5Dread_chunk(dataset_, H5P_DEFAULT, coords.data(), &filter_mask, by_library.data()), "H5Dread_chunk", name_);
    file_->read_at(ours, by_offset.size(), by_offset.data(), "a chunk of " + name_);
    if (by_library != by_offset) {
      index_note_ = "the file opened by name is not the one HDF5 reads";
      return nullptr;
    }
    compared_bytes = true;
  }
  return index;
}

std::size_t Hdf5Frames::chunk_grid_size() const {
  std::size_t n = 1;
  for (std::size_t d = 0; d < 3; ++d) n *= (dims_[d] + chunk_[d] - 1) / chunk_[d];
  return n;
}

std::array<std::size_t, 3> Hdf5Frames::chunk_origin(std::size_t c) const {
  const std::array<std::size_t, 3> grid{(dims_[0] + chunk_[0] - 1) / chunk_[0], (dims_[1] + chunk_[1] - 1) / chunk_[1],
                                        (dims_[2] + chunk_[2] - 1) / chunk_[2]};
  const auto g = unravel(c, grid);
  return {g[0] * chunk_[0], g[1] * chunk_[1], g[2] * chunk_[2]};
}

bool Hdf5Frames::read_chunk_library(std::size_t c, char* dst) const {
  const auto coords = dataset_coords(chunk_origin(c), rank_);
  std::uint32_t filter_mask = 0;
  return H5Dread_chunk(dataset_, H5P_DEFAULT, coords.data(), &filter_mask, dst) >= 0;
}

void Hdf5Frames::read(std::size_t first, std::size_t count, void* out) const {
  if (count == 0) return;
  if (first + count > n_frames()) throw Error("internal: frames outside " + name_);
  if (library_reason_.empty()) read_direct(first, count, out);
  else read_library(first, count, out);
}

void Hdf5Frames::read_library(std::size_t first, std::size_t count, void* out) const {
  // The run as boxes of the index space: the rest of a row, whole rows, whole cycles.
  auto* dst = static_cast<char*>(out);
  const auto& D = dims_;
  while (count > 0) {
    const auto i = unravel(first, D);
    std::array<std::size_t, 3> n{1, 1, 1};
    if (i[2] != 0 || count < D[2]) {
      n[2] = std::min(count, D[2] - i[2]);
    } else if (i[1] != 0 || count < D[1] * D[2]) {
      n = {1, std::min(count / D[2], D[1] - i[1]), D[2]};
    } else {
      n = {count / (D[1] * D[2]), D[1], D[2]};
    }
    const std::size_t frames = n[0] * n[1] * n[2];
    std::vector<hsize_t> start = dataset_coords(i, rank_), extent;
    if (rank_ == 5) extent = {n[0], n[1], n[2], det_y_, det_x_};
    if (rank_ == 4) extent = {n[1], n[2], det_y_, det_x_};
    if (rank_ == 3) extent = {n[2], det_y_, det_x_};
    h5::Handle file_space(h5::check(H5Dget_space(dataset_), "H5Dget_space", name_));
    h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr),
              "selecting frames of", name_);
    const hsize_t elements = hsize_t(frames) * det_y_ * det_x_;
    h5::Handle mem_space(h5::check(H5Screate_simple(1, &elements, nullptr), "H5Screate_simple"));
    if (H5Dread(dataset_, mem_type_, mem_space, file_space, H5P_DEFAULT, dst) < 0)
      throw InputError("reading frames " + std::to_string(first) + ".." + std::to_string(first + frames - 1) + " of " +
                       name_ + " failed (a missing filter plugin or a damaged file?)");
    dst += frames * frame_bytes_;
    first += frames;
    count -= frames;
  }
}

void Hdf5Frames::read_direct(std::size_t first, std::size_t count, void* out) const {
  auto* dst = static_cast<char*>(out);
  if (contiguous_) {
    file_->read_at(userblock_ + base_ + std::uint64_t(first) * frame_bytes_, count * frame_bytes_, dst,
                   "frames of " + name_);
    return;
  }
  // One-frame chunks with the index read from the file: the run's chunk addresses, then one
  // positioned read per stretch of chunks that lie back to back (writers append them in order).
  if (index_ && chunk_[0] * chunk_[1] * chunk_[2] == 1) {
    std::vector<std::uint64_t> at(count);
    index_->addresses(first, count, at.data());
    for (std::size_t k = 0; k < count;) {
      if (at[k] == Hdf5ChunkIndex::kNotStored) {  // never written: the library supplies the fill value
        read_library(first + k, 1, dst + k * frame_bytes_);
        ++k;
        continue;
      }
      std::size_t n = 1;
      while (k + n < count && at[k + n] == at[k] + n * frame_bytes_) ++n;
      file_->read_at(at[k], n * frame_bytes_, dst + k * frame_bytes_, "frames of " + name_);
      k += n;
    }
    return;
  }
  // Without it, each chunk's bytes with one direct chunk read (H5Dread_chunk, a B-tree lookup
  // and one read; no dataspace selection, type conversion or chunk cache).
  if (chunk_[0] * chunk_[1] * chunk_[2] == 1) {
    for (std::size_t f = first; f < first + count; ++f, dst += frame_bytes_) {
      const auto coords = dataset_coords(unravel(f, dims_), rank_);
      std::uint32_t filter_mask = 0;
      // A chunk never written has no bytes to read: the library supplies the fill value.
      if (H5Dread_chunk(dataset_, H5P_DEFAULT, coords.data(), &filter_mask, dst) < 0) read_library(f, 1, dst);
    }
    return;
  }
  std::vector<FrameDestination> frames(count);
  for (std::size_t k = 0; k < count; ++k) frames[k] = {first + k, dst + k * frame_bytes_};
  read_scattered(frames);
}

void Hdf5Frames::read_scattered(std::vector<FrameDestination>& frames) const {
  if (!reads_whole_chunks()) {
    for (const auto& f : frames) read(f.frame, 1, f.dst);
    return;
  }
  const auto& C = chunk_;
  const std::array<std::size_t, 3> grid{(dims_[0] + C[0] - 1) / C[0], (dims_[1] + C[1] - 1) / C[1], (dims_[2] + C[2] - 1) / C[2]};
  auto chunk_of = [&](std::size_t f) {
    const auto i = unravel(f, dims_);
    return ((i[0] / C[0]) * grid[1] + i[1] / C[1]) * grid[2] + i[2] / C[2];
  };
  const auto by_chunk = [&](const FrameDestination& a, const FrameDestination& b) {
    const auto ca = chunk_of(a.frame), cb = chunk_of(b.frame);
    return ca != cb ? ca < cb : a.frame < b.frame;
  };
  if (!std::is_sorted(frames.begin(), frames.end(), by_chunk)) std::sort(frames.begin(), frames.end(), by_chunk);
  const std::size_t chunk_frames = C[0] * C[1] * C[2];
  chunk_buffer_.resize(chunk_frames * frame_bytes_);
  // Whether frames [k, k + chunk_frames) of the sorted list are one whole chunk, in the chunk's
  // own order, bound for consecutive frames of the output: then it is read straight there.
  auto whole_chunk_in_place = [&](std::size_t k, const std::array<std::size_t, 3>& origin) {
    if (k + chunk_frames > frames.size()) return false;
    for (std::size_t d = 0; d < 3; ++d)
      if (origin[d] + C[d] > dims_[d]) return false;  // an edge chunk holds frames outside the dataset
    for (std::size_t j = 0; j < chunk_frames; ++j) {
      const auto i = unravel(frames[k + j].frame, dims_);
      const std::size_t within = ((i[0] - origin[0]) * C[1] + (i[1] - origin[1])) * C[2] + (i[2] - origin[2]);
      if (within != j || frames[k + j].dst != frames[k].dst + j * frame_bytes_ || chunk_of(frames[k + j].frame) != chunk_of(frames[k].frame))
        return false;
    }
    return true;
  };
  auto origin_of = [&](std::size_t f) {
    const auto i = unravel(f, dims_);
    return std::array<std::size_t, 3>{i[0] / C[0] * C[0], i[1] / C[1] * C[1], i[2] / C[2] * C[2]};
  };
  // The chunks the list touches, in order, and with the index their addresses, looked up once
  // for each stretch of consecutive chunks.
  std::vector<std::size_t> ids;
  for (const auto& fd : frames)
    if (ids.empty() || ids.back() != chunk_of(fd.frame)) ids.push_back(chunk_of(fd.frame));
  std::vector<std::uint64_t> at;
  if (index_) {
    at.resize(ids.size());
    for (std::size_t u = 0; u < ids.size();) {
      std::size_t n = 1;
      while (u + n < ids.size() && ids[u + n] == ids[u] + n) ++n;
      index_->addresses(ids[u], n, at.data() + u);
      u += n;
    }
  }
  const std::size_t bytes = chunk_bytes();
  std::size_t u = 0;  // ids[u] is the chunk of frames[k]
  bool allocated = false;
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const auto& fd = frames[k];
    const auto i = unravel(fd.frame, dims_);
    const auto origin = origin_of(fd.frame);
    const std::size_t id = chunk_of(fd.frame);
    if (k == 0 || id != chunk_of(frames[k - 1].frame)) {
      if (k != 0) ++u;
      if (index_ && at[u] != Hdf5ChunkIndex::kNotStored && whole_chunk_in_place(k, origin)) {
        // This and the following chunks whole in place, back to back in the file and in the
        // output: one read, no copy.
        std::size_t m = 1;
        while (u + m < ids.size() && at[u + m] == at[u] + m * bytes && k + (m + 1) * chunk_frames <= frames.size() &&
               frames[k + m * chunk_frames].dst == fd.dst + m * bytes &&
               whole_chunk_in_place(k + m * chunk_frames, origin_of(frames[k + m * chunk_frames].frame)))
          ++m;
        file_->read_at(at[u], m * bytes, fd.dst, "chunks of " + name_);
        k += m * chunk_frames - 1;
        u += m - 1;
        continue;
      }
      if (!index_ && whole_chunk_in_place(k, origin) && read_chunk_library(id, fd.dst)) {
        k += chunk_frames - 1;
        continue;
      }
      if (index_) {
        allocated = at[u] != Hdf5ChunkIndex::kNotStored;
        if (allocated) file_->read_at(at[u], bytes, chunk_buffer_.data(), "a chunk of " + name_);
      } else {
        allocated = read_chunk_library(id, chunk_buffer_.data());
      }
    }
    if (!allocated) {  // never written: the library supplies the fill value
      read_library(fd.frame, 1, fd.dst);
      continue;
    }
    const std::size_t within = ((i[0] - origin[0]) * C[1] + (i[1] - origin[1])) * C[2] + (i[2] - origin[2]);
    std::memcpy(fd.dst, chunk_buffer_.data() + within * frame_bytes_, frame_bytes_);
  }
}

}  // namespace ecm::io::sources
