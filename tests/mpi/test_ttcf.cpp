// `ecm ttcf` end to end (issue 5): the two-time correlation of simulated acquisitions.
// Stationary samples with tau = 2.5 s and 5 s give band widths proportional to tau; a sample
// whose tau triples over the run (aging_factor 3) gives a widening band that is detected; the
// result does not depend on the number of ranks.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "e2e_fixture.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/engine/ttcf_run.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;

namespace {

// 4 x 4 positions, 2000 cycles of 0.25 s (500 s: 200 tau at 2.5 s, 100 tau at 5 s, so the
// finite-duration baseline of G - 1 is small), one tau everywhere, 2 electrons/px at the ring.
test::SimulatedDataset ttcf_dataset(const std::string& name, double tau_s, double aging_factor, std::uint64_t seed) {
  test::SimulatedDataset d;
  d.dir = ECM_TEST_DATA_DIR;
  d.input = d.dir + "/" + name + ".h5";
  d.truth = d.dir + "/" + name + "_truth.h5";
  simulate::SimConfig& c = d.config;
  c.scan_y = c.scan_x = 4;
  c.cycles = 2000;
  c.time_step_s = 0.25;
  c.det_y = c.det_x = 32;
  c.k_pixel_size = 0.04;  // ring at 11.5 px, strip 0.3-0.55 1/A inside the detector
  c.tau_median_s = tau_s;
  c.sigma_ln_tau = 0.0;
  c.n_sectors = 1;
  c.domain_size_px = 0.0;
  c.aging_factor = aging_factor;
  c.dose = 2.0;
  c.dtype = h5::DType::u8;
  c.seed = seed;
  c.memory_budget_mb = 64;
  int exists = 0;
  if (mpi::rank(MPI_COMM_WORLD) == 0)
    exists = std::filesystem::exists(d.input) && std::filesystem::exists(d.truth);
  MPI_Bcast(&exists, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!exists) {
    if (mpi::rank(MPI_COMM_WORLD) == 0) std::filesystem::create_directories(d.dir);
    MPI_Barrier(MPI_COMM_WORLD);  // every rank checks the output's directory before writing
    simulate::run_simulation(c, d.input, d.truth, MPI_COMM_WORLD);
  }
  return d;
}

const test::SimulatedDataset& stationary_fast() {
  static const auto d = ttcf_dataset("ttcf_tau2.5", 2.5, 1.0, 21);
  return d;
}
const test::SimulatedDataset& stationary_slow() {
  static const auto d = ttcf_dataset("ttcf_tau5", 5.0, 1.0, 22);
  return d;
}
const test::SimulatedDataset& aging() {
  static const auto d = ttcf_dataset("ttcf_aging", 2.5, 3.0, 23);
  return d;
}

engine::TtcfConfig ttcf_config(const test::SimulatedDataset& data, const std::string& out) {
  engine::TtcfConfig c;
  c.run = test::default_run_config(data, out);
  c.run.grid.k_max = 0.55;
  c.run.grid.n_kr = 3;
  c.run.grid.n_kphi = 24;  // 11.5 px * 2 pi / 24 = 3 px per bin, about the speckle size
  c.positions = std::vector<engine::ScanPosition>{};
  return c;
}

double mean_finite(const std::vector<double>& v) {
  double s = 0, n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, n += 1;
  return n > 0 ? s / n : std::nan("");
}

std::vector<double> read_doubles(const std::string& path, const std::string& name) {
  return h5::read_dataset<double>(h5::open_file_serial(path), name);
}

// Largest |a - b| / max(1, |b|): relative for band widths (seconds), absolute for G - 1
// profiles near 0, whose relative rounding is that of G ~ 1 divided by G - 1.
double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(1.0, std::fabs(b[i])));
  }
  return worst;
}

}  // namespace

TEST_CASE("the TTCF acquisitions exist", "[e2e-setup]") {
  CHECK(std::filesystem::exists(stationary_fast().input));
  CHECK(std::filesystem::exists(stationary_slow().input));
  CHECK(std::filesystem::exists(aging().input));
}

TEST_CASE("TTCF band width of a stationary sample is proportional to tau", "[ttcf]") {
  const std::string dir = test::scratch_dir();
  const auto fast = engine::run_ttcf(ttcf_config(stationary_fast(), dir + "/ttcf_fast.h5"), MPI_COMM_WORLD);
  const auto slow = engine::run_ttcf(ttcf_config(stationary_slow(), dir + "/ttcf_slow.h5"), MPI_COMM_WORLD);
  REQUIRE(fast.positions_averaged == 16);
  REQUIRE(slow.positions_averaged == 16);
  REQUIRE(fast.band.width_s.size() == 10);
  for (double w : fast.band.width_s) CHECK(std::isfinite(w));
  for (double w : slow.band.width_s) CHECK(std::isfinite(w));
  const double w_fast = mean_finite(fast.band.width_s), w_slow = mean_finite(slow.band.width_s);
  INFO("band width " << w_fast << " s at tau 2.5 s, " << w_slow << " s at tau 5 s; ratio " << w_slow / w_fast
                     << "; verdicts: " << fast.aging.verdict << " / " << slow.aging.verdict);
  CHECK(w_fast == Approx(2.5).epsilon(0.15));
  CHECK(w_slow == Approx(5.0).epsilon(0.15));
  CHECK(w_slow / w_fast == Approx(2.0).epsilon(0.15));
  CHECK_FALSE(fast.aging.detected);
  CHECK_FALSE(slow.aging.detected);
  CHECK(std::fabs(fast.aging.relative_change) < 0.2);
  CHECK(std::fabs(slow.aging.relative_change) < 0.2);
  WARN("stationary TTCF: band width " << w_fast << " s (tau 2.5 s), " << w_slow << " s (tau 5 s), ratio "
                                      << w_slow / w_fast << "; relative change " << fast.aging.relative_change
                                      << ", " << slow.aging.relative_change);
}

TEST_CASE("TTCF of an aging sample shows the band widening with tau(t)", "[ttcf]") {
  const std::string dir = test::scratch_dir();
  const auto& data = aging();
  const auto s = engine::run_ttcf(ttcf_config(data, dir + "/ttcf_aging.h5"), MPI_COMM_WORLD);
  const double run_s = double(data.config.cycles) * data.config.time_step_s;
  const auto tau_at = [&](double t) { return 2.5 * (1.0 + (3.0 - 1.0) * t / run_s); };
  REQUIRE(s.band.width_s.size() == 10);
  INFO(s.aging.verdict);
  CHECK(s.aging.detected);
  // tau(t) grows by (7.25 - 2.75) / 2.75 = 164 % between the first and last window centres.
  CHECK(s.aging.relative_change > 0.8);
  CHECK(s.aging.slope == Approx(2.5 * 2.0 / run_s).epsilon(0.25));
  for (std::size_t w : {std::size_t(0), std::size_t(1), std::size_t(8), std::size_t(9)}) {
    INFO("window at " << s.band.elapsed_s[w] << " s: band width " << s.band.width_s[w] << " s, tau(t) "
                      << tau_at(s.band.elapsed_s[w]) << " s");
    CHECK(s.band.width_s[w] == Approx(tau_at(s.band.elapsed_s[w])).epsilon(0.2));
  }
  WARN("aging TTCF: band width " << s.band.width_s.front() << " -> " << s.band.width_s.back() << " s (tau(t) "
                                 << tau_at(s.band.elapsed_s.front()) << " -> " << tau_at(s.band.elapsed_s.back())
                                 << " s); " << s.aging.verdict);
}

TEST_CASE("TTCF does not depend on the number of ranks", "[ttcf]") {
  const std::string dir = test::scratch_dir();
  const int me = mpi::rank(MPI_COMM_WORLD);
  auto config = ttcf_config(aging(), dir + "/ttcf_world.h5");
  config.positions = std::vector<engine::ScanPosition>{{0, 0}, {3, 3}, {1, 2}};
  const auto world = engine::run_ttcf(config, MPI_COMM_WORLD);
  MPI_Comm one;
  MPI_Comm_split(MPI_COMM_WORLD, me == 0 ? 0 : MPI_UNDEFINED, me, &one);
  config.run.output_path = dir + "/ttcf_one.h5";
  if (one != MPI_COMM_NULL) {
    engine::run_ttcf(config, one);
    MPI_Comm_free(&one);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  CHECK(world.selected_status == std::vector<std::uint8_t>{0, 0, 0});
  if (me != 0) return;
  const std::string a = dir + "/ttcf_world.h5", b = dir + "/ttcf_one.h5";
  // Sums over positions in another order (other tiles, other ranks): rounding only.
  for (const char* name : {"/ttcf/G_mean", "/ttcf/G_positions", "/ttcf/band_width_s", "/ttcf/band_profile"}) {
    INFO(name);
    CHECK(max_difference(read_doubles(a, name), read_doubles(b, name)) < 1e-9);
  }
  const auto g = read_doubles(a, "/ttcf/G_positions");
  const std::size_t T = 2000;
  REQUIRE(g.size() == 3 * T * T);
  // Each G_r is symmetric, finite, and its diagonal holds the shot-noise excess.
  CHECK(g[5 * T + 9] == g[9 * T + 5]);
  CHECK(std::isfinite(std::accumulate(g.begin(), g.end(), 0.0)));
  CHECK(g[7 * T + 7] > g[7 * T + 8]);
  CHECK_FALSE(std::filesystem::exists(a + ".partial"));
}

TEST_CASE("a TTCF position outside the scan fails on every rank before any output", "[ttcf]") {
  const std::string out = test::scratch_dir() + "/ttcf_bad.h5";
  auto config = ttcf_config(stationary_fast(), out);
  config.positions = std::vector<engine::ScanPosition>{{1, 1}, {4, 0}};
  CHECK_THROWS_WITH(engine::run_ttcf(config, MPI_COMM_WORLD), Catch::Contains("outside the 4x4 scan"));
  MPI_Barrier(MPI_COMM_WORLD);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
}
