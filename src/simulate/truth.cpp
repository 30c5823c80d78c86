// The truth file: what the simulator put in, for tests of the engine to compare with.
#include <cmath>

#include "ecm/io/hdf5.hpp"
#include "ecm/simulate/domains.hpp"
#include "ecm/simulate/simulate.hpp"
#include "ecm/simulate/writer.hpp"

namespace ecm::simulate {

namespace {
// A float64 dataset of `dims` holding `values`, with one string attribute.
void write_doubles(hid_t file, const std::string& path, const std::vector<hsize_t>& dims,
                   const std::vector<double>& values, const std::string& attr, const std::string& text) {
  h5::Handle ds = h5::create_dataset(file, path, H5T_IEEE_F64LE, dims);
  h5::write_hyperslab(ds, H5T_NATIVE_DOUBLE, std::vector<hsize_t>(dims.size(), 0), dims, values.data(), true);
  h5::write_attribute(ds, attr, text);
}
}  // namespace

void write_truth(const SimConfig& cfg, const Tracks& tracks, const std::string& path, bool* created) {
  // One rank writes the (small) truth file through its own MPI-IO communicator.
  h5::Handle file = h5::create_file_parallel(path, MPI_COMM_SELF);
  if (created) *created = true;
  const std::size_t T = cfg.cycles, ny = cfg.scan_y, nx = cfg.scan_x, ns = static_cast<std::size_t>(cfg.n_sectors);
  h5::ensure_group(file, "/truth");

  // The scan grid is the sample frame at t = 0 (drift(0) = 0).
  const std::vector<double> tau = TauMap(cfg).tau(0, 0, ny, nx);
  write_doubles(file, "/truth/tau_sector", {ny, nx, ns}, tau, "units", "s");
  {
    // With aging the relaxation times change during the run; the map is their start value.
    h5::Handle ds = h5::open_dataset(file, "/truth/tau_sector");
    h5::write_attribute(ds, "meaning", std::string("tau of each sector at t = 0; with aging_factor F != 1, "
                                                   "tau(t) = tau_sector * (1 + (F - 1) t / (n_cycles * time_step_s))"));
  }
  // Always written (all ones for a uniform sample), so readers need no special case.
  write_doubles(file, "/truth/thickness", {ny, nx}, ThicknessMap(cfg).values(0, 0, ny, nx), "meaning",
                "relative scattering strength m of each sample position (mean 1)");
  std::vector<double> drift(2 * T), centre(2 * T);
  for (std::size_t t = 0; t < T; ++t) {
    drift[2 * t] = tracks.drift_y[t];
    drift[2 * t + 1] = tracks.drift_x[t];
    centre[2 * t] = tracks.center_y[t];
    centre[2 * t + 1] = tracks.center_x[t];
  }
  write_doubles(file, "/truth/drift_yx", {T, 2}, drift, "meaning",
                "scan position (sy, sx) at cycle t sees sample position (sy + dy, sx + dx) [scan px]");
  write_doubles(file, "/truth/beam_center_yx", {T, 2}, centre, "units", "detector px (pixel centres at integers)");
  h5::Handle g(h5::check(H5Gopen2(file, "/truth", H5P_DEFAULT), "opening group", "/truth"));
  h5::write_attribute(g, "beta", cfg.beta);
  h5::write_attribute(g, "contrast", cfg.contrast);
  h5::write_attribute(g, "tau_median_s", cfg.tau_median_s);
  h5::write_attribute(g, "sigma_ln_tau", cfg.sigma_ln_tau);
  h5::write_attribute(g, "domain_size_px", cfg.domain_size_px);
  h5::write_attribute(g, "thickness_contrast", cfg.thickness_contrast);
  h5::write_attribute(g, "thickness_size_px", cfg.thickness_size_px);
  h5::write_attribute(g, "n_sectors", static_cast<std::int64_t>(cfg.n_sectors));
  h5::write_attribute(g, "kr_exponent", cfg.kr_exponent);
  // tau_median_s and tau_sector are values at t = 0; tau(T_run) = aging_factor * tau(0).
  h5::write_attribute(g, "aging_factor", cfg.aging_factor);
  h5::write_attribute(g, "aging_rule", std::string("tau(t) = tau(0) * (1 + (aging_factor - 1) * t / (n_cycles * "
                                                   "time_step_s)); tau_median_s and /truth/tau_sector are tau(0)"));
  h5::write_attribute(g, "k_peak_inv_angstrom", cfg.k_peak);
  h5::write_attribute(g, "ring_width_inv_angstrom", cfg.ring_width);
  h5::write_attribute(g, "convergence_inv_angstrom", cfg.convergence);
  h5::write_attribute(g, "k_pixel_size_inv_angstrom", cfg.k_pixel_size);
  h5::write_attribute(g, "dose", cfg.dose);
  h5::write_attribute(g, "time_step_s", cfg.time_step_s);
  h5::write_attribute(g, "n_cycles", static_cast<std::int64_t>(T));
  h5::write_attribute(g, "scan_shape", std::vector<double>{static_cast<double>(ny), static_cast<double>(nx)});
  h5::write_attribute(g, "sector_rule", std::string("sector j covers phi in [j*2pi/n, (j+1)*2pi/n), "
                                                    "tau(k) = tau_sector * (k/k_peak)^kr_exponent; k and phi "
                                                    "of the undistorted offset q (see ellipticity_rule)"));
  // Column and detector imperfections: what the analysis has to measure or survive.
  h5::write_attribute(g, "ellipticity", cfg.ellipticity);
  h5::write_attribute(g, "ellipticity_angle_deg", cfg.ellipticity_angle_deg);
  h5::write_attribute(g, "ellipticity_rule",
                      std::string("detector offset d = p - c(t) (y = row, x = column, px) = M q, q the undistorted "
                                  "reciprocal offset in px at k_pixel_size; M = R(theta) diag(sqrt(1+E), "
                                  "1/sqrt(1+E)) R(theta)^T with the major axis along (sin theta, cos theta) in (y, x), "
                                  "i.e. at polar angle theta = ellipticity_angle_deg from +x towards +y; a ring of "
                                  "radius r has semi-axes r sqrt(1+E) (along theta) and r / sqrt(1+E)"));
  h5::write_attribute(g, "beam_stop_radius_px", cfg.beam_stop_radius_px);
  h5::write_attribute(g, "beam_stop_arm_px", cfg.beam_stop_arm_px);
  h5::write_attribute(g, "beam_stop_rule", std::string("opaque where the pixel centre lies within beam_stop_radius_px "
                                                       "of the beam centre at t = 0, or within beam_stop_arm_px / 2 "
                                                       "of its row on the +x side; fixed over the run"));
  h5::write_attribute(g, "saturation_counts", cfg.saturation_counts);
}

Truth Truth::load(const std::string& truth_path) {
  h5::Handle file = h5::open_file_serial(truth_path);
  Truth t;
  h5::Handle g(h5::check(H5Gopen2(file, "/truth", H5P_DEFAULT), "opening group", "/truth"));
  auto scalar = [&](const char* name) { return h5::read_attribute_doubles(g, name).at(0); };
  t.beta_ = scalar("beta");
  t.contrast_ = scalar("contrast");
  t.tau_median_s_ = scalar("tau_median_s");
  t.sigma_ln_tau_ = scalar("sigma_ln_tau");
  t.domain_size_px_ = scalar("domain_size_px");
  t.n_sectors_ = static_cast<int>(scalar("n_sectors"));
  t.kr_exponent_ = scalar("kr_exponent");
  t.k_peak_ = scalar("k_peak_inv_angstrom");
  t.dose_ = scalar("dose");
  t.time_step_s_ = scalar("time_step_s");
  t.n_cycles_ = static_cast<std::size_t>(scalar("n_cycles"));
  // Truth files written before the projector model have a round pattern.
  if (h5::has_attribute(g, "ellipticity")) {
    t.ellipticity_ = scalar("ellipticity");
    t.ellipticity_angle_deg_ = scalar("ellipticity_angle_deg");
  }

  h5::Handle tau = h5::open_dataset(file, "/truth/tau_sector");
  const auto shape = h5::dataset_shape(tau);
  if (shape.size() != 3 || shape[2] != static_cast<hsize_t>(t.n_sectors_))
    throw InputError("'" + truth_path + "': /truth/tau_sector is not (NY, NX, n_sectors)");
  t.ny_ = shape[0];
  t.nx_ = shape[1];
  t.tau_.resize(shape[0] * shape[1] * shape[2]);
  h5::read_hyperslab(tau, H5T_NATIVE_DOUBLE, {0, 0, 0}, shape, t.tau_.data(), false);
  for (auto [path, dest] : {std::pair{"/truth/drift_yx", &t.drift_yx_}, std::pair{"/truth/beam_center_yx", &t.beam_center_yx_}}) {
    h5::Handle ds = h5::open_dataset(file, path);
    const auto s = h5::dataset_shape(ds);
    if (s.size() != 2 || s[1] != 2) throw InputError("'" + truth_path + "': " + path + " is not (T, 2)");
    dest->resize(s[0] * 2);
    h5::read_hyperslab(ds, H5T_NATIVE_DOUBLE, {0, 0}, s, dest->data(), false);
  }
  return t;
}

double Truth::tau_sector_s(std::size_t sy, std::size_t sx, int sector) const {
  if (sy >= ny_ || sx >= nx_ || sector < 0 || sector >= n_sectors_)
    throw InputError("truth: scan position or sector out of range");
  return tau_[(sy * nx_ + sx) * static_cast<std::size_t>(n_sectors_) + static_cast<std::size_t>(sector)];
}

double Truth::tau_s(std::size_t sy, std::size_t sx, double k_inv_angstrom, double phi_rad) const {
  const double tau = tau_sector_s(sy, sx, sector_of(phi_rad, n_sectors_));
  if (kr_exponent_ == 0.0) return tau;
  return tau * std::pow(k_inv_angstrom / k_peak_, kr_exponent_);
}

}  // namespace ecm::simulate
