// The one main of every ecm test executable: MPI and Kokkos live for the whole
// Catch2 session, so tests can use both freely.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <mpi.h>

#include <Kokkos_Core.hpp>

#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"

int main(int argc, char** argv) {
  ecm::mpi::init(&argc, &argv);
  int result = 0;
  {
    Kokkos::ScopeGuard kokkos(argc, argv);
    ecm::h5::silence_hdf5_errors();
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    Catch::Session session;
    if (rank != 0) session.configData().reporterName = "compact";  // one readable report, from rank 0
    result = session.run(argc, argv);
    // A test fails the run if it failed on any rank.
    MPI_Allreduce(MPI_IN_PLACE, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  return result;
}
