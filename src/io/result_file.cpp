#include "ecm/io/result_file.hpp"

#include <cstdio>
#include <iterator>

#include "ecm/core/checksum.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/io/space_reservation.hpp"

namespace ecm::io {

namespace {
// Float outputs in the order TileResults holds them; units go into each dataset's attributes.
struct FloatOutput {
  const char* name;
  const char* units;
  std::vector<float> TileResults::*member;
};
const FloatOutput kFloatOutputs[] = {
    {"/tau", "s", &TileResults::tau},
    {"/tau_err", "s", &TileResults::tau_err},
    {"/beta", "1", &TileResults::beta},
    {"/beta_err", "1", &TileResults::beta_err},
    {"/contrast", "1", &TileResults::contrast},
    {"/contrast_err", "1", &TileResults::contrast_err},
    {"/baseline", "1", &TileResults::baseline},
    {"/chi2_red", "1", &TileResults::chi2_red},
    {"/mean_intensity", "counts per frame per bin", &TileResults::mean_intensity},
};
}  // namespace

double expected_result_bytes(const ResultShape& s) {
  const double cells = double(s.scan_y) * double(s.scan_x) * double(s.n_kr) * double(s.n_kphi);
  const double per_cell = double(std::size(kFloatOutputs)) * 4.0 + 1.0 + (s.save_g2 ? 4.0 * double(s.n_lags) : 0.0);
  // /registration holds a few values per scan cycle; /axes, /registration and /timing ~24 tables.
  const double tables = 64.0 * double(s.n_t) + 8.0 * double(s.n_lags + std::size_t(s.n_kr + s.n_kphi));
  return expected_hdf5_bytes(cells * per_cell + tables, double(s.text_bytes), 24);
}

template <class F>
void ResultFile::collective(F&& call) {
  mpi::run_then_agree(comm_, std::forward<F>(call));
}

ResultFile::ResultFile(const std::string& final_path, const ResultShape& shape, MPI_Comm comm, bool resume)
    : final_path_(final_path), partial_path_(final_path + ".partial"), shape_(shape), comm_(comm) {
  const std::vector<hsize_t> dims{shape.scan_y, shape.scan_x, hsize_t(shape.n_kr), hsize_t(shape.n_kphi)};
  auto g2_dims = dims;
  g2_dims.push_back(shape.n_lags);
  if (resume) {
    // A previous run's partial output: its tiles recorded in the ledger are kept as they are.
    file_ = h5::open_file_parallel(partial_path_, comm, true);
    reserve_space(partial_path_, expected_result_bytes(shape), comm);
    const auto open_checked = [&](const std::string& name, const std::vector<hsize_t>& expected) {
      h5::Handle ds = h5::open_dataset(file_, name);
      if (h5::dataset_shape(ds) != expected)
        throw InputError("cannot resume: '" + partial_path_ + "' holds " + name + " of another shape");
      return ds;
    };
    for (const auto& out : kFloatOutputs) datasets_.emplace_back(out.name, open_checked(out.name, dims));
    status_ = open_checked("/fit_status", dims);
    if (shape.save_g2) g2_ = open_checked("/g2", g2_dims);
    return;
  }
  partial_outputs::add(partial_path_);  // every rank: whichever survives a failure removes it
  file_ = h5::create_file_parallel(partial_path_, comm, expected_result_bytes(shape));
  collective([&] {
    for (const auto& out : kFloatOutputs) {
      h5::Handle ds = h5::create_dataset(file_, out.name, H5T_IEEE_F32LE, dims);
      h5::write_attribute(ds, "units", std::string(out.units));
      datasets_.emplace_back(out.name, std::move(ds));
    }
    // Filled with not_computed: a position whose tile was never written (a partial output, a
    // lost write) reads as such, never as a converged fit of tau = 0.
    status_ = h5::create_filled_dataset(file_, "/fit_status", H5T_STD_U8LE, dims, H5T_NATIVE_UINT8, &kNotComputed);
    h5::write_attribute(status_, "meaning",
                        std::string("0 converged, 1 max_iterations, 2 no_decay, 3 masked, 4 too_few_counts, "
                                    "5 invalid_input (NaN or Inf in the bin's series or its g2), 6 at_bound, 7 out_of_field, 8 not_computed (a partial "
                                    "output's positions not yet written); only 0 has finite fit values"));
    if (shape.save_g2) g2_ = h5::create_dataset(file_, "/g2", H5T_IEEE_F32LE, g2_dims);
  });
}

TileResults ResultFile::read_tile(const ScanTile& tile) const {
  const std::vector<hsize_t> start{tile.y0, tile.x0, 0, 0};
  const std::vector<hsize_t> count{tile.ny, tile.nx, hsize_t(shape_.n_kr), hsize_t(shape_.n_kphi)};
  const std::size_t n = tile.positions() * std::size_t(shape_.n_kr) * std::size_t(shape_.n_kphi);
  TileResults r;
  for (std::size_t i = 0; i < datasets_.size(); ++i) {
    auto& values = r.*kFloatOutputs[i].member;
    values.resize(n);
    h5::read_hyperslab(datasets_[i].second, H5T_NATIVE_FLOAT, start, count, values.data(), false);
  }
  r.fit_status.resize(n);
  h5::read_hyperslab(status_, H5T_NATIVE_UINT8, start, count, r.fit_status.data(), false);
  if (shape_.save_g2) {
    auto s = start, c = count;
    s.push_back(0);
    c.push_back(shape_.n_lags);
    r.g2.resize(n * shape_.n_lags);
    h5::read_hyperslab(g2_, H5T_NATIVE_FLOAT, s, c, r.g2.data(), false);
  }
  return r;
}

std::uint64_t results_checksum(const TileResults& r) {
  Checksum sum;
  for (const auto& out : kFloatOutputs) sum.add_vector(r.*out.member);
  sum.add_vector(r.fit_status);
  sum.add_vector(r.g2);
  return sum.value();
}

void ResultFile::flush() {
  // Every rank's part is on disk (H5Fflush ends in MPI_File_sync) before any rank goes on
  // to record the tiles as done: a failure on one rank stops them all here.
  collective([&] { h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flushing", partial_path_); });
}

void ResultFile::write_tile(const ScanTile& tile, const TileResults& r) {
  const std::vector<hsize_t> start{tile.y0, tile.x0, 0, 0};
  const std::vector<hsize_t> count{tile.ny, tile.nx, hsize_t(shape_.n_kr), hsize_t(shape_.n_kphi)};
  for (std::size_t i = 0; i < datasets_.size(); ++i)
    collective([&] {
      h5::write_hyperslab(datasets_[i].second, H5T_NATIVE_FLOAT, start, count, (r.*kFloatOutputs[i].member).data(),
                          true);
    });
  collective([&] { h5::write_hyperslab(status_, H5T_NATIVE_UINT8, start, count, r.fit_status.data(), true); });
  if (shape_.save_g2) {
    auto s = start, c = count;
    s.push_back(0);
    c.push_back(shape_.n_lags);
    collective([&] { h5::write_hyperslab(g2_, H5T_NATIVE_FLOAT, s, c, r.g2.data(), true); });
  }
}

namespace {
void write_1d(hid_t file, const std::string& path, const std::vector<double>& values, const std::string& units,
              MPI_Comm comm) {
  h5::Handle ds = h5::write_small_dataset(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {values.size()},
                                          values.data(), mpi::rank(comm) == 0);
  h5::write_attribute(ds, "units", units);
}
}  // namespace

void ResultFile::write_axes(const std::vector<double>& k_r, const std::vector<double>& k_phi,
                            const std::vector<double>& lag_s) {
  collective([&] { write_1d(file_, "/axes/k_r", k_r, "1/angstrom (bin centre)", comm_); });
  collective([&] { write_1d(file_, "/axes/k_phi", k_phi, "rad (bin centre)", comm_); });
  collective([&] { write_1d(file_, "/axes/lag_s", lag_s, "s (mean lag of each log-spaced bin)", comm_); });
}

void ResultFile::write_table(const std::string& path, const std::vector<double>& values,
                             const std::vector<std::size_t>& shape,
                             const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n != values.size() || n == 0) throw Error("internal: table " + path + " has the wrong number of values");
  collective([&] {
    h5::Handle ds = h5::write_small_dataset(file_, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, values.data(),
                                            mpi::rank(comm_) == 0);
    for (const auto& [name, value] : attributes) h5::write_attribute(ds, name, value);
  });
}

void ResultFile::write_attribute(const std::string& name, const std::string& value) {
  collective([&] { h5::write_attribute(file_, name, value); });
}
void ResultFile::write_attribute(const std::string& name, double value) {
  collective([&] { h5::write_attribute(file_, name, value); });
}
void ResultFile::write_attribute(const std::string& name, const std::vector<double>& values) {
  collective([&] { h5::write_attribute(file_, name, values); });
}

void ResultFile::commit() {
  collective([&] {
    datasets_.clear();
    status_.close();
    g2_.close();
    h5::check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flushing", partial_path_);
    file_.close();
  });
  std::exception_ptr err;
  if (mpi::rank(comm_) == 0) {
    release_unused_space(partial_path_);
    if (std::rename(partial_path_.c_str(), final_path_.c_str()) != 0)
      err = std::make_exception_ptr(Error("cannot rename '" + partial_path_ + "' to '" + final_path_ + "'"));
  }
  mpi::agree_or_throw(comm_, err);
  partial_outputs::forget(partial_path_);
}

}  // namespace ecm::io
