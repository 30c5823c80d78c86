#include "e2e_fixture.hpp"

#include <unistd.h>

#include <filesystem>

#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/simulate.hpp"

namespace ecm::test {

std::string scratch_dir() {
  static std::string dir;
  if (dir.empty()) {
    long id = static_cast<long>(getpid());
    MPI_Bcast(&id, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    dir = (std::filesystem::temp_directory_path() / ("ecm-test-" + std::to_string(id))).string();
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
      std::filesystem::create_directories(dir);
      // Removed when the test process ends (after MPI_Finalize, by rank 0 alone).
      static struct Cleanup {
        std::string path;
        ~Cleanup() { std::filesystem::remove_all(path); }
      } cleanup{dir};
    }
    MPI_Barrier(MPI_COMM_WORLD);
  }
  return dir;
}

namespace {
// Simulates `config` into data.dir unless the files are there (collective).
void simulate_once(SimulatedDataset& data) {
  int exists = 0;
  if (mpi::rank(MPI_COMM_WORLD) == 0)
    exists = std::filesystem::exists(data.input) && std::filesystem::exists(data.truth);
  MPI_Bcast(&exists, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!exists) {
    if (mpi::rank(MPI_COMM_WORLD) == 0) std::filesystem::create_directories(data.dir);
    MPI_Barrier(MPI_COMM_WORLD);  // every rank checks the output's directory before writing
    simulate::run_simulation(data.config, data.input, data.truth, MPI_COMM_WORLD);
  }
}
}  // namespace

const SimulatedDataset& reliable_dataset() {
  static SimulatedDataset data;
  if (data.input.empty()) {
    // Simulated once per build by the ctest fixture `mpi_tests_setup` (or here, if absent).
    data.dir = ECM_TEST_DATA_DIR;
    data.input = data.dir + "/reliable.h5";
    data.truth = data.dir + "/reliable_truth.h5";
    data.config = simulate::SimConfig{};  // 8x8 scan, 48x48 detector, dose 2 e/px, k_c = 3.1 px
    data.config.cycles = 2000;            // 100 tau_median: the finite-duration bias is ~ -0.07 in ln tau
    data.config.tau_median_s = 5.0;       // 20 time steps of 0.25 s
    data.config.sigma_ln_tau = 0.5;       // a spread the paper's samples show; Spearman needs it
    data.config.dtype = h5::DType::u8;
    data.config.memory_budget_mb = 64;
    simulate_once(data);
  }
  return data;
}

// The e2e acquisition: 40 x 40 positions, 4 px domains, one tau map per 15 degree sector.
const SimulatedDataset& domain_dataset() {
  static SimulatedDataset data;
  if (data.input.empty()) {
    data.dir = ECM_TEST_DATA_DIR;
    data.input = data.dir + "/domains.h5";
    data.truth = data.dir + "/domains_truth.h5";
    simulate::SimConfig& c = data.config;
    c.scan_y = c.scan_x = 40;     // ~100 domains per map: xi scatters ~5 % from map to map
    c.cycles = 300;
    c.time_step_s = 0.25;
    c.tau_median_s = 2.5;         // 10 time steps; T = 30 tau (its bias on tau does not move xi)
    c.sigma_ln_tau = 0.7;         // domains well above the per-pixel fit noise of ln tau
    c.domain_size_px = 4.0;
    c.n_sectors = 24;
    c.det_y = c.det_x = 24;
    c.k_pixel_size = 0.05;        // ring at 9.2 px, strip 0.3-0.55 1/A inside the detector
    c.dose = 2.0;
    c.dtype = h5::DType::u8;
    c.seed = 41;
    c.memory_budget_mb = 128;
    simulate_once(data);
  }
  return data;
}

const DriftPair& drift_pair() {
  static DriftPair pair;
  if (pair.drifting.input.empty()) {
    simulate::SimConfig c;
    c.scan_y = c.scan_x = 20;
    c.cycles = 400;                 // 20 tau: enough to compare two runs of one sample
    c.det_y = c.det_x = 32;
    c.k_pixel_size = 0.04;          // ring at 11.5 px, strip 0.3-0.55 1/A inside the detector
    c.dose = 1.0;                   // the "1 electron/pixel at the ring"
    c.dtype = h5::DType::u8;
    c.thickness_contrast = 0.15;    // VDF texture that moves with the sample
    c.thickness_size_px = 3.0;
    c.sigma_ln_tau = 0.7;           // domains strong enough to see smearing by an uncorrected drift
    c.seed = 7;
    c.memory_budget_mb = 128;
    pair.steady = {ECM_TEST_DATA_DIR, std::string(ECM_TEST_DATA_DIR) + "/steady.h5",
                   std::string(ECM_TEST_DATA_DIR) + "/steady_truth.h5", c};
    c.drift_y = 3.5;                // linear drift over the run [scan px] ...
    c.drift_x = -2.5;
    c.drift_walk_px = 1.0;          // ... plus a random walk of 1 px rms at the end
    pair.drifting = {ECM_TEST_DATA_DIR, std::string(ECM_TEST_DATA_DIR) + "/drifting.h5",
                     std::string(ECM_TEST_DATA_DIR) + "/drifting_truth.h5", c};
    simulate_once(pair.steady);
    simulate_once(pair.drifting);
  }
  return pair;
}

engine::RunConfig default_run_config(const SimulatedDataset& data, const std::string& out) {
  engine::RunConfig c;
  c.input_path = data.input;
  c.output_path = out;
  c.grid.k_min = 0.3;
  c.grid.k_max = 0.6;
  c.grid.n_kr = 4;
  c.grid.n_kphi = 48;
  c.memory_budget_bytes = 512.0 * 1024 * 1024;
  return c;
}

std::vector<float> read_floats(const std::string& path, const std::string& name) {
  return h5::read_dataset<float>(h5::open_file_serial(path), name);
}

std::vector<unsigned char> read_status(const std::string& path) {
  return h5::read_dataset<std::uint8_t>(h5::open_file_serial(path), "/fit_status");
}

}  // namespace ecm::test
