// `ecm simulate --format nexus`: the file set a Dectris ARINA/QUADRO writes (the sample in
// shared/testdata/real/arina): X_master.h5 with /entry/data/data_000001 an ExternalLink to
// X_data_000001.h5:/entry/data/data, the NXmx detector group (frame_time, count_time,
// pixel_mask, flatfield and whether it was applied, nimages, ntrigger), and X.h5 holding the
// scan ("STEM Metadata": NumPixelsX, NumPixelsY). Differences from the camera: the data are
// one contiguous dataset, not bitshuffle-compressed chunks, so that every rank can write its
// frames with pwrite at offsets HDF5 allocated up front; readers see the same structure.
// Counts only: float32 frames are refused, as on the camera.
#include <hdf5.h>

#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/raw_file.hpp"
#include "ecm/simulate/camera_writer.hpp"

namespace ecm::simulate {

namespace {

const std::string kMasterTail = "_master.h5";

// X_master.h5 -> "X"; any other name -> the name without a trailing .h5.
std::string stem_of(const std::string& path) {
  if (io::ends_with(path, kMasterTail)) return path.substr(0, path.size() - kMasterTail.size());
  if (io::ends_with(path, ".h5")) return path.substr(0, path.size() - 3);
  return path;
}
std::string data_path(const CameraFileSpec& spec) { return stem_of(spec.path) + "_data_000001.h5"; }

hid_t file_type_of(io::PixelType t) {
  switch (t) {
    case io::PixelType::u8: return H5T_STD_U8LE;
    case io::PixelType::u16: return H5T_STD_U16LE;
    case io::PixelType::u32: return H5T_STD_U32LE;
    case io::PixelType::f32: break;
  }
  throw InputError("ecm simulate --format nexus writes counts (uint8, uint16, uint32), as a Dectris camera does, "
                   "not float32");
}

// A small dataset written by this process alone (the files are serial; rank 0 prepares them).
void put(hid_t file, const std::string& path, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
         const void* data) {
  h5::Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(dims.size()), dims.data(), nullptr));
  h5::check(space, "creating a dataspace for", path);
  h5::Handle ds(h5::check(H5Dcreate2(file, path.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                          "creating", path));
  h5::check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "writing", path);
}

void scalar(hid_t file, const std::string& path, double value) {
  put(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value);
}

void group(hid_t file, const std::string& path, const std::string& nx_class) {
  h5::ensure_group(file, path);
  h5::Handle g(h5::check(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "opening group", path));
  h5::write_attribute(g, "NX_class", nx_class);
}

}  // namespace

void prepare_nexus(const CameraFileSpec& spec) {
  const hid_t type = file_type_of(spec.type);
  const hsize_t n = spec.n_frames(), dy = spec.det_y, dx = spec.det_x;
  {  // The data file: one dataset, allocated now, so that ranks can write at its offset.
    h5::Handle f(h5::check(H5Fcreate(data_path(spec).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "creating",
                           data_path(spec)));
    group(f, "/entry", "NXentry");
    group(f, "/entry/data", "NXdata");
    const hsize_t dims[3] = {n, dy, dx};
    h5::Handle space(h5::check(H5Screate_simple(3, dims, nullptr), "H5Screate_simple"));
    h5::Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
    h5::check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    h5::check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
    h5::Handle ds(h5::check(H5Dcreate2(f, "/entry/data/data", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                            "creating /entry/data/data in", data_path(spec)));
    h5::write_attribute(ds, "image_nr_low", std::int64_t(1));
    h5::write_attribute(ds, "image_nr_high", std::int64_t(n));
  }
  {  // The master: links, and the detector's NXmx description.
    h5::Handle f(h5::check(H5Fcreate(spec.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "creating", spec.path));
    group(f, "/entry", "NXentry");
    group(f, "/entry/data", "NXdata");
    h5::check(H5Lcreate_external(io::base_name(data_path(spec)).c_str(), "/entry/data/data", f,
                                 "/entry/data/data_000001", H5P_DEFAULT, H5P_DEFAULT),
              "linking the data file from", spec.path);
    group(f, "/entry/instrument", "NXinstrument");
    group(f, "/entry/instrument/detector", "NXdetector");
    group(f, "/entry/instrument/detector/detectorSpecific", "NXcollection");
    const std::string det = "/entry/instrument/detector";
    scalar(f, det + "/frame_time", spec.frame_time_s);
    scalar(f, det + "/count_time", spec.frame_time_s);
    scalar(f, det + "/detectorSpecific/nimages", 1.0);
    scalar(f, det + "/detectorSpecific/ntrigger", double(n));
    std::vector<std::uint32_t> mask(dy * dx, 0);
    for (std::size_t i = 0; i < spec.bad_pixels.size() && i < mask.size(); ++i) mask[i] = spec.bad_pixels[i] ? 1 : 0;
    put(f, det + "/detectorSpecific/pixel_mask", H5T_STD_U32LE, H5T_NATIVE_UINT32, {dy, dx}, mask.data());
    std::vector<float> flat(dy * dx, 1.0f);
    if (!spec.gain.empty()) flat = spec.gain;
    put(f, det + "/detectorSpecific/flatfield", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {dy, dx}, flat.data());
    // The camera's convention: 0 = the reader multiplies by the flat field (here the gain).
    const std::int8_t applied = spec.gain.empty() ? 1 : 0;
    put(f, det + "/flatfield_correction_applied", H5T_STD_I8LE, H5T_NATIVE_INT8, {}, &applied);
  }
  {  // The scan companion X.h5.
    const std::string companion = stem_of(spec.path) + ".h5";
    h5::Handle f(h5::check(H5Fcreate(companion.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "creating", companion));
    h5::ensure_group(f, "/STEM Metadata");
    h5::Handle g(h5::check(H5Gopen2(f, "/STEM Metadata", H5P_DEFAULT), "opening group", "/STEM Metadata"));
    h5::write_attribute(g, "NumPixelsX", std::int64_t(spec.scan_x));
    h5::write_attribute(g, "NumPixelsY", std::int64_t(spec.scan_y));
  }
}

namespace {

class NexusWriter final : public CameraFileWriter {
 public:
  explicit NexusWriter(const CameraFileSpec& spec) : path_(data_path(spec)) {
    frame_bytes_ = spec.det_y * spec.det_x * io::pixel_bytes(spec.type);
    {
      h5::Handle f(h5::check(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening", path_));
      h5::Handle ds = h5::open_dataset(f, "/entry/data/data");
      const haddr_t at = H5Dget_offset(ds);
      if (at == HADDR_UNDEF) throw Error("internal: " + path_ + " has no storage allocated");
      offset_ = at;
    }
  }
  // Little-endian on disk, as declared (H5T_STD_*LE); this machine's order.
  void write_frames(std::size_t first, std::size_t count, const void* frames) override {
    file_.write_at(offset_ + first * frame_bytes_, count * frame_bytes_, frames);
  }

 private:
  std::string path_;
  io::RawOutputFile file_{path_, io::RawOutputFile::Mode::existing};
  std::size_t frame_bytes_ = 0;
  std::uint64_t offset_ = 0;
};

}  // namespace

std::unique_ptr<CameraFileWriter> open_nexus_writer(const CameraFileSpec& spec) {
  file_type_of(spec.type);
  return std::make_unique<NexusWriter>(spec);
}

}  // namespace ecm::simulate
