#include "ecm/io/result_layout.hpp"

#include <algorithm>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::io {

namespace {
// Per-pixel datasets of docs/output-format.md besides /tau.
const char* const kPerPixel[] = {"/fit_status", "/tau_err",  "/beta",     "/beta_err",       "/contrast",
                                 "/contrast_err", "/baseline", "/chi2_red", "/mean_intensity"};
}  // namespace

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::ostringstream s;
  for (std::size_t i = 0; i < dims.size(); ++i) s << (i ? " x " : "") << dims[i];
  if (dims.empty()) s << "a scalar";
  return s.str();
}

std::vector<hsize_t> result_hypercube_shape(hid_t file, const std::string& path) {
  std::vector<hsize_t> shape;
  {
    h5::Handle tau = h5::open_dataset(file, "/tau");
    shape = h5::dataset_shape(tau);
  }
  if (shape.size() != 4)
    throw InputError("'" + path + "': /tau is " + shape_text(shape) + ", not 4-D (scan_y, scan_x, n_kr, n_kphi)");
  for (hsize_t d : shape)
    if (d == 0) throw InputError("'" + path + "': /tau is " + shape_text(shape) + ", an empty hypercube");
  for (const char* name : kPerPixel) {
    if (!h5::link_exists(file, name)) continue;
    h5::Handle ds = h5::open_dataset(file, name);
    const auto dims = h5::dataset_shape(ds);
    if (dims != shape)
      throw InputError("'" + path + "': " + name + " is " + shape_text(dims) + " but /tau is " + shape_text(shape) +
                       "; not a consistent ecm result");
  }
  if (h5::link_exists(file, "/g2")) {
    h5::Handle ds = h5::open_dataset(file, "/g2");
    const auto dims = h5::dataset_shape(ds);
    if (dims.size() != 5 || !std::equal(shape.begin(), shape.end(), dims.begin()))
      throw InputError("'" + path + "': /g2 is " + shape_text(dims) + ", not /tau's " + shape_text(shape) +
                       " x n_lags; not a consistent ecm result");
  }
  return shape;
}

std::size_t table_rows(hid_t file, const std::string& dataset, std::size_t columns, const std::string& path,
                       std::size_t min_rows) {
  h5::Handle ds = h5::open_dataset(file, dataset);
  const auto dims = h5::dataset_shape(ds);
  const bool ok = columns == 0 ? dims.size() == 1 : dims.size() == 2 && dims[1] == columns;
  if (!ok || dims[0] < min_rows) {
    std::string expected = columns == 0 ? "a list" : "a table of " + std::to_string(columns) + " columns";
    if (min_rows > 0) expected += " with at least " + std::to_string(min_rows) + " row" + (min_rows == 1 ? "" : "s");
    throw InputError("'" + path + "': " + dataset + " is " + shape_text(dims) + ", not " + expected);
  }
  return std::size_t(dims[0]);
}

}  // namespace ecm::io
