// Every input the fuzzer found that once crashed or misbehaved (benchmarks/fuzz.sh keeps them
// in tests/fuzz/regressions/<target>/) is replayed through the same target: the answer must be
// an ecm::InputError or ecm::Error, or success; any other exception fails here, and a crash
// fails the test program. Targets that need fixed companions (de_info, empad_xml) get none
// here, so their inputs reach only the checks before the companion is read.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "fuzz_targets.hpp"

namespace fs = std::filesystem;

TEST_CASE("inputs the fuzzer found are answered with one clear error, not a crash", "[fuzz]") {
  char tmpl[] = "/tmp/ecm_fuzz_replay_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  std::size_t replayed = 0;
  for (const auto& target : ecm::fuzz::targets()) {
    const fs::path inputs = fs::path(ECM_FUZZ_REGRESSIONS_DIR) / target;
    if (!fs::is_directory(inputs)) continue;
    for (const auto& entry : fs::directory_iterator(inputs)) {
      std::ifstream in(entry.path(), std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      INFO(target << ": " << entry.path().filename().string());
      try {
        ecm::fuzz::run_target(target, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), dir);
      } catch (const ecm::Error& e) {
        CHECK(std::string(e.what()).size() > 0);
      } catch (const std::exception& e) {
        FAIL("an exception other than ecm's: " << e.what());
      }
      ++replayed;
    }
  }
  CHECK(replayed >= 4);  // the HDF5 inputs found on 2026-12-03
  fs::remove_all(dir);
}
