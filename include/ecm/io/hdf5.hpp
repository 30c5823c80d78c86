#pragma once
// Checked, RAII wrappers around the HDF5 C API. Every call goes through check(),
// which throws Hdf5Error naming the call and the object; HDF5's own stderr
// printing is silenced so that the user sees one line, not an error stack.
#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"

namespace ecm::h5 {

// Turns off HDF5's automatic error-stack printing for the whole process.
void silence_hdf5_errors();

// Throw Hdf5Error("<what> '<object>' failed: <why>") when an HDF5 call returned a negative
// value; <why> is failure_detail(), left out when empty.
hid_t check(hid_t id, const std::string& what, const std::string& object = {});

// Throws Hdf5Error("<what> '<object>' of '<file>' failed: <why>") for a call on `object`
// that just failed.
[[noreturn]] void fail_on(const std::string& what, hid_t object);

// Why the HDF5 call that just failed failed: the system's reason when one is known (errno
// text from the MPI-IO error handler, core/io_watchdog.hpp, or from HDF5's POSIX driver),
// else the innermost message of HDF5's error stack, shortened; "" when there is none.
std::string failure_detail();

// A move-only owner of an hid_t, closed with the right H5?close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle() { close(); }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles are passed straight to the C API
  bool valid() const { return id_ >= 0; }
  void close() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// File access property list for MPI-IO on `comm` with collective metadata operations.
Handle mpio_file_access(MPI_Comm comm);
// Transfer property list for collective (true) or independent raw-data I/O.
Handle transfer_plist(bool collective);

// Open an existing file for reading on all ranks of comm (parallel).
Handle open_file_parallel(const std::string& path, MPI_Comm comm, bool writable = false);
// Open an existing file read-only on one process (serial driver).
Handle open_file_serial(const std::string& path, bool writable = false);
// Create (truncate) a file collectively on all ranks of comm. With `expected_bytes`, the
// space is checked before and reserved right after (io/space_reservation.hpp): a disk too
// small refuses the command now, not in a collective write that cannot recover.
Handle create_file_parallel(const std::string& path, MPI_Comm comm, double expected_bytes = 0);

bool is_hdf5_file(const std::string& path);
bool link_exists(hid_t loc, const std::string& path);

Handle open_dataset(hid_t file, const std::string& path);
std::vector<hsize_t> dataset_shape(hid_t dataset);
std::optional<std::vector<hsize_t>> dataset_chunk(hid_t dataset);

// Element type of a dataset in the terms ecm accepts.
enum class DType { u8, u16, u32, f32, f64, other };
DType dataset_dtype(hid_t dataset);
std::string dtype_name(DType t);
hid_t native_type(DType t);

// Attributes (on any object). Numeric attributes are read as doubles of any stored type.
bool has_attribute(hid_t obj, const std::string& name);
std::vector<double> read_attribute_doubles(hid_t obj, const std::string& name);
std::string read_attribute_string(hid_t obj, const std::string& name);
void write_attribute(hid_t obj, const std::string& name, const std::string& value);
void write_attribute(hid_t obj, const std::string& name, double value);
void write_attribute(hid_t obj, const std::string& name, const std::vector<double>& values);
void write_attribute(hid_t obj, const std::string& name, std::int64_t value);

// The longest string an attribute can hold: HDF5 keeps attributes in object-header
// messages of at most 64 KiB (65495 bytes of text measured with HDF5 1.10, less the name).
constexpr std::size_t kMaxAttributeText = 65000;
// Throws InputError naming `what` when `text` is longer than kMaxAttributeText.
void require_attribute_fits(const std::string& what, const std::string& text);

// Create groups along a path as needed ("/a/b" creates a and b).
void ensure_group(hid_t file, const std::string& path);

// Create a dataset of `type` and `shape`, optionally chunked.
Handle create_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& shape,
                      const std::vector<hsize_t>& chunk = {});
// A dataset whose elements read as `fill` (one value of memory type `fill_type`) until they
// are written: the fill is written over the whole dataset at creation (collective).
Handle create_filled_dataset(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& shape,
                             hid_t fill_type, const void* fill);

// Write/read a hyperslab [start, start+count) of `dataset` from/to a contiguous buffer.
// count with any zero selects nothing: such a rank still takes part in a collective call.
void write_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* buffer, bool collective);
// Creates a small dataset of `shape` collectively and fills it from `data` on the rank where
// `writer` is true (the others take part with an empty selection). Returns it for attributes.
Handle write_small_dataset(hid_t file, const std::string& path, hid_t file_type, hid_t mem_type,
                           const std::vector<hsize_t>& shape, const void* data, bool writer);

// Collective writes that HDF5 carried out independently (H5Pget_mpio_no_collective_cause),
// counted over the process's lifetime: parallel performance depends on this staying 0.
std::size_t writes_not_collective();

void read_hyperslab(hid_t dataset, hid_t mem_type, const std::vector<hsize_t>& start,
                    const std::vector<hsize_t>& count, void* buffer, bool collective);

// The HDF5 memory type of T (float, double, uint8).
template <class T> hid_t native_type_of();
template <> inline hid_t native_type_of<float>() { return H5T_NATIVE_FLOAT; }
template <> inline hid_t native_type_of<double>() { return H5T_NATIVE_DOUBLE; }
template <> inline hid_t native_type_of<std::uint8_t>() { return H5T_NATIVE_UINT8; }

// A whole (small) dataset read into memory on the calling process, converted to T.
template <class T>
std::vector<T> read_dataset(hid_t file, const std::string& path) {
  Handle ds = open_dataset(file, path);
  std::size_t n = 1;
  for (auto d : dataset_shape(ds)) n *= d;
  std::vector<T> values(n);
  // fail_on names the file too (a result's /axes/lag_s of strings failed without it).
  if (H5Dread(ds, native_type_of<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) fail_on("reading dataset", ds);
  return values;
}

// Name of an object, for error messages.
std::string object_name(hid_t obj);
// The name of the file holding obj, as HDF5 opened it (for an object behind an ExternalLink,
// the linked file); empty when unknown.
std::string file_name(hid_t obj);
// "'/frames' in d.h5": an object and its file, for messages that must name the file.
std::string object_in_file(hid_t obj);

}  // namespace ecm::h5
