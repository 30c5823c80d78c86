// Domain size xi_tau (issue 5) across ranks: the FFTW-MPI autocorrelation against the
// one-rank one; domain_sizes on all ranks against one rank; and end to end, a simulated
// acquisition with 4 px domains run through the engine, whose xi (mean over k_phi) must be
// within 15 % of the simulator's domain size, as must xi of the true maps themselves.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <sstream>

#include "e2e_fixture.hpp"
#include "ecm/analysis/autocorrelation.hpp"
#include "ecm/analysis/distribution_tests.hpp"
#include "ecm/analysis/domain_size.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/result_cube.hpp"
#include "ecm/simulate/domains.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;
using namespace ecm::analysis;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A result cube in memory whose (k_r, k_phi) maps are independent log-normal fields with
// domains of FWHM `fwhm` px; `holes` of the positions carry no fit.
io::ResultCube synthetic_cube(std::size_t ny, std::size_t nx, std::size_t n_kr, std::size_t n_kphi, double fwhm,
                              double holes) {
  io::ResultCube c;
  c.scan_y = ny;
  c.scan_x = nx;
  c.n_kr = n_kr;
  c.n_kphi = n_kphi;
  c.k_r.resize(n_kr);
  for (std::size_t i = 0; i < n_kr; ++i) c.k_r[i] = 0.3 + 0.05 * double(i);
  c.k_phi.assign(n_kphi, 0.0);
  c.scan_step_nm = 0.5;
  const std::size_t bins = n_kr * n_kphi;
  simulate::SmoothField field(31, simulate::Purpose::tau, bins, fwhm);
  const auto z = field.box(0, 0, ny, nx);
  c.tau.resize(ny * nx * bins);
  c.fit_status.assign(c.tau.size(), 0);
  for (std::size_t i = 0; i < c.tau.size(); ++i) {
    // A hole pattern that is a fixed function of the index (the same on every rank).
    const bool hole = double((i * 2654435761u) % 1000) < 1000.0 * holes;
    c.tau[i] = hole ? std::numeric_limits<float>::quiet_NaN() : float(5.0 * std::exp(0.5 * z[i]));
    if (hole) c.fit_status[i] = 3;
  }
  return c;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// Every field of every map equal, bit for bit.
void require_identical(const DomainSizes& a, const DomainSizes& b) {
  REQUIRE(a.maps.size() == b.maps.size());
  for (std::size_t m = 0; m < a.maps.size(); ++m) {
    const auto &x = a.maps[m], &y = b.maps[m];
    INFO("map " << m);
    REQUIRE(x.status == y.status);
    REQUIRE(x.n_valid == y.n_valid);
    REQUIRE(same(x.xi_px, y.xi_px));
    REQUIRE(same(x.xi_err_px, y.xi_err_px));
    REQUIRE(same(x.xi_nm, y.xi_nm));
    REQUIRE(same(x.amplitude, y.amplitude));
    REQUIRE(same(x.offset, y.offset));
    REQUIRE(x.window_px == y.window_px);
  }
  for (std::size_t i = 0; i < a.kr.size(); ++i) {
    REQUIRE(same(a.kr[i].xi_px, b.kr[i].xi_px));
    REQUIRE(same(a.kr[i].xi_std_px, b.kr[i].xi_std_px));
  }
}

// Mean and sample std (n - 1) of a list: the library's normal fit.
double mean_of(const std::vector<double>& v) { return ecm::analysis::fit_normal(v).mean; }
double std_of(const std::vector<double>& v) { return ecm::analysis::fit_normal(v).sigma; }

}  // namespace

TEST_CASE("the simulated acquisition with 4 px domains exists", "[e2e-setup]") {
  CHECK(std::filesystem::exists(test::domain_dataset().input));
}

TEST_CASE("the FFTW-MPI autocorrelation equals the one-rank autocorrelation", "[domain-size]") {
  // Odd sizes, holes: a modest map transformed in slabs over every rank of the world.
  const std::size_t ny = 45, nx = 38;
  simulate::SmoothField field(5, simulate::Purpose::tau, 1, 5.0);
  auto map = field.box(0, 0, ny, nx);
  for (std::size_t i = 0; i < map.size(); ++i)
    if (i % 7 == 3) map[i] = kNaN;
  AutocorrelationOptions o;
  o.max_lag = 20;
  const auto serial = autocorrelation(map, ny, nx, o);
  const auto dist = autocorrelation_distributed(map, ny, nx, o, MPI_COMM_WORLD);
  REQUIRE(dist.c.size() == serial.c.size());
  REQUIRE(dist.n_valid == serial.n_valid);
  double worst = 0;
  for (std::size_t i = 0; i < serial.c.size(); ++i) {
    REQUIRE(dist.pairs[i] == serial.pairs[i]);
    REQUIRE(std::isnan(dist.c[i]) == std::isnan(serial.c[i]));
    if (!std::isnan(serial.c[i])) worst = std::max(worst, std::fabs(dist.c[i] - serial.c[i]));
  }
  INFO("largest difference " << worst << " on " << mpi::size(MPI_COMM_WORLD) << " ranks");
  CHECK(worst < 1e-12);
  // A map that is wrong on one rank fails every rank, none is left in a collective.
  auto bad = map;
  if (mpi::rank(MPI_COMM_WORLD) == mpi::size(MPI_COMM_WORLD) - 1) bad.pop_back();
  CHECK_THROWS_AS(autocorrelation_distributed(bad, ny, nx, o, MPI_COMM_WORLD), Error);
}

TEST_CASE("domain sizes do not depend on the rank count or on the FFT path", "[domain-size]") {
  const auto cube = synthetic_cube(36, 30, 3, 5, 4.0, 0.15);
  DomainSizeOptions o;
  const auto world = domain_sizes(cube, o, MPI_COMM_WORLD);
  const auto self = domain_sizes(cube, o, MPI_COMM_SELF);  // every map on this one rank
  require_identical(world, self);
  CHECK(world.distributed_maps == 0);
  std::size_t ok = 0;
  for (const auto& m : world.maps) ok += m.ok();
  CHECK(ok == world.maps.size());
  for (const auto& k : world.kr) {
    CHECK(k.maps == 5);
    CHECK(k.xi_px == Approx(4.0).epsilon(0.15));
    CHECK(k.xi_nm == Approx(0.5 * k.xi_px));
  }

  // Every map through FFTW-MPI: the same answer to rounding.
  DomainSizeOptions all_distributed = o;
  all_distributed.distributed_min_positions = 0;
  const auto dist = domain_sizes(cube, all_distributed, MPI_COMM_WORLD);
  CHECK(dist.distributed_maps == world.maps.size());
  for (std::size_t m = 0; m < world.maps.size(); ++m) {
    REQUIRE(dist.maps[m].status == world.maps[m].status);
    CHECK(dist.maps[m].xi_px == Approx(world.maps[m].xi_px).epsilon(1e-9));
  }
}

TEST_CASE("xi from a simulated acquisition is within 15 % of the simulated domain size", "[domain-size][e2e]") {
  const auto& data = test::domain_dataset();
  const std::string out = test::scratch_dir() + "/domains_tau.h5";
  auto config = test::default_run_config(data, out);
  config.grid.k_min = 0.3;
  config.grid.k_max = 0.55;
  config.grid.n_kr = 1;
  config.grid.n_kphi = data.config.n_sectors;  // each k_phi bin sees one sector's tau map
  config.controls.progress = "none";
  engine::run(config, MPI_COMM_WORLD);
  const auto cube = io::read_result_cube(out, MPI_COMM_WORLD);
  const DomainSizeOptions options;
  const auto sizes = domain_sizes(cube, options, MPI_COMM_WORLD);
  // The same on one rank (MPI_COMM_SELF), bit for bit: independent of the rank count.
  require_identical(sizes, domain_sizes(cube, options, MPI_COMM_SELF));

  // The estimator on the true maps (/truth/tau_sector), sector s in bin s.
  const auto truth = simulate::Truth::load(data.truth);
  const double xi_true = truth.domain_size_px();
  REQUIRE(xi_true == 4.0);
  std::vector<double> from_truth, measured, amplitudes;
  for (int s = 0; s < truth.n_sectors(); ++s) {
    std::vector<double> tau(truth.scan_y() * truth.scan_x());
    for (std::size_t y = 0; y < truth.scan_y(); ++y)
      for (std::size_t x = 0; x < truth.scan_x(); ++x) tau[y * truth.scan_x() + x] = truth.tau_sector_s(y, x, s);
    const auto r = map_domain_size(tau, truth.scan_y(), truth.scan_x(), options);
    INFO("true map of sector " << s << ": " << status_name(r.status));
    REQUIRE(r.ok());
    from_truth.push_back(r.xi_px);
  }
  std::size_t valid = 0;
  for (const auto& m : sizes.maps) {
    valid += m.n_valid;
    if (m.ok()) measured.push_back(m.xi_px), amplitudes.push_back(m.amplitude);
  }
  const auto& kr = sizes.kr[0];
  std::ostringstream report;
  report.precision(8);
  report << "truth " << xi_true << " px; true maps: mean " << mean_of(from_truth) << " std " << std_of(from_truth)
         << " [" << *std::min_element(from_truth.begin(), from_truth.end()) << ", "
         << *std::max_element(from_truth.begin(), from_truth.end()) << "]; measured: " << kr.maps << " of "
         << cube.n_kphi << " maps, mean " << kr.xi_px << " std " << kr.xi_std_px << " ["
         << *std::min_element(measured.begin(), measured.end()) << ", "
         << *std::max_element(measured.begin(), measured.end()) << "], amplitude " << mean_of(amplitudes)
         << ", valid fits " << double(valid) / double(cube.tau.size()) << " on " << mpi::size(MPI_COMM_WORLD)
         << " ranks";
  INFO(report.str());
  if (mpi::rank(MPI_COMM_WORLD) == 0) WARN(report.str());
  CHECK(mean_of(from_truth) == Approx(xi_true).epsilon(0.15));
  for (double x : from_truth) CHECK(x == Approx(xi_true).epsilon(0.15));
  CHECK(kr.maps >= cube.n_kphi * 3 / 4);
  CHECK(kr.xi_px == Approx(xi_true).epsilon(0.15));
  // The fit noise of tau lowers the amplitude (lag 0 is excluded), not the width.
  CHECK(mean_of(amplitudes) < 0.95);
  CHECK(mean_of(amplitudes) > 0.2);
}
