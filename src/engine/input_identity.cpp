#include "ecm/engine/input_identity.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>

#include "ecm/core/checksum.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/engine/input_files.hpp"

namespace ecm::engine {

namespace {

std::int64_t mtime_ns(const struct stat& st) {
  return std::int64_t(st.st_mtim.tv_sec) * 1000000000 + std::int64_t(st.st_mtim.tv_nsec);
}

std::string utc(std::int64_t ns) {
  const std::time_t s = std::time_t(ns / 1000000000);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", std::gmtime(&s));
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(ns % 1000000000));
  return std::string(buf) + frac;
}

// One line per name: a newline in a file name would break the ledger's lines.
std::string one_line(std::string path) {
  std::replace_if(path.begin(), path.end(), [](char c) { return c == '\n' || c == '\r'; }, '?');
  return path;
}

// A checksum of a few frames spread over the input: the corners and the centre of the scan
// at the first and the last cycle.
std::uint64_t sample_frames(const io::InputDataset& input) {
  const auto& L = input.layout();
  Checksum sum;
  for (const auto& [y, x] : {std::pair<std::size_t, std::size_t>{0, 0}, {L.scan_y / 2, L.scan_x / 2},
                             {L.scan_y - 1, L.scan_x - 1}}) {
    const std::uint64_t probe = probe_tile(input, ScanTile{y, x, 1, 1});
    sum.add(&probe, sizeof probe);
  }
  return sum.value();
}

// Frames in memory have no file to stat: they are identified by their size and a checksum
// of every stored frame (one pass over the array, on rank 0).
std::string memory_line(const io::InputDataset& input) {
  const io::FrameSource& source = input.source();
  const std::size_t n = source.shape().n_frames, frame_bytes = source.shape().frame_bytes();
  const std::size_t per_read = std::max<std::size_t>(1, (std::size_t(64) << 20) / std::max<std::size_t>(frame_bytes, 1));
  std::vector<unsigned char> buffer(std::min(n, per_read) * frame_bytes);
  Checksum sum;
  for (std::size_t first = 0; first < n; first += per_read) {
    const io::FrameRun run{first, std::min(per_read, n - first)};
    source.read_frames(&run, 1, buffer.data());
    sum.add(buffer.data(), run.count * frame_bytes);
  }
  return "memory " + std::to_string(std::uint64_t(n) * frame_bytes) + " " + Checksum::to_hex(sum.value());
}

struct Recorded {
  std::map<std::string, std::pair<std::uint64_t, std::int64_t>> files;  // path -> (bytes, mtime ns)
  std::string sample;
  std::string memory;  // "<bytes> <checksum>" of frames in memory
};

Recorded parse(const std::string& text) {
  Recorded r;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "sample") {
      words >> r.sample;
    } else if (kind == "memory") {
      std::getline(words >> std::ws, r.memory);
    } else if (kind == "file") {
      std::uint64_t size = 0;
      std::int64_t mtime = 0;
      words >> size >> mtime;
      std::string path;
      std::getline(words >> std::ws, path);
      r.files[path] = {size, mtime};
    }
  }
  return r;
}

}  // namespace

InputIdentity::InputIdentity(const RunConfig& config, const io::InputDataset& input, MPI_Comm comm) {
  std::vector<std::string> paths;
  if (!config.frames) paths.push_back(config.input_path);
  for (const auto& f : files_read_besides_input(config, input))
    if (std::find(paths.begin(), paths.end(), f) == paths.end()) paths.push_back(f);
  mpi::run_then_agree(comm, [&] {
    for (const auto& path : paths) {
      Opened o;
      o.path = path;
      // Non-blocking: a FIFO or device must not stall the run here (it is no file to watch).
      const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      struct stat st {};
      if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        o.fd = fd;
      } else {
        if (fd >= 0) ::close(fd);
        if (::stat(path.c_str(), &st) != 0) throw InputError("cannot read '" + path + "': it is gone");
      }
      o.dev = st.st_dev;
      o.ino = st.st_ino;
      o.size = std::uint64_t(st.st_size);
      o.mtime_ns = mtime_ns(st);
      files_.push_back(o);
    }
    input_size_ = config.frames ? std::uint64_t(input.layout().raw_bytes()) : files_.front().size;
    if (mpi::rank(comm) != 0) return;
    std::ostringstream out;
    if (config.frames) out << memory_line(input) << "\n";
    for (const auto& f : files_) out << "file " << f.size << " " << f.mtime_ns << " " << one_line(f.path) << "\n";
    out << "sample " << Checksum::to_hex(sample_frames(input)) << "\n";
    text_ = out.str();
  });
  // Rank 0's view is the record: the same text on every rank (it goes into the output's
  // attributes, which every rank must write alike).
  unsigned long long n = text_.size();
  mpi::check(MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm), "MPI_Bcast(input identity size)");
  text_.resize(n);
  mpi::check(MPI_Bcast(text_.data(), int(n), MPI_CHAR, 0, comm), "MPI_Bcast(input identity)");
  mpi::check(MPI_Bcast(&input_size_, 1, MPI_UINT64_T, 0, comm), "MPI_Bcast(input size)");
}

InputIdentity::~InputIdentity() {
  for (const auto& f : files_)
    if (f.fd >= 0) ::close(f.fd);
}

std::string InputIdentity::difference_from(const std::string& recorded_text) const {
  const Recorded then = parse(recorded_text), now = parse(text_);
  for (const auto& [path, stamp] : now.files) {
    const auto it = then.files.find(path);
    if (it == then.files.end()) return "'" + path + "' was not read then";
    if (it->second.first != stamp.first)
      return "'" + path + "' has " + std::to_string(stamp.first) + " bytes, it had " + std::to_string(it->second.first);
    if (it->second.second != stamp.second)
      return "'" + path + "' was modified at " + utc(stamp.second) + ", the one read was modified at " +
             utc(it->second.second);
  }
  for (const auto& [path, stamp] : then.files)
    if (!now.files.count(path)) return "'" + path + "' was read then and is not now";
  if (then.memory != now.memory)
    return now.memory.empty() ? "the input was frames in memory then"
                              : then.memory.empty() ? "the input is frames in memory now, it was a file"
                                                    : "the frames in memory are not the ones read (size and checksum)";
  if (then.sample != now.sample)
    return "the frames of '" + (files_.empty() ? std::string("memory") : files_.front().path) + "' are not the ones read";
  return {};
}

std::pair<InputIdentity::Change, std::string> InputIdentity::change_since_start() const {
  std::pair<Change, std::string> worst{Change::none, {}};
  const auto note = [&](Change c, const std::string& path) {
    if (int(c) > int(worst.first)) worst = {c, path};
  };
  for (const auto& f : files_) {
    struct stat st {};
    // The file the run has been reading: changed in place (written, truncated)?
    if (f.fd >= 0 && ::fstat(f.fd, &st) == 0 &&
        (std::uint64_t(st.st_size) != f.size || mtime_ns(st) != f.mtime_ns)) {
      note(Change::modified, f.path);
      continue;
    }
    // Its name: does it still lead to that file?
    if (::stat(f.path.c_str(), &st) != 0) {
      note(errno == ENOENT || errno == ENOTDIR ? Change::moved_away : Change::replaced, f.path);
    } else if (st.st_dev != f.dev || st.st_ino != f.ino || std::uint64_t(st.st_size) != f.size ||
               mtime_ns(st) != f.mtime_ns) {
      // Without a descriptor (not a regular file) a change at the name is all one can see.
      note(f.fd >= 0 ? Change::replaced : Change::modified, f.path);
    }
  }
  return worst;
}

std::uint64_t probe_tile(const io::InputDataset& input, const ScanTile& tile) {
  const auto& L = input.layout();
  std::vector<unsigned char> frame(input.source().shape().frame_bytes());
  Checksum sum;
  for (const std::size_t t : {std::size_t(0), L.n_t - 1}) {
    const auto runs = input.scan().runs(t, 1, tile.y0, tile.x0, 1, 1);
    input.source().read_frames(runs.data(), runs.size(), frame.data());
    sum.add(frame.data(), frame.size());
  }
  return sum.value();
}

}  // namespace ecm::engine
