// One ecm::Runtime per Python process: MPI (as a singleton of MPI_COMM_WORLD size 1 when
// Python was not started by mpiexec) and Kokkos start at the first analysis, not at import,
// and end at interpreter exit (atexit), finalising only what the Runtime started.
#include <mpi.h>

#include <memory>

#include "bindings.hpp"
#include "ecm/analysis.hpp"
#include "ecm/core/error.hpp"

namespace py = pybind11;

namespace ecm::python {
namespace {

std::unique_ptr<ecm::Runtime>& runtime() {
  static std::unique_ptr<ecm::Runtime> instance;
  return instance;
}
bool finished = false;  // MPI cannot start again in a process once finalised

int world(int (*query)(MPI_Comm, int*)) {
  ensure_runtime();
  int value = 0;
  if (query(MPI_COMM_WORLD, &value) != MPI_SUCCESS) throw ecm::MpiError("MPI_COMM_WORLD cannot be queried");
  return value;
}

}  // namespace

void ensure_runtime() {
  if (runtime()) return;
  if (finished) throw ecm::Error("ecm: the MPI runtime was already finalised in this process (at interpreter exit)");
  runtime() = std::make_unique<ecm::Runtime>();
}

void bind_runtime(py::module_& m) {
  m.def("world_size", [] { return world(MPI_Comm_size); }, "ranks of MPI_COMM_WORLD (starts the runtime)");
  m.def("world_rank", [] { return world(MPI_Comm_rank); }, "this process' rank in MPI_COMM_WORLD (starts the runtime)");
  m.def(
      "finalize",
      [] {
        finished = finished || runtime() != nullptr;
        runtime().reset();
      },
      "ends Kokkos and MPI if this module started them; called at interpreter exit");
  // Before the interpreter tears down: Kokkos views and MPI must end while the process is whole.
  py::module_::import("atexit").attr("register")(m.attr("finalize"));
}

}  // namespace ecm::python
