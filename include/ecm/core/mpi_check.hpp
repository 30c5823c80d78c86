#pragma once
// Checked MPI calls and the agreement step that keeps ranks in lock-step on errors.
#include <mpi.h>

#include <exception>
#include <string>

#include "ecm/core/error.hpp"

namespace ecm::mpi {

// Throws MpiError naming `what` if `code` is not MPI_SUCCESS.
void check(int code, const char* what);

int rank(MPI_Comm comm);
int size(MPI_Comm comm);

// Rank 0's `text` on every rank (a collective; the other ranks' `text` is ignored).
std::string broadcast(std::string text, MPI_Comm comm);

// Starts MPI asking for MPI_THREAD_SERIALIZED (a reader thread may make MPI-IO calls while
// the main thread computes, never both at once) and records what the library granted.
void init(int* argc, char*** argv);
// Whether MPI may be called from a thread other than the one that started it.
bool serialized_threads();

// Every rank calls this after a stretch of purely local work that may have failed.
// If any rank's `local_error` is set, all ranks throw: the failing ranks rethrow their
// own error, the others an Error naming the first failing rank. This is how a failure
// on one rank becomes a clean stop on all ranks instead of a hang in the next collective.
void agree_or_throw(MPI_Comm comm, const std::exception_ptr& local_error);

// Runs `work` locally, then agrees: a one-liner for "local phase, then collective".
template <class F>
void run_then_agree(MPI_Comm comm, F&& work) {
  std::exception_ptr err;
  try {
    work();
  } catch (...) {
    err = std::current_exception();
  }
  agree_or_throw(comm, err);
}

}  // namespace ecm::mpi
