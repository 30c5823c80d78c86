#include "ecm/io/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/regular_file.hpp"
#include "ecm/io/result_layout.hpp"

namespace ecm::io {

namespace {

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
void describe_registration(std::ostringstream& out, hid_t file, const std::string& path) {
  if (!h5::link_exists(file, "/registration/drift_yx")) return;
  table_rows(file, "/registration/drift_yx", 2, path);
  h5::Handle drift = h5::open_dataset(file, "/registration/drift_yx");
  const auto d = h5::read_dataset<double>(file, "/registration/drift_yx");
  const auto [ylo, yhi] = column_range(d, 0);
  const auto [xlo, xhi] = column_range(d, 1);
  out << "  drift [scan px]            y " << ylo << " .. " << yhi << ", x " << xlo << " .. " << xhi;
  if (h5::has_attribute(drift, "applied")) out << " (applied: " << h5::read_attribute_string(drift, "applied") << ")";
  out << "\n";
  if (h5::has_attribute(drift, "method")) out << "    " << h5::read_attribute_string(drift, "method") << "\n";
  if (h5::link_exists(file, "/registration/blocks/peak_quality")) {
    table_rows(file, "/registration/blocks/peak_quality", 0, path);
    auto q = h5::read_dataset<double>(file, "/registration/blocks/peak_quality");
    std::sort(q.begin(), q.end());
    out << "    match quality per block   min " << q.front() << ", median " << q[q.size() / 2] << ", max " << q.back()
        << " (" << q.size() << " blocks)\n";
  }
  if (h5::link_exists(file, "/registration/beam_center_yx")) {
    table_rows(file, "/registration/beam_center_yx", 2, path);
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

void describe_result(std::ostringstream& out, hid_t file, const std::string& path) {
  // /tau and /fit_status are read side by side: their shapes must be the same (issue 14).
  const auto dims = result_hypercube_shape(file, path);
  if (!h5::link_exists(file, "/fit_status")) throw InputError("'" + path + "' is not an ecm run result (no /fit_status)");
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
  describe_registration(out, file, path);
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

namespace {

// What a frame source reads from any input: format, frames, and what the file says besides.
void describe_source(std::ostringstream& out, const FrameSource& src) {
  const auto& s = src.shape();
  const auto& m = src.metadata();
  out << "input (" << src.format() << ")              " << src.description() << "\n"
      << "  frames                     " << s.n_frames << " of " << s.det_y << "x" << s.det_x << " " << pixel_type_name(s.type)
      << "\n";
  auto line = [&](const char* name, const std::string& value) {
    out << "  " << std::left;
    out.width(27);
    out << name << value << "\n";
  };
  auto number = [](double v) {
    std::ostringstream t;
    t << v;
    return t.str();
  };
  line("scan shape", m.scan_shape ? std::to_string((*m.scan_shape)[0]) + "x" + std::to_string((*m.scan_shape)[1])
                                  : "(not in the file: --scan-shape)");
  if (m.cycles) line("cycles", std::to_string(*m.cycles));
  if (m.frame_time_s) line("frame time", number(*m.frame_time_s) + " s");
  if (m.time_step_s) line("time step", number(*m.time_step_s) + " s");
  if (m.k_pixel_size) line("k pixel size", number(*m.k_pixel_size) + " 1/A");
  if (m.beam_center_yx) line("beam centre", number((*m.beam_center_yx)[0]) + ", " + number((*m.beam_center_yx)[1]) + " px");
  if (m.dark) line("dark reference", m.dark->origin);
  if (m.gain) line("gain reference", m.gain->origin);
  if (m.bad_pixels) {
    std::size_t bad = 0;
    for (float v : m.bad_pixels->values) bad += v != 0;
    line("bad pixels", std::to_string(bad) + " from " + m.bad_pixels->origin);
  }
  std::vector<std::size_t> first;
  for (std::size_t i = 0; i < std::min<std::size_t>(3, s.n_frames); ++i) first.push_back(i);
  const auto ts = src.timestamps(first);
  if (!ts.empty()) {
    std::string t;
    for (double v : ts) t += (t.empty() ? "" : ", ") + number(v);
    line("timestamps", t + " s (first frames)");
  }
  for (const auto& n : m.notes) line("note", n);
}

}  // namespace

std::string describe_file(const std::string& path, const SourceOptions& options) {
  require_regular_file(path);
  std::ostringstream out;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  out << path << (ec ? std::string() : " (" + std::to_string(bytes / 1000000.0) + " MB)") << "\n";
  if (h5::is_hdf5_file(path)) {
    h5::Handle file = h5::open_file_serial(path);
    if (h5::link_exists(file, "/tau")) {
      describe_result(out, file, path);
      return out.str();
    }
  }
  const auto src = open_frame_source(path, options, MPI_COMM_SELF);
  describe_source(out, *src);
  if (src->format() == "hdf5") {
    h5::Handle file = h5::open_file_serial(path);
    if (h5::link_exists(file, src->dataset_path())) describe_input(out, file, src->dataset_path());
  }
  return out.str();
}

}  // namespace ecm::io
