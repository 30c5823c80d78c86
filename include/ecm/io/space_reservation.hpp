#pragma once
// Disk space for an output, claimed before HDF5 writes into it (issue 14, class 3).
//
// Parallel HDF5 cannot recover from a failed write: the ranks end up in different collective
// calls and the job hangs (core/io_watchdog.hpp). So a writer says up front how large its
// file will be; then
//   - before the file is created, a file system with less free space refuses the command
//     with one line (nothing created), and
//   - right after, the space is allocated to the file (fallocate with FALLOC_FL_KEEP_SIZE:
//     blocks reserved beyond the end, the file's size untouched), so that a disk filled by
//     someone else during the run, or at the commit, no longer fails our writes;
//   - when the file is complete, what it did not use is given back.
// File systems without fallocate (some network ones) get the free-space check only; the
// watchdog remains the safety net there.
#include <mpi.h>

#include <string>

namespace ecm::io {

// The bytes to reserve for an HDF5 file holding `data_bytes` of datasets, `text_bytes` of
// string attributes (provenance, configuration) and `small_tables` small datasets: HDF5's
// object headers, B-trees and heaps on top of the data, generously.
double expected_hdf5_bytes(double data_bytes, double text_bytes = 0, double small_tables = 0);

// Collective, before the file exists: throws InputError on every rank when the file system
// of `path` has less than `bytes` available.
void require_free_space(const std::string& path, double bytes, MPI_Comm comm);

// Collective, right after the file was created (or opened to continue it): allocates
// `bytes` to it. Throws InputError on every rank when the file system refuses (a full disk,
// a quota); does nothing where fallocate is not supported. Test hook: with the environment
// variable ECM_TEST_NO_SPACE_RESERVATION=1 neither this nor require_free_space does anything,
// so that a full disk reaches HDF5 as on a file system without fallocate.
void reserve_space(const std::string& path, double bytes, MPI_Comm comm);

// On one process, after the file is closed for the last time: frees the reserved blocks
// beyond its end. Never throws (the file is complete either way).
void release_unused_space(const std::string& path) noexcept;

}  // namespace ecm::io
