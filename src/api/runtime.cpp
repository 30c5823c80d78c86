#include <mpi.h>

#include <Kokkos_Core.hpp>

#include "ecm/analysis.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm {

Runtime::Runtime(int* argc, char*** argv) {
  int initialized = 0;
  mpi::check(MPI_Initialized(&initialized), "MPI_Initialized");
  if (!initialized) {
    int no_argc = 0;
    char** no_argv = nullptr;
    mpi::init(argc ? argc : &no_argc, argv ? argv : &no_argv);
    started_mpi_ = true;
  }
  if (!Kokkos::is_initialized()) {
    int no_argc = 0;
    char* name = nullptr;
    if (argc && argv) Kokkos::initialize(*argc, *argv);
    else Kokkos::initialize(no_argc, &name);
    started_kokkos_ = true;
  }
  // ecm turns HDF5 failures into exceptions with the library's message; its own printing off.
  h5::silence_hdf5_errors();
}

Runtime::~Runtime() {
  if (started_kokkos_ && Kokkos::is_initialized()) Kokkos::finalize();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (started_mpi_ && !finalized) MPI_Finalize();
}

}  // namespace ecm
