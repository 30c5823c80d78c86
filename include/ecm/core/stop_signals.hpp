#pragma once
// What a user sees when a command is stopped by a signal (issue 14, class 14). mpiexec
// passes SIGTERM (also for its own SIGINT and SIGTERM) to every rank and kills them with
// SIGKILL one second later: a command died silently, leaving its partial output, and
// `ecm run`'s clean stop (core/interrupt.hpp: finish the tiles in progress, save them) was
// cut short before it could print anything.
#include <string>

namespace ecm::stop_signals {

// Handlers for SIGTERM, SIGINT and SIGHUP: rank 0 writes one line ("ecm convert: stopped by
// SIGTERM"), every rank removes its partial outputs (core/partial_outputs.hpp), and the
// process then dies of the signal, so that its exit status still tells which. `ecm run`
// replaces the SIGTERM handler by its clean stop afterwards. Call once, after MPI_Init.
void install(const std::string& command, int rank);

// For `ecm run`'s clean-stop handler (async-signal-safe): rank 0 says at once, once, that
// the stop has begun, since mpiexec may kill the ranks before the stop completes.
void announce_clean_stop() noexcept;

}  // namespace ecm::stop_signals
