#include "ecm/engine/run_outputs.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "ecm/version.hpp"

namespace ecm::engine {

void write_provenance(io::ResultFile& out, const RunConfig& config, const AnalysisSetup& setup,
                      const io::InputDataset& input, int n_ranks, const std::string& start_time,
                      std::uint64_t input_file_size_bytes) {
  out.write_attribute("program", std::string("ecm"));
  out.write_attribute("program_version", std::string(kVersion));
  out.write_attribute("git_revision", std::string(kGitRevision));
  out.write_attribute("command_line", config.controls.command_line);
  out.write_attribute("configuration", config.configuration);
  out.write_attribute("input_file", config.frames ? "memory: " + config.frames->description()
                                                 : std::filesystem::absolute(config.input_path).string());
  out.write_attribute("input_dataset", input.dataset_path());
  out.write_attribute("input_format", input.source().format());
  out.write_attribute("input_description", input.source().description());
  out.write_attribute("input_file_size_bytes", double(input_file_size_bytes));
  out.write_attribute("input_raw_bytes", input.layout().raw_bytes());
  out.write_attribute("mpi_ranks", double(n_ranks));
  out.write_attribute("kokkos_backend", kokkos_backend_name());
  out.write_attribute("start_time", start_time);
  out.write_attribute("time_step_s", setup.time_step_s);
  out.write_attribute("k_pixel_size_inv_angstrom", setup.calibration.k_pixel_size);
  out.write_attribute("beam_center_y", setup.calibration.beam_center_yx[0]);
  out.write_attribute("beam_center_x", setup.calibration.beam_center_yx[1]);
  out.write_attribute("beam_center_source", setup.calibration.beam_center_source);
  out.write_attribute("convergence_inv_angstrom", setup.calibration.convergence);
  if (setup.calibration.scan_step_nm > 0) out.write_attribute("scan_step_nm", setup.calibration.scan_step_nm);
  out.write_attribute("normalization", g2::to_string(config.normalization));
  out.write_attribute("cycles_analysed", double(setup.n_t_used));
  // What the counts-per-pixel rule (paper Eq. 5, `ecm design OUT.h5`) divides by.
  out.write_table("/axes/bin_area_px", setup.bin_area_px,
                  {std::size_t(config.grid.n_kr), std::size_t(config.grid.n_kphi)},
                  {{"units", "detector px (area of the detector each (k_r, k_phi) bin covers, after the mask)"}});
}

std::string describe_drift(const Registration& reg, std::size_t n_used) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(2);
  const auto e = reg.drift_extent(n_used);
  s << "y " << e.lo_y << ".." << e.hi_y << ", x " << e.lo_x << ".." << e.hi_x << " scan px; " << reg.drift_method;
  return s.str();
}

std::string describe_center(const Registration& reg, std::size_t n_used, std::size_t n_maps) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(2);
  const auto a = reg.center(0), b = reg.center(n_used - 1);
  s << "(" << a[0] << ", " << a[1] << ") -> (" << b[0] << ", " << b[1] << ") px, " << n_maps << " polar map(s); "
    << reg.center_method;
  return s.str();
}

void write_registration(io::ResultFile& out, const Registration& reg, std::size_t n_maps) {
  const std::string convention =
      "at cycle t, scan position r shows the sample point that r + drift_yx[t] showed at cycle 0";
  out.write_table("/registration/drift_yx", reg.drift_yx, {reg.n_t, 2},
                  {{"units", "scan pixels (y, x) per cycle"}, {"convention", convention}, {"method", reg.drift_method},
                   {"applied", reg.drift_applied ? "yes" : "no"}});
  out.write_table("/registration/peak_quality", reg.peak_quality, {reg.n_t},
                  {{"units", "match of the cycle's block in units of its noise: the FFT cross-correlation peak over the rms of "
                    "the map away from it, or (scans under 20 positions a side) the overlap's correlation r times "
                    "sqrt(pixels - 1) (NaN: not measured)"}});
  out.write_table("/registration/beam_center_yx", reg.center_yx, {reg.n_t, 2},
                  {{"units", "detector pixels (y, x) per cycle, pixel centres at integers"},
                   {"method", reg.center_method},
                   {"polar_maps", std::to_string(n_maps)}});
  const double deg = 180.0 / kPi;
  const std::string ellipse_convention =
      "a ring of radius r appears with semi-axes r sqrt(1+e) along angle and r / sqrt(1+e) across it; angle from +x "
      "(detector columns) towards +y (rows)";
  out.write_table("/registration/ellipse", {reg.ellipse.e, reg.ellipse.none() ? 0.0 : reg.ellipse.angle * deg}, {2},
                  {{"units", "(e, angle [deg]) the polar maps follow; (0, 0) = circular"},
                   {"convention", ellipse_convention},
                   {"method", reg.ellipse_method},
                   {"applied", reg.ellipse.none() ? "no" : "yes"}});
  out.write_table("/registration/ellipse_measured",
                  {reg.ellipse_measured, reg.ellipse_measured_angle * deg, reg.ellipse_sigma}, {3},
                  {{"units", "(e, angle [deg], 1-sigma of e) fitted to the ring of the run's mean pattern; NaN: not measured"}});
  if (!reg.block_cycle.empty()) {
    out.write_table("/registration/blocks/cycle", reg.block_cycle, {reg.block_cycle.size()},
                    {{"units", "cycle (mean of the cycles read in the block)"}});
    out.write_table("/registration/blocks/drift_yx", reg.block_drift_yx, {reg.block_cycle.size(), 2},
                    {{"units", "scan pixels (y, x)"}});
    out.write_table("/registration/blocks/peak_quality", reg.block_quality, {reg.block_cycle.size()}, {});
  }
  if (!reg.center_block_cycle.empty()) {
    out.write_table("/registration/center_blocks/cycle", reg.center_block_cycle, {reg.center_block_cycle.size()},
                    {{"units", "cycle (mean of the cycles read in the block)"}});
    out.write_table("/registration/center_blocks/beam_center_yx", reg.center_block_yx,
                    {reg.center_block_cycle.size(), 2}, {{"units", "detector pixels (y, x)"}});
  }
}

}  // namespace ecm::engine
