#include "ecm/core/io_watchdog.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "ecm/core/interrupt.hpp"
#include "ecm/core/partial_outputs.hpp"

namespace ecm::io_watchdog {

namespace {

// Allocated once and never freed: the watchdog thread may still be waiting while the
// process exits, and must not find its mutex destroyed under it.
struct State {
  std::mutex mutex;
  std::condition_variable wake;
  std::string command = "ecm";
  std::map<MPI_File, std::string> names;
  std::string system_error;   // not yet taken by h5::check
  std::string first_failure;  // what the watchdog prints: the first I/O failure of this process...
  std::string noted;          // ...or, better, the h5::check message it caused
  bool armed = false, reported = false;
  int rank = 0;  // in MPI_COMM_WORLD
  std::chrono::steady_clock::time_point deadline;
};

State& state() {
  static State* s = new State;
  return *s;
}

// The reason of a failed MPI-IO call in the system's words. Open MPI gives ENOSPC and EDQUOT
// their own error classes; for the generic ones errno is still the failed pwrite's, when it
// is one of the errors a file system returns.
std::string reason_of(int code, int saved_errno) {
  int cls = MPI_ERR_OTHER;
  MPI_Error_class(code, &cls);
  switch (cls) {
    case MPI_ERR_NO_SPACE: return std::strerror(ENOSPC);
    case MPI_ERR_QUOTA: return std::strerror(EDQUOT);
    case MPI_ERR_READ_ONLY: return std::strerror(EROFS);
    case MPI_ERR_ACCESS: return std::strerror(EACCES);
    case MPI_ERR_NO_SUCH_FILE: return std::strerror(ENOENT);
    default: break;
  }
  for (int e : {ENOSPC, EDQUOT, EIO, EFBIG, EROFS, ESTALE, ENXIO})
    if (saved_errno == e) return std::strerror(e);
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  return std::string(text, std::size_t(len));
}

void watch() {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mutex);
  while (std::chrono::steady_clock::now() < s.deadline) s.wake.wait_until(lock, s.deadline);
  // SIGTERM meanwhile: another rank's watchdog has aborted the job (Open MPI terminates the
  // others with it; `ecm run` only notes it, for a clean stop) and has printed the line.
  if (!s.reported && !interrupt::requested_locally()) {
    const std::string message = s.noted.empty() ? s.first_failure : s.noted;
    const std::string line = s.command + ": error: " + message +
                             " (the ranks could not finish after this I/O error; aborting)\n";
    // write(2): the main thread may hold std::cerr's lock, stuck in an MPI call.
    [[maybe_unused]] auto n = write(STDERR_FILENO, line.data(), line.size());
  }
  lock.unlock();
  partial_outputs::remove_all();
  MPI_Abort(MPI_COMM_WORLD, 1);
  _exit(1);  // MPI_Abort does not return; should it, the job must still end
}

void arm(const std::string& failure) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.armed) return;
  s.armed = true;
  s.first_failure = failure;
  // Ranks that fail alike (a full disk fails all of them) fire one after the other, a second
  // apart: the first aborts the job (Open MPI needs some 0.3 s to kill the others) before
  // the next prints a second line.
  s.deadline = std::chrono::steady_clock::now() + kDeadline + std::chrono::seconds(std::min(s.rank, 10));
  std::thread(watch).detach();
}

// By the time a short write returns, Open MPI has overwritten errno: a file system with less
// room than the bytes that were missing is the reason ("No space left on device").
std::string full_disk_or_empty(MPI_File file, MPI_Count missing) {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(state().mutex);
    const auto it = state().names.find(file);
    if (it == state().names.end()) return {};
    path = it->second;
  }
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct statvfs fs {};
  if (statvfs(dir.c_str(), &fs) != 0) return {};
  return double(fs.f_bavail) * double(fs.f_frsize) < double(missing) ? std::strerror(ENOSPC) : std::string();
}

// Records the reason of a failed operation on an open file and arms the watchdog.
void failed(MPI_File file, const std::string& reason) {
  State& s = state();
  std::string path;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.system_error = reason;
    const auto it = s.names.find(file);
    path = it == s.names.end() ? std::string("a file") : "'" + it->second + "'";
  }
  arm("I/O on " + path + " failed: " + reason);
}

extern "C" void on_file_error(MPI_File* file, int* code, ...) {
  const int saved_errno = errno;  // before anything here can change it
  const std::string reason = reason_of(*code, saved_errno);
  // A failed open returns cleanly on every rank (the caller reports it); a failed read or
  // write of an open file may leave HDF5 stuck in a collective call.
  if (file && *file != MPI_FILE_NULL) failed(*file, reason);
  else {
    std::lock_guard<std::mutex> lock(state().mutex);
    state().system_error = reason;
  }
}

// Open MPI's own MPI-IO (ompio) returns MPI_SUCCESS with a short count when pwritev fails
// in a collective write, and never calls the error handler: the write calls HDF5 makes are
// watched through the MPI profiling interface (each calls its PMPI_ twin and checks what it
// returned). `status` may be MPI_STATUS_IGNORE: then a local one takes its place.
template <class Call>
int watched_write(MPI_File file, int count, MPI_Datatype type, MPI_Status* status, Call&& call) {
  MPI_Status local;
  MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
  errno = 0;
  const int rc = call(st);
  const int saved_errno = errno;
  if (rc != MPI_SUCCESS) return rc;  // the error handler has run
  int type_size = 0;
  MPI_Count written = 0;
  if (PMPI_Type_size(type, &type_size) != MPI_SUCCESS || PMPI_Get_elements_x(st, MPI_BYTE, &written) != MPI_SUCCESS)
    return rc;
  const MPI_Count expected = MPI_Count(count) * type_size;
  if (written != MPI_UNDEFINED && written < expected) {
    const bool system = saved_errno == ENOSPC || saved_errno == EDQUOT || saved_errno == EIO ||
                        saved_errno == EFBIG || saved_errno == EROFS || saved_errno == ESTALE;
    std::string reason = system ? std::strerror(saved_errno) : full_disk_or_empty(file, expected - written);
    if (reason.empty()) reason = "wrote " + std::to_string(written) + " of " + std::to_string(expected) + " bytes";
    failed(file, reason);
  }
  return rc;
}

}  // namespace
}  // namespace ecm::io_watchdog

extern "C" {

int MPI_File_write_at(MPI_File fh, MPI_Offset offset, const void* buf, int count, MPI_Datatype type,
                      MPI_Status* status) {
  return ecm::io_watchdog::watched_write(fh, count, type, status, [&](MPI_Status* st) {
    return PMPI_File_write_at(fh, offset, buf, count, type, st);
  });
}

int MPI_File_write_at_all(MPI_File fh, MPI_Offset offset, const void* buf, int count, MPI_Datatype type,
                          MPI_Status* status) {
  return ecm::io_watchdog::watched_write(fh, count, type, status, [&](MPI_Status* st) {
    return PMPI_File_write_at_all(fh, offset, buf, count, type, st);
  });
}

}  // extern "C"

namespace ecm::io_watchdog {

void install(const std::string& command) {
  state().command = command;
  MPI_Comm_rank(MPI_COMM_WORLD, &state().rank);
  MPI_Errhandler handler;
  MPI_File_create_errhandler(on_file_error, &handler);
  MPI_File_set_errhandler(MPI_FILE_NULL, handler);
}

void name_file(MPI_File file, const std::string& path) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.names[file] = path;
}

std::string take_system_error() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  std::string e;
  e.swap(s.system_error);
  return e;
}

void note_failure(const std::string& message) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.armed && s.noted.empty()) s.noted = message;
}

void mark_reported() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.reported = true;
}

}  // namespace ecm::io_watchdog
