#include "ecm/io/sources/hdf5_external.hpp"

#include <filesystem>
#include <system_error>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::io::sources {

namespace fs = std::filesystem;

namespace {

// `name` as it exists: absolute, else beside `holder`'s folder, else in the working directory.
std::string resolve(const std::string& name, const std::string& holder) {
  const fs::path p(name);
  if (p.is_absolute()) return name;
  std::error_code ec;
  const fs::path beside = fs::path(holder).parent_path() / p;
  if (fs::exists(beside, ec)) return beside.string();
  return name;
}

// Whether `file` lies in `folder` or below it, after links.
bool inside(const std::string& file, const fs::path& folder) {
  std::error_code ec;
  const fs::path f = fs::weakly_canonical(fs::absolute(file, ec), ec);
  if (ec) return false;
  auto fi = f.begin();
  for (auto di = folder.begin(); di != folder.end(); ++di, ++fi) {
    if (di->empty()) continue;  // a trailing separator
    if (fi == f.end() || *fi != *di) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> hdf5_data_files(hid_t dataset) {
  std::vector<std::string> files;
  const std::string holder = h5::file_name(dataset);
  if (!holder.empty()) files.push_back(holder);
  h5::Handle dcpl(h5::check(H5Dget_create_plist(dataset), "H5Dget_create_plist"));
  if (H5Pget_layout(dcpl) == H5D_VIRTUAL) {
    size_t count = 0;
    h5::check(H5Pget_virtual_count(dcpl, &count), "H5Pget_virtual_count");
    for (size_t i = 0; i < count; ++i) {
      const ssize_t n = H5Pget_virtual_filename(dcpl, i, nullptr, 0);
      if (n <= 0) continue;
      std::string name(std::size_t(n) + 1, '\0');
      H5Pget_virtual_filename(dcpl, i, name.data(), name.size());
      name.resize(std::size_t(n));
      if (name != ".") files.push_back(resolve(name, holder));  // "." is the file holding the dataset
    }
  }
  const int external = H5Pget_external_count(dcpl);
  for (int i = 0; i < external; ++i) {
    char name[4096] = {};
    off_t offset = 0;
    hsize_t size = 0;
    if (H5Pget_external(dcpl, unsigned(i), sizeof name, name, &offset, &size) >= 0 && name[0] != '\0')
      files.push_back(name);  // relative to the working directory, as HDF5 1.10 opens them
  }
  return files;
}

void refuse_missing_data(const std::vector<std::string>& files, const std::string& input, const std::string& dataset) {
  std::error_code ec;
  for (const auto& f : files)
    if (!fs::exists(f, ec))
      throw InputError(input + ": the data of " + dataset + " are in '" + f +
                       "', which does not exist (a virtual dataset's source file is missing)");
}

void refuse_data_outside(const std::vector<std::string>& files, const std::string& input, const std::string& dataset,
                         bool allow) {
  if (allow) return;
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(fs::absolute(input, ec).parent_path(), ec);
  for (const auto& f : files)
    if (!inside(f, folder))
      throw InputError(input + ": the data of " + dataset + " are read from '" + f +
                       "', outside the input's folder (an external link, virtual dataset or external storage); "
                       "give --allow-external to read it");
}

}  // namespace ecm::io::sources
