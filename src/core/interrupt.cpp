#include "ecm/core/interrupt.hpp"

#include <csignal>

#include "ecm/core/mpi_check.hpp"
#include "ecm/core/stop_signals.hpp"

namespace ecm::interrupt {

namespace {
volatile std::sig_atomic_t g_requested = 0;
extern "C" void on_signal(int) {
  g_requested = 1;
  stop_signals::announce_clean_stop();  // mpiexec may kill the ranks before the stop completes
}
}  // namespace

void install_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and MPI calls in progress continue
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

bool requested_locally() { return g_requested != 0; }

void request_for_testing() { g_requested = 1; }

bool requested(MPI_Comm comm) {
  int any = g_requested ? 1 : 0;
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, comm), "MPI_Allreduce(interrupt request)");
  return any != 0;
}

}  // namespace ecm::interrupt
