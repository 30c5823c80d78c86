#pragma once
// The durable record of a run's progress: which tiles of the plan are complete in the
// partial output OUT.h5.partial. It lives beside it as OUT.h5.partial.tiles, a text file
// that rank 0 appends to and fsyncs after the tiles' data has been flushed, so a tile is
// listed only once its results are on disk. `ecm run --resume` reads it and computes only
// the missing tiles (docs/checkpointing.md). Plain text: a user can read it.
//
//   ecm tile ledger 1
//   fingerprint <16 hex digits>        what the run computes (input, options)
//   tiles <N>
//   <y0> <x0> <ny> <nx>                N lines: the tile plan
//   done <i>                           one line per finished tile, appended
#include <mpi.h>

#include <optional>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"

namespace ecm::io {

class TileLedger {
 public:
  // Collective. Creates the ledger (rank 0 writes it) for a run with these tiles.
  TileLedger(std::string path, std::string fingerprint, std::vector<ScanTile> tiles, MPI_Comm comm);
  // Collective. Reads an existing ledger on rank 0 and shares it with every rank; nothing
  // when the file does not exist. A torn last line (a kill during an append) is ignored.
  static std::optional<TileLedger> load(const std::string& path, MPI_Comm comm);

  // Collective: records tiles as done (durable when it returns).
  void record(const std::vector<std::size_t>& tile_indices);
  // Collective: deletes the ledger (the run is complete).
  void remove();

  const std::string& path() const { return path_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::vector<ScanTile>& tiles() const { return tiles_; }
  bool done(std::size_t tile) const { return done_.at(tile) != 0; }
  std::size_t n_done() const;

 private:
  TileLedger(std::string path, MPI_Comm comm) : path_(std::move(path)), comm_(comm) {}
  std::string path_, fingerprint_;
  std::vector<ScanTile> tiles_;
  std::vector<char> done_;
  MPI_Comm comm_;
};

// 64-bit FNV-1a of a text, as 16 hex digits: a stable fingerprint across builds and hosts.
std::string fingerprint_of(const std::string& text);

}  // namespace ecm::io
