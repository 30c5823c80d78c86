// io::LockedFile, the lock that keeps two `ecm run` from writing one output (issue 14,
// class 5), and the checksum the tile ledger records. POSIX locks never conflict within one
// process, so the second "run" is a forked child that only tries the lock and exits.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "decoder_support.hpp"
#include "ecm/core/checksum.hpp"
#include "ecm/core/error.hpp"
#include "ecm/io/locked_file.hpp"

namespace fs = std::filesystem;

namespace {

// In a child process: 0 when it could take the lock on `path`, 3 when another process holds
// it, 4 on any other failure.
int lock_in_child(const std::string& path) {
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 4;
    try {
      ecm::io::LockedFile lock(path, "busy");
      code = 0;
    } catch (const ecm::InputError& e) {
      code = std::string(e.what()) == "busy" ? 3 : 4;
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("LockedFile: one holder at a time, text kept durably", "[locked-file]") {
  const std::string dir = ecm::test::make_temp_dir("lock");
  const std::string path = dir + "/out.h5.partial.tiles";
  {
    ecm::io::LockedFile lock(path, "busy");
    REQUIRE(lock.locked());  // /tmp has locks
    CHECK(lock.read_all().empty());
    lock.replace("header\n");
    lock.append("done 0\n");
    lock.append("done 1\n");
    CHECK(lock.read_all() == "header\ndone 0\ndone 1\n");
    lock.replace("new\n");
    CHECK(lock.read_all() == "new\n");
    // Another process cannot take it, and does not change it trying.
    CHECK(lock_in_child(path) == 3);
    CHECK(lock.read_all() == "new\n");
    lock.remove();
    CHECK_FALSE(fs::exists(path));
    // Removed and released: the next run takes the output.
    CHECK(lock_in_child(path) == 0);
  }
  // A lock file a run left when it was killed (a child that wrote it and exited): free, its
  // text readable.
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      ecm::io::LockedFile(path, "busy").replace("left by a killed run\n");
    } catch (...) {
      _exit(4);
    }
    _exit(0);
  }
  int status = 1;
  waitpid(pid, &status, 0);
  REQUIRE(status == 0);
  {
    ecm::io::LockedFile lock(path, "busy");
    CHECK(lock.read_all() == "left by a killed run\n");
    CHECK(lock_in_child(path) == 3);
  }
  // Destroyed without remove() (a run unwinding from a failure): the lock stays until the
  // process ends, so that the run's partial files are removed before another run may start.
  CHECK(lock_in_child(path) == 3);
  fs::remove_all(dir);
}

TEST_CASE("LockedFile: an output directory that cannot hold it", "[locked-file]") {
  CHECK_THROWS_WITH(ecm::io::LockedFile("/nonexistent-dir/out.h5.partial.tiles", "busy"),
                    Catch::Contains("cannot create output file '/nonexistent-dir/out.h5.partial.tiles'"));
}

TEST_CASE("Checksum: stable values, sensitive to every byte and to lengths", "[checksum]") {
  const std::string a = "0123456789abcdef-tail";
  ecm::Checksum s1, s2, s3;
  s1.add(a.data(), a.size());
  s2.add(a.data(), a.size());
  CHECK(s1.value() == s2.value());
  std::string b = a;
  b[3] ^= 1;
  s3.add(b.data(), b.size());
  CHECK(s3.value() != s1.value());
  ecm::Checksum split1, split2;
  split1.add("ab", 2).add("c", 1);
  split2.add("a", 1).add("bc", 2);
  CHECK(split1.value() != split2.value());
  // The ledgers of earlier runs must stay readable: the value of a fixed text never changes.
  ecm::Checksum fixed;
  fixed.add("ecm", 3);
  CHECK(fixed.hex() == "0ff6c43d27763932");
}
