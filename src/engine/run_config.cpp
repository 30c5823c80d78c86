#include "ecm/engine/run_config.hpp"

namespace ecm::engine {

std::string RunConfig::identity() const {
  // Frames in memory have no path: what they are is the input identity's checksum.
  return (frames ? std::string("frames in memory") : input_path) + "\n" + configuration;
}

}  // namespace ecm::engine
