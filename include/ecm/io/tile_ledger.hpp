#pragma once
// The durable record of a run's progress: which tiles of the plan are complete in the
// partial output OUT.h5.partial, and what they were computed from. It lives beside it as
// OUT.h5.partial.tiles, a text file that rank 0 appends to and fsyncs after the tiles' data
// has been flushed, so a tile is listed only once its results are on disk. `ecm run
// --resume` reads it and computes only the missing tiles (docs/checkpointing.md). Plain
// text: a user can read it.
//
//   ecm tile ledger 2
//   fingerprint <16 hex digits>          what the run computes (input path, options)
//   file <bytes> <mtime ns> <path>       each file read, as it was when the run began
//   sample <16 hex digits>               checksum of a few frames of the input
//   tiles <N>
//   <y0> <x0> <ny> <nx>                  N lines: the tile plan
//   done <i> <input> <results>           one line per finished tile, appended: checksums
//                                        of two of its input frames and of its results
//
// The ledger is also the output's lock (io/output_lock.hpp): rank 0 holds it locked for the
// whole run, so a second run (or ecm ttcf, ecm convert) writing the same -o stops before it
// changes anything.
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/io/output_lock.hpp"

namespace ecm::io {

// What the ledger records of one finished tile.
struct TileRecord {
  std::uint64_t input_probe = 0;  // checksum of two of the tile's input frames (engine/input_identity)
  std::uint64_t results = 0;      // checksum of the tile's results as written (io/result_file)
};

// An earlier run's record, as read from the ledger.
struct LedgerContent {
  std::string fingerprint;
  std::string input_identity;  // the "file" and "sample" lines, as engine::InputIdentity writes them
  std::vector<ScanTile> tiles;
  std::vector<std::optional<TileRecord>> done;  // per tile of the plan; the last record counts
  std::size_t n_done() const;
};

class TileLedger {
 public:
  // Collective. Takes the lock of the output `output_path` (io/output_lock.hpp), whose file
  // OUT.partial.tiles is the ledger, and reads what an earlier run left in it. Throws
  // InputError when another run holds the lock. An empty ledger (none, or one a kill left
  // before its first line) is removed again if this run fails before it records a tile.
  TileLedger(const std::string& output_path, MPI_Comm comm);

  // Whether an earlier run left a record (possibly a damaged one).
  bool has_checkpoint() const { return !earlier_.empty(); }
  // The earlier run's record. Throws InputError ("... is damaged", or written by an
  // earlier version of ecm) when it cannot be read as one; only whole lines count (an
  // append cut short by a kill is ignored).
  LedgerContent checkpoint() const;

  // Collective: the record of a new run (replaces an earlier one).
  void start(const std::string& fingerprint, const std::string& input_identity, const std::vector<ScanTile>& tiles);
  // Collective: continue the earlier run's record (--resume); drops a line a kill cut short,
  // so that appends start on a line of their own.
  void resume();
  // Collective: records finished tiles (durable when it returns); the same arguments on
  // every rank, one record per tile.
  void record(const std::vector<std::size_t>& tile_indices, const std::vector<TileRecord>& records);
  // Collective: deletes the ledger (the run is complete) and releases the output.
  void remove();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  MPI_Comm comm_;
  OutputLock lock_;
  std::string earlier_;  // the file's content when the run began, on every rank
};

// 64-bit FNV-1a of a text, as 16 hex digits: a stable fingerprint across builds and hosts.
std::string fingerprint_of(const std::string& text);

}  // namespace ecm::io
