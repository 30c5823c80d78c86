#include "ecm/io/hdf5.hpp"

#include <algorithm>
#include <numeric>

#include "ecm/core/io_watchdog.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/space_reservation.hpp"

namespace ecm::h5 {

void silence_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

hid_t check(hid_t id, const std::string& what, const std::string& object) {
  if (id >= 0) return id;
  // (Where `object` was made by HDF5 calls after the failed one, HDF5's stack is empty by
  // now; callers that care use fail_on, which reads it first.)
  std::string message = what + (object.empty() ? std::string() : " '" + object + "'") + " failed";
  const std::string detail = failure_detail();
  if (!detail.empty()) message += ": " + detail;
  io_watchdog::note_failure(message);
  throw Hdf5Error(message);
}

void fail_on(const std::string& what, hid_t object) {
  // The reason first: every HDF5 call, even H5Iget_name, clears the error stack.
  const std::string detail = failure_detail();
  std::string message = what + " '" + object_name(object) + "'";
  const std::string file = file_name(object);
  if (!file.empty()) message += " of '" + file + "'";
  message += " failed";
  if (!detail.empty()) message += ": " + detail;
  io_watchdog::note_failure(message);
  throw Hdf5Error(message);
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    close();
    id_ = o.id_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::close() noexcept {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

Handle mpio_file_access(MPI_Comm comm) {
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(file access)"));
  check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio");
  check(H5Pset_all_coll_metadata_ops(fapl, true), "H5Pset_all_coll_metadata_ops");
  check(H5Pset_coll_metadata_write(fapl, true), "H5Pset_coll_metadata_write");
  return fapl;
}

Handle transfer_plist(bool collective) {
  Handle dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate(transfer)"));
  check(H5Pset_dxpl_mpio(dxpl, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT), "H5Pset_dxpl_mpio");
  return dxpl;
}

bool is_hdf5_file(const std::string& path) {
  // H5Fis_hdf5 opens the file: a FIFO would block it until someone writes.
  return !io::exists_but_not_regular(path) && H5Fis_hdf5(path.c_str()) > 0;
}

namespace {
// The MPI-IO handle of a file HDF5 opened with the mpio driver gets the file's name, for the
// I/O watchdog's message (core/io_watchdog.hpp).
void name_mpi_file(hid_t file, hid_t fapl, const std::string& path) {
  MPI_File* handle = nullptr;
  if (H5Fget_vfd_handle(file, fapl, reinterpret_cast<void**>(&handle)) >= 0 && handle)
    io_watchdog::name_file(*handle, path);
}
}  // namespace

Handle open_file_parallel(const std::string& path, MPI_Comm comm, bool writable) {
  io::require_regular_file(path);
  if (!is_hdf5_file(path)) throw InputError("'" + path + "' is not an HDF5 file (or cannot be read)");
  Handle fapl = mpio_file_access(comm);
  Handle file(check(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl), "opening HDF5 file", path));
  name_mpi_file(file, fapl, path);
  return file;
}

Handle open_file_serial(const std::string& path, bool writable) {
  io::require_regular_file(path);
  if (!is_hdf5_file(path)) throw InputError("'" + path + "' is not an HDF5 file (or cannot be read)");
  return Handle(check(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT),
                      "opening HDF5 file", path));
}

Handle create_file_parallel(const std::string& path, MPI_Comm comm, double expected_bytes) {
  if (expected_bytes > 0) io::require_free_space(path, expected_bytes, comm);
  Handle fapl = mpio_file_access(comm);
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (id < 0) {
    const std::string why = failure_detail();
    throw InputError("cannot create output file '" + path + "' (" +
                     (why.empty() ? std::string("is the directory writable?") : why) + ")");
  }
  Handle file(id);
  name_mpi_file(file, fapl, path);
  if (expected_bytes > 0) io::reserve_space(path, expected_bytes, comm);
  return file;
}

bool link_exists(hid_t loc, const std::string& path) {
  // Walk the path so that a missing intermediate group is "absent", not an error.
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    std::size_t next = path.find('/', pos + 1);
    partial = path.substr(0, next);
    if (!partial.empty() && partial != "/") {
      htri_t e = H5Lexists(loc, partial.c_str(), H5P_DEFAULT);
      if (e <= 0) return false;
    }
    pos = next;
  }
  return true;
}

Handle open_dataset(hid_t file, const std::string& path) {
  if (!link_exists(file, path)) throw InputError("dataset '" + path + "' not found in '" + file_name(file) + "'");
  return Handle(check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "opening dataset", path));
}

std::vector<hsize_t> dataset_shape(hid_t dataset) {
  Handle space(check(H5Dget_space(dataset), "H5Dget_space", object_name(dataset)));
  int nd = check(H5Sget_simple_extent_ndims(space), "H5Sget_simple_extent_ndims", object_name(dataset));
  std::vector<hsize_t> dims(nd);
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "H5Sget_simple_extent_dims", object_name(dataset));
  return dims;
}

std::optional<std::vector<hsize_t>> dataset_chunk(hid_t dataset) {
  Handle dcpl(check(H5Dget_create_plist(dataset), "H5Dget_create_plist", object_name(dataset)));
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) return std::nullopt;
  std::vector<hsize_t> chunk(32);
  int nd = check(H5Pget_chunk(dcpl, 32, chunk.data()), "H5Pget_chunk", object_name(dataset));
  chunk.resize(nd);
  return chunk;
}

DType dataset_dtype(hid_t dataset) {
  Handle t(check(H5Dget_type(dataset), "H5Dget_type", object_name(dataset)));
  H5T_class_t cls = H5Tget_class(t);
  std::size_t size = H5Tget_size(t);
  if (cls == H5T_INTEGER) {
    if (H5Tget_sign(t) != H5T_SGN_NONE) return DType::other;
    if (size == 1) return DType::u8;
    if (size == 2) return DType::u16;
    if (size == 4) return DType::u32;
  } else if (cls == H5T_FLOAT) {
    if (size == 4) return DType::f32;
    if (size == 8) return DType::f64;
  }
  return DType::other;
}

std::string dtype_name(DType t) {
  switch (t) {
    case DType::u8: return "uint8";
    case DType::u16: return "uint16";
    case DType::u32: return "uint32";
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    default: return "unsupported";
  }
}

hid_t native_type(DType t) {
  switch (t) {
    case DType::u8: return H5T_NATIVE_UINT8;
    case DType::u16: return H5T_NATIVE_UINT16;
    case DType::u32: return H5T_NATIVE_UINT32;
    case DType::f32: return H5T_NATIVE_FLOAT;
    case DType::f64: return H5T_NATIVE_DOUBLE;
    default: throw InputError("unsupported element type");
  }
}

bool has_attribute(hid_t obj, const std::string& name) {
  htri_t e = H5Aexists(obj, name.c_str());
  check(e, "H5Aexists", name);
  return e > 0;
}

std::vector<double> read_attribute_doubles(hid_t obj, const std::string& name) {
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening attribute", name));
  Handle space(check(H5Aget_space(attr), "H5Aget_space", name));
  hssize_t n = H5Sget_simple_extent_npoints(space);
  check(n, "H5Sget_simple_extent_npoints", name);
  Handle type(check(H5Aget_type(attr), "H5Aget_type", name));
  H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    throw InputError("attribute '" + name + "' of " + object_in_file(obj) + " is not numeric");
  std::vector<double> values(static_cast<std::size_t>(n));
  check(H5Aread(attr, H5T_NATIVE_DOUBLE, values.data()), "reading attribute", name);
  return values;
}

std::string read_attribute_string(hid_t obj, const std::string& name) {
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening attribute", name));
  Handle type(check(H5Aget_type(attr), "H5Aget_type", name));
  if (H5Tget_class(type) != H5T_STRING)
    throw InputError("attribute '" + name + "' of " + object_in_file(obj) + " is not a string");
  if (H5Tis_variable_str(type) > 0) {
    char* value = nullptr;
    Handle mem(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
    check(H5Tset_size(mem, H5T_VARIABLE), "H5Tset_size");
    check(H5Aread(attr, mem, &value), "reading attribute", name);
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  std::size_t size = H5Tget_size(type);
  std::string out(size, '\0');
  check(H5Aread(attr, type, out.data()), "reading attribute", name);
  out.erase(std::find(out.begin(), out.end(), '\0'), out.end());
  return out;
}

namespace {
void replace_attribute(hid_t obj, const std::string& name) {
  if (has_attribute(obj, name)) check(H5Adelete(obj, name.c_str()), "H5Adelete", name);
}
}  // namespace

void require_attribute_fits(const std::string& what, const std::string& text) {
  if (text.size() > kMaxAttributeText)
    throw InputError(what + " is " + std::to_string(text.size()) + " bytes, more than the " +
                     std::to_string(kMaxAttributeText) + " an HDF5 attribute of the output can hold; shorten it " +
                     "(fewer --positions, shorter option values)");
}

void write_attribute(hid_t obj, const std::string& name, const std::string& value) {
  require_attribute_fits("attribute '" + name + "'", value);
  replace_attribute(obj, name);
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy"));
  check(H5Tset_size(type, std::max<std::size_t>(1, value.size())), "H5Tset_size", name);
  check(H5Tset_strpad(type, H5T_STR_NULLPAD), "H5Tset_strpad", name);
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
  Handle attr(check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "creating attribute", name));
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  check(H5Awrite(attr, type, padded.data()), "writing attribute", name);
}

void write_attribute(hid_t obj, const std::string& name, const std::vector<double>& values) {
  replace_attribute(obj, name);
  hsize_t n = values.size();
  Handle space(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
  Handle attr(check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                    "creating attribute", name));
  check(H5Awrite(attr, H5T_NATIVE_DOUBLE, values.data()), "writing attribute", name);
}

void write_attribute(hid_t obj, const std::string& name, double value) {
  replace_attribute(obj, name);
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
  Handle attr(check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                    "creating attribute", name));
  check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "writing attribute", name);
}

void write_attribute(hid_t obj, const std::string& name, std::int64_t value) {
  replace_attribute(obj, name);
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate"));
  Handle attr(check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                    "creating attribute", name));
  check(H5Awrite(attr, H5T_NATIVE_INT64, &value), "writing attribute", name);
}

void ensure_group(hid_t file, const std::string& path) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    std::size_t next = path.find('/', pos + 1);
    std::string partial = path.substr(0, next);
    if (!partial.empty() && partial != "/" && H5Lexists(file, partial.c_str(), H5P_DEFAULT) <= 0) {
      Handle g(check(H5Gcreate2(file, partial.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "creating group",
                     partial));
    }
    pos = next;
  }
}

namespace {
Handle create_dataset_with(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& shape,
                           const std::vector<hsize_t>& chunk, hid_t fill_type, const void* fill) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) ensure_group(file, path.substr(0, slash));
  Handle space(check(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), "H5Screate_simple",
                     path));
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate(dataset create)"));
  if (!chunk.empty()) check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk", path);
  if (fill) {
    // Written over the whole dataset when it is allocated (at creation: parallel HDF5
    // allocates early), so that an element never written reads as `fill`.
    check(H5Pset_fill_value(dcpl, fill_type, fill), "H5Pset_fill_value", path);
    check(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", path);
    check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "H5Pset_fill_time", path);
  } else {
    // Parallel HDF5 needs the whole dataset allocated at creation; fill with zeros is
    // not needed because every element is written.
    check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", path);
  }
  return Handle(check(H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "creating dataset",
                      path));
}
}  // namespace

Handle create_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& shape,
                      const std::vector<hsize_t>& chunk) {
  return create_dataset_with(file, path, type, shape, chunk, H5I_INVALID_HID, nullptr);
}

Handle create_filled_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& shape,
                             hid_t fill_type, const void* fill) {
  return create_dataset_with(file, path, type, shape, {}, fill_type, fill);
}

namespace {
struct Selection {
  Handle file_space;
  Handle mem_space;
};

Selection select(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count) {
  Selection s;
  s.file_space = Handle(check(H5Dget_space(dataset), "H5Dget_space", object_name(dataset)));
  const hsize_t total = std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  if (total == 0) {
    check(H5Sselect_none(s.file_space), "H5Sselect_none");
    s.mem_space = Handle(check(H5Scopy(s.file_space), "H5Scopy"));
    check(H5Sselect_none(s.mem_space), "H5Sselect_none");
    return s;
  }
  check(H5Sselect_hyperslab(s.file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab", object_name(dataset));
  hsize_t n = total;
  s.mem_space = Handle(check(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"));
  return s;
}
}  // namespace

namespace {
std::size_t g_writes_not_collective = 0;
}  // namespace

std::size_t writes_not_collective() { return g_writes_not_collective; }

void write_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* buffer, bool collective) {
  Selection s = select(dataset, start, count);
  Handle dxpl = transfer_plist(collective);
  if (H5Dwrite(dataset, mem_type, s.mem_space, s.file_space, dxpl, buffer) < 0)
    fail_on("writing dataset", dataset);
  if (collective) {
    uint32_t local = 0, global = 0;
    check(H5Pget_mpio_no_collective_cause(dxpl, &local, &global), "H5Pget_mpio_no_collective_cause");
    if (local != H5D_MPIO_COLLECTIVE || global != H5D_MPIO_COLLECTIVE) ++g_writes_not_collective;
  }
}

Handle write_small_dataset(hid_t file, const std::string& path, hid_t file_type, hid_t mem_type,
                           const std::vector<hsize_t>& shape, const void* data, bool writer) {
  Handle ds = create_dataset(file, path, file_type, shape);
  const std::vector<hsize_t> start(shape.size(), 0);
  write_hyperslab(ds, mem_type, start, writer ? shape : std::vector<hsize_t>(shape.size(), 0), data, true);
  return ds;
}

void read_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                    const std::vector<hsize_t>& count, void* buffer, bool collective) {
  Selection s = select(dataset, start, count);
  Handle dxpl = transfer_plist(collective);
  if (H5Dread(dataset, mem_type, s.mem_space, s.file_space, dxpl, buffer) < 0) fail_on("reading dataset", dataset);
}

std::string object_name(hid_t obj) {
  ssize_t n = H5Iget_name(obj, nullptr, 0);
  if (n <= 0) {
    ssize_t f = H5Fget_name(obj, nullptr, 0);
    if (f <= 0) return "<unnamed>";
    std::string name(static_cast<std::size_t>(f), '\0');
    H5Fget_name(obj, name.data(), static_cast<std::size_t>(f) + 1);
    return name;
  }
  std::string name(static_cast<std::size_t>(n), '\0');
  H5Iget_name(obj, name.data(), static_cast<std::size_t>(n) + 1);
  return name;
}

std::string file_name(hid_t obj) {
  const ssize_t n = H5Fget_name(obj, nullptr, 0);
  if (n <= 0) return {};
  std::string name(std::size_t(n) + 1, '\0');
  H5Fget_name(obj, name.data(), name.size());
  name.resize(std::size_t(n));
  return name;
}

std::string object_in_file(hid_t obj) {
  const std::string file = file_name(obj);
  return "'" + object_name(obj) + "'" + (file.empty() ? "" : " in " + file);
}

}  // namespace ecm::h5
