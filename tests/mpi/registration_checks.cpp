#include "registration_checks.hpp"

#include <algorithm>
#include <cmath>

#include "e2e_fixture.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::test {

std::vector<double> read_doubles(const std::string& path, const std::string& name) {
  return h5::read_dataset<double>(h5::open_file_serial(path), name);
}

std::string read_text_attribute(const std::string& path, const std::string& dataset, const std::string& name) {
  h5::Handle f = h5::open_file_serial(path);
  h5::Handle ds = h5::open_dataset(f, dataset);
  return h5::read_attribute_string(ds, name);
}

double rms_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum / double(a.size() / 2));
}

double max_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i + 1 < a.size(); i += 2) worst = std::max(worst, std::hypot(a[i] - b[i], a[i + 1] - b[i + 1]));
  return worst;
}

double ring_anisotropy(const std::string& run) {
  const auto mean = read_floats(run, "/mean_intensity");
  const std::size_t n_kr = read_doubles(run, "/axes/k_r").size(), n_kphi = read_doubles(run, "/axes/k_phi").size();
  const std::size_t bins = n_kr * n_kphi, positions = mean.size() / bins;
  double total = 0.0;
  for (std::size_t r = 0; r < n_kr; ++r) {
    std::vector<double> ring(n_kphi, 0.0);
    for (std::size_t p = 0; p < positions; ++p)
      for (std::size_t j = 0; j < n_kphi; ++j) ring[j] += mean[p * bins + r * n_kphi + j];
    double m = 0, v = 0;
    for (double x : ring) m += x / double(n_kphi);
    for (double x : ring) v += (x - m) * (x - m) / double(n_kphi);
    total += std::sqrt(v) / m / double(n_kr);
  }
  return total;
}

}  // namespace ecm::test
