// The HDF5 frame source: the canonical 5-D and 3-D layouts (docs/input-format.md), 4-D
// single-scan datasets (py4DSTEM, HyperSpy), NeXus/NXmx masters from Dectris cameras (data
// behind ExternalLinks, possibly split over several files and bitshuffle-compressed) and
// virtual datasets. Every rank opens the file itself with the serial driver: all frame reads
// are independent, so MPI-IO would add nothing but its per-call cost.
#include <cmath>
#include <algorithm>
#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/sources/formats.hpp"
#include "ecm/io/sources/hdf5_external.hpp"
#include "ecm/io/sources/hdf5_frames.hpp"

namespace ecm::io::sources {

bool looks_like_hdf5(const std::string&, const std::vector<unsigned char>& head) {
  // The signature sits at 0, or after a user block at 512, 1024, 2048, ... (HDF5 spec, 2.1).
  static const unsigned char magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (std::size_t at = 0; at + 8 <= head.size(); at = at ? 2 * at : 512)
    if (std::equal(magic, magic + 8, head.begin() + long(at))) return true;
  return false;
}

namespace {

constexpr const char* kNexusData = "/entry/data";
constexpr const char* kNexusDetector = "/entry/instrument/detector";

struct TypeChoice {
  PixelType type;
  hid_t mem_type;
  std::string note;  // set when values are converted
};

TypeChoice choose_type(hid_t dataset, const std::string& where) {
  h5::Handle t(h5::check(H5Dget_type(dataset), "H5Dget_type", where));
  const H5T_class_t cls = H5Tget_class(t);
  const std::size_t size = H5Tget_size(t);
  if (cls == H5T_INTEGER && H5Tget_sign(t) == H5T_SGN_NONE) {
    if (size == 1) return {PixelType::u8, H5T_NATIVE_UINT8, {}};
    if (size == 2) return {PixelType::u16, H5T_NATIVE_UINT16, {}};
    if (size == 4) return {PixelType::u32, H5T_NATIVE_UINT32, {}};
  }
  if (cls == H5T_FLOAT && size == 4) return {PixelType::f32, H5T_NATIVE_FLOAT, {}};
  if (cls == H5T_INTEGER || cls == H5T_FLOAT)
    return {PixelType::f32, H5T_NATIVE_FLOAT,
            where + " stores " + std::string(cls == H5T_FLOAT ? "float" : "integer") + std::to_string(8 * size) +
                " values: read as float32"};
  throw InputError(where + " does not hold numbers (need an integer or float element type)");
}

h5::Handle open_frames_dataset(hid_t file, const std::string& path, const std::string& file_path) {
  // A chunk cache that holds a few rows of typical chunks, for the reads that go through the library.
  h5::Handle dapl(h5::check(H5Pcreate(H5P_DATASET_ACCESS), "H5Pcreate(dataset access)"));
  h5::check(H5Pset_chunk_cache(dapl, 12421, 64u << 20, 1.0), "H5Pset_chunk_cache");
  if (!h5::link_exists(file, path)) throw InputError(file_path + ": no dataset '" + path + "' (give --dataset)");
  hid_t id = H5Dopen2(file, path.c_str(), dapl);
  if (id < 0)
    throw InputError(file_path + ": cannot open dataset '" + path + "' (a broken external link or a missing file?)");
  return h5::Handle(id);
}

// Dataset paths of frames when --dataset is not given: /frames, a NeXus master's data links,
// or the one dataset of 3 to 5 dimensions in the file.
std::vector<std::string> find_frame_datasets(hid_t file, const std::string& path) {
  if (h5::link_exists(file, "/frames")) return {"/frames"};
  if (h5::link_exists(file, kNexusData)) {
    std::vector<std::string> parts;
    h5::Handle g(h5::check(H5Gopen2(file, kNexusData, H5P_DEFAULT), "opening group", kNexusData));
    H5G_info_t info{};
    h5::check(H5Gget_info(g, &info), "H5Gget_info", kNexusData);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      char name[256] = {};
      if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0)
        throw InputError(path + ": the links of " + kNexusData + " cannot be read (damaged?)");
      if (std::strncmp(name, "data", 4) == 0) parts.push_back(std::string(kNexusData) + "/" + name);
    }
    if (!parts.empty()) return parts;  // data_000001, data_000002, ... in name order: recording order
  }
  // Bounded: a damaged file's links can make HDF5 walk (and name) objects for minutes (the
  // fuzzer's tests/fuzz/upstream/hdf5_free_list_timeout.bin); no camera file holds more.
  // A damaged group that contains itself is walked again and again under an ever longer name
  // (HDF5 tracks only objects with several hard links), so the names' length is bounded too.
  struct Walk {
    std::vector<std::string> found;
    std::size_t objects = 0;
    bool stopped = false;
  } walk;
  constexpr std::size_t kMaxObjects = 100000, kMaxNameBytes = 4096;
  const herr_t walked = H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t loc, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        auto& w = *static_cast<Walk*>(data);
        if (++w.objects > kMaxObjects || std::strlen(name) > kMaxNameBytes) {
          w.stopped = true;
          return 1;  // stops the walk
        }
        if (info->type != H5O_TYPE_DATASET) return 0;
        hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
        if (ds < 0) return 0;
        hid_t space = H5Dget_space(ds);
        const int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
        if (space >= 0) H5Sclose(space);
        H5Dclose(ds);
        if (rank >= 3 && rank <= 5) w.found.push_back(std::string("/") + name);
        return 0;
      },
      &walk);
  if (walk.stopped)
    throw InputError(path + ": more than " + std::to_string(kMaxObjects) + " objects, or paths longer than " +
                     std::to_string(kMaxNameBytes) + " bytes, in this HDF5 file (damaged, or a group inside itself?): "
                     "name the frames with --dataset");
  if (walked < 0) {
    const std::string why = h5::failure_detail();
    throw InputError(path + ": the file's objects cannot be listed (damaged?)" + (why.empty() ? "" : ": " + why));
  }
  const auto& found = walk.found;
  if (found.size() == 1) return found;
  if (found.empty()) throw InputError(path + ": no dataset of frames (3 to 5 dimensions) in this HDF5 file");
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  throw InputError(path + ": several datasets could hold the frames (" + list + "): choose one with --dataset");
}

std::optional<double> scalar_dataset(hid_t file, const std::string& path) {
  if (!h5::link_exists(file, path)) return std::nullopt;
  auto v = h5::read_dataset<double>(file, path);
  if (v.size() != 1) return std::nullopt;
  return v[0];
}

std::optional<double> scalar_attribute(hid_t obj, const std::string& name) {
  if (!h5::has_attribute(obj, name)) return std::nullopt;
  const auto v = h5::read_attribute_doubles(obj, name);
  if (v.size() != 1) throw InputError("attribute '" + name + "' of " + h5::object_in_file(obj) + " must be a scalar");
  return v[0];
}

class Hdf5Source final : public FrameSource {
 public:
  Hdf5Source(const std::string& path, const SourceOptions& options) : path_(path) {
    require_regular_file(path);
    if (!h5::is_hdf5_file(path)) throw InputError(path + ": not an HDF5 file (or it cannot be read)");
    file_ = h5::Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file_.valid()) throw InputError(path + ": cannot open the HDF5 file (damaged, or locked by a writer?)");
    const auto names = options.dataset.empty() ? find_frame_datasets(file_, path) : std::vector<std::string>{options.dataset};
    const std::string where0 = "'" + names[0] + "' in " + path;
    h5::Handle first = open_frames_dataset(file_, names[0], path);
    const TypeChoice type = choose_type(first, where0);
    if (!type.note.empty()) meta_.notes.push_back(type.note);
    shape_.type = type.type;
    read_attributes(first, where0, h5::dataset_shape(first));
    std::vector<h5::Handle> handles;
    handles.push_back(std::move(first));
    for (std::size_t i = 1; i < names.size(); ++i) handles.push_back(open_frames_dataset(file_, names[i], path));
    for (std::size_t i = 0; i < names.size(); ++i) {
      const std::string where = "'" + names[i] + "' in " + path;
      const auto dims = h5::dataset_shape(handles[i]);
      if (dims.size() < 3 || dims.size() > 5)
        throw InputError("dataset " + where + " has " + std::to_string(dims.size()) +
                         " dimensions; expected 5 (t, scan_y, scan_x, det_y, det_x), 4 (scan_y, scan_x, det_y, "
                         "det_x) or 3 (frame, det_y, det_x)");
      if (i > 0 && (dims.size() != 3 || dims[1] != shape_.det_y || dims[2] != shape_.det_x))
        throw InputError("dataset " + where + " does not continue " + names[0] + " (other frame shape)");
      if (choose_type(handles[i], where).type != shape_.type)
        throw InputError("dataset " + where + " has another element type than " + names[0]);
      const auto data_files = hdf5_data_files(handles[i]);
      refuse_missing_data(data_files, path, "'" + names[i] + "'");
      refuse_data_outside(data_files, path, "'" + names[i] + "'", options.allow_external);
      auto part = std::make_unique<Hdf5Frames>(std::move(handles[i]), where, type.mem_type, options.direct_reads);
      shape_.det_y = part->det_y();
      shape_.det_x = part->det_x();
      meta_.other_files.insert(meta_.other_files.end(), data_files.begin(), data_files.end());
      part_first_.push_back(shape_.n_frames);
      shape_.n_frames += part->n_frames();
      parts_.push_back(std::move(part));
    }
    dataset_names_ = names;
    if (names.size() > 1 || names[0].rfind(kNexusData, 0) == 0) read_nexus_metadata();
    const auto& p0 = *parts_[0];
    description_ = "HDF5 " + names[0] + (names.size() > 1 ? " (+" + std::to_string(names.size() - 1) + " more)" : "") +
                   " in " + path + ": " + std::to_string(shape_.n_frames) + " frames of " +
                   std::to_string(shape_.det_y) + "x" + std::to_string(shape_.det_x) + " " + pixel_type_name(shape_.type) +
                   ", " + p0.read_path();
  }

  std::string format() const override { return "hdf5"; }
  std::string description() const override { return description_; }
  const FrameShape& shape() const override { return shape_; }
  const SourceMetadata& metadata() const override { return meta_; }
  std::array<std::size_t, 3> storage_chunk() const override { return parts_[0]->chunk_dims(); }
  std::string dataset_path() const override { return dataset_names_[0]; }

  void read_frames(const FrameRun* runs, std::size_t n_runs, void* out) const override {
    auto* dst = static_cast<char*>(out);
    // Parts stored in chunks of several frames get the whole request at once (each chunk read once).
    std::vector<std::vector<Hdf5Frames::FrameDestination>> scattered(parts_.size());
    for (std::size_t r = 0; r < n_runs; ++r) {
      std::size_t first = runs[r].first, count = runs[r].count;
      if (first + count > shape_.n_frames) throw Error("internal: frames outside " + path_);
      while (count > 0) {
        const std::size_t p = std::size_t(std::upper_bound(part_first_.begin(), part_first_.end(), first) - part_first_.begin()) - 1;
        const std::size_t local = first - part_first_[p];
        const std::size_t n = std::min(count, parts_[p]->n_frames() - local);
        if (parts_[p]->reads_whole_chunks()) {
          for (std::size_t k = 0; k < n; ++k) scattered[p].push_back({local + k, dst + k * shape_.frame_bytes()});
        } else {
          parts_[p]->read(local, n, dst);
        }
        dst += n * shape_.frame_bytes();
        first += n;
        count -= n;
      }
    }
    for (std::size_t p = 0; p < parts_.size(); ++p)
      if (!scattered[p].empty()) parts_[p]->read_scattered(scattered[p]);
  }

 private:
  // The calibration attributes of the canonical layout (docs/input-format.md).
  void read_attributes(hid_t ds, const std::string& where, const std::vector<hsize_t>& dims) {
    if (dims.size() == 5) {
      meta_.scan_shape = std::array<std::size_t, 2>{dims[1], dims[2]};
      meta_.cycles = dims[0];
    } else if (dims.size() == 4) {
      meta_.scan_shape = std::array<std::size_t, 2>{dims[0], dims[1]};
      meta_.cycles = 1;
    } else if (h5::has_attribute(ds, "scan_shape")) {
      const auto s = h5::read_attribute_doubles(ds, "scan_shape");
      // Whole numbers of at most 1e9 per side: the fuzzer's 3e97 was cast to a size_t (undefined).
      auto side = [](double v) { return v >= 1 && v <= 1e9 && v == std::floor(v); };
      if (s.size() != 2 || !side(s[0]) || !side(s[1]))
        throw InputError("attribute 'scan_shape' of " + where + " must hold 2 whole numbers in [1, 1e9] (NY, NX)");
      meta_.scan_shape = std::array<std::size_t, 2>{std::size_t(s[0]), std::size_t(s[1])};
    }
    // References stored beside the frames, named by attributes (ecm convert writes them).
    for (const auto& [attr, ref] : {std::make_pair("dark_reference", &meta_.dark), std::make_pair("gain_reference", &meta_.gain),
                                    std::make_pair("mask_reference", &meta_.bad_pixels)}) {
      if (!h5::has_attribute(ds, attr)) continue;
      const std::string at = h5::read_attribute_string(ds, attr);
      const auto values = h5::read_dataset<float>(file_, at);
      const std::size_t n = std::size_t(dims[dims.size() - 2] * dims[dims.size() - 1]);
      if (values.size() != n) throw InputError(path_ + ": reference " + at + " is not of the frame shape");
      *ref = DetectorReference{values, path_ + ":" + at};
    }
    meta_.time_step_s = scalar_attribute(ds, "time_step_s");
    meta_.k_pixel_size = scalar_attribute(ds, "k_pixel_size_inv_angstrom");
    meta_.convergence = scalar_attribute(ds, "convergence_inv_angstrom");
    meta_.scan_step_nm = scalar_attribute(ds, "scan_step_nm");
    if (h5::has_attribute(ds, "beam_center_yx")) {
      const auto v = h5::read_attribute_doubles(ds, "beam_center_yx");
      if (v.size() != 2) throw InputError("attribute 'beam_center_yx' of " + where + " must hold 2 values (y, x)");
      meta_.beam_center_yx = std::array<double, 2>{v[0], v[1]};
    }
  }

  // NXmx (Dectris): frame time, bad-pixel mask and flat field from the detector group; the
  // scan shape from the companion file the ARINA/QUADRO software writes beside the master.
  void read_nexus_metadata() {
    const std::string det = kNexusDetector;
    meta_.frame_time_s = scalar_dataset(file_, det + "/frame_time");
    const std::string mask_path = det + "/detectorSpecific/pixel_mask";
    if (h5::link_exists(file_, mask_path)) {
      auto mask = h5::read_dataset<double>(file_, mask_path);
      if (mask.size() != shape_.det_y * shape_.det_x)
        throw InputError(path_ + ": " + mask_path + " is not of the frame shape");
      DetectorReference ref{std::vector<float>(mask.begin(), mask.end()), path_ + ":" + mask_path};
      meta_.bad_pixels = std::move(ref);
    }
    const std::string flat_path = det + "/detectorSpecific/flatfield";
    const auto applied = scalar_dataset(file_, det + "/flatfield_correction_applied");
    if (h5::link_exists(file_, flat_path) && applied && *applied == 0) {
      auto flat = h5::read_dataset<float>(file_, flat_path);
      if (flat.size() != shape_.det_y * shape_.det_x)
        throw InputError(path_ + ": " + flat_path + " is not of the frame shape");
      meta_.gain = DetectorReference{std::move(flat), path_ + ":" + flat_path};
    }
    // X_master.h5 -> X.h5 holds the scan ("STEM Metadata": NumPixelsX, NumPixelsY).
    const std::string suffix = "_master.h5";
    if (path_.size() > suffix.size() && path_.compare(path_.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string companion = path_.substr(0, path_.size() - suffix.size()) + ".h5";
      if (h5::is_hdf5_file(companion)) {
        meta_.other_files.push_back(companion);
        h5::Handle f(H5Fopen(companion.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        const char* group = "/STEM Metadata";
        if (f.valid() && h5::link_exists(f, group)) {
          h5::Handle g(h5::check(H5Gopen2(f, group, H5P_DEFAULT), "opening group", group));
          const auto nx = scalar_attribute(g, "NumPixelsX"), ny = scalar_attribute(g, "NumPixelsY");
          if (nx && ny && *nx >= 1 && *ny >= 1)
            meta_.scan_shape = std::array<std::size_t, 2>{std::size_t(*ny), std::size_t(*nx)};
        }
      } else {
        meta_.notes.push_back("no scan companion " + companion + ": give --scan-shape");
      }
    }
  }

  std::string path_, description_;
  h5::Handle file_;
  std::vector<std::string> dataset_names_;
  std::vector<std::unique_ptr<Hdf5Frames>> parts_;
  std::vector<std::size_t> part_first_;
  FrameShape shape_;
  SourceMetadata meta_;
};

}  // namespace

std::unique_ptr<FrameSource> open_hdf5(const std::string& path, const SourceOptions& options, MPI_Comm) {
  return std::make_unique<Hdf5Source>(path, options);
}

}  // namespace ecm::io::sources
