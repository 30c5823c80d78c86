#include "ecm/api/run_config_from_options.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ecm/core/units.hpp"

namespace ecm::api {

void parse_ellipse(const std::string& text, engine::RegistrationOptions& r) {
  if (text == "auto") {
    r.ellipse_mode = engine::EllipseMode::measure;
    return;
  }
  if (text == "off") {
    r.ellipse_mode = engine::EllipseMode::off;
    return;
  }
  double a = 0, b = 0, angle = 0;
  char c1 = 0, c2 = 0;
  std::istringstream in(text);
  if (!(in >> a >> c1 >> b >> c2 >> angle) || c1 != ',' || c2 != ',' || !(in >> std::ws).eof())
    throw InputError("--ellipse expects auto, off or A,B,ANGLE (got '" + text + "')");
  if (!(a > 0 && b > 0 && std::isfinite(a) && std::isfinite(b) && std::isfinite(angle)))
    throw InputError("--ellipse A,B,ANGLE needs semi-axes A, B > 0 and a finite angle (got '" + text + "')");
  const double ratio = std::max(a, b) / std::min(a, b);
  if (!(ratio < 1.5)) throw InputError("--ellipse: an axis ratio of " + std::to_string(ratio) + " is not a lens distortion");
  r.ellipse_mode = engine::EllipseMode::given;
  // The major axis: A's direction, or across it when B is the longer.
  r.ellipse = {ratio - 1.0, (a >= b ? angle : angle + 90.0) * kPi / 180.0};
}

namespace {

void set_input(const AnalysisOptions::Input& in, const AnalysisOptions::References& refs, io::InputOptions& out) {
  out.format = in.format;
  out.dataset = in.dataset;
  out.scan.scan_shape = in.scan_shape;
  out.scan.skip_frames = in.skip_frames;
  out.scan.flyback = in.flyback;
  out.scan.cycle_frames = in.cycle_frames;
  out.scan.drop_incomplete_cycle = in.drop_incomplete_cycle;
  out.frame_count = in.frame_count;
  out.allow_external = in.allow_external;
  // A reference named (or "none") replaces the input's own: that one is not read.
  out.own_dark = refs.dark.empty();
  out.own_gain = refs.gain.empty();
  out.own_mask = refs.mask.empty();
}

void set_registration(const AnalysisOptions::Registration& in, engine::RegistrationOptions& r) {
  r.drift = in.drift;
  r.center_track = in.center_track;
  r.drift_file = in.drift_file;
  switch (in.drift_reference) {
    case AnalysisOptions::DriftReference::first: r.reference = registration::Reference::first; break;
    case AnalysisOptions::DriftReference::previous: r.reference = registration::Reference::previous; break;
    case AnalysisOptions::DriftReference::mean: r.reference = registration::Reference::mean; break;
  }
  r.stride = in.stride;
  r.drift_block = in.drift_block;
  r.center_block = in.center_block;
  r.smooth_blocks = in.drift_smooth;
  r.min_drift_px = in.drift_threshold;
  r.center_tolerance_px = in.center_tolerance;
  r.vdf_k_range = in.vdf_k_range;
  parse_ellipse(in.ellipse, r);
}

}  // namespace

engine::RunConfig make_run_config(const AnalysisOptions& o, const RunControls& controls, const std::string& input_path,
                                  const std::string& output_path) {
  engine::RunConfig c;
  c.input_path = input_path;
  c.output_path = output_path;
  set_input(o.input, o.references, c.input);
  c.calibration.time_step_s = o.calibration.time_step_s;
  c.calibration.k_pixel_size = o.calibration.k_pixel_size;
  c.calibration.beam_center_yx = o.calibration.beam_center_yx;
  c.calibration.convergence = o.calibration.convergence;
  c.dark = o.references.dark;
  c.gain = o.references.gain;
  c.mask = o.references.mask;
  c.save_g2 = o.save_g2;
  c.threshold = float(o.strip.threshold);
  c.grid.k_min = o.strip.kr_range[0];
  c.grid.k_max = o.strip.kr_range[1];
  c.grid.n_kr = o.strip.n_kr;
  c.grid.n_kphi = o.strip.n_kphi;
  c.bin.kr = o.strip.bin_kr;
  c.bin.kphi = o.strip.bin_kphi;
  c.bin.t = o.strip.bin_t;
  c.polar_subsample = o.strip.polar_subsample;
  set_registration(o.registration, c.registration);
  c.normalization = o.correlation.normalization == AnalysisOptions::Normalization::symmetric ? g2::Normalization::symmetric
                                                                                            : g2::Normalization::standard;
  c.n_lags = o.correlation.n_lags;
  c.max_lag_fraction = o.correlation.max_lag_fraction;
  c.min_counts = o.correlation.min_counts;
  c.fit.tau_min_s = o.fit.tau_min_s;
  c.fit.tau_max_s = o.fit.tau_max_s;
  c.fit.beta_min = o.fit.beta_min;
  c.fit.beta_max = o.fit.beta_max;
  c.fit.max_iterations = o.fit.max_iterations;
  c.memory_budget_bytes = o.memory_budget_bytes;
  c.overlap_reads = controls.overlap_reads;
  c.controls = controls;
  c.configuration = o.to_ini();
  return c;
}

}  // namespace ecm::api
