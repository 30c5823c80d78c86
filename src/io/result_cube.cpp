#include "ecm/io/result_cube.hpp"

#include <cmath>
#include <limits>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/result_layout.hpp"

namespace ecm::io {

namespace {

double attribute_or(hid_t file, const std::string& name, double fallback) {
  if (!h5::has_attribute(file, name)) return fallback;
  const auto v = h5::read_attribute_doubles(file, name);
  return v.empty() ? fallback : v[0];
}

template <class T>
std::vector<T> read_whole(hid_t file, const std::string& path, const std::vector<hsize_t>& shape) {
  h5::Handle ds = h5::open_dataset(file, path);
  const auto dims = h5::dataset_shape(ds);
  if (dims != shape) throw InputError(path + " does not have the shape of /tau");
  std::size_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<T> values(n);
  h5::read_hyperslab(ds, h5::native_type_of<T>(), std::vector<hsize_t>(dims.size(), 0), dims, values.data(), true);
  return values;
}

}  // namespace

std::vector<double> ResultCube::tau_map(std::size_t ir, std::size_t ip) const {
  std::vector<double> m(positions());
  for (std::size_t p = 0; p < positions(); ++p) m[p] = double(tau[p * bins() + ir * n_kphi + ip]);
  return m;
}

double ResultCube::kphi_bin_width() const { return n_kphi ? 2.0 * M_PI / double(n_kphi) : 0.0; }

double ResultCube::kr_bin_width() const {
  if (k_r.size() >= 2) return (k_r.back() - k_r.front()) / double(k_r.size() - 1);
  return 0.0;  // one radial bin: its width is not recorded; callers fall back to the area
}

double ResultCube::bin_area(std::size_t ir, std::size_t ip) const {
  if (!bin_area_px.empty()) return bin_area_px[ir * n_kphi + ip];
  // Annular sector: k_r dphi dk_r, in detector pixels.
  return k_r[ir] * kphi_bin_width() * kr_bin_width() / (k_pixel_size * k_pixel_size);
}

ResultCube read_result_cube(const std::string& path, MPI_Comm comm, const ReadOptions& options) {
  require_regular_file(path);
  if (!h5::is_hdf5_file(path)) throw InputError("'" + path + "' is not an HDF5 file");
  h5::Handle file = h5::open_file_parallel(path, comm);
  for (const char* name : {"/tau", "/fit_status", "/axes/k_r", "/axes/k_phi"})
    if (!h5::link_exists(file, name))
      throw InputError("'" + path + "' is not an ecm run result (no " + std::string(name) + ")");
  ResultCube c;
  c.path = path;
  // Every per-pixel dataset of /tau's shape, checked before anything is read (issue 14).
  const std::vector<hsize_t> shape = result_hypercube_shape(file, path);
  c.scan_y = shape[0];
  c.scan_x = shape[1];
  c.n_kr = shape[2];
  c.n_kphi = shape[3];
  c.tau = read_whole<float>(file, "/tau", shape);
  c.fit_status = read_whole<std::uint8_t>(file, "/fit_status", shape);
  if (options.mean_intensity) c.mean_intensity = read_whole<float>(file, "/mean_intensity", shape);
  if (options.tau_err) c.tau_err = read_whole<float>(file, "/tau_err", shape);
  if (table_rows(file, "/axes/k_r", 0, path) != c.n_kr || table_rows(file, "/axes/k_phi", 0, path) != c.n_kphi)
    throw InputError("/axes/k_r or /axes/k_phi in '" + path + "' does not match /tau");
  c.k_r = h5::read_dataset<double>(file, "/axes/k_r");
  c.k_phi = h5::read_dataset<double>(file, "/axes/k_phi");
  // A NaN axis value reached gnuplot in ecm report, and stats wrote NaN bin widths.
  for (const auto& [axis, name] : {std::pair{&c.k_r, "/axes/k_r"}, std::pair{&c.k_phi, "/axes/k_phi"}})
    for (const double v : *axis)
      if (!std::isfinite(v))
        throw InputError(std::string(name) + " in '" + path + "' holds " + std::to_string(v) + ", not a finite number");
  if (h5::link_exists(file, "/axes/lag_s")) {
    table_rows(file, "/axes/lag_s", 0, path, 0);
    c.lag_s = h5::read_dataset<double>(file, "/axes/lag_s");
  }
  if (h5::link_exists(file, "/axes/bin_area_px")) {
    c.bin_area_px = h5::read_dataset<double>(file, "/axes/bin_area_px");
    if (c.bin_area_px.size() != c.bins()) throw InputError("/axes/bin_area_px in '" + path + "' does not match /tau");
  }
  c.time_step_s = attribute_or(file, "time_step_s", 0.0);
  c.k_pixel_size = attribute_or(file, "k_pixel_size_inv_angstrom", 0.0);
  c.convergence = attribute_or(file, "convergence_inv_angstrom", 0.0);
  c.cycles = attribute_or(file, "cycles_analysed", 0.0);
  c.scan_step_nm = attribute_or(file, "scan_step_nm", 0.0);
  // Only converged fits carry values (docs/output-format.md); enforce it for older files.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t i = 0; i < c.tau.size(); ++i)
    if (c.fit_status[i] != 0 || !std::isfinite(c.tau[i]) || !(c.tau[i] > 0)) c.tau[i] = nan;
  return c;
}

// ---------------------------------------------------------------------------------------

struct ProductGroup::Impl {
  std::string path, group, partial;
  MPI_Comm comm;
  h5::Handle file;
  bool writer = false;
};

namespace {
void delete_link_if_present(hid_t file, const std::string& name) {
  if (h5::link_exists(file, name)) h5::check(H5Ldelete(file, name.c_str(), H5P_DEFAULT), "deleting", name);
}
}  // namespace

ProductGroup::ProductGroup(const std::string& path, const std::string& group, MPI_Comm comm) : impl_(new Impl) {
  impl_->path = path;
  impl_->group = group;
  impl_->partial = group + ".partial";
  impl_->comm = comm;
  impl_->writer = mpi::rank(comm) == 0;
  try {
    impl_->file = h5::open_file_parallel(path, comm, true);
    // A group left by an interrupted earlier attempt is dropped (metadata ops are collective).
    mpi::run_then_agree(comm, [&] {
      delete_link_if_present(impl_->file, impl_->partial);
      h5::ensure_group(impl_->file, impl_->partial);
    });
  } catch (...) {
    delete impl_;
    throw;
  }
}

ProductGroup::~ProductGroup() {
  if (impl_ && impl_->file.valid()) {
    // Not committed (an exception is on its way): leave the earlier product as it was.
    if (h5::link_exists(impl_->file, impl_->partial)) H5Ldelete(impl_->file, impl_->partial.c_str(), H5P_DEFAULT);
  }
  delete impl_;
}

void ProductGroup::write(const std::string& name, const std::vector<double>& values,
                         const std::vector<std::size_t>& shape,
                         const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n != values.size() || n == 0) throw Error("internal: table " + name + " has the wrong number of values");
  // Collective, then agreed: a rank whose write failed stops every rank here (issue 14).
  mpi::run_then_agree(impl_->comm, [&] {
    h5::Handle ds = h5::write_small_dataset(impl_->file, impl_->partial + "/" + name, H5T_IEEE_F64LE,
                                            H5T_NATIVE_DOUBLE, dims, values.data(), impl_->writer);
    for (const auto& [key, value] : attributes) h5::write_attribute(ds, key, value);
  });
}

void ProductGroup::write(const std::string& name, const std::vector<std::uint8_t>& values,
                         const std::vector<std::size_t>& shape,
                         const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n != values.size() || n == 0) throw Error("internal: dataset " + name + " has the wrong number of values");
  mpi::run_then_agree(impl_->comm, [&] {
    h5::Handle ds = h5::write_small_dataset(impl_->file, impl_->partial + "/" + name, H5T_STD_U8LE,
                                            H5T_NATIVE_UINT8, dims, values.data(), impl_->writer);
    for (const auto& [key, value] : attributes) h5::write_attribute(ds, key, value);
  });
}

void ProductGroup::attribute(const std::string& name, const std::string& value) {
  mpi::run_then_agree(impl_->comm, [&] {
    h5::Handle g(
        h5::check(H5Gopen2(impl_->file, impl_->partial.c_str(), H5P_DEFAULT), "opening group", impl_->partial));
    h5::write_attribute(g, name, value);
  });
}

void ProductGroup::attribute(const std::string& name, double value) {
  mpi::run_then_agree(impl_->comm, [&] {
    h5::Handle g(
        h5::check(H5Gopen2(impl_->file, impl_->partial.c_str(), H5P_DEFAULT), "opening group", impl_->partial));
    h5::write_attribute(g, name, value);
  });
}

void ProductGroup::commit() {
  mpi::run_then_agree(impl_->comm, [&] {
    delete_link_if_present(impl_->file, impl_->group);
    h5::check(H5Lmove(impl_->file, impl_->partial.c_str(), impl_->file, impl_->group.c_str(), H5P_DEFAULT,
                      H5P_DEFAULT),
              "renaming", impl_->partial);
    h5::check(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), "flushing", impl_->path);
    impl_->file.close();
  });
}

}  // namespace ecm::io
