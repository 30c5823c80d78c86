#pragma once
// Checkpointing of `ecm run` (docs/checkpointing.md): the output's lock, the tile ledger and
// the identity of what was read, and every check that keeps a checkpoint from mixing two
// acquisitions or two sets of options, or passing off tiles that were never written
// (issue 14, classes 4-7 and 14):
//
//   construction   takes the output's lock: a second run with the same -o stops here,
//                  having changed nothing;
//   complete_already   --resume of a finished OUT.h5: only if it was made from these files
//                  with these options;
//   plan / pending --resume of a checkpoint: only for the same options and the same files
//                  (sizes, modification times, sample frames), with a tile plan that
//                  covers the scan; each recorded tile is checked against its results
//                  checksum (lost or damaged: computed again) and its input probe;
//   record         each finished tile with its checksums, after its data is on disk;
//   check_input_before_commit   the input did not change while the run read it.
#include <mpi.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ecm/engine/input_identity.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/io/result_file.hpp"
#include "ecm/io/tile_ledger.hpp"

namespace ecm::engine {

class RunCheckpoint {
 public:
  // Collective, before anything of the output is read, created or truncated. Throws
  // InputError when another run holds the output.
  RunCheckpoint(const RunConfig& config, const io::InputDataset& input, MPI_Comm comm);

  // Collective. With --resume, a finished OUT.h5 and no checkpoint (or only the ledger of a
  // run killed within its commit, after OUT.h5.partial became OUT.h5): true when OUT.h5 was
  // made from these files with these options (nothing to do: the ledger is removed, the lock
  // released); throws InputError when it was made from others. False in every other case.
  bool complete_already();

  // Collective. The tiles to compute: with --resume and a checkpoint, its plan (checked
  // against the options, the input and the scan); otherwise `fresh`, and a checkpoint this
  // run discards is said so on stderr.
  std::vector<ScanTile> plan(std::vector<ScanTile> fresh);
  bool resuming() const { return resuming_; }

  // Collective, resuming, with the partial output open: the recorded tiles whose results
  // and input are as recorded count as done (`verified` is called with each one this rank
  // read); the others are computed again. Returns the tiles to compute, in plan order.
  std::vector<std::size_t> pending(const io::ResultFile& out,
                                   const std::function<void(const io::TileResults&)>& verified);
  // Collective, a fresh run, once the partial output's structure is on disk.
  void start();

  // This rank's record of a tile it computed: `input_probe` read (probe_tile) just before
  // the tile's frames.
  static io::TileRecord record_of(std::uint64_t input_probe, const io::TileResults& results) {
    return {input_probe, io::results_checksum(results)};
  }
  // Collective: the finished tiles of all ranks (the same everywhere) and this rank's records
  // of its own, in order. Their data must be flushed already.
  void record(const std::vector<std::size_t>& finished, const std::vector<io::TileRecord>& my_records);
  std::size_t n_done() const;

  // Collective, every tile done, before commit. Throws InputError when the input changed in
  // place while the run read it (the checkpoint is then removed: it mixes two files) or was
  // replaced by another file (the checkpoint is kept for --resume with the file that was
  // read); notes on stderr an input moved away (its data, read whole, did not change).
  void check_input_before_commit(const io::InputDataset& input);

  // Local, where reading the input failed: when the input changed in place since the run
  // began (cut short, overwritten), throws InputError saying so instead, and gives up the
  // checkpoint (it mixes two files). Returns otherwise.
  void throw_if_input_changed() const;

  // What the result was made from (root attributes run_fingerprint, input_identity), for
  // complete_already of a later --resume.
  void write_identity(io::ResultFile& out) const;
  // Collective, after commit: the ledger goes, the output is released.
  void finish() { ledger_.remove(); }

  const InputIdentity& identity() const { return identity_; }

 private:
  const RunConfig& config_;
  const io::InputDataset& input_;
  MPI_Comm comm_;
  io::TileLedger ledger_;
  InputIdentity identity_;
  std::string fingerprint_;
  bool resuming_ = false;
  std::vector<ScanTile> tiles_;
  std::vector<std::optional<io::TileRecord>> records_;  // per tile, on every rank
};

}  // namespace ecm::engine
