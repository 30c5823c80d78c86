#include "ecm/core/partial_outputs.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ecm::partial_outputs {

namespace {
std::vector<std::string>& registry() {
  static std::vector<std::string> files;
  return files;
}
}  // namespace

void add(const std::string& path) { registry().push_back(path); }

void forget(const std::string& path) {
  auto& r = registry();
  r.erase(std::remove(r.begin(), r.end(), path), r.end());
}

void remove_all() noexcept {
  for (const auto& path : registry()) std::remove(path.c_str());
  registry().clear();
}

}  // namespace ecm::partial_outputs
