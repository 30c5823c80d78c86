#include "ecm/io/space_reservation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"

namespace ecm::io {

namespace {

bool disabled_for_testing() {
  const char* v = std::getenv("ECM_TEST_NO_SPACE_RESERVATION");
  return v && std::string(v) == "1";
}

std::string megabytes(double bytes) {
  std::ostringstream s;
  s.precision(bytes < 1e6 ? 2 : 3);
  s << bytes / 1e6 << " MB";
  return s.str();
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Space a file already holds, freed when it is truncated for the new output.
double allocated_bytes(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0.0;
  return double(st.st_blocks) * 512.0;
}

}  // namespace

double expected_hdf5_bytes(double data_bytes, double text_bytes, double small_tables) {
  // Measured on ecm's outputs: ~22 kB of HDF5 structure for a result with 30 small objects;
  // 2 kB per small dataset (object header, attributes, group entries), text once more for
  // the attribute messages' own overhead, 2 % for allocation rounding of large datasets.
  constexpr double kBase = 32e3, kPerTable = 2048.0;
  return kBase + 1.02 * data_bytes + 2.0 * text_bytes + kPerTable * small_tables;
}

void require_free_space(const std::string& path, double bytes, MPI_Comm comm) {
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) != 0 || disabled_for_testing()) return;
    const std::string dir = directory_of(path);
    struct statvfs fs {};
    if (statvfs(dir.c_str(), &fs) != 0) return;  // creating the file will say what is wrong
    const double available = double(fs.f_bavail) * double(fs.f_frsize) + allocated_bytes(path);
    if (available < bytes)
      throw InputError("not enough space for '" + path + "': it needs about " + megabytes(bytes) + ", the file system of '" +
                       dir + "' has " + megabytes(available) + " free");
  });
}

void reserve_space(const std::string& path, double bytes, MPI_Comm comm) {
  mpi::run_then_agree(comm, [&] {
    if (mpi::rank(comm) != 0 || disabled_for_testing()) return;
    const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;  // the writer's own calls will report it
    const int failed = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, off_t(std::ceil(bytes))) == 0 ? 0 : errno;
    close(fd);
    // EOPNOTSUPP, ENOSYS, EINVAL: a file system without it; the free-space check has run.
    if (failed == ENOSPC || failed == EDQUOT || failed == EFBIG)
      throw InputError("not enough space for '" + path + "': " + megabytes(bytes) + " could not be reserved (" +
                       std::strerror(failed) + ")");
  });
}

void release_unused_space(const std::string& path) noexcept {
  if (disabled_for_testing()) return;
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (fstat(fd, &st) == 0 && double(st.st_blocks) * 512.0 > double(st.st_size)) {
    // Truncating to its own size drops the blocks past the end on ext4 and XFS; tmpfs and
    // btrfs free them only as a hole punched there.
    [[maybe_unused]] const int t = ftruncate(fd, st.st_size);
    const off_t block = st.st_blksize > 0 ? st.st_blksize : 4096;
    const off_t from = (st.st_size + block - 1) / block * block;
    [[maybe_unused]] const int p =
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, off_t(st.st_blocks) * 512 + block);
  }
  close(fd);
}

}  // namespace ecm::io
