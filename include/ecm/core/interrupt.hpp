#pragma once
// Stopping a run cleanly on request. SLURM sends SIGTERM at the time limit (and, with
// `--signal=USR1@T`, SIGUSR1 T seconds before it); `ecm run` then finishes the tiles it is
// on, records them, flushes the output and exits with kExitInterrupted, so that a job
// script can requeue itself and continue with `--resume`.
#include <mpi.h>

#include "ecm/core/error.hpp"

namespace ecm::interrupt {

// Exit status of a run that stopped on a signal with its work saved (EX_TEMPFAIL: "try
// again"). Job scripts requeue on it (slurm/README.md).
constexpr int kExitInterrupted = 75;

// Installs handlers for SIGTERM and SIGUSR1 that only set a flag (async-signal-safe).
void install_handlers();
// Whether this process received one of them.
bool requested_locally();
// Collective: whether any rank of comm received one (every rank gets the same answer).
bool requested(MPI_Comm comm);
// For tests: as if a signal had arrived on this process.
void request_for_testing();

// Thrown when a run stops on request after saving its work; the driver exits with
// kExitInterrupted and keeps the partial output for --resume.
using Interrupted = ecm::Interrupted;  // (core/error.hpp: public)

}  // namespace ecm::interrupt
