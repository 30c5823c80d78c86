#pragma once
// The files whose bytes an HDF5 dataset hands out, besides the one the user named: the file
// an ExternalLink led to, the source files of a virtual dataset, and external raw storage.
// A crafted input can point any of them anywhere (issue 14, class 14: external storage
// resolving to /etc/passwd was read as frames), so data outside the input's folder are
// refused unless the user allows them (--allow-external).
#include <hdf5.h>

#include <string>
#include <vector>

namespace ecm::io::sources {

// Every file `dataset` reads its data from, as paths that exist (relative names resolved as
// HDF5 resolves them: virtual-dataset sources beside the file holding the dataset, external
// raw files in the working directory), the file holding the dataset first.
std::vector<std::string> hdf5_data_files(hid_t dataset);

// Throws InputError naming the first of `files` that does not exist: HDF5 reads a virtual
// dataset whose source file is gone as its fill value (zeros), with no error.
void refuse_missing_data(const std::vector<std::string>& files, const std::string& input, const std::string& dataset);

// Throws InputError naming the first of `files` that lies outside the folder of `input`
// (after links), unless `allow`.
void refuse_data_outside(const std::vector<std::string>& files, const std::string& input, const std::string& dataset,
                         bool allow);

}  // namespace ecm::io::sources
