#pragma once
// Files a command is writing and has not finished. If the command fails, the driver
// removes them, so that a failed run never leaves a file that looks like a result.
#include <string>

namespace ecm::partial_outputs {

void add(const std::string& path);
void forget(const std::string& path);   // the file is complete
void remove_all() noexcept;             // called once, by one rank, after a failure
// The same from a signal handler (async-signal-safe: unlink of a copy kept for it; the
// first 8 files, which is more than any command writes).
void remove_all_from_signal_handler() noexcept;

}  // namespace ecm::partial_outputs
