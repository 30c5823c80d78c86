#pragma once
// Reading a finished `ecm run` result (docs/output-format.md) back for the science products
// (`ecm stats`, `ecm design OUT.h5`, `ecm report`), and adding product groups to it.
//
// The hypercube is small next to the raw data (160x160 scan x 16 x 36 bins is 59 MB per
// float32 quantity), so every rank reads the quantities it needs whole; products that are
// expensive per map distribute the maps over ranks instead.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ecm::io {

struct ResultCube {
  std::string path;
  std::size_t scan_y = 0, scan_x = 0, n_kr = 0, n_kphi = 0;
  // (scan_y, scan_x, n_kr, n_kphi) row-major. tau is NaN where fit_status != 0.
  std::vector<float> tau, mean_intensity;
  std::vector<float> tau_err;  // 1-sigma fit uncertainty [s]; read only when asked for
  std::vector<std::uint8_t> fit_status;
  std::vector<double> k_r, k_phi, lag_s;  // [1/A], [rad], [s]
  // Detector area of each (k_r, k_phi) bin [px], (n_kr, n_kphi); empty for results written
  // before it was stored (then estimated from the polar geometry, see bin_area()).
  std::vector<double> bin_area_px;
  double time_step_s = 0;        // after t-binning [s]
  double k_pixel_size = 0;       // [1/A per detector px]
  double convergence = 0;        // k_c [1/A]; 0 when unknown
  double cycles = 0;             // scan cycles analysed (raw, before t-binning)
  double scan_step_nm = 0;       // real-space scan step [nm]; 0 when unknown

  std::size_t positions() const { return scan_y * scan_x; }
  std::size_t bins() const { return n_kr * n_kphi; }
  std::size_t index(std::size_t y, std::size_t x, std::size_t ir, std::size_t ip) const {
    return ((y * scan_x + x) * n_kr + ir) * n_kphi + ip;
  }
  // The tau(r) map of bin (ir, ip), (scan_y, scan_x), NaN where there is no valid fit.
  std::vector<double> tau_map(std::size_t ir, std::size_t ip) const;
  // Area of bin (ir, ip) [detector px]: stored, or k_r * dphi * dk_r / k_px^2.
  double bin_area(std::size_t ir, std::size_t ip) const;
  double kphi_bin_width() const;  // [rad]
  double kr_bin_width() const;    // [1/A]
};

struct ReadOptions {
  bool mean_intensity = true;
  bool tau_err = false;
};

// Collective on comm: every rank gets the whole cube. Throws InputError when the file is not
// an ecm result (names the missing dataset).
ResultCube read_result_cube(const std::string& path, MPI_Comm comm, const ReadOptions& options = {});

// Adds one product group (e.g. "/stats") to a result file, replacing an earlier one only
// when the new one is complete: tables go to "<group>.partial", commit() renames it.
// Collective on comm; tables are written by rank 0 from its arguments.
class ProductGroup {
 public:
  ProductGroup(const std::string& path, const std::string& group, MPI_Comm comm);
  ~ProductGroup();
  ProductGroup(const ProductGroup&) = delete;
  ProductGroup& operator=(const ProductGroup&) = delete;

  // A float64 table of `shape` at <group>/<name> (subgroups created as needed).
  void write(const std::string& name, const std::vector<double>& values, const std::vector<std::size_t>& shape,
             const std::vector<std::pair<std::string, std::string>>& attributes = {});
  // A uint8 dataset of `shape` (e.g. per-pixel flags).
  void write(const std::string& name, const std::vector<std::uint8_t>& values, const std::vector<std::size_t>& shape,
             const std::vector<std::pair<std::string, std::string>>& attributes = {});
  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, double value);
  // Replaces <group> by the new one (collective).
  void commit();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace ecm::io
