#include "ecm/engine/run_checkpoint.hpp"

#include <filesystem>
#include <iostream>

#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/kernels/kww_fit.hpp"

namespace ecm::engine {

static_assert(io::kNotComputed == std::uint8_t(fit::Status::not_computed), "the fill value of /fit_status");

namespace {

// A yes/no decided on rank 0 (about files) and shared, so every rank takes the same branch.
bool rank0_says(MPI_Comm comm, bool answer_on_rank0) {
  int answer = answer_on_rank0 ? 1 : 0;
  mpi::check(MPI_Bcast(&answer, 1, MPI_INT, 0, comm), "MPI_Bcast(rank 0 decision)");
  return answer != 0;
}

// The input identity as a root attribute: whole while it is small, else its fingerprint
// (an attribute of over 64 kB cannot be written; a camera's hundreds of files would be).
std::string identity_attribute(const std::string& text) {
  return text.size() <= 16384 ? text : "digest " + io::fingerprint_of(text);
}

// Every position of the scan in exactly one tile, every tile inside it: a ledger whose plan
// is not so would leave positions never computed (or written twice) in the result.
bool plan_covers_scan(const std::vector<ScanTile>& tiles, const io::InputLayout& L) {
  std::vector<unsigned char> covered(L.positions(), 0);
  for (const auto& t : tiles) {
    if (t.empty() || t.y0 >= L.scan_y || t.x0 >= L.scan_x || t.ny > L.scan_y - t.y0 || t.nx > L.scan_x - t.x0)
      return false;
    for (std::size_t y = t.y0; y < t.y0 + t.ny; ++y)
      for (std::size_t x = t.x0; x < t.x0 + t.nx; ++x)
        if (covered[y * L.scan_x + x]++) return false;
  }
  for (unsigned char c : covered)
    if (!c) return false;
  return true;
}

std::string changed_message(const std::string& file) {
  return "the input '" + file + "' changed while the run read it (written, truncated or replaced in place); its "
         "results would mix two acquisitions, so none are kept: run again";
}

}  // namespace

RunCheckpoint::RunCheckpoint(const RunConfig& config, const io::InputDataset& input, MPI_Comm comm)
    : config_(config), input_(input), comm_(comm),
      ledger_(config.output_path, comm), identity_(config, input, comm),
      fingerprint_(io::fingerprint_of(config.identity())) {}

bool RunCheckpoint::complete_already() {
  if (!config_.controls.resume) return false;
  const std::string& out = config_.output_path;
  std::error_code ec;
  if (ledger_.has_checkpoint()) {
    // A checkpoint is continued, unless its run was killed within its commit: after the
    // partial file became OUT, before the ledger was removed. Then OUT is the result (checked
    // below like any finished output) and the ledger a leftover.
    const bool committed = rank0_says(comm_, mpi::rank(comm_) == 0 && std::filesystem::exists(out, ec) &&
                                                 !std::filesystem::exists(out + ".partial", ec));
    if (!committed) return false;
  } else if (!rank0_says(comm_, mpi::rank(comm_) == 0 && std::filesystem::exists(out, ec))) {
    return false;
  }
  // What the finished output says it was made from, read on rank 0.
  std::string fingerprint, identity;
  mpi::run_then_agree(comm_, [&] {
    if (mpi::rank(comm_) != 0) return;
    const auto no_record = [&] {
      return InputError("cannot resume: '" + out + "' exists but does not record what it was made from (not a "
                        "result of this version of ecm run); run without --resume to replace it");
    };
    if (!h5::is_hdf5_file(out)) throw no_record();
    h5::Handle file = h5::open_file_serial(out);
    if (!h5::has_attribute(file, "run_fingerprint") || !h5::has_attribute(file, "input_identity")) throw no_record();
    fingerprint = h5::read_attribute_string(file, "run_fingerprint");
    identity = h5::read_attribute_string(file, "input_identity");
  });
  fingerprint = mpi::broadcast(fingerprint, comm_);
  identity = mpi::broadcast(identity, comm_);
  if (fingerprint != fingerprint_)
    throw InputError("cannot resume: '" + out + "' is complete, but was made with another input or other options; "
                     "run without --resume to replace it");
  if (identity != identity_attribute(identity_.text())) {
    const std::string why = identity.rfind("digest ", 0) == 0 ? "the files read are not the same"
                                                              : identity_.difference_from(identity);
    throw InputError("cannot resume: '" + out + "' is complete, but was made from other data (" + why +
                     "); run without --resume to replace it");
  }
  ledger_.remove();
  return true;
}

std::vector<ScanTile> RunCheckpoint::plan(std::vector<ScanTile> fresh) {
  const std::string partial = config_.output_path + ".partial";
  if (!config_.controls.resume || !ledger_.has_checkpoint()) {
    if (ledger_.has_checkpoint() && mpi::rank(comm_) == 0) {
      // Rerunning without --resume starts over: say what is given up.
      std::string what = "damaged";
      try {
        const io::LedgerContent c = ledger_.checkpoint();
        what = std::to_string(c.n_done()) + " of " + std::to_string(c.tiles.size()) + " tiles done";
      } catch (const std::exception&) {
      }
      std::cerr << "ecm run: note: starting afresh without --resume: the checkpoint in '" << partial << "' ("
                << what << ") is discarded" << std::endl;
    }
    tiles_ = std::move(fresh);
    records_.assign(tiles_.size(), std::nullopt);
    return tiles_;
  }
  // The same text on every rank: every rank comes to the same verdict.
  const io::LedgerContent c = ledger_.checkpoint();
  if (c.fingerprint != fingerprint_)
    throw InputError("cannot resume: " + ledger_.path() + " belongs to a run with another input or other options; "
                     "run with those, or delete " + partial + " and its .tiles file");
  const std::string difference = identity_.difference_from(c.input_identity);
  if (!difference.empty())
    throw InputError("cannot resume: the input is not what the interrupted run read (" + difference +
                     "); run without --resume to start over");
  if (!plan_covers_scan(c.tiles, input_.layout()))
    throw InputError("cannot resume: the tile ledger '" + ledger_.path() + "' is damaged (its tile plan does not " +
                     "cover the scan once); run without --resume to start over");
  std::error_code ec;
  if (!rank0_says(comm_, mpi::rank(comm_) == 0 && std::filesystem::exists(partial, ec)))
    throw InputError("cannot resume: " + ledger_.path() + " exists but " + partial + " does not");
  resuming_ = true;
  tiles_ = c.tiles;
  records_ = c.done;
  ledger_.resume();
  return tiles_;
}

std::vector<std::size_t> RunCheckpoint::pending(const io::ResultFile& out,
                                                const std::function<void(const io::TileResults&)>& verified) {
  const std::size_t me = std::size_t(mpi::rank(comm_)), n_ranks = std::size_t(mpi::size(comm_));
  std::vector<int> redo(tiles_.size(), 0);
  mpi::run_then_agree(comm_, [&] {
    for (std::size_t i = me; i < tiles_.size(); i += n_ranks) {
      if (!records_[i]) continue;
      const io::TileResults results = out.read_tile(tiles_[i]);
      // Not what was written (a write lost before the ledger's fsync, a damaged file):
      // compute it again.
      if (io::results_checksum(results) != records_[i]->results) {
        redo[i] = 1;
        continue;
      }
      const auto& t = tiles_[i];
      if (probe_tile(input_, t) != records_[i]->input_probe)
        throw InputError("cannot resume: the frames of '" + config_.input_path + "' at scan position (" +
                         std::to_string(t.y0) + ", " + std::to_string(t.x0) +
                         ") are not the ones the interrupted run read; run without --resume to start over");
      verified(results);
    }
  });
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, redo.data(), int(redo.size()), MPI_INT, MPI_MAX, comm_),
             "MPI_Allreduce(tiles to compute again)");
  std::size_t n_redo = 0;
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < tiles_.size(); ++i) {
    if (redo[i]) {
      records_[i].reset();
      ++n_redo;
    }
    if (!records_[i]) todo.push_back(i);
  }
  if (n_redo && me == 0)
    std::cerr << "ecm run: note: " << n_redo << " tile(s) the ledger lists as done do not hold their recorded "
              << "results in '" << out.partial_path() << "' (a lost or damaged write); computing them again"
              << std::endl;
  return todo;
}

void RunCheckpoint::start() { ledger_.start(fingerprint_, identity_.text(), tiles_); }

void RunCheckpoint::record(const std::vector<std::size_t>& finished, const std::vector<io::TileRecord>& my_records) {
  // Every rank's records, in rank order: the order of `finished` (engine/scheduler).
  const int n_ranks = mpi::size(comm_);
  std::vector<std::uint64_t> mine;
  for (const auto& r : my_records) mine.insert(mine.end(), {r.input_probe, r.results});
  int my_count = int(mine.size());
  std::vector<int> counts(std::size_t(n_ranks), 0), offsets(std::size_t(n_ranks), 0);
  mpi::check(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather(tile records)");
  for (int r = 1; r < n_ranks; ++r) offsets[std::size_t(r)] = offsets[std::size_t(r - 1)] + counts[std::size_t(r - 1)];
  std::vector<std::uint64_t> all(std::size_t(offsets.back() + counts.back()));
  mpi::check(MPI_Allgatherv(mine.data(), my_count, MPI_UINT64_T, all.data(), counts.data(), offsets.data(),
                            MPI_UINT64_T, comm_),
             "MPI_Allgatherv(tile records)");
  if (all.size() != 2 * finished.size()) throw Error("internal: tile records do not match the finished tiles");
  std::vector<io::TileRecord> records;
  for (std::size_t k = 0; k < finished.size(); ++k) {
    records.push_back({all[2 * k], all[2 * k + 1]});
    records_.at(finished[k]) = records.back();
  }
  ledger_.record(finished, records);
}

std::size_t RunCheckpoint::n_done() const {
  std::size_t n = 0;
  for (const auto& r : records_) n += r.has_value();
  return n;
}

void RunCheckpoint::check_input_before_commit(const io::InputDataset& input) {
  using Change = InputIdentity::Change;
  auto [change, which] = identity_.change_since_start();
  // The data read: each rank probes its share of the tiles again.
  if (change != Change::modified) try {
      const std::size_t me = std::size_t(mpi::rank(comm_)), n_ranks = std::size_t(mpi::size(comm_));
      for (std::size_t i = me; i < tiles_.size(); i += n_ranks)
        if (records_[i] && probe_tile(input, tiles_[i]) != records_[i]->input_probe) {
          change = Change::modified;
          which = config_.input_path;
          break;
        }
    } catch (const std::exception&) {  // a file cut short, a name now unreadable
      change = Change::modified;
      which = config_.input_path;
    }
  int worst = int(change);
  mpi::check(MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce(input changed)");
  const std::string partial = config_.output_path + ".partial";
  if (worst == int(Change::none)) return;
  if (worst == int(Change::moved_away)) {
    if (mpi::rank(comm_) == 0)
      std::cerr << "ecm run: note: the input '" << (which.empty() ? config_.input_path : which)
                << "' was moved or deleted during the run; the results are of the file as it was read, which "
                << "did not change" << std::endl;
    return;
  }
  if (worst == int(Change::modified)) {
    // Tiles of the old data and of the new: nothing in the checkpoint can be used.
    partial_outputs::add(partial);
    partial_outputs::add(ledger_.path());
  }
  mpi::run_then_agree(comm_, [&] {
    if (int(change) != worst) return;
    if (change == Change::modified) throw InputError(changed_message(which));
    throw InputError("the input '" + which + "' was replaced by another file during the run; the results of the "
                     "file that was read are kept in '" + partial + "': put that file back and run again with "
                     "--resume, or run without --resume to start over");
  });
}

void RunCheckpoint::throw_if_input_changed() const {
  const auto [change, which] = identity_.change_since_start();
  if (change != InputIdentity::Change::modified) return;
  partial_outputs::add(config_.output_path + ".partial");
  partial_outputs::add(ledger_.path());
  throw InputError(changed_message(which));
}

void RunCheckpoint::write_identity(io::ResultFile& out) const {
  out.write_attribute("run_fingerprint", fingerprint_);
  out.write_attribute("input_identity", identity_attribute(identity_.text()));
}

}  // namespace ecm::engine
