// The pipeline on the input variants a user brings: the 3-D frame-stream layout and a real
// detector (dark offset, gain variation, hot pixels) corrected with its references.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "e2e_fixture.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;

namespace {

simulate::SimConfig small_sim() {
  simulate::SimConfig c;  // 4x4 scan, 400 cycles (20 tau): quick, enough for comparisons
  c.scan_y = c.scan_x = 4;
  c.cycles = 400;
  c.memory_budget_mb = 64;
  return c;
}

engine::RunConfig run_config(const std::string& in, const std::string& out) {
  engine::RunConfig r;
  r.input_path = in;
  r.output_path = out;
  return r;
}

}  // namespace

TEST_CASE("a frame-stream input gives the same result as the 5-D layout", "[e2e][layout]") {
  const std::string dir = test::scratch_dir();
  auto sim = small_sim();
  simulate::run_simulation(sim, dir + "/five_d.h5", dir + "/five_d_truth.h5", MPI_COMM_WORLD);
  sim.layout = simulate::Layout::stream;
  sim.dtype = h5::DType::f32;
  simulate::run_simulation(sim, dir + "/stream.h5", dir + "/stream_truth.h5", MPI_COMM_WORLD);

  engine::run(run_config(dir + "/five_d.h5", dir + "/five_d_tau.h5"), MPI_COMM_WORLD);
  engine::run(run_config(dir + "/stream.h5", dir + "/stream_tau.h5"), MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;
  const auto a = test::read_floats(dir + "/five_d_tau.h5", "/tau");
  const auto b = test::read_floats(dir + "/stream_tau.h5", "/tau");
  REQUIRE(a.size() == b.size());
  std::size_t same = 0, valid = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    same += (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
    valid += std::isfinite(a[i]);
  }
  CHECK(same == a.size());
  CHECK(valid > a.size() / 2);
  CHECK(test::read_status(dir + "/five_d_tau.h5") == test::read_status(dir + "/stream_tau.h5"));
}

TEST_CASE("dark, gain and a bad-pixel mask undo a real detector", "[e2e][preprocess]") {
  const std::string dir = test::scratch_dir();
  auto sim = small_sim();
  simulate::run_simulation(sim, dir + "/clean.h5", dir + "/clean_truth.h5", MPI_COMM_WORLD);
  // The same sample and electrons, recorded by a detector with 10 counts per electron,
  // a 100-count dark offset varying by 5 counts, 10 % gain variation and 20 hot pixels.
  sim.counts_per_electron = 10;
  sim.dark_level = 100;
  sim.dark_spread = 5;
  sim.gain_spread = 0.1;
  sim.hot_pixels = 20;
  simulate::run_simulation(sim, dir + "/detector.h5", dir + "/detector_truth.h5", MPI_COMM_WORLD);

  engine::run(run_config(dir + "/clean.h5", dir + "/clean_tau.h5"), MPI_COMM_WORLD);
  auto raw = run_config(dir + "/detector.h5", dir + "/raw_tau.h5");
  engine::run(raw, MPI_COMM_WORLD);
  auto corrected = run_config(dir + "/detector.h5", dir + "/corrected_tau.h5");
  corrected.dark = "/dark";
  corrected.gain = dir + "/detector.h5:/gain";  // an absolute FILE:/dataset (issue 14 class 8)
  corrected.mask = "/mask";
  corrected.threshold = 0.5f;  // electrons, after dark and gain: removes rounding residue
  engine::run(corrected, MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  const auto clean = test::read_floats(dir + "/clean_tau.h5", "/tau");
  const auto clean_i = test::read_floats(dir + "/clean_tau.h5", "/mean_intensity");
  const auto fixed = test::read_floats(dir + "/corrected_tau.h5", "/tau");
  const auto fixed_i = test::read_floats(dir + "/corrected_tau.h5", "/mean_intensity");
  const auto raw_i = test::read_floats(dir + "/raw_tau.h5", "/mean_intensity");
  // Counts per bin are electrons again (hot pixels masked out of their bins change those a little).
  double sum_clean = 0, sum_fixed = 0, sum_raw = 0;
  for (std::size_t i = 0; i < clean_i.size(); ++i) {
    sum_clean += clean_i[i];
    sum_fixed += fixed_i[i];
    sum_raw += raw_i[i];
  }
  CHECK(sum_fixed == Approx(sum_clean).epsilon(0.03));
  CHECK(sum_raw > 20 * sum_clean);  // uncorrected: dark offset and 10 counts per electron
  // tau agrees pixel by pixel with the clean detector wherever both fits are valid.
  std::size_t both = 0, close = 0;
  for (std::size_t i = 0; i < clean.size(); ++i)
    if (std::isfinite(clean[i]) && std::isfinite(fixed[i])) {
      ++both;
      close += std::fabs(std::log(fixed[i] / clean[i])) < 0.05;
    }
  CHECK(both > clean.size() / 2);
  CHECK(double(close) / double(both) > 0.9);
}

TEST_CASE("--save-g2 stores the curves the fits were made to, written collectively", "[e2e][g2]") {
  const std::string dir = test::scratch_dir();
  auto sim = small_sim();
  simulate::run_simulation(sim, dir + "/g2.h5", dir + "/g2_truth.h5", MPI_COMM_WORLD);
  auto config = run_config(dir + "/g2.h5", dir + "/g2_tau.h5");
  config.save_g2 = true;
  const std::size_t before = h5::writes_not_collective();
  engine::run(config, MPI_COMM_WORLD);
  CHECK(h5::writes_not_collective() == before);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  h5::Handle f = h5::open_file_serial(dir + "/g2_tau.h5");
  const auto g2 = h5::read_dataset<float>(f, "/g2");
  const auto lag = h5::read_dataset<double>(f, "/axes/lag_s");
  const auto tau = h5::read_dataset<float>(f, "/tau");
  const auto beta = h5::read_dataset<float>(f, "/beta");
  const auto a = h5::read_dataset<float>(f, "/contrast");
  const auto b = h5::read_dataset<float>(f, "/baseline");
  const auto chi2 = h5::read_dataset<float>(f, "/chi2_red");
  const std::size_t n_lag = lag.size();
  REQUIRE(g2.size() == tau.size() * n_lag);
  // For every valid fit, the stored chi2_red is the mean squared residual of the stored g2
  // against the stored parameters: the file is self-consistent.
  std::size_t checked = 0;
  for (std::size_t i = 0; i < tau.size(); ++i) {
    if (!std::isfinite(tau[i])) continue;
    double ssr = 0;
    for (std::size_t l = 0; l < n_lag; ++l) {
      const double model = b[i] + a[i] * std::exp(-2.0 * std::pow(lag[l] / tau[i], beta[i]));
      ssr += (g2[i * n_lag + l] - model) * (g2[i * n_lag + l] - model);
    }
    CHECK(ssr / double(n_lag - 4) == Approx(chi2[i]).epsilon(1e-3).margin(1e-9));
    ++checked;
  }
  CHECK(checked > tau.size() / 2);
}

TEST_CASE("a beam centre missing from the file is found from the direct beam", "[e2e][center]") {
  const std::string dir = test::scratch_dir();
  auto sim = small_sim();
  sim.center_y = 22.6;  // off the detector middle (23.5, 23.5), sub-pixel
  sim.center_x = 24.2;
  simulate::run_simulation(sim, dir + "/center.h5", dir + "/center_truth.h5", MPI_COMM_WORLD);
  auto known = run_config(dir + "/center.h5", dir + "/center_known.h5");
  known.grid.k_max = 0.55;
  engine::run(known, MPI_COMM_WORLD);
  test::edit_on_rank0([&] {
    h5::Handle f = h5::open_file_serial(dir + "/center.h5", true);
    h5::Handle ds = h5::open_dataset(f, "/frames");
    h5::check(H5Adelete(ds, "beam_center_yx"), "H5Adelete");
  });
  auto found = run_config(dir + "/center.h5", dir + "/center_found.h5");
  found.grid.k_max = 0.55;
  engine::run(found, MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;

  h5::Handle f = h5::open_file_serial(dir + "/center_found.h5");
  CHECK(h5::read_attribute_string(f, "beam_center_source") == "found");
  CHECK(h5::read_attribute_doubles(f, "beam_center_y").at(0) == Approx(22.6).margin(0.05));
  CHECK(h5::read_attribute_doubles(f, "beam_center_x").at(0) == Approx(24.2).margin(0.05));
  const auto a = test::read_floats(dir + "/center_known.h5", "/tau");
  const auto b = test::read_floats(dir + "/center_found.h5", "/tau");
  // A centre a few hundredths of a pixel off moves sub-pixels across bin edges; tau of these
  // short (20 tau) series reacts a little, but the results must be the same measurement.
  std::vector<double> change;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::isfinite(a[i]) && std::isfinite(b[i])) change.push_back(std::fabs(std::log(b[i] / a[i])));
  REQUIRE(change.size() > a.size() / 2);
  std::sort(change.begin(), change.end());
  const double median_change = change[change.size() / 2], p90 = change[change.size() * 9 / 10];
  INFO("found centre " << h5::read_attribute_doubles(f, "beam_center_y").at(0) << ", "
                       << h5::read_attribute_doubles(f, "beam_center_x").at(0) << "; |ln tau ratio| median "
                       << median_change << ", 90th percentile " << p90);
  CHECK(median_change < 0.02);
  CHECK(p90 < 0.10);
}

TEST_CASE("dynamic scheduling with a slow rank gives the static result with fewer tiles on that rank",
          "[e2e][schedule]") {
  const auto& data = test::reliable_dataset();
  const std::string dir = test::scratch_dir();
  const int n_ranks = mpi::size(MPI_COMM_WORLD);
  auto config = test::default_run_config(data, dir + "/static_tau.h5");
  config.memory_budget_bytes = 120.0 * 1024 * 1024;  // 8 tiles
  config.controls.dynamic_schedule = false;
  const auto fixed = engine::run(config, MPI_COMM_WORLD);
  config.output_path = dir + "/dynamic_tau.h5";
  config.controls.dynamic_schedule = true;
  config.controls.throttle_s = 0.3;  // the last rank is slow
  config.controls.throttle_rank = n_ranks - 1;
  const auto dynamic = engine::run(config, MPI_COMM_WORLD);
  if (mpi::rank(MPI_COMM_WORLD) != 0) return;
  const auto a = test::read_floats(dir + "/static_tau.h5", "/tau");
  const auto b = test::read_floats(dir + "/dynamic_tau.h5", "/tau");
  REQUIRE(a.size() == b.size());
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
  CHECK(same == a.size());
  CHECK(test::read_status(dir + "/static_tau.h5") == test::read_status(dir + "/dynamic_tau.h5"));
  REQUIRE(dynamic.tiles_per_rank.size() == std::size_t(n_ranks));
  if (n_ranks > 1) {
    INFO("tiles per rank, static: " << fixed.tiles_per_rank.front() << " .. " << fixed.tiles_per_rank.back()
                                    << "; dynamic: " << dynamic.tiles_per_rank.front() << " .. "
                                    << dynamic.tiles_per_rank.back());
    // Against the rank that got the most: with 3 ranks on 2 cores rank 0 itself may have
    // measured slow in the first round and got fewer than rank 1.
    const double most_of_others =
        *std::max_element(dynamic.tiles_per_rank.begin(), dynamic.tiles_per_rank.end() - 1);
    CHECK(dynamic.tiles_per_rank.back() < most_of_others);
  }
}
