#pragma once
// The pieces of the extension module ecm._ecm, each adding its functions to the module.
#include <pybind11/pybind11.h>

namespace ecm::python {

// ecm::Runtime (MPI + Kokkos) for this process, started at the first call and finished at
// interpreter exit; world_size/world_rank of MPI_COMM_WORLD.
void bind_runtime(pybind11::module_& m);
void ensure_runtime();

// run_file, run_frames: ecm::Analysis on a file or on a numpy array of frames.
void bind_run(pybind11::module_& m);

}  // namespace ecm::python
