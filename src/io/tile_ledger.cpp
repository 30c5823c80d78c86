#include "ecm/io/tile_ledger.hpp"

#include <cstdio>
#include <sstream>

#include "ecm/core/checksum.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"

namespace ecm::io {

namespace {

constexpr const char* kHeader = "ecm tile ledger 2";

// The text up to its last newline: an append cut short by a kill leaves no newline.
std::string whole_lines(const std::string& text) {
  const auto last = text.find_last_of('\n');
  return last == std::string::npos ? std::string() : text.substr(0, last + 1);
}

bool parse_hex(const std::string& word, std::uint64_t& value) {
  if (word.size() != 16) return false;
  value = 0;
  for (char c : word) {
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    value = value << 4 | std::uint64_t(digit);
  }
  return true;
}

// Reads exactly the whitespace-separated fields a line must have, nothing more.
template <class... T>
bool read_fields(const std::string& line, T&... fields) {
  std::istringstream in(line);
  std::string rest;
  return bool((in >> ... >> fields)) && !(in >> rest);
}

}  // namespace

std::string fingerprint_of(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return Checksum::to_hex(h);
}

std::size_t LedgerContent::n_done() const {
  std::size_t n = 0;
  for (const auto& d : done) n += d.has_value();
  return n;
}

TileLedger::TileLedger(const std::string& output_path, MPI_Comm comm)
    : path_(OutputLock::path_for(output_path)), comm_(comm), lock_(output_path, "ecm run", comm),
      earlier_(lock_.earlier()) {}

LedgerContent TileLedger::checkpoint() const {
  const std::string text = whole_lines(earlier_);
  std::istringstream in(text);
  std::string line;
  LedgerContent c;
  std::size_t line_number = 0;
  const auto damaged = [&](const std::string& what) {
    return InputError("cannot resume: the tile ledger '" + path_ + "' is damaged (line " +
                      std::to_string(line_number) + ": " + what + "); run without --resume to start over");
  };
  const auto next = [&] {
    ++line_number;
    return bool(std::getline(in, line));
  };
  if (!next()) throw damaged("empty");
  if (line == "ecm tile ledger 1")
    throw InputError("cannot resume: the tile ledger '" + path_ + "' was written by an earlier version of ecm, "
                     "which did not record what it read; run without --resume to start over");
  if (line != kHeader) throw damaged("not an ecm tile ledger");
  std::string word;
  if (!next() || !read_fields(line, word, c.fingerprint) || word != "fingerprint" || c.fingerprint.size() != 16)
    throw damaged("no fingerprint");
  std::size_t n = 0;
  for (;;) {
    if (!next()) throw damaged("no tile plan");
    if (line.rfind("file ", 0) == 0 || line.rfind("sample ", 0) == 0) {
      c.input_identity += line + "\n";
      continue;
    }
    if (!read_fields(line, word, n) || word != "tiles") throw damaged("'" + line + "' where the tile plan begins");
    break;
  }
  if (c.input_identity.empty()) throw damaged("no record of the input");
  for (std::size_t i = 0; i < n; ++i) {
    ScanTile t;
    if (!next() || !read_fields(line, t.y0, t.x0, t.ny, t.nx)) throw damaged("tile " + std::to_string(i) + " of the plan");
    c.tiles.push_back(t);
  }
  c.done.assign(n, std::nullopt);
  while (next()) {
    std::size_t index = 0;
    std::string input, results;
    TileRecord r;
    if (!read_fields(line, word, index, input, results) || word != "done" || index >= n ||
        !parse_hex(input, r.input_probe) || !parse_hex(results, r.results))
      throw damaged("'" + line + "'");
    c.done[index] = r;
  }
  return c;
}

void TileLedger::start(const std::string& fingerprint, const std::string& input_identity,
                       const std::vector<ScanTile>& tiles) {
  partial_outputs::add(path_);  // an earlier run's record is gone: this file is this run's now
  mpi::run_then_agree(comm_, [&] {
    if (mpi::rank(comm_) != 0) return;
    std::ostringstream out;
    out << kHeader << "\nfingerprint " << fingerprint << "\n" << input_identity << "tiles " << tiles.size() << "\n";
    for (const auto& t : tiles) out << t.y0 << " " << t.x0 << " " << t.ny << " " << t.nx << "\n";
    lock_.file().replace(out.str());
  });
}

void TileLedger::resume() {
  mpi::run_then_agree(comm_, [&] {
    if (mpi::rank(comm_) == 0 && whole_lines(earlier_).size() != earlier_.size()) lock_.file().replace(whole_lines(earlier_));
  });
}

void TileLedger::record(const std::vector<std::size_t>& tile_indices, const std::vector<TileRecord>& records) {
  mpi::run_then_agree(comm_, [&] {
    if (mpi::rank(comm_) != 0 || tile_indices.empty()) return;
    if (records.size() != tile_indices.size()) throw Error("internal: ledger records do not match the finished tiles");
    std::ostringstream out;
    for (std::size_t k = 0; k < tile_indices.size(); ++k)
      out << "done " << tile_indices[k] << " " << Checksum::to_hex(records[k].input_probe) << " "
          << Checksum::to_hex(records[k].results) << "\n";
    lock_.file().append(out.str());
  });
}

void TileLedger::remove() { lock_.remove(); }

}  // namespace ecm::io
