#include "ecm/core/partial_outputs.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
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

// A copy of the list that a signal handler can read (core/stop_signals.hpp): fixed C
// strings in two buffers; a change fills the one not in use and then switches to it, so a
// handler never reads a buffer being written.
constexpr int kSlots = 8;
constexpr std::size_t kPathMax = 4096;
struct SignalCopy {
  char paths[kSlots][kPathMax];
  int count;
};
SignalCopy g_copies[2];
std::atomic<int> g_active{0};

void publish_for_signals(const std::vector<std::string>& files) {
  const int next = 1 - g_active.load(std::memory_order_relaxed);
  SignalCopy& c = g_copies[next];
  c.count = 0;
  for (const auto& f : files)
    if (c.count < kSlots && f.size() < kPathMax) std::memcpy(c.paths[c.count++], f.c_str(), f.size() + 1);
  g_active.store(next, std::memory_order_release);
}
}  // namespace

void add(const std::string& path) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().files.push_back(path);
  publish_for_signals(registry().files);
}

void forget(const std::string& path) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  auto& r = registry().files;
  r.erase(std::remove(r.begin(), r.end(), path), r.end());
  publish_for_signals(r);
}

void remove_all() noexcept {
  std::lock_guard<std::mutex> lock(registry().mutex);
  // unlink, not std::remove: a registered name that is a directory is never removed.
  for (const auto& path : registry().files) unlink(path.c_str());
  registry().files.clear();
  publish_for_signals(registry().files);
}

void remove_all_from_signal_handler() noexcept {
  const SignalCopy& c = g_copies[g_active.load(std::memory_order_acquire)];
  for (int i = 0; i < c.count; ++i) unlink(c.paths[i]);
}

}  // namespace ecm::partial_outputs
