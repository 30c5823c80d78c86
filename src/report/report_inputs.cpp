#include "ecm/report/report_inputs.hpp"

#include <cmath>

#include "ecm/analysis/domain_size.hpp"
#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/result_layout.hpp"

namespace ecm::report {

TtcfSummary read_ttcf(const std::string& path, MPI_Comm comm) {
  io::require_regular_file(path);
  if (!h5::is_hdf5_file(path)) throw InputError("'" + path + "' is not an HDF5 file");
  h5::Handle file = h5::open_file_parallel(path, comm);
  for (const char* name : {"/ttcf/G_mean", "/ttcf/elapsed_s", "/ttcf/band_width_s"})
    if (!h5::link_exists(file, name))
      throw InputError("'" + path + "' is not an ecm ttcf output (no " + std::string(name) + ")");
  TtcfSummary t;
  t.path = path;
  h5::Handle g = h5::open_dataset(file, "/ttcf/G_mean");
  const auto shape = h5::dataset_shape(g);
  if (shape.size() != 2 || shape[0] != shape[1] || shape[0] == 0)
    throw InputError("/ttcf/G_mean in '" + path + "' is not a square matrix");
  t.n_t = shape[0];
  t.g_mean = h5::read_dataset<double>(file, "/ttcf/G_mean");
  // Lists side by side: both 1-D and of one length (issue 14).
  const std::size_t windows = io::table_rows(file, "/ttcf/elapsed_s", 0, path, 0);
  if (io::table_rows(file, "/ttcf/band_width_s", 0, path, 0) != windows)
    throw InputError("/ttcf/elapsed_s and /ttcf/band_width_s in '" + path + "' differ in length");
  t.elapsed_s = h5::read_dataset<double>(file, "/ttcf/elapsed_s");
  t.band_width_s = h5::read_dataset<double>(file, "/ttcf/band_width_s");
  if (t.elapsed_s.size() != t.band_width_s.size())
    throw InputError("/ttcf/elapsed_s and /ttcf/band_width_s in '" + path + "' differ in length");
  h5::Handle group(h5::check(H5Gopen2(file, "/ttcf", H5P_DEFAULT), "opening group", "/ttcf"));
  if (!h5::has_attribute(group, "time_step_s")) throw InputError("/ttcf in '" + path + "' has no time_step_s");
  t.time_step_s = h5::read_attribute_doubles(group, "time_step_s").at(0);
  if (h5::has_attribute(group, "verdict")) t.verdict = h5::read_attribute_string(group, "verdict");
  return t;
}

GatheredInputs gather_inputs(const std::string& result, const std::string& ttcf, double scan_step_nm, MPI_Comm comm) {
  GatheredInputs g;
  io::ReadOptions read;
  read.tau_err = true;
  g.cube = io::read_result_cube(result, comm, read);
  // Nothing to draw without a valid fit: say so before anything is created (the figures'
  // colour and axis ranges would be NaN, which gnuplot refuses half way through).
  std::size_t valid = 0;
  for (std::size_t i = 0; i < g.cube.tau.size(); ++i) valid += std::isfinite(g.cube.tau[i]) && g.cube.fit_status[i] == 0;
  if (valid == 0)
    throw InputError("'" + result + "' holds no valid tau fit (0 of " + std::to_string(g.cube.tau.size()) +
                     " (r, k_r, k_phi) pixels): nothing to report");
  if (scan_step_nm > 0) g.cube.scan_step_nm = scan_step_nm;
  const auto sizes = analysis::domain_sizes(g.cube, analysis::DomainSizeOptions{}, comm);
  g.stats = analysis::ensemble_stats(g.cube, analysis::StatsOptions{}, &sizes);
  std::vector<double> ensemble;
  for (const auto& k : g.stats.kr) ensemble.push_back(k.ensemble_tau_s);
  const auto scaling = analysis::xi_tau_scaling(sizes, ensemble, g.stats.peak_kr);
  bool any = false;
  for (const auto& k : sizes.kr) any = any || k.maps > 0;
  if (any) {
    g.domain = std::make_unique<DomainSummary>();
    for (const auto& k : sizes.kr) {
      g.domain->xi_px.push_back(k.xi_px);
      g.domain->xi_std_px.push_back(k.xi_std_px);
    }
    g.domain->scan_step_nm = sizes.scan_step_nm;
    g.domain->z_low = scaling.below.exponent;
    g.domain->z_low_err = scaling.below.exponent_err;
    g.domain->a_low = scaling.below.prefactor;
    g.domain->z_high = scaling.above.exponent;
    g.domain->z_high_err = scaling.above.exponent_err;
    g.domain->a_high = scaling.above.prefactor;
  }
  if (!ttcf.empty()) g.ttcf = std::make_unique<TtcfSummary>(read_ttcf(ttcf, comm));
  {
    h5::Handle file = h5::open_file_parallel(result, comm);
    if (h5::link_exists(file, "/design")) {
      h5::Handle d(h5::check(H5Gopen2(file, "/design", H5P_DEFAULT), "opening group", "/design"));
      if (h5::has_attribute(d, "verdict")) g.design_verdict = h5::read_attribute_string(d, "verdict");
    }
  }
  return g;
}

}  // namespace ecm::report
