#pragma once
// `ecm simulate`: a physical 5D-STEM acquisition with known relaxation times — the test
// bed of the whole engine.
//
// OUT.h5   /frames  5-D (t, scan_y, scan_x, det_y, det_x) or 3-D stream (frame, det_y, det_x),
//                   frame = (t*NY + y)*NX + x; attributes time_step_s,
//                   k_pixel_size_inv_angstrom, beam_center_yx (t = 0), convergence_inv_angstrom,
//                   scan_shape, simulator (the full configuration as INI text).
//          /dark, /gain, /mask  (float32, float32, uint8; det shape) when the detector has
//                   dark, gain or hot pixels: (raw - dark) * gain = electrons, mask 1 = bad.
// TRUTH.h5 /truth/tau_sector (NY, NX, n_sectors) [s], sample frame at t = 0
//          /truth/drift_yx (T, 2) [scan px]: scan position s at cycle t sees sample s + drift
//          /truth/beam_center_yx (T, 2) [detector px]
//          /truth/thickness (NY, NX): relative scattering strength m (mean 1), sample frame
//                   at t = 0; all ones when thickness_contrast = 0
//          attributes of /truth: beta, contrast, tau_median_s, sigma_ln_tau, domain_size_px,
//          thickness_contrast, thickness_size_px,
//          n_sectors, kr_exponent, k_peak_inv_angstrom, dose, time_step_s, n_cycles, ...,
//          ellipticity, ellipticity_angle_deg (+ ellipticity_rule, the convention of
//          config.hpp), beam_stop_radius_px, beam_stop_arm_px, saturation_counts.
//          /frames gets no attribute for these: the analysis has to measure them (the
//          `simulator` INI text holds them, as it holds every option).
#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "ecm/simulate/config.hpp"

namespace ecm::simulate {

// Writes OUT and TRUTH collectively from all ranks of comm (each rank generates a block
// of scan rows). The data are identical whatever the number of ranks. On failure every
// rank throws and the files this call created are removed.
void run_simulation(const SimConfig& cfg, const std::string& out_path, const std::string& truth_path, MPI_Comm comm);
// Throws InputError on every rank when OUT and TRUTH are one file (io::same_file: `t.h5` and
// `./t.h5` are), or when either cannot become a file (io/output_path.hpp). run_simulation checks it; a caller that registers the files for removal on
// failure checks first, so that a refusal never removes a file that was there before.
void require_separate_files(const std::string& out_path, const std::string& truth_path, MPI_Comm comm);

// The ground truth of a simulated acquisition (read serially, on any rank).
class Truth {
 public:
  static Truth load(const std::string& truth_path);

  // True tau [s] at scan position (sy, sx) (sample frame at t = 0) for the k point
  // (|k| in 1/A, azimuth phi in rad, any value: wrapped to [0, 2 pi)). With ellipticity,
  // k and phi are those of the undistorted offset q = M^-1 d (config.hpp), not of d.
  double tau_s(std::size_t sy, std::size_t sx, double k_inv_angstrom, double phi_rad) const;
  double tau_sector_s(std::size_t sy, std::size_t sx, int sector) const;

  double beta() const { return beta_; }
  double contrast() const { return contrast_; }
  double tau_median_s() const { return tau_median_s_; }
  double sigma_ln_tau() const { return sigma_ln_tau_; }
  double domain_size_px() const { return domain_size_px_; }
  double kr_exponent() const { return kr_exponent_; }
  double k_peak() const { return k_peak_; }
  double dose() const { return dose_; }
  double time_step_s() const { return time_step_s_; }
  std::size_t n_cycles() const { return n_cycles_; }
  std::size_t scan_y() const { return ny_; }
  std::size_t scan_x() const { return nx_; }
  int n_sectors() const { return n_sectors_; }
  // Projector ellipticity E and its major-axis angle [deg] (config.hpp); 0, 0 if round.
  double ellipticity() const { return ellipticity_; }
  double ellipticity_angle_deg() const { return ellipticity_angle_deg_; }
  // (T, 2) row-major: drift [scan px] and beam centre [detector px] per cycle.
  const std::vector<double>& drift_yx() const { return drift_yx_; }
  const std::vector<double>& beam_center_yx() const { return beam_center_yx_; }

 private:
  std::size_t ny_ = 0, nx_ = 0, n_cycles_ = 0;
  int n_sectors_ = 1;
  double beta_ = 1, contrast_ = 0, tau_median_s_ = 0, sigma_ln_tau_ = 0, domain_size_px_ = 0, kr_exponent_ = 0,
         k_peak_ = 0, dose_ = 0, time_step_s_ = 0, ellipticity_ = 0, ellipticity_angle_deg_ = 0;
  std::vector<double> tau_, drift_yx_, beam_center_yx_;
};

}  // namespace ecm::simulate
