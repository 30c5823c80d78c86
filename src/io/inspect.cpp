#include "ecm/io/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "ecm/io/hdf5.hpp"

namespace ecm::io {

namespace {

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::ostringstream s;
  for (std::size_t i = 0; i < dims.size(); ++i) s << (i ? " x " : "") << dims[i];
  return s.str();
}

void describe_input(std::ostringstream& out, hid_t file, const std::string& dataset) {
  h5::Handle ds = h5::open_dataset(file, dataset);
  const auto dims = h5::dataset_shape(ds);
  const auto dtype = h5::dataset_dtype(ds);
  out << "acquisition dataset " << dataset << ": " << shape_text(dims) << " " << h5::dtype_name(dtype) << "\n";
  if (dims.size() == 5)
    out << "  layout                     5-D (t, scan_y, scan_x, det_y, det_x): " << dims[0] << " cycles of a " << dims[1] << "x"
        << dims[2] << " scan, " << dims[3] << "x" << dims[4] << " detector\n";
  else if (dims.size() == 3)
    out << "  layout                     3-D frame stream (frame, det_y, det_x): " << dims[0] << " frames of " << dims[1] << "x"
        << dims[2] << "\n";
  else
    out << "  layout                     not an ecm input layout (need 5-D or 3-D)\n";
  if (auto chunk = h5::dataset_chunk(ds)) out << "  chunks                     " << shape_text(*chunk) << "\n";
  else out << "  chunks                     none (contiguous)\n";
  for (const char* attr : {"time_step_s", "k_pixel_size_inv_angstrom", "beam_center_yx", "convergence_inv_angstrom",
                           "scan_shape"}) {
    out << "  " << std::left;
    out.width(27);
    out << attr;
    if (!h5::has_attribute(ds, attr)) {
      out << "(missing)\n";
      continue;
    }
    const auto v = h5::read_attribute_doubles(ds, attr);
    for (std::size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
    out << "\n";
  }
  for (const char* ref : {"/dark", "/gain", "/mask"})
    if (h5::link_exists(file, ref)) out << "  reference                  " << ref << " present\n";
}

// Range of column `c` of a (t, 2) table.
std::pair<double, double> column_range(const std::vector<double>& table, int c) {
  double lo = table.at(std::size_t(c)), hi = lo;
  for (std::size_t i = std::size_t(c); i < table.size(); i += 2) lo = std::min(lo, table[i]), hi = std::max(hi, table[i]);
  return {lo, hi};
}

// What the registration stage measured and applied (/registration, docs/output-format.md).
void describe_registration(std::ostringstream& out, hid_t file) {
  if (!h5::link_exists(file, "/registration/drift_yx")) return;
  h5::Handle drift = h5::open_dataset(file, "/registration/drift_yx");
  const auto d = h5::read_dataset<double>(file, "/registration/drift_yx");
  const auto [ylo, yhi] = column_range(d, 0);
  const auto [xlo, xhi] = column_range(d, 1);
  out << "  drift [scan px]            y " << ylo << " .. " << yhi << ", x " << xlo << " .. " << xhi;
  if (h5::has_attribute(drift, "applied")) out << " (applied: " << h5::read_attribute_string(drift, "applied") << ")";
  out << "\n";
  if (h5::has_attribute(drift, "method")) out << "    " << h5::read_attribute_string(drift, "method") << "\n";
  if (h5::link_exists(file, "/registration/blocks/peak_quality")) {
    auto q = h5::read_dataset<double>(file, "/registration/blocks/peak_quality");
    std::sort(q.begin(), q.end());
    out << "    match quality per block   min " << q.front() << ", median " << q[q.size() / 2] << ", max " << q.back()
        << " (" << q.size() << " blocks)\n";
  }
  if (h5::link_exists(file, "/registration/beam_center_yx")) {
    h5::Handle centre = h5::open_dataset(file, "/registration/beam_center_yx");
    const auto c = h5::read_dataset<double>(file, "/registration/beam_center_yx");
    out << "  beam centre [det px]       (" << c[0] << ", " << c[1] << ") at the first cycle, (" << c[c.size() - 2] << ", "
        << c.back() << ") at the last";
    if (h5::has_attribute(centre, "polar_maps"))
      out << "; " << h5::read_attribute_string(centre, "polar_maps") << " polar map(s)";
    out << "\n";
    if (h5::has_attribute(centre, "method")) out << "    " << h5::read_attribute_string(centre, "method") << "\n";
  }
  if (h5::link_exists(file, "/registration/ellipse")) {
    h5::Handle ellipse = h5::open_dataset(file, "/registration/ellipse");
    const auto e = h5::read_dataset<double>(file, "/registration/ellipse");
    if (e.size() == 2)
      out << "  ring ellipse               e = " << 100.0 * e[0] << " % at " << e[1] << " deg (polar maps)\n";
    if (h5::has_attribute(ellipse, "method")) out << "    " << h5::read_attribute_string(ellipse, "method") << "\n";
  }
}

void describe_result(std::ostringstream& out, hid_t file) {
  h5::Handle tau = h5::open_dataset(file, "/tau");
  const auto dims = h5::dataset_shape(tau);
  out << "ecm result: tau(r, k) hypercube " << shape_text(dims) << " (scan_y, scan_x, n_kr, n_kphi)\n";
  const auto s = h5::read_dataset<std::uint8_t>(file, "/fit_status");
  const auto t = h5::read_dataset<float>(file, "/tau");
  const std::size_t n = s.size();
  std::size_t counts[9] = {0};
  std::vector<float> valid;
  for (std::size_t i = 0; i < n; ++i) {
    counts[s[i] < 8 ? s[i] : 8]++;
    if (s[i] == 0 && std::isfinite(t[i])) valid.push_back(t[i]);
  }
  const char* names[] = {"converged", "max_iterations", "no_decay", "masked", "too_few_counts", "invalid_input", "at_bound", "out_of_field", "other"};
  out << "  fit status                 ";
  for (int i = 0; i < 9; ++i)
    if (counts[i]) out << " " << names[i] << " " << 100.0 * double(counts[i]) / double(n) << " %;";
  out << "\n";
  if (!valid.empty()) {
    std::nth_element(valid.begin(), valid.begin() + valid.size() / 2, valid.end());
    out << "  median tau                 " << valid[valid.size() / 2] << " s over " << valid.size() << " valid pixels\n";
  }
  describe_registration(out, file);
  for (const char* attr : {"program_version", "git_revision", "command_line", "input_file", "kokkos_backend",
                           "start_time", "end_time"})
    if (h5::has_attribute(file, attr)) {
      out << "  " << std::left;
      out.width(27);
      out << attr << h5::read_attribute_string(file, attr) << "\n";
    }
  for (const char* attr : {"mpi_ranks", "time_step_s", "peak_rss_max_bytes"})
    if (h5::has_attribute(file, attr)) {
      out << "  " << std::left;
      out.width(27);
      out << attr << h5::read_attribute_doubles(file, attr).at(0) << "\n";
    }
}

}  // namespace

std::string describe_file(const std::string& path, const std::string& dataset) {
  h5::Handle file = h5::open_file_serial(path);
  std::ostringstream out;
  out << path << " (" << std::filesystem::file_size(path) / 1e6 << " MB)\n";
  if (h5::link_exists(file, "/tau")) describe_result(out, file);
  else if (h5::link_exists(file, dataset)) describe_input(out, file, dataset);
  else throw InputError("'" + path + "' has neither an acquisition dataset '" + dataset + "' nor ecm results (/tau)");
  return out.str();
}

}  // namespace ecm::io
