#include "ecm/core/partial_outputs.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <vector>

namespace ecm::partial_outputs {

namespace {
// The I/O watchdog (core/io_watchdog.hpp) may remove the files from its own thread while
// the main thread is stuck in HDF5: the list is guarded, and never destroyed.
struct Registry {
  std::mutex mutex;
  std::vector<std::string> files;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}
}  // namespace

void add(const std::string& path) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().files.push_back(path);
}

void forget(const std::string& path) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  auto& r = registry().files;
  r.erase(std::remove(r.begin(), r.end(), path), r.end());
}

void remove_all() noexcept {
  std::lock_guard<std::mutex> lock(registry().mutex);
  for (const auto& path : registry().files) std::remove(path.c_str());
  registry().files.clear();
}

}  // namespace ecm::partial_outputs
