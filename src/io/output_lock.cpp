#include "ecm/io/output_lock.hpp"

#include <iostream>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"

namespace ecm::io {

OutputLock::OutputLock(const std::string& output_path, const std::string& command, MPI_Comm comm)
    : path_(path_for(output_path)), command_(command), comm_(comm) {
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) != 0) return;
    file_.emplace(path_, "another ecm run is writing '" + output_path + "' (it holds the lock on '" + path_ +
                             "'); wait for it to finish, or choose another -o");
    earlier_ = file_->read_all();
    if (!file_->locked())
      std::cerr << command_ << ": note: the file system of '" << path_ << "' has no file locks: a second run writing '"
                << output_path << "' at the same time would not be stopped" << std::endl;
  });
  earlier_ = mpi::broadcast(std::move(earlier_), comm);
  // Nothing of an earlier run: the file is this run's to clean up if it fails early.
  if (earlier_.empty()) partial_outputs::add(path_);
}

LockedFile& OutputLock::file() {
  if (!file_) throw Error("internal: the output lock '" + path_ + "' is held by rank 0 only");
  return *file_;
}

void OutputLock::refuse_checkpoint() const {
  if (!earlier_.empty())
    throw InputError("'" + path_ + "' holds the checkpoint of an unfinished ecm run, which " + command_ +
                     " would destroy with its partial output: finish that run with ecm run --resume, remove its "
                     ".partial and .partial.tiles files, or choose another -o");
}

void OutputLock::remove() {
  if (mpi::rank(comm_) == 0 && file_) file_->remove();
  partial_outputs::forget(path_);
  mpi::check(MPI_Barrier(comm_), "MPI_Barrier(output lock removed)");
}

}  // namespace ecm::io
