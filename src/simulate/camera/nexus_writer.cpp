// `ecm simulate --format nexus`: the file set a Dectris ARINA/QUADRO writes (the sample in
// shared/testdata/real/arina): X_master.h5 with /entry/data/data_000001 an ExternalLink to
// X_data_000001.h5:/entry/data/data, the NXmx detector group (frame_time, count_time,
// pixel_mask, flatfield and whether it was applied, nimages, ntrigger), and X.h5 holding the
// scan ("STEM Metadata": NumPixelsX, NumPixelsY). The data are stored as the camera stores
// them: one frame per chunk, bitshuffle + LZ4 compressed (HDF5 filter 32008, the plugin of
// Debian's `bitshuffle` package), the first dimension extendable. Compressed chunks cannot be
// written at offsets computed in advance, so unlike the other formats the data file is
// written collectively with parallel HDF5 (filtered datasets need collective writes).
// Counts only: float32 frames are refused, as on the camera.
#include <hdf5.h>

#include <cstring>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
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
  file_type_of(spec.type);
  const hsize_t n = spec.n_frames(), dy = spec.det_y, dx = spec.det_x;
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

NexusData create_nexus_data(const CameraFileSpec& spec, MPI_Comm comm) {
  constexpr H5Z_filter_t kBitshuffle = 32008;
  const hid_t type = file_type_of(spec.type);
  // Every rank asks, so that all agree before the collective create.
  mpi::run_then_agree(comm, [&] {
    if (H5Zfilter_avail(kBitshuffle) <= 0)
      throw InputError("ecm simulate --format nexus writes bitshuffle/LZ4 chunks, as the camera does, but HDF5 finds no "
                       "bitshuffle filter plugin (Debian package bitshuffle; HDF5_PLUGIN_PATH)");
  });
  NexusData out;
  out.path = data_path(spec);
  out.file = h5::create_file_parallel(out.path, comm);
  group(out.file, "/entry", "NXentry");
  group(out.file, "/entry/data", "NXdata");
  const hsize_t dims[3] = {spec.n_frames(), spec.det_y, spec.det_x};
  const hsize_t max_dims[3] = {H5S_UNLIMITED, spec.det_y, spec.det_x};
  const hsize_t chunk[3] = {1, spec.det_y, spec.det_x};
  h5::Handle space(h5::check(H5Screate_simple(3, dims, max_dims), "H5Screate_simple"));
  h5::Handle dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"));
  h5::check(H5Pset_chunk(dcpl, 3, chunk), "H5Pset_chunk");
  // Block size 0 (the filter's choice), LZ4 (2): the camera's settings. The filter fills in
  // its version and the element size itself.
  const unsigned cd[2] = {0, 2};
  h5::check(H5Pset_filter(dcpl, kBitshuffle, H5Z_FLAG_MANDATORY, 2, cd), "setting the bitshuffle filter of", out.path);
  h5::check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
  out.data = h5::Handle(h5::check(H5Dcreate2(out.file, "/entry/data/data", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                                  "creating /entry/data/data in", out.path));
  h5::write_attribute(out.data, "image_nr_low", std::int64_t(1));
  h5::write_attribute(out.data, "image_nr_high", std::int64_t(spec.n_frames()));
  return out;
}

}  // namespace ecm::simulate
