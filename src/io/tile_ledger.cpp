#include "ecm/io/tile_ledger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ecm/core/mpi_check.hpp"

namespace ecm::io {

namespace {

// Appends `text` to `path` and makes it durable (fsync), or throws.
void append_durably(const std::string& path, const std::string& text, bool truncate) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND), 0644);
  if (fd < 0) throw Error("cannot write the tile ledger '" + path + "'");
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      ::close(fd);
      throw Error("cannot write the tile ledger '" + path + "' (disk full?)");
    }
    written += std::size_t(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw Error("cannot flush the tile ledger '" + path + "' to disk");
}

// Broadcasts a string from rank 0.
std::string broadcast(std::string text, MPI_Comm comm) {
  unsigned long long n = text.size();
  mpi::check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast(ledger size)");
  text.resize(n);
  if (n) mpi::check(MPI_Bcast(text.data(), int(n), MPI_CHAR, 0, comm), "MPI_Bcast(ledger)");
  return text;
}

}  // namespace

std::string fingerprint_of(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

TileLedger::TileLedger(std::string path, std::string fingerprint, std::vector<ScanTile> tiles, MPI_Comm comm)
    : path_(std::move(path)), fingerprint_(std::move(fingerprint)), tiles_(std::move(tiles)), done_(tiles_.size(), 0),
      comm_(comm) {
  std::exception_ptr err;
  if (mpi::rank(comm) == 0) try {
      std::ostringstream out;
      out << "ecm tile ledger 1\nfingerprint " << fingerprint_ << "\ntiles " << tiles_.size() << "\n";
      for (const auto& t : tiles_) out << t.y0 << " " << t.x0 << " " << t.ny << " " << t.nx << "\n";
      append_durably(path_, out.str(), true);
    } catch (...) {
      err = std::current_exception();
    }
  mpi::agree_or_throw(comm, err);
}

std::optional<TileLedger> TileLedger::load(const std::string& path, MPI_Comm comm) {
  std::string text;
  int exists = 0;
  if (mpi::rank(comm) == 0 && std::filesystem::exists(path)) {
    exists = 1;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  mpi::check(MPI_Bcast(&exists, 1, MPI_INT, 0, comm), "MPI_Bcast(ledger exists)");
  if (!exists) return std::nullopt;
  text = broadcast(std::move(text), comm);
  // Only whole lines count: an append cut short by a kill leaves no newline.
  text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
  TileLedger ledger(path, comm);
  std::istringstream in(text);
  std::string line, word;
  std::size_t n = 0;
  const auto bad = [&] { return InputError("'" + path + "' is not a tile ledger of ecm run (delete it to start over)"); };
  if (!std::getline(in, line) || line != "ecm tile ledger 1") throw bad();
  if (!(in >> word >> ledger.fingerprint_) || word != "fingerprint") throw bad();
  if (!(in >> word >> n) || word != "tiles") throw bad();
  for (std::size_t i = 0; i < n; ++i) {
    ScanTile t;
    if (!(in >> t.y0 >> t.x0 >> t.ny >> t.nx)) throw bad();
    ledger.tiles_.push_back(t);
  }
  ledger.done_.assign(n, 0);
  std::size_t index = 0;
  while (in >> word >> index) {
    if (word != "done" || index >= n) throw bad();
    ledger.done_[index] = 1;
  }
  return ledger;
}

void TileLedger::record(const std::vector<std::size_t>& tile_indices) {
  for (std::size_t i : tile_indices) done_.at(i) = 1;
  std::exception_ptr err;
  if (mpi::rank(comm_) == 0 && !tile_indices.empty()) try {
      std::ostringstream out;
      for (std::size_t i : tile_indices) out << "done " << i << "\n";
      append_durably(path_, out.str(), false);
    } catch (...) {
      err = std::current_exception();
    }
  mpi::agree_or_throw(comm_, err);
}

void TileLedger::remove() {
  if (mpi::rank(comm_) == 0) std::remove(path_.c_str());
  mpi::check(MPI_Barrier(comm_), "MPI_Barrier(ledger removed)");
}

std::size_t TileLedger::n_done() const {
  std::size_t n = 0;
  for (char d : done_) n += d != 0;
  return n;
}

}  // namespace ecm::io
