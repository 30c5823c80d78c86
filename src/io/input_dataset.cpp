#include "ecm/io/input_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ecm/core/value_range.hpp"

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

namespace {

h5::DType dtype_of(PixelType t) {
  switch (t) {
    case PixelType::u8: return h5::DType::u8;
    case PixelType::u16: return h5::DType::u16;
    case PixelType::u32: return h5::DType::u32;
    case PixelType::f32: return h5::DType::f32;
  }
  return h5::DType::other;
}

template <class T>
void widen_to_float(const void* in, std::size_t n, float* out) {
  const T* v = static_cast<const T*>(in);
  for (std::size_t i = 0; i < n; ++i) out[i] = float(v[i]);
}

}  // namespace

InputDataset::InputDataset(const std::string& file_path, const InputOptions& options, MPI_Comm comm)
    : file_path_(file_path) {
  SourceOptions so;
  so.format = options.format;
  so.dataset = options.dataset;
  so.frame_count = options.frame_count;
  so.direct_reads = options.direct_reads;
  so.allow_external = options.allow_external;
  so.own_dark = options.own_dark;
  so.own_gain = options.own_gain;
  so.own_mask = options.own_mask;
  source_ = open_frame_source(file_path, so, comm);
  place_frames(options, file_path + (source_->dataset_path().empty() ? "" : ":" + source_->dataset_path()));
}

InputDataset::InputDataset(std::shared_ptr<const FrameSource> source, const std::string& name,
                           const InputOptions& options)
    : source_(std::move(source)) {
  require(source_ != nullptr, "no frame source given");
  place_frames(options, name);
}

void InputDataset::place_frames(const InputOptions& options, const std::string& what) {
  const FrameShape& shape = source_->shape();
  const SourceMetadata& meta = source_->metadata();
  notes_ = meta.notes;
  if (shape.det_y < 2 || shape.det_x < 2) throw InputError(what + ": frames of " + std::to_string(shape.det_y) + "x" +
                                                           std::to_string(shape.det_x) + " pixels are too small");
  scan_ = make_scan_geometry(shape.n_frames, options.scan, meta.scan_shape, what);
  if (scan_.dropped_frames)
    notes_.push_back(std::to_string(scan_.dropped_frames) + " frames after the last whole cycle dropped (--drop-incomplete-cycle)");
  layout_.n_t = scan_.cycles;
  layout_.scan_y = scan_.scan_y;
  layout_.scan_x = scan_.scan_x;
  layout_.det_y = shape.det_y;
  layout_.det_x = shape.det_x;
  layout_.dtype = dtype_of(shape.type);
  // Tiles of whole storage units only where the frames sit on the scan as stored.
  const bool plain = scan_.skip == 0 && scan_.flyback == 0 && scan_.cycle_frames == scan_.scan_y * scan_.scan_x;
  const auto chunk = source_->storage_chunk();
  if (plain) {
    if (chunk[0] == 1 && chunk[1] == 1) layout_.chunk_tyx = frame_stream_chunk_grain(chunk[2], layout_.scan_y, layout_.scan_x);
    else if (meta.scan_shape && (*meta.scan_shape)[0] == layout_.scan_y && (*meta.scan_shape)[1] == layout_.scan_x)
      layout_.chunk_tyx = chunk;
  }
  if (layout_.n_t < 4)
    throw InputError(what + " holds " + std::to_string(layout_.n_t) + " scan cycles of " + std::to_string(layout_.scan_y) +
                     "x" + std::to_string(layout_.scan_x) + ": too few (need at least 4 cycles for a correlation)");
}

std::string InputDataset::dataset_path() const {
  const std::string d = source_->dataset_path();
  return d.empty() ? source_->format() : d;
}

namespace {
template <class T>
T required(const std::optional<T>& override_value, const std::optional<T>& from_file, const std::string& name,
           const std::string& option, const std::string& where) {
  if (override_value) return *override_value;
  if (from_file) return *from_file;
  throw InputError("calibration '" + name + "' is missing on " + where + ": give it with " + option);
}
}  // namespace

std::optional<std::pair<double, std::string>> InputDataset::file_time_step() const {
  const SourceMetadata& meta = source_->metadata();
  if (meta.time_step_s) return std::make_pair(*meta.time_step_s, std::string("attribute"));
  // The cycle time from the timestamps of each cycle's first frame: cameras record the
  // frame period, but a cycle also holds the scan's overheads (the paper's 3.2 s was not
  // scan size / frame rate).
  std::vector<std::size_t> firsts(layout_.n_t);
  for (std::size_t t = 0; t < layout_.n_t; ++t) firsts[t] = scan_.stored(t, 0, 0);
  const auto ts = source_->timestamps(firsts);
  if (ts.size() != firsts.size()) return std::nullopt;
  std::vector<double> steps(ts.size() - 1);
  for (std::size_t t = 0; t + 1 < ts.size(); ++t) {
    steps[t] = ts[t + 1] - ts[t];
    if (!(steps[t] > 0))
      throw InputError(file_path_ + ": timestamps go backwards or stand still between cycle " + std::to_string(t) +
                       " (frame " + std::to_string(firsts[t]) + ") and cycle " + std::to_string(t + 1) +
                       ": give the cycle time with --time-step");
  }
  std::nth_element(steps.begin(), steps.begin() + long(steps.size() / 2), steps.end());
  return std::make_pair(steps[steps.size() / 2], std::string("timestamps"));
}

void check_time_step(double seconds, const std::string& what, const std::string& remedy) {
  require_in_range(seconds, kMinTimeStep_s, kMaxTimeStep_s, what, "s", "the time between scan cycles", remedy);
}
void check_k_pixel_size(double inv_angstrom, const std::string& what, const std::string& remedy) {
  require_in_range(inv_angstrom, kMinKPixel, kMaxKPixel, what, "1/A", "the detector pixel size in k", remedy);
}
void check_convergence(double inv_angstrom, const std::string& what, const std::string& remedy) {
  require_in_range(inv_angstrom, 0.0, kMaxConvergence, what, "1/A", "the probe convergence k_c (0 = unknown)", remedy);
}

Calibration InputDataset::calibration(const CalibrationOverrides& o) const {
  const SourceMetadata& meta = source_->metadata();
  const std::string where = "'" + dataset_path() + "'";
  // Where a value of the file comes from, for messages: "attribute 'time_step_s' of '/frames' in d.h5".
  const auto from_file = [&](const std::string& name) { return "attribute '" + name + "' of " + where + " in " + file_path_; };
  Calibration c;
  if (o.time_step_s) {
    c.time_step_s = *o.time_step_s;
    c.time_step_source = "option";
    check_time_step(c.time_step_s, "--time-step");
  } else if (const auto found = file_time_step()) {
    c.time_step_s = found->first;
    c.time_step_source = found->second;
    check_time_step(c.time_step_s,
                    found->second == "attribute" ? from_file("time_step_s")
                                                 : "the cycle time from the frame timestamps of " + file_path_,
                    "give --time-step");
  } else {
    throw InputError("calibration 'time_step_s' is missing on " + where +
                     " (no attribute, no per-frame timestamps): give it with --time-step");
  }
  c.k_pixel_size = required(o.k_pixel_size, meta.k_pixel_size, "k_pixel_size_inv_angstrom", "--k-pixel-size", where);
  if (o.k_pixel_size) check_k_pixel_size(c.k_pixel_size, "--k-pixel-size");
  else check_k_pixel_size(c.k_pixel_size, from_file("k_pixel_size_inv_angstrom"), "give --k-pixel-size");
  // Optional values: NaN or Inf in the file counts as missing (writers use NaN for "unknown"),
  // and the summary says so. A beam centre is then found from the frames, as without one.
  const auto ignored = [&](const std::string& name, const std::string& value, const std::string& instead) {
    c.notes.push_back(from_file(name) + " is " + value + ": ignored, " + instead);
  };
  if (o.beam_center_yx) {
    c.beam_center_yx = *o.beam_center_yx;
    c.beam_center_source = "option";
  } else if (meta.beam_center_yx) {
    const auto [y, x] = *meta.beam_center_yx;
    if (std::isfinite(y) && std::isfinite(x)) {
      c.beam_center_yx = *meta.beam_center_yx;
      c.beam_center_source = "attribute";
    } else {
      ignored("beam_center_yx", number_text(y) + "," + number_text(x), "the centre is found from the frames (or give --beam-center)");
    }
  }
  if (o.convergence) {
    c.convergence = *o.convergence;
    check_convergence(c.convergence, "--convergence");
  } else if (meta.convergence && !std::isfinite(*meta.convergence)) {
    ignored("convergence_inv_angstrom", number_text(*meta.convergence), "k_c is unknown (or give --convergence)");
  } else {
    c.convergence = meta.convergence.value_or(0.0);
    check_convergence(c.convergence, from_file("convergence_inv_angstrom"), "give --convergence");
  }
  // Optional: only the science products use it (domain sizes in nm).
  if (meta.scan_step_nm && !std::isfinite(*meta.scan_step_nm))
    ignored("scan_step_nm", number_text(*meta.scan_step_nm), "the scan step is unknown");
  else
    c.scan_step_nm = meta.scan_step_nm.value_or(0.0);
  require(c.scan_step_nm >= 0, from_file("scan_step_nm") + " must be >= 0");
  return c;
}

void InputDataset::read_runs(const std::vector<FrameRun>& runs, void* out, hid_t mem_type) const {
  std::size_t frames = 0;
  for (const auto& r : runs) frames += r.count;
  const FrameShape& shape = source_->shape();
  bytes_read_ += std::uint64_t(frames) * shape.frame_bytes();
  if (H5Tequal(mem_type, h5::native_type(layout_.dtype)) > 0) {
    source_->read_frames(runs.data(), runs.size(), out);
    return;
  }
  if (H5Tequal(mem_type, H5T_NATIVE_FLOAT) <= 0) throw Error("internal: frames asked for in an unsupported type");
  // Off the hot path (the kernels convert stored values themselves): the beam-centre search.
  std::vector<unsigned char> stored(frames * shape.frame_bytes());
  source_->read_frames(runs.data(), runs.size(), stored.data());
  const std::size_t n = frames * shape.frame_pixels();
  auto* f = static_cast<float*>(out);
  switch (shape.type) {
    case PixelType::u8: widen_to_float<std::uint8_t>(stored.data(), n, f); break;
    case PixelType::u16: widen_to_float<std::uint16_t>(stored.data(), n, f); break;
    case PixelType::u32: widen_to_float<std::uint32_t>(stored.data(), n, f); break;
    case PixelType::f32: widen_to_float<float>(stored.data(), n, f); break;
  }
}

void InputDataset::read_tile_block(std::size_t t0, std::size_t nt, const ScanTile& tile, void* out,
                                   hid_t mem_type) const {
  const auto& L = layout_;
  if (t0 + nt > L.n_t || tile.y0 + tile.ny > L.scan_y || tile.x0 + tile.nx > L.scan_x)
    throw Error("internal: tile block outside the dataset");
  read_runs(scan_.runs(t0, nt, tile.y0, tile.x0, tile.ny, tile.nx), out, mem_type);
}

void InputDataset::read_boxes(std::size_t t0, std::size_t nt, const long* origin_y, const long* origin_x,
                              std::size_t box_ny, std::size_t box_nx, void* out, hid_t mem_type) const {
  std::vector<FrameRun> runs;
  for (std::size_t i = 0; i < nt; ++i) {
    if (origin_y[i] < 0 || origin_x[i] < 0 || std::size_t(origin_y[i]) + box_ny > layout_.scan_y ||
        std::size_t(origin_x[i]) + box_nx > layout_.scan_x)
      throw Error("internal: drift box origin outside the scan");
    const auto r = scan_.runs(t0 + i, 1, std::size_t(origin_y[i]), std::size_t(origin_x[i]), box_ny, box_nx);
    runs.insert(runs.end(), r.begin(), r.end());
  }
  read_runs(runs, out, mem_type);
}

std::vector<float> read_detector_reference(const std::string& spec, const std::string& input_file, std::size_t det_y,
                                           std::size_t det_x, const std::string& what) {
  // FILE:/dataset splits at the last ":/", so that FILE may be absolute (/data/refs.h5:/gain;
  // issue 14 class 8 read that as a dataset path in the input); a bare /dataset is in the input.
  std::string file = input_file, path = spec;
  const auto colon = spec.rfind(":/");
  if (colon != std::string::npos && colon > 0) {
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
