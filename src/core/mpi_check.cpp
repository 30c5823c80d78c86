#include "ecm/core/mpi_check.hpp"

#include <climits>

namespace ecm::mpi {

namespace {
int g_thread_level = MPI_THREAD_SINGLE;
}  // namespace

void init(int* argc, char*** argv) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  g_thread_level = provided;
}

bool serialized_threads() {
  // Whoever started MPI (mpi::init, ecm::Runtime, or the caller's own program): ask it.
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) return g_thread_level >= MPI_THREAD_SERIALIZED;
  int level = MPI_THREAD_SINGLE;
  MPI_Query_thread(&level);
  return level >= MPI_THREAD_SERIALIZED;
}

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw MpiError(std::string("MPI call ") + what + " failed: " + std::string(text, len));
}

int rank(MPI_Comm comm) {
  int r = 0;
  check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
  return r;
}

int size(MPI_Comm comm) {
  int n = 0;
  check(MPI_Comm_size(comm, &n), "MPI_Comm_size");
  return n;
}

void agree_or_throw(MPI_Comm comm, const std::exception_ptr& local_error) {
  const int me = rank(comm);
  const int mine = local_error ? me : INT_MAX;
  int first_failed = INT_MAX;
  check(MPI_Allreduce(&mine, &first_failed, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce(error agreement)");
  if (first_failed == INT_MAX) return;
  if (local_error) std::rethrow_exception(local_error);
  throw PeerFailure("stopped because rank " + std::to_string(first_failed) + " failed");
}

std::string broadcast(std::string text, MPI_Comm comm) {
  unsigned long long n = text.size();
  check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast(text size)");
  text.resize(n);
  if (n) check(MPI_Bcast(text.data(), int(n), MPI_CHAR, 0, comm), "MPI_Bcast(text)");
  return text;
}

}  // namespace ecm::mpi
