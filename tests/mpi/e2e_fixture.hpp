#pragma once
// A simulated acquisition shared by the end-to-end tests of one test process, and helpers
// to read results back. Every rank calls these in the same order (they are collective).
#include <mpi.h>

#include <string>
#include <vector>

#include "ecm/core/mpi_check.hpp"
#include "ecm/engine/pipeline.hpp"
#include "ecm/simulate/config.hpp"

namespace ecm::test {

struct SimulatedDataset {
  std::string dir, input, truth;
  simulate::SimConfig config;
};

// The dataset the accuracy tests use: the paper's reliability conditions hold
// (2 electrons/px at the ring, time step = tau/20, duration = 100 tau, k_phi bins <= k_c).
const SimulatedDataset& reliable_dataset();

// The domain-size acquisition (issue 5): 40 x 40 positions, 4 px domains, sigma ln tau 0.7,
// one tau map per 15 degree sector, 300 cycles at tau/10, 2 electrons/px at the ring.
const SimulatedDataset& domain_dataset();

// The registration tests' pair: one sample (a thickness map for VDF contrast) on a 20 x 20
// scan, 400 cycles at 1 electron/px at the ring, recorded once drifting (linear plus
// random walk, up to ~5 scan px) and once without drift. Shared like reliable_dataset().
struct DriftPair {
  SimulatedDataset drifting, steady;
};
const DriftPair& drift_pair();

// A RunConfig for `input` with the engine's defaults and output `out`.
engine::RunConfig default_run_config(const SimulatedDataset& data, const std::string& out);

// The float dataset `name` of a result file, read on the calling rank (serial HDF5).
std::vector<float> read_floats(const std::string& path, const std::string& name);
std::vector<unsigned char> read_status(const std::string& path);

// A path unique to this test process (rank 0's pid), the same on every rank.
std::string scratch_dir();

// Edits a file on rank 0 while the other ranks wait; collective. Every rank first waits
// for all to arrive, so no rank still holds the file open (HDF5's file lock would refuse
// rank 0's write: engine::run returns on each rank when that rank has closed its input,
// not when all have). Then all agree, so a failed edit throws on every rank instead of
// leaving the others in the next collective.
template <class F>
void edit_on_rank0(F&& edit) {
  MPI_Barrier(MPI_COMM_WORLD);
  mpi::run_then_agree(MPI_COMM_WORLD, [&] {
    if (mpi::rank(MPI_COMM_WORLD) == 0) edit();
  });
}

}  // namespace ecm::test
