#include "ecm/io/input_dataset.hpp"

#include <sstream>

namespace ecm::io {

std::size_t InputLayout::element_bytes() const {
  switch (dtype) {
    case h5::DType::u8: return 1;
    case h5::DType::u16: return 2;
    case h5::DType::u32: return 4;
    case h5::DType::f32: return 4;
    default: return 0;
  }
}

std::array<std::size_t, 3> frame_stream_chunk_grain(std::size_t chunk_frames, std::size_t scan_y, std::size_t scan_x) {
  const std::size_t per_cycle = scan_y * scan_x;
  if (chunk_frames == 0 || per_cycle == 0) return {1, 1, 1};
  if (chunk_frames % per_cycle == 0) return {chunk_frames / per_cycle, scan_y, scan_x};
  if (chunk_frames % scan_x == 0 && scan_y % (chunk_frames / scan_x) == 0) return {1, chunk_frames / scan_x, scan_x};
  if (scan_x % chunk_frames == 0) return {1, 1, chunk_frames};
  return {1, 1, 1};
}

InputDataset::InputDataset(const std::string& file_path, const std::string& dataset_path,
                           std::optional<std::array<std::size_t, 2>> scan_shape, MPI_Comm comm)
    : file_path_(file_path), dataset_path_(dataset_path) {
  file_ = h5::open_file_parallel(file_path, comm);
  dataset_ = h5::open_dataset(file_, dataset_path);
  const std::string where = "'" + dataset_path + "' in " + file_path;
  layout_.dtype = h5::dataset_dtype(dataset_);
  if (layout_.dtype == h5::DType::other || layout_.dtype == h5::DType::f64)
    throw InputError("dataset " + where + " has an unsupported element type (need uint8, uint16, uint32 or float32)");
  const auto dims = h5::dataset_shape(dataset_);
  if (dims.size() == 5) {
    layout_.kind = InputLayout::Kind::five_d;
    layout_.n_t = dims[0];
    layout_.scan_y = dims[1];
    layout_.scan_x = dims[2];
    layout_.det_y = dims[3];
    layout_.det_x = dims[4];
    if (const auto chunk = h5::dataset_chunk(dataset_); chunk && chunk->size() == 5)
      layout_.chunk_tyx = {std::size_t((*chunk)[0]), std::size_t((*chunk)[1]), std::size_t((*chunk)[2])};
  } else if (dims.size() == 3) {
    layout_.kind = InputLayout::Kind::frame_stream;
    if (!scan_shape && h5::has_attribute(dataset_, "scan_shape")) {
      auto s = h5::read_attribute_doubles(dataset_, "scan_shape");
      if (s.size() == 2 && s[0] >= 1 && s[1] >= 1) scan_shape = std::array<std::size_t, 2>{std::size_t(s[0]), std::size_t(s[1])};
    }
    if (!scan_shape)
      throw InputError("dataset " + where + " is a 3-D frame stream: give its scan shape with --scan-shape NY,NX");
    const std::size_t per_cycle = (*scan_shape)[0] * (*scan_shape)[1];
    if (per_cycle == 0 || dims[0] % per_cycle != 0) {
      std::ostringstream msg;
      msg << "dataset " << where << " has " << dims[0] << " frames, not a whole number of " << (*scan_shape)[0] << "x"
          << (*scan_shape)[1] << " scans";
      throw InputError(msg.str());
    }
    layout_.n_t = dims[0] / per_cycle;
    layout_.scan_y = (*scan_shape)[0];
    layout_.scan_x = (*scan_shape)[1];
    layout_.det_y = dims[1];
    layout_.det_x = dims[2];
    if (const auto chunk = h5::dataset_chunk(dataset_); chunk && chunk->size() == 3)
      layout_.chunk_tyx = frame_stream_chunk_grain(std::size_t((*chunk)[0]), layout_.scan_y, layout_.scan_x);
  } else {
    throw InputError("dataset " + where + " has " + std::to_string(dims.size()) +
                     " dimensions; expected 5 (t, scan_y, scan_x, det_y, det_x) or 3 (frame, det_y, det_x)");
  }
  if (layout_.n_t < 4 || layout_.positions() == 0 || layout_.det_pixels() == 0)
    throw InputError("dataset " + where + " is too small (need at least 4 scan cycles and a non-empty scan and detector)");
}

namespace {
double required_scalar(hid_t ds, const std::string& attr, const std::optional<double>& override_value,
                       const std::string& option, const std::string& where) {
  if (override_value) return *override_value;
  if (!h5::has_attribute(ds, attr))
    throw InputError("calibration '" + attr + "' is missing on " + where + ": give it with " + option);
  auto v = h5::read_attribute_doubles(ds, attr);
  if (v.size() != 1) throw InputError("attribute '" + attr + "' on " + where + " must be a scalar");
  return v[0];
}
}  // namespace

Calibration InputDataset::calibration(const CalibrationOverrides& o) const {
  const std::string where = "'" + dataset_path_ + "'";
  Calibration c;
  c.time_step_s = required_scalar(dataset_, "time_step_s", o.time_step_s, "--time-step", where);
  c.k_pixel_size = required_scalar(dataset_, "k_pixel_size_inv_angstrom", o.k_pixel_size, "--k-pixel-size", where);
  if (o.beam_center_yx) {
    c.beam_center_yx = *o.beam_center_yx;
    c.beam_center_source = "option";
  } else if (h5::has_attribute(dataset_, "beam_center_yx")) {
    auto v = h5::read_attribute_doubles(dataset_, "beam_center_yx");
    if (v.size() != 2) throw InputError("attribute 'beam_center_yx' on " + where + " must hold 2 values (y, x)");
    c.beam_center_yx = {v[0], v[1]};
    c.beam_center_source = "attribute";
  }
  if (o.convergence) {
    c.convergence = *o.convergence;
  } else if (h5::has_attribute(dataset_, "convergence_inv_angstrom")) {
    c.convergence = h5::read_attribute_doubles(dataset_, "convergence_inv_angstrom").at(0);
  }
  // Optional: only the science products use it (domain sizes in nm).
  if (h5::has_attribute(dataset_, "scan_step_nm")) c.scan_step_nm = h5::read_attribute_doubles(dataset_, "scan_step_nm").at(0);
  require(c.scan_step_nm >= 0, "attribute 'scan_step_nm' must be >= 0");
  require(c.time_step_s > 0, "time step must be > 0 s (got " + std::to_string(c.time_step_s) + ")");
  require(c.k_pixel_size > 0, "k pixel size must be > 0 1/A (got " + std::to_string(c.k_pixel_size) + ")");
  require(c.convergence >= 0, "convergence (k_c) must be >= 0");
  return c;
}

void InputDataset::read_tile_block(std::size_t t0, std::size_t nt, const ScanTile& tile, void* out,
                                   hid_t mem_type) const {
  const auto& L = layout_;
  if (t0 + nt > L.n_t || tile.y0 + tile.ny > L.scan_y || tile.x0 + tile.nx > L.scan_x)
    throw Error("internal: tile block outside the dataset");
  bytes_read_ += std::uint64_t(nt) * tile.positions() * L.det_pixels() * L.element_bytes();
  if (L.kind == InputLayout::Kind::five_d) {
    h5::read_hyperslab(dataset_, mem_type, {t0, tile.y0, tile.x0, 0, 0}, {nt, tile.ny, tile.nx, L.det_y, L.det_x}, out,
                       false);
  } else {
    // One cycle's frames of a tile row are contiguous in the stream, and so are a cycle's
    // frames of a tile of whole rows, and all cycles of a tile of the whole scan: as few
    // reads as there are contiguous runs of frames.
    const std::size_t frame_bytes = L.det_pixels() * H5Tget_size(mem_type);
    const bool whole_rows = tile.x0 == 0 && tile.nx == L.scan_x;
    const bool whole_scan = whole_rows && tile.y0 == 0 && tile.ny == L.scan_y;
    const std::size_t run = whole_scan ? nt * L.positions() : whole_rows ? tile.positions() : tile.nx;
    const std::size_t n_runs = nt * tile.positions() / run;
    const std::size_t runs_per_cycle = whole_rows ? 1 : tile.ny;
    for (std::size_t i = 0; i < n_runs; ++i) {
      // Run i: cycle t0 + i / runs_per_cycle, and tile row i % runs_per_cycle when a run is a row.
      const std::size_t t = whole_scan ? 0 : i / runs_per_cycle, y = whole_rows ? 0 : i % runs_per_cycle;
      const std::size_t frame = ((t0 + t) * L.scan_y + tile.y0 + y) * L.scan_x + tile.x0;
      h5::read_hyperslab(dataset_, mem_type, {frame, 0, 0}, {run, L.det_y, L.det_x},
                         static_cast<char*>(out) + i * run * frame_bytes, false);
    }
  }
}

void InputDataset::read_boxes(std::size_t t0, std::size_t nt, const long* origin_y, const long* origin_x,
                              std::size_t box_ny, std::size_t box_nx, void* out, hid_t mem_type) const {
  const std::size_t box_bytes = box_ny * box_nx * layout_.det_pixels() * H5Tget_size(mem_type);
  for (std::size_t i = 0; i < nt; ++i) {
    if (origin_y[i] < 0 || origin_x[i] < 0) throw Error("internal: drift box origin outside the scan");
    const ScanTile box{std::size_t(origin_y[i]), std::size_t(origin_x[i]), box_ny, box_nx};
    read_tile_block(t0 + i, 1, box, static_cast<char*>(out) + i * box_bytes, mem_type);
  }
}

std::vector<float> read_detector_reference(const std::string& spec, const std::string& input_file, std::size_t det_y,
                                           std::size_t det_x, const std::string& what) {
  std::string file = input_file, path = spec;
  const auto colon = spec.rfind(':');
  if (!spec.empty() && spec[0] != '/' && colon != std::string::npos) {
    file = spec.substr(0, colon);
    path = spec.substr(colon + 1);
  }
  if (path.empty() || path[0] != '/')
    throw InputError(what + " reference '" + spec + "' must be FILE.h5:/dataset or /dataset (inside the input file)");
  h5::Handle f = h5::open_file_serial(file);
  h5::Handle ds = h5::open_dataset(f, path);
  const auto dims = h5::dataset_shape(ds);
  if (dims.size() != 2 || dims[0] != det_y || dims[1] != det_x)
    throw InputError(what + " reference '" + spec + "' must be a 2-D dataset of the detector shape " +
                     std::to_string(det_y) + "x" + std::to_string(det_x));
  std::vector<float> values(det_y * det_x);
  h5::check(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "reading", path);
  return values;
}

}  // namespace ecm::io
