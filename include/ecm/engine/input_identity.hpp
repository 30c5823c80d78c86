#pragma once
// What an `ecm run` read, identified by content rather than by name: for each file (the
// input, the files read with it, the references) its size and modification time, and a
// checksum of a few of the input's frames. The tile ledger records it, and so does the
// finished output, so that `--resume` continues a checkpoint, or declares an output
// complete, only for the very files that made it (issue 14, classes 4 and 6); and each
// tile's record carries a probe of that tile's frames (probe_tile), so that a file changed
// under a running job is caught before the result is committed.
//
// Each rank also keeps every file open for the whole run: through those descriptors it can
// tell a file changed in place (its data was read from the changed file) from a name that
// now leads elsewhere or nowhere (the data read came from the file as it was).
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

class InputIdentity {
 public:
  // Collective, after the input is open. Every rank opens each file read and notes what it
  // is; rank 0's sizes, times and sample frames become text(), the same on every rank.
  InputIdentity(const RunConfig& config, const io::InputDataset& input, MPI_Comm comm);
  ~InputIdentity();
  InputIdentity(const InputIdentity&) = delete;
  InputIdentity& operator=(const InputIdentity&) = delete;

  // "file <bytes> <mtime ns> <path>" per file and "sample <16 hex>", one per line.
  const std::string& text() const { return text_; }
  std::uint64_t input_size_bytes() const { return input_size_; }

  // What differs between `recorded` (the text() of an earlier run) and these files, in
  // words naming the file ("'data.h5' has 123 bytes, it had 456"); empty when nothing does.
  std::string difference_from(const std::string& recorded) const;

  // What became of the files since this run opened them, as this rank sees them.
  enum class Change : int { none = 0, moved_away = 1, replaced = 2, modified = 3 };
  // The worst change and the file it happened to.
  std::pair<Change, std::string> change_since_start() const;

 private:
  struct Opened {
    std::string path;
    int fd = -1;  // held open for the run (-1: not a regular file we could open)
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
  };
  std::vector<Opened> files_;
  std::string text_;
  std::uint64_t input_size_ = 0;
};

// A checksum of two of the tile's stored frames: its first scan position at the first and at
// the last cycle, as stored (no conversion), read straight from the frame source so that the
// read counts neither as analysis nor against "every frame read once".
std::uint64_t probe_tile(const io::InputDataset& input, const ScanTile& tile);

}  // namespace ecm::engine
