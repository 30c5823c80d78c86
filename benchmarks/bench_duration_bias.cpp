// Finite-duration bias of tau and beta, from the simulator: for each duration T/tau, simulate
// an acquisition with known tau(r, k), run the pipeline, and report the median of
// ln(tau_est/tau_true), the spread of that ratio, the median beta and the share of fits that
// converged. The g2 estimator normalises by means taken from the same finite series, which
// biases tau low and beta high; this table is docs/accuracy.md.
//
//   mpiexec -n 2 bench_duration_bias [OUT_DIR] [--durations 25,50,100,200,400] [--scan 4]
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <vector>

#include "ecm/engine/pipeline.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/simulate.hpp"

using namespace ecm;

namespace {
double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  {
    Kokkos::ScopeGuard kokkos(argc, argv);
    h5::silence_hdf5_errors();
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    std::string dir = "bench_duration_bias";
    std::vector<double> durations{25, 50, 100, 200, 400};
    std::size_t scan = 4;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--durations" && i + 1 < argc) {
        durations.clear();
        std::stringstream in(argv[++i]);
        for (std::string item; std::getline(in, item, ',');) durations.push_back(std::stod(item));
      } else if (a == "--scan" && i + 1 < argc) {
        scan = std::stoul(argv[++i]);
      } else {
        dir = a;
      }
    }
    if (rank == 0) std::filesystem::create_directories(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
      std::printf("T/tau  cycles  pixels  converged  median_ln(tau_est/tau_true)  iqr_ln_ratio  median_beta(true 1)\n");
    for (double d : durations) {
      simulate::SimConfig sim;  // tau = 20 time steps, dose 2 e/px, k_phi bins below k_c
      sim.scan_y = sim.scan_x = scan;
      sim.cycles = std::size_t(d * sim.tau_median_s / sim.time_step_s);
      sim.sigma_ln_tau = 0.5;
      sim.dtype = h5::DType::u8;
      const std::string input = dir + "/sim.h5", truth = dir + "/truth.h5", out = dir + "/tau.h5";
      simulate::run_simulation(sim, input, truth, MPI_COMM_WORLD);
      engine::RunConfig run;
      run.input_path = input;
      run.output_path = out;
      engine::run(run, MPI_COMM_WORLD);
      if (rank == 0) {
        h5::Handle file = h5::open_file_serial(out);
        const auto tau = h5::read_dataset<float>(file, "/tau");
        const auto beta = h5::read_dataset<float>(file, "/beta");
        const auto status = h5::read_dataset<std::uint8_t>(file, "/fit_status");
        const auto t = simulate::Truth::load(truth);
        const auto& g = run.grid;
        std::vector<double> ratio, betas;
        std::size_t i = 0;
        for (std::size_t y = 0; y < scan; ++y)
          for (std::size_t x = 0; x < scan; ++x)
            for (int ir = 0; ir < g.n_kr; ++ir)
              for (int ip = 0; ip < g.n_kphi; ++ip, ++i)
                if (status[i] == 0) {
                  ratio.push_back(std::log(tau[i] / t.tau_s(y, x, g.kr_center(ir), g.kphi_center(ip))));
                  betas.push_back(beta[i]);
                }
        std::vector<double> sorted = ratio;
        std::sort(sorted.begin(), sorted.end());
        const double iqr = sorted.empty() ? NAN : sorted[sorted.size() * 3 / 4] - sorted[sorted.size() / 4];
        std::printf("%5.0f  %6zu  %6zu  %9.3f  %27.3f  %12.3f  %19.3f\n", d, sim.cycles, status.size(),
                    double(ratio.size()) / double(status.size()), median(ratio), iqr, median(betas));
        std::fflush(stdout);
      }
      MPI_Barrier(MPI_COMM_WORLD);
    }
    if (rank == 0) std::filesystem::remove_all(dir);
  }
  MPI_Finalize();
  return 0;
}
