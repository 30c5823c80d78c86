#include "ecm/io/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ecm/core/error.hpp"
#include "ecm/io/regular_file.hpp"

namespace ecm::io {

void require_output_path(const std::string& path, const std::vector<std::string>& suffixes) {
  if (path.empty()) throw InputError("the output file name is empty");
  if (path.back() == '/')
    throw InputError("the output '" + path + "' is a directory; give a file name, as " + path + "result.h5");
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw InputError("the output '" + path + "' is " + file_kind(st.st_mode) +
                     (S_ISDIR(st.st_mode) ? "; give a file name, as " + (path == "/" ? std::string() : path) + "/result.h5"
                                          : "; an output must be a regular file, choose another"));
  const auto parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  struct stat d {};
  if (stat(dir.c_str(), &d) != 0)
    throw InputError("cannot create output file '" + path + "': the directory '" + dir + "' does not exist");
  if (!S_ISDIR(d.st_mode))
    throw InputError("cannot create output file '" + path + "': '" + dir + "' is not a directory");
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw InputError("cannot create output file '" + path + "' in '" + dir + "': " + std::strerror(errno));
  for (const auto& suffix : suffixes) {
    const std::string written = path + suffix;
    if (stat(written.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      throw InputError("cannot write the output '" + path + "': '" + written + "', written before it, is a directory");
  }
}

}  // namespace ecm::io
