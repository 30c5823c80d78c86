#pragma once
// Files a command is writing and has not finished. If the command fails, the driver
// removes them, so that a failed run never leaves a file that looks like a result.
#include <string>

namespace ecm::partial_outputs {

void add(const std::string& path);
void forget(const std::string& path);   // the file is complete
void remove_all() noexcept;             // called once, by one rank, after a failure

}  // namespace ecm::partial_outputs
