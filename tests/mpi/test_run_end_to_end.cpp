// End to end: simulate an acquisition with known tau(r, k), run the whole pipeline on all
// ranks, and compare every (r, k_r, k_phi) pixel with the simulator's truth.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>

#include "e2e_fixture.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;

namespace {

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  double m = v[v.size() / 2];
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + v.size() / 2));
  return m;
}

std::vector<double> ranks_of(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < idx.size();) {  // average ranks over ties
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[idx[k]] = 0.5 * double(i + j);
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / a.size();
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

}  // namespace

TEST_CASE("the shared simulated acquisition exists", "[e2e-setup]") {
  const auto& data = test::reliable_dataset();
  CHECK(std::filesystem::exists(data.input));
  const auto& pair = test::drift_pair();
  CHECK(std::filesystem::exists(pair.drifting.input));
  CHECK(std::filesystem::exists(pair.steady.input));
}

TEST_CASE("tau(r, k) from a reliable simulated acquisition matches the truth", "[e2e]") {
  const auto& data = test::reliable_dataset();
  const std::string out = test::scratch_dir() + "/accuracy.h5";
  auto config = test::default_run_config(data, out);
  const auto summary = engine::run(config, MPI_COMM_WORLD);
  if (world_rank() != 0) return;

  const auto tau = test::read_floats(out, "/tau");
  const auto beta = test::read_floats(out, "/beta");
  const auto status = test::read_status(out);
  const auto truth = simulate::Truth::load(data.truth);
  const auto& g = config.grid;
  std::vector<double> log_ratio, est, tru, betas;
  std::vector<std::vector<double>> est_by_phi(g.n_kphi), tru_by_phi(g.n_kphi);
  std::size_t converged = 0, i = 0;
  for (std::size_t y = 0; y < truth.scan_y(); ++y)
    for (std::size_t x = 0; x < truth.scan_x(); ++x)
      for (int ir = 0; ir < g.n_kr; ++ir)
        for (int ip = 0; ip < g.n_kphi; ++ip, ++i) {
          const double t_true = truth.tau_s(y, x, g.kr_center(ir), g.kphi_center(ip));
          tru_by_phi[ip].push_back(t_true);
          if (status[i] != 0) {
            CHECK(std::isnan(tau[i]));
            continue;
          }
          ++converged;
          REQUIRE(std::isfinite(tau[i]));
          log_ratio.push_back(std::log(tau[i] / t_true));
          est.push_back(tau[i]);
          tru.push_back(t_true);
          betas.push_back(beta[i]);
          est_by_phi[ip].push_back(tau[i]);
        }
  const double share = double(converged) / double(status.size());
  const double med_log_ratio = median(log_ratio);
  const double spearman = pearson(ranks_of(est), ranks_of(tru));
  const double med_beta = median(betas);
  // The paper's ensemble quantity: the median of each k_phi map, averaged over k_phi.
  double worst_phi = 0, ensemble_est = 0, ensemble_true = 0;
  int phi_within_10 = 0;
  for (int ip = 0; ip < g.n_kphi; ++ip) {
    const double e = median(est_by_phi[ip]), t = median(tru_by_phi[ip]);
    ensemble_est += e / g.n_kphi;
    ensemble_true += t / g.n_kphi;
    worst_phi = std::max(worst_phi, std::fabs(e / t - 1.0));
    phi_within_10 += std::fabs(e / t - 1.0) <= 0.10;
  }
  std::cout << "e2e accuracy: converged " << share << ", median ln(tau_est/tau_true) " << med_log_ratio
            << ", Spearman " << spearman << ", median beta " << med_beta << " (truth " << truth.beta()
            << "), ensemble tau " << ensemble_est << " s (truth " << ensemble_true << " s), k_phi medians within 10 %: "
            << phi_within_10 << " of " << g.n_kphi << ", worst " << worst_phi << ", summary median tau "
            << summary.median_tau_s << " s" << std::endl;
  CHECK(share >= 0.95);
  CHECK(std::fabs(med_log_ratio) <= 0.15);
  CHECK(spearman >= 0.65);
  CHECK(std::fabs(ensemble_est / ensemble_true - 1.0) <= 0.10);
  // Each k_phi median carries the finite-duration bias (about -7 % at 100 tau, docs/accuracy.md)
  // plus the sampling noise of 256 single-speckle fits (about 6 % rms), so not every one of
  // 48 is within 10 % (31 are); most must be, and none far off.
  CHECK(phi_within_10 >= int(0.6 * g.n_kphi));
  CHECK(worst_phi <= 0.25);
  CHECK(std::fabs(med_beta - truth.beta()) <= 0.15);
  CHECK(summary.n_converged == converged);
}

TEST_CASE("the answer does not depend on ranks or tiles", "[e2e]") {
  const auto& data = test::reliable_dataset();
  const std::string dir = test::scratch_dir();
  int n_ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);

  // Reference: one rank, one tile.
  if (world_rank() == 0) engine::run(test::default_run_config(data, dir + "/one_rank.h5"), MPI_COMM_SELF);
  MPI_Barrier(MPI_COMM_WORLD);

  // All ranks, then all ranks with a budget that forces at least 4 tiles per rank.
  auto config = test::default_run_config(data, dir + "/all_ranks.h5");
  const auto first = engine::run(config, MPI_COMM_WORLD);
  const std::size_t positions = data.config.scan_y * data.config.scan_x;
  const std::size_t per_tile = std::max<std::size_t>(1, positions / (4 * n_ranks));
  auto tiled = test::default_run_config(data, dir + "/tiled.h5");
  tiled.memory_budget_bytes = first.plan.fixed_overhead_bytes + first.plan.bytes_per_position * (double(per_tile) + 0.5);
  const auto second = engine::run(tiled, MPI_COMM_WORLD);
  CHECK(second.n_tiles >= 4 * std::size_t(n_ranks));
  CHECK(second.plan.positions_per_tile == per_tile);
  if (world_rank() != 0) return;

  for (const char* name : {"/tau", "/tau_err", "/beta", "/contrast", "/baseline", "/chi2_red", "/mean_intensity"}) {
    const auto ref = test::read_floats(dir + "/one_rank.h5", name);
    for (const char* other : {"/all_ranks.h5", "/tiled.h5"}) {
      const auto v = test::read_floats(dir + other, name);
      REQUIRE(v.size() == ref.size());
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const bool both_nan = std::isnan(v[i]) && std::isnan(ref[i]);
        if (!both_nan && !(std::fabs(v[i] - ref[i]) <= 1e-6 * std::fabs(ref[i]))) ++mismatches;
      }
      INFO(name << " in " << other);
      CHECK(mismatches == 0);
    }
  }
  CHECK(test::read_status(dir + "/one_rank.h5") == test::read_status(dir + "/tiled.h5"));
  CHECK(test::read_status(dir + "/one_rank.h5") == test::read_status(dir + "/all_ranks.h5"));
}
