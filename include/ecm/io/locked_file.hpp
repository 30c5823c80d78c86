#pragma once
// A small file that this process holds an exclusive lock on while it writes it: what makes a
// second `ecm run` with the same -o stop before it touches anything of the first run's
// (the tile ledger is the output's lock, io/tile_ledger.hpp).
//
// The lock is a POSIX record lock (fcntl F_SETLK, write lock, whole file). Why not flock:
// POSIX locks are the ones cluster file systems make coherent across nodes (NFS through
// NLM / NFSv4 state, GPFS, Lustre when mounted with -o flock), and on NFS Linux emulates
// flock by them anyway. Their one trap is that closing *any* descriptor of the file in the
// process drops the lock: so every read and write of the file goes through the one
// descriptor held here, and nothing else in ecm opens it (HDF5 never opens it; it
// flocks only the .h5 files it opens itself). Where the file system has no locks
// (ENOLCK, ENOSYS, EOPNOTSUPP: Lustre without -o flock, some FUSE mounts), the file is
// used unlocked and locked() says so, for the caller to warn.
//
// The lock is released when the process ends or by remove(); the destructor keeps it (see
// there). A process that takes it re-checks, after locking, that the path still names the
// file it locked: the previous owner may have removed it in between.
#include <string>

namespace ecm::io {

class LockedFile {
 public:
  // Opens `path` (creating it when absent, never truncating it) and locks it. Throws
  // InputError naming the file when it cannot be created, or when another process holds
  // the lock; `busy_message` is that error's text ("another run owns ...").
  LockedFile(const std::string& path, const std::string& busy_message);
  // Keeps the descriptor, and so the lock, open until the process exits: a failing run
  // unwinds past its ledger before the driver removes the run's partial files
  // (drivers/ecm.cpp), and until they are gone no other run may take the output.
  ~LockedFile() = default;
  LockedFile(LockedFile&& other) noexcept;
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  LockedFile& operator=(LockedFile&&) = delete;

  bool locked() const { return locked_; }
  const std::string& path() const { return path_; }

  std::string read_all() const;
  // Replaces the content by `text`, durably (fsync), or throws.
  void replace(const std::string& text);
  // Appends `text`, durably (fsync), or throws.
  void append(const std::string& text);
  // Removes the file, then releases the lock (in this order: no other run can lock the
  // file in between and find it gone).
  void remove();

 private:
  void write_all(const std::string& text, long long offset);
  std::string path_;
  int fd_ = -1;
  bool locked_ = false;
};

}  // namespace ecm::io
