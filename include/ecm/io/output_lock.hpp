#pragma once
// The lock that makes one ecm command at a time the writer of an output OUT: rank 0 holds an
// exclusive lock (io/locked_file.hpp) on OUT.partial.tiles, the file in which `ecm run`
// keeps its tile ledger (io/tile_ledger.hpp), from before any output file is touched until
// the output is complete. `ecm run`, `ecm ttcf` and `ecm convert` all take it, so two of
// them with the same -o cannot both write the output and both claim success: the second
// stops with one line saying another run owns it, and changes nothing.
#include <mpi.h>

#include <optional>
#include <string>

#include "ecm/io/locked_file.hpp"

namespace ecm::io {

class OutputLock {
 public:
  // OUT.partial.tiles: where the lock of the output `output_path` lives.
  static std::string path_for(const std::string& output_path) { return output_path + ".partial.tiles"; }

  // Collective. Rank 0 creates (if needed) and locks path_for(output_path), and reads what an
  // earlier run left in it (a tile ledger), shared with every rank. Throws InputError on
  // every rank when the file cannot be created or another process holds the lock. A file
  // this run created (empty before) is removed if the command fails (core/partial_outputs).
  // `command` ("ecm ttcf") begins the notes and messages.
  OutputLock(const std::string& output_path, const std::string& command, MPI_Comm comm);

  // Rank 0: false when the file system has no locks (the file is used unlocked); rank 0
  // has said so in a note on stderr.
  bool locked() const { return file_ && file_->locked(); }
  // What the file held when the lock was taken (empty: nothing of an earlier run), on every rank.
  const std::string& earlier() const { return earlier_; }
  // Rank 0's handle: the only descriptor of the file (see LockedFile); throws elsewhere.
  LockedFile& file();
  const std::string& path() const { return path_; }

  // Collective: a command that writes no tile ledger (ttcf, convert) refuses to start over a
  // checkpoint that `ecm run` left for this output: writing OUT.partial would destroy it.
  void refuse_checkpoint() const;
  // Collective: deletes the file and releases the lock (the output is complete).
  void remove();

 private:
  std::string path_, command_;
  MPI_Comm comm_;
  std::optional<LockedFile> file_;  // rank 0
  std::string earlier_;
};

}  // namespace ecm::io
