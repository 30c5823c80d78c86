#pragma once
// What keeps a failed write from hanging the job (issue 14, class 3).
//
// Parallel HDF5 is not collective-safe after an I/O error: when a write fails on one rank
// (a full disk, a quota, EIO), HDF5 1.10 leaves that rank's collective sequence inside the
// same H5Dwrite/H5Fflush/H5Fclose, and the ranks wait on each other for ever; no ecm code
// runs again, so neither the agreement step (core/mpi_check.hpp) nor the driver's 10 s
// wait can help. The MPI-IO layer, though, reports every failed file operation to an error
// handler *before* HDF5 sees it. ecm installs one that
//   - records the system's reason (errno text, "No space left on device"), which HDF5's own
//     error stack does not carry (h5::check appends it to its one-line message), and
//   - arms a watchdog: unless the process has reported the failure within kDeadline (all
//     ranks agreed, the files closed), it prints the one line itself, removes the partial
//     outputs and aborts the job (MPI_Abort: every rank exits non-zero).
// Output files are given their space up front (io/space_reservation.hpp), so a full disk is
// normally refused before HDF5 writes anything; this is the safety net for the rest.
#include <mpi.h>

#include <chrono>
#include <string>

namespace ecm::io_watchdog {

// How long a process that saw an I/O error may take to report it before it aborts the job.
constexpr std::chrono::seconds kDeadline{5};

// Installs the MPI file error handler for every file opened from now on (MPI_FILE_NULL's
// handler is the default for new files) and remembers the command for the message.
// Call once, after MPI_Init.
void install(const std::string& command);

// Names the MPI file handle of an open file (H5Fget_vfd_handle), so that the watchdog's
// message says which file could not be written.
void name_file(MPI_File file, const std::string& path);

// The reason of the last MPI-IO failure not yet taken ("No space left on device"), and
// forgets it; "" when there was none since the last call.
std::string take_system_error();

// The one-line message this process will report its failure with (the last h5::check
// failure): the watchdog prints it when it fires before the driver could.
void note_failure(const std::string& message);

// The driver printed (or left to another rank) the failure's line: the watchdog stays
// quiet, but still aborts if the process then hangs (HDF5 closing a broken file).
void mark_reported();

}  // namespace ecm::io_watchdog
