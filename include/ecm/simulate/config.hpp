#pragma once
// Configuration of `ecm simulate`: a physical model of a 5D-STEM acquisition of a
// supercooled liquid (speckled first diffraction ring whose speckles decorrelate with
// KWW dynamics, heterogeneous relaxation-time domains, drift, electron counting and a
// detector), written in the engine's input layout with a truth file beside it.
//
// Every field has its unit and default here; `ecm simulate --help` prints the same
// (see simulate/options.hpp, the one table of option names, help texts and parsers).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ecm/io/hdf5.hpp"

namespace ecm::simulate {

// Layout of /frames (BRIEF section 4).
enum class Layout {
  five_d,  // (t, scan_y, scan_x, det_y, det_x)
  stream   // (frame, det_y, det_x), frame = (t*NY + y)*NX + x
};

struct SimConfig {
  // --- scan and time ---------------------------------------------------------------
  std::size_t scan_y = 8, scan_x = 8;  // scan positions NY x NX
  std::size_t cycles = 1000;           // T: repeated 4D scans (time samples), >= 2
  double time_step_s = 0.25;           // [s] time between two cycles (Nx*Ny/f)

  // --- detector geometry and file --------------------------------------------------
  std::size_t det_y = 48, det_x = 48;  // detector pixels
  h5::DType dtype = h5::DType::u16;    // uint8 | uint16 | uint32 | float32
  Layout layout = Layout::five_d;
  // File format: "hdf5" (the canonical layout) or a camera's (camera_writer.hpp: mib, seq,
  // mrc, empad), frames in recording order with the camera's companions.
  std::string format = "hdf5";
  // [1/A per px]. 0.026 puts k = 0.6 1/A (the end of the analysis strip) inside a 48 px
  // detector centred at 23.5; the ring k_peak = 0.46 1/A sits at 17.7 px.
  double k_pixel_size = 0.026;
  // [px] beam centre at t = 0; negative means "detector centre" ((det-1)/2).
  double center_y = -1.0, center_x = -1.0;
  double center_drift_y = 0.0, center_drift_x = 0.0;  // [px] linear beam-centre shift over the run

  // --- diffraction ------------------------------------------------------------------
  double k_peak = 0.46;       // [1/A] first-ring position
  double ring_width = 0.06;   // [1/A] Gaussian sigma_k of the ring
  // [1/A] probe convergence k_c = alpha/lambda: speckle FWHM and direct-beam disc radius.
  // 0.08 1/A = 3.1 px at the default pixel size (the paper's rule: k_phi bins <= k_c).
  double convergence = 0.08;
  // [electrons/px/frame] mean intensity at the ring peak (ring + background there).
  double dose = 2.0;
  // Flat background relative to the ring height above it:
  //   I_env(k) = dose * (exp(-(k-k_peak)^2 / (2 sigma_k^2)) + background) / (1 + background)
  double background = 0.1;
  double direct_beam = 20.0;  // [electrons/px/frame] static disc of radius k_c at the centre (0: none)

  // --- column and detector imperfections (simulate/optics.hpp) ---------------------------
  // Projector-lens ellipticity of the whole pattern (ring, direct beam, speckle). Detector
  // offsets d = (dy, dx) = p - c(t) from the beam centre (y = row, x = column); angles as
  // polar_angle(dy, dx), from +x towards +y. An undistorted reciprocal offset q (px at the
  // nominal k_pixel_size) lands on the detector at d = M q,
  //   M = R(theta) diag(sqrt(1+E), 1/sqrt(1+E)) R(theta)^T,  theta = ellipticity_angle_deg,
  // the first entry acting along the unit vector (sin theta, cos theta) in (y, x), i.e. the
  // direction whose polar angle is theta. A ring of radius r appears as an ellipse with
  // semi-major r sqrt(1+E) along theta and semi-minor r / sqrt(1+E): a/b = 1 + E, area kept.
  // Every k-dependent quantity (ring, disc, speckle annulus, the speckle field's lattice and
  // so the sector and k of each tau) is a function of q = M^-1 d.
  double ellipticity = 0.0;            // E, in [0, 0.2]; 0: round pattern
  double ellipticity_angle_deg = 0.0;  // [deg] theta, direction of the major axis
  // Opaque beam stop fixed on the detector at the t = 0 beam centre (it does not follow
  // beam-centre drift): no electrons reach pixels whose centre lies within the radius, or
  // within the arm (half width beam_stop_arm_px / 2 about the centre row, from the centre to
  // the detector edge along +x). Those pixels read the dark level and read noise only.
  double beam_stop_radius_px = 0.0;  // [detector px] 0: no stop
  double beam_stop_arm_px = 0.0;     // [detector px] arm width; 0: no arm

  // --- dynamics -----------------------------------------------------------------------
  double contrast = 0.3;       // A of g2 = 1 + A exp(-2 (t/tau)^beta), 0 <= A <= 1
  double tau_median_s = 5.0;   // [s] median relaxation time (20 time steps by default)
  double sigma_ln_tau = 0.3;   // std of ln tau over the sample (log-normal tau)
  double beta = 1.0;           // KWW stretching exponent, 0 < beta <= 2
  double domain_size_px = 3.0; // [scan px] FWHM of the spatial autocorrelation of ln tau (0: uncorrelated)
  int n_sectors = 24;          // independent tau maps, equal azimuthal sectors over [0, 2 pi)
  double kr_exponent = 0.0;    // tau(k) = tau_sector * (k / k_peak)^kr_exponent
  // Aging: every tau grows linearly over the run, tau(t) = tau(0) * (1 + (F - 1) t / T_run),
  // T_run = cycles * time_step_s, so tau(T_run) = F tau(0). Modelled exactly as a process
  // stationary in material time u(t) = int_0^t tau(0)/tau(t') dt' (beta = 1 only; see
  // simulate/field.hpp). F = 1 (default): stationary, the circulant-embedding KWW path.
  double aging_factor = 1.0;

  // --- sample thickness: static real-space texture of the scattered intensity ------------
  // Each sample position scatters m(r) times the ring intensity, m log-normal with mean 1 and
  // relative rms thickness_contrast, correlated over thickness_size_px. It is what makes
  // virtual-dark-field images show the sample (and so what drift registration follows).
  double thickness_contrast = 0.0;  // relative rms of m over the sample, in [0, 1); 0 = uniform
  double thickness_size_px = 4.0;   // [scan px] FWHM of the spatial autocorrelation of ln m

  // --- real-space (sample) drift: scan position s at cycle t sees sample s + d(t) ----
  double drift_y = 0.0, drift_x = 0.0;  // [scan px] linear drift, total over the run
  double drift_walk_px = 0.0;           // [scan px] rms of an added random walk at the end of the run, per axis

  // --- detector response: raw = round(cpe * gain_pix * electrons + dark_pix + read_noise * N(0,1)) ---
  bool shot_noise = true;            // false: write expected electrons (no Poisson; for noise-free tests)
  double counts_per_electron = 1.0;  // [counts/electron] mean conversion
  double gain_spread = 0.0;          // relative rms of the per-pixel gain gain_pix ~ 1 + spread * N(0,1)
  double dark_level = 0.0;           // [counts] mean dark offset
  double dark_spread = 0.0;          // [counts] pixel-to-pixel rms of the dark offset
  double read_noise = 0.0;           // [counts] rms per pixel per frame
  std::size_t hot_pixels = 0;        // pixels stuck at hot_pixel_value (listed in /mask)
  double hot_pixel_value = 4000.0;   // [counts] clamped to the dtype range (and to saturation_counts)
  // [counts] counter depth: raw values (hot pixels included) are clipped at this level
  // after the detector response, e.g. 4095 for a 12-bit counter; a whole number within the
  // dtype's range. 0: only the dtype's range (integers are clamped to it, float32 is not).
  double saturation_counts = 0.0;

  // --- run ------------------------------------------------------------------------------
  std::uint64_t seed = 1;         // the dataset is a function of the configuration and this seed only
  double memory_budget_mb = 1024; // [MiB] per rank, for the frames being generated (at least one position)

  // Beam centre at t = 0 with the "detector centre" default resolved.
  double center0_y() const { return center_y < 0 ? 0.5 * (static_cast<double>(det_y) - 1.0) : center_y; }
  double center0_x() const { return center_x < 0 ? 0.5 * (static_cast<double>(det_x) - 1.0) : center_x; }
  // Whether dark / gain / hot pixels are simulated (then /dark, /gain, /mask are written).
  bool has_detector_references() const {
    return dark_level != 0.0 || dark_spread != 0.0 || gain_spread != 0.0 || counts_per_electron != 1.0 ||
           hot_pixels != 0;
  }
  std::size_t bytes_per_value() const;
  std::size_t frame_bytes() const { return det_y * det_x * bytes_per_value(); }
  double dataset_bytes() const {
    return static_cast<double>(cycles) * static_cast<double>(scan_y * scan_x) * static_cast<double>(frame_bytes());
  }
};

// Throws InputError (one line naming the parameter) unless the configuration is usable.
void validate(const SimConfig& cfg);

std::string layout_name(Layout layout);

}  // namespace ecm::simulate
