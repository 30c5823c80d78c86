// Why an HDF5 call failed, in the words a user can act on (issue 14, class 15): a full disk
// was reported as "writing dataset '/beta' failed" and nothing else.
#include <cstring>
#include <string>

#include "ecm/core/io_watchdog.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::h5 {

namespace {

// The description of the innermost frame of HDF5's error stack: where the failure began.
herr_t take_innermost(unsigned n, const H5E_error2_t* error, void* out) {
  if (n == 0 && error && error->desc) *static_cast<std::string*>(out) = error->desc;
  return 0;
}

// The sec2 (POSIX) driver puts the system's reason into its message:
// "file write failed: time = ..., errno = 28, error message = 'No space left on device', ...".
std::string quoted_after(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  const auto to = text.find('\'', from);
  return to == std::string::npos ? std::string() : text.substr(from, to - from);
}

// HDF5's innermost messages are made for its developers ("unable to ... : name = '...',
// tent_open_flags = 0, ..."): the part before the first " : "/"," list of fields is kept.
std::string short_form(std::string text) {
  for (const char* cut : {": name =", ", name =", ": time =", ", time =", ", addr ="}) {
    const auto at = text.find(cut);
    if (at != std::string::npos) text.erase(at);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == ',' || text.back() == ':')) text.pop_back();
  constexpr std::size_t kLongest = 160;
  if (text.size() > kLongest) text = text.substr(0, kLongest) + "...";
  return text;
}

}  // namespace

std::string failure_detail() {
  // An MPI-IO failure (a full disk under the mpio driver) is known to the error handler
  // only: HDF5's stack says "MPI_File_write_at_all failed" with a generic MPI error string.
  std::string reason = io_watchdog::take_system_error();
  if (!reason.empty()) return reason;
  std::string innermost;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, take_innermost, &innermost);
  if (innermost.empty()) return {};
  reason = quoted_after(innermost, "error message = '");
  if (!reason.empty()) return reason;
  return short_form(innermost);
}

}  // namespace ecm::h5
