#include "ecm/engine/ttcf_output.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/space_reservation.hpp"
#include "ecm/version.hpp"

namespace ecm::engine {

std::string utc_time_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

namespace {

// A dataset written by rank 0 (the others take part with an empty selection). One with no
// elements (no selected positions) is only created: HDF5 refuses a write to it.
h5::Handle small_dataset(hid_t file, const std::string& path, hid_t file_type, hid_t mem_type,
                         const std::vector<hsize_t>& dims, const void* data, bool writer) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  if (n == 0) return h5::create_dataset(file, path, file_type, dims);
  return h5::write_small_dataset(file, path, file_type, mem_type, dims, data, writer);
}

void write_doubles(hid_t file, const std::string& path, const std::vector<hsize_t>& dims, const double* data,
                   bool writer, const std::string& units, const std::string& meaning) {
  h5::Handle ds = small_dataset(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, data, writer);
  h5::write_attribute(ds, "units", units);
  h5::write_attribute(ds, "meaning", meaning);
}

// The /ttcf group's and the file's attributes (collective metadata calls).
void write_attributes(hid_t file, const RunConfig& config, const AnalysisSetup& setup, const TtcfSummary& s,
                      const std::string& start_time, MPI_Comm comm);

}  // namespace

void write_ttcf_file(const RunConfig& config, const AnalysisSetup& setup, const TtcfSummary& s,
                     const TtcfMatrices& m, const std::string& start_time, MPI_Comm comm) {
  const std::string partial = config.output_path + ".partial";
  const bool writer = mpi::rank(comm) == 0;
  const hsize_t T = s.n_t, n_sel = s.selected.size(), n_w = s.band.elapsed_s.size();
  partial_outputs::add(partial);  // every rank: whichever survives a failure removes it
  // Each collective step is followed by the ranks' agreement: one whose call failed stops
  // all of them there, and they unwind (closing the file) together.
  const auto step = [&](auto&& call) { mpi::run_then_agree(comm, call); };
  {
    const double matrices = double(1 + n_sel) * double(T) * double(T) * 8.0;
    const double tables = double(n_w) * (3.0 + double(s.band.n_lags)) * 8.0 + double(n_sel) * 17.0;
    const double text = double(config.controls.command_line.size() + config.configuration.size() + config.input_path.size());
    h5::Handle file = h5::create_file_parallel(partial, comm, io::expected_hdf5_bytes(matrices + tables, text, 10));
    step([&] {
      h5::ensure_group(file, "/ttcf");
      write_doubles(file, "/ttcf/G_mean", {T, T}, m.g_mean, writer, "1",
                    "G(t1, t2) = <I(t1,k) I(t2,k)>_k / (<I(t1,k)>_k <I(t2,k)>_k) over the ring bins k, each bin's "
                    "series first divided by its time mean; mean over the positions averaged; index = binned cycle");
    });
    std::vector<std::int64_t> yx;
    for (const auto& p : s.selected) yx.push_back(std::int64_t(p[0])), yx.push_back(std::int64_t(p[1]));
    step([&] {
      h5::Handle ds = small_dataset(file, "/ttcf/positions_yx", H5T_STD_I64LE, H5T_NATIVE_INT64, {n_sel, 2},
                                              yx.data(), writer);
      h5::write_attribute(ds, "units", std::string("scan position indices (y, x)"));
    });
    step([&] {
      h5::Handle ds = small_dataset(file, "/ttcf/positions_status", H5T_STD_U8LE, H5T_NATIVE_UINT8, {n_sel},
                                              s.selected_status.data(), writer);
      h5::write_attribute(ds, "meaning", std::string("0 used, 1 ring mean 0 at some cycle (G is NaN), 2 taken off "
                                                     "the scan by the drift (G is NaN)"));
    });
    {
      h5::Handle ds;
      step([&] { ds = h5::create_dataset(file, "/ttcf/G_positions", H5T_IEEE_F64LE, {n_sel, T, T}); });
      // One collective write per position, every rank taking part.
      for (hsize_t i = 0; i < n_sel; ++i)
        step([&] {
          h5::write_hyperslab(ds, H5T_NATIVE_DOUBLE, {i, 0, 0}, writer ? std::vector<hsize_t>{1, T, T}
                                                                       : std::vector<hsize_t>{0, 0, 0},
                              m.g_positions.at(i), true);
        });
      step([&] {
        h5::write_attribute(ds, "units", std::string("1"));
        h5::write_attribute(ds, "meaning", std::string("G_r(t1, t2) of each position of /ttcf/positions_yx"));
      });
    }
    step([&] {
      write_doubles(file, "/ttcf/elapsed_s", {n_w}, s.band.elapsed_s.data(), writer, "s",
                    "centre of each elapsed-time window (mid-points (t1 + t2)/2 in it), from the first cycle");
    });
    step([&] {
      write_doubles(file, "/ttcf/band_width_s", {n_w}, s.band.width_s.data(), writer, "s",
                    "lag at which G - 1, averaged over the window, falls to 1/e^2 of its diagonal value; NaN where "
                    "not measurable");
    });
    step([&] {
      write_doubles(file, "/ttcf/band_diagonal", {n_w}, s.band.diagonal.data(), writer, "1",
                    "G - 1 on the diagonal per window, a straight line through the lags diagonal_lags extrapolated "
                    "to lag 0 (the exact diagonal holds the shot-noise term)");
    });
    step([&] {
      write_doubles(file, "/ttcf/band_profile", {n_w, s.band.n_lags}, s.band.profile.data(), writer, "1",
                    "(window, lag in binned cycles): mean G - 1 over the pairs with their mid-point in the window; "
                    "NaN where there is none");
    });

    step([&] { write_attributes(file, config, setup, s, start_time, comm); });
    step([&] { h5::check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing", partial); });
  }
  std::exception_ptr err;
  if (writer) {
    io::release_unused_space(partial);
    if (std::rename(partial.c_str(), config.output_path.c_str()) != 0)
      err = std::make_exception_ptr(Error("cannot rename '" + partial + "' to '" + config.output_path + "'"));
  }
  mpi::agree_or_throw(comm, err);
  partial_outputs::forget(partial);
}

namespace {

void write_attributes(hid_t file, const RunConfig& config, const AnalysisSetup& setup, const TtcfSummary& s,
                      const std::string& start_time, MPI_Comm comm) {
  h5::Handle g(h5::check(H5Gopen2(file, "/ttcf", H5P_DEFAULT), "opening group", "/ttcf"));
  h5::write_attribute(g, "time_step_s", s.time_step_s);
  h5::write_attribute(g, "n_t", std::int64_t(s.n_t));
  h5::write_attribute(g, "ring_bins", std::int64_t(s.n_bins));
  h5::write_attribute(g, "kr_range_inv_angstrom", std::vector<double>{config.grid.k_min, config.grid.k_max});
  h5::write_attribute(g, "n_kr", std::int64_t(config.grid.n_kr));
  h5::write_attribute(g, "n_kphi", std::int64_t(config.grid.n_kphi));
  h5::write_attribute(g, "positions_total", std::int64_t(s.positions_total));
  h5::write_attribute(g, "positions_averaged", std::int64_t(s.positions_averaged));
  h5::write_attribute(g, "positions_no_counts", std::int64_t(s.positions_no_counts));
  h5::write_attribute(g, "positions_out_of_field", std::int64_t(s.positions_out_of_field));
  h5::write_attribute(g, "window_cycles", std::int64_t(s.band.window));
  h5::write_attribute(g, "window_s", double(s.band.window) * s.time_step_s);
  h5::write_attribute(g, "aging_slope", s.aging.slope);
  h5::write_attribute(g, "aging_slope_err", s.aging.slope_err);
  h5::write_attribute(g, "aging_relative_change", s.aging.relative_change);
  h5::write_attribute(g, "aging_windows", std::int64_t(s.aging.n_windows));
  h5::write_attribute(g, "aging_detected", std::int64_t(s.aging.detected ? 1 : 0));
  h5::write_attribute(g, "verdict", s.aging.verdict);
  h5::write_attribute(g, "units", std::string("time_step_s, window_s: s; aging_slope(_err): s of band width per s "
                                              "of elapsed time; aging_relative_change: fraction over the run"));

  h5::write_attribute(file, "program", std::string("ecm ttcf"));
  h5::write_attribute(file, "program_version", std::string(kVersion));
  h5::write_attribute(file, "git_revision", std::string(kGitRevision));
  h5::write_attribute(file, "command_line", config.controls.command_line);
  h5::write_attribute(file, "configuration", config.configuration);
  h5::write_attribute(file, "input_file", std::filesystem::absolute(config.input_path).string());
  h5::write_attribute(file, "input_dataset", setup.input_dataset);
  h5::write_attribute(file, "mpi_ranks", double(mpi::size(comm)));
  h5::write_attribute(file, "kokkos_backend", kokkos_backend_name());
  h5::write_attribute(file, "start_time", start_time);
  h5::write_attribute(file, "end_time", utc_time_now());
  h5::write_attribute(file, "beam_center_source", setup.calibration.beam_center_source);
  h5::write_attribute(file, "cycles_analysed", double(setup.n_t_used));
}

}  // namespace

}  // namespace ecm::engine
