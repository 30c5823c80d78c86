#include "analysis_options.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecm/api/option_text.hpp"
#include "ecm/core/error.hpp"
#include "options.hpp"

namespace ecm::cli {

using api::number_to_text;

namespace {
// The library's defaults are the CLI's (ecm::AnalysisOptions): shown by --help from there.
const AnalysisOptions kDefaults{};
std::string default_text(const std::string& key) { return kDefaults.get(key); }
}  // namespace

po::options_description input_options() {
  const auto& d = kDefaults.input;
  po::options_description in("Input format and scan (docs/input-formats.md)");
  in.add_options()
    ("format", po::value<std::string>()->default_value(d.format), "input format: auto (from the content) | hdf5 | nexus | seq | mib | mrc | empad")
    ("dataset", po::value<std::string>(), "HDF5 dataset of the frames (default: /frames, a NeXus master's data, or the only 3- to 5-D dataset)")
    ("scan-shape", po::value<std::string>(), "NY,NX scan positions (when the file does not say)")
    ("skip-frames", po::value<std::size_t>()->default_value(d.skip_frames), "leading frames to drop before the first scan")
    ("flyback", po::value<std::size_t>()->default_value(d.flyback), "extra frames recorded at the end of each scan row")
    ("cycle-frames", po::value<std::size_t>(), "frames from one scan cycle's start to the next, dead frames included (default NY*(NX+flyback))")
    ("drop-incomplete-cycle", po::bool_switch(), "drop frames after the last whole cycle instead of failing")
    ("frame-count", po::value<std::size_t>(), "frames to use when a header's count disagrees with the file (.seq)")
    ("allow-external", po::bool_switch(), "read HDF5 data from files outside the input's folder (external links, virtual datasets, external storage)");
  return in;
}

void fill_input_options(const po::variables_map& vm, io::InputOptions& in) {
  if (vm.count("dataset")) in.dataset = vm["dataset"].as<std::string>();
  in.format = vm["format"].as<std::string>();
  if (vm.count("scan-shape")) in.scan.scan_shape = parse_count_pair(vm["scan-shape"].as<std::string>(), "scan-shape");
  in.scan.skip_frames = vm["skip-frames"].as<std::size_t>();
  in.scan.flyback = vm["flyback"].as<std::size_t>();
  if (vm.count("cycle-frames")) in.scan.cycle_frames = vm["cycle-frames"].as<std::size_t>();
  in.scan.drop_incomplete_cycle = vm["drop-incomplete-cycle"].as<bool>();
  if (vm.count("frame-count")) in.frame_count = vm["frame-count"].as<std::size_t>();
  in.allow_external = vm["allow-external"].as<bool>();
  // A reference named on the command line (or "none") replaces the input's own: not read.
  in.own_dark = !vm.count("dark");
  in.own_gain = !vm.count("gain");
  in.own_mask = !vm.count("mask");
}

po::options_description analysis_io_options() {
  po::options_description io("Input and output");
  io.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "INI file with any of these options as key = value (long names)")
    ("input", po::value<std::string>(), "input file (positional): HDF5, NeXus master, Merlin .mib, StreamPix .seq, MRC, EMPAD (docs/input-formats.md)")
    ("output,o", po::value<std::string>(), "output HDF5 file (required); written as OUT.partial, renamed when complete")
    ("memory-budget", po::value<std::string>()->default_value(default_text("memory-budget")), "memory per rank (K, M, G suffixes); sets the tile size")
    ("no-overlap", po::bool_switch(), "read each block of cycles only after the kernels are done with the last (for measurements)");
  io.add(input_options());
  return io;
}

po::options_description calibration_options() {
  po::options_description cal("Calibration (override the dataset's attributes)");
  cal.add_options()
    ("time-step", po::value<double>(), "time between scan cycles [s] (attribute time_step_s)")
    ("k-pixel-size", po::value<double>(), "detector pixel size in k [1/A] (attribute k_pixel_size_inv_angstrom)")
    ("beam-center", po::value<std::string>(), "beam centre Y,X on the detector [px] (attribute beam_center_yx)")
    ("convergence", po::value<double>(), "probe convergence k_c [1/A], the speckle size (attribute convergence_inv_angstrom)");
  return cal;
}

po::options_description strip_options() {
  const auto& d = kDefaults.strip;
  po::options_description pre("Preprocessing and polar strip");
  pre.add_options()
    ("dark", po::value<std::string>(), "dark reference: FILE.h5:/path or /path in the input (subtracted); none = not the one the input brings")
    ("gain", po::value<std::string>(), "gain reference: FILE.h5:/path or /path (multiplied after dark subtraction); none = not the input's")
    ("mask", po::value<std::string>(), "bad-pixel mask: FILE.h5:/path or /path (non-zero = bad); none = not the input's")
    ("threshold", po::value<double>()->default_value(d.threshold), "values below this (after dark and gain) are set to 0 [counts]")
    ("kr-range", po::value<std::string>()->default_value(default_text("kr-range")), "LO,HI of the polar strip [1/A]")
    ("n-kr", po::value<int>()->default_value(d.n_kr), "k_r bins over the strip (after binning)")
    ("n-kphi", po::value<int>()->default_value(d.n_kphi), "k_phi bins over 2 pi (after binning); keep each bin <= k_c")
    ("bin-kr", po::value<int>()->default_value(d.bin_kr), "polar transform on a k_r grid this many times finer, then summed")
    ("bin-kphi", po::value<int>()->default_value(d.bin_kphi), "likewise in k_phi")
    ("bin-t", po::value<int>()->default_value(d.bin_t), "sum this many consecutive scan cycles (time step grows accordingly)")
    ("polar-subsample", po::value<int>()->default_value(d.polar_subsample), "sub-pixels per pixel edge in the count-conserving transform");
  return pre;
}

po::options_description registration_options() {
  const auto& d = kDefaults.registration;
  po::options_description reg("Drift registration and beam-centre tracking (docs/registration.md)");
  reg.add_options()
    ("no-register", po::bool_switch(), "neither measure nor correct the sample drift")
    ("drift-file", po::value<std::string>(), "apply the drift in FILE.h5[:/path] (default path /registration/drift_yx, (t, 2) scan px) instead of measuring it")
    ("drift-reference", po::value<std::string>()->default_value(default_text("drift-reference")), "VDF blocks registered against: first | previous | mean")
    ("register-stride", po::value<std::size_t>()->default_value(d.stride), "read one cycle in this many for registration; 0 = auto (up to 8)")
    ("drift-block", po::value<std::size_t>()->default_value(d.drift_block), "cycles summed per drift estimate (a multiple of the stride); 0 = auto")
    ("drift-smooth", po::value<double>()->default_value(d.drift_smooth), "Gaussian smoothing of the drift over blocks (std, in blocks); 0 = none")
    ("drift-threshold", po::value<double>()->default_value(d.drift_threshold), "drift corrected only if its range reaches this [scan px]")
    ("vdf-k-range", po::value<std::string>(), "LO,HI of the annular virtual detector [1/A]; default the polar strip")
    ("no-center-track", po::bool_switch(), "one beam centre for the whole run instead of a tracked one")
    ("center-block", po::value<std::size_t>()->default_value(d.center_block), "cycles per beam-centre measurement (a multiple of the stride); 0 = auto")
    ("center-tolerance", po::value<double>()->default_value(d.center_tolerance), "a new polar map when the tracked centre moves further [detector px]")
    ("ellipse", po::value<std::string>()->default_value(d.ellipse), "elliptical ring distortion: auto (measured, applied when >= 0.5 %), off, or A,B,ANGLE (semi-axes, any unit, and the direction of A [deg, from +x towards +y])");
  return reg;
}

po::options_description correlation_options() {
  const auto& c = kDefaults.correlation;
  const auto& f = kDefaults.fit;
  po::options_description corr("Correlation and KWW fit");
  corr.add_options()
    ("normalization", po::value<std::string>()->default_value(default_text("normalization")), "g2 normalisation: symmetric | standard")
    ("n-lags", po::value<int>()->default_value(c.n_lags), "log-spaced lag bins fitted")
    ("max-lag-fraction", po::value<double>()->default_value(c.max_lag_fraction), "largest lag fitted, as a fraction of the series length")
    ("min-counts", po::value<double>()->default_value(c.min_counts), "no fit below this mean count per frame in a bin (status too_few_counts)")
    ("tau-min", po::value<double>()->default_value(f.tau_min_s), "lower bound on tau [s]; 0: a tenth of the first lag")
    ("tau-max", po::value<double>()->default_value(f.tau_max_s), "upper bound on tau [s]; 0: ten times the last lag")
    ("beta-min", po::value<double>()->default_value(f.beta_min), "lower bound on beta")
    ("beta-max", po::value<double>()->default_value(f.beta_max), ("upper bound on beta (at most " + number_to_text(kMaxKwwBeta) + ")").c_str())
    ("max-iterations", po::value<int>()->default_value(f.max_iterations), "Levenberg-Marquardt iterations per fit");
  return corr;
}

namespace {

// An option's value as boost parsed it, as text set() reads back to the same value.
std::string value_text(const boost::any& any) {
  if (auto s = boost::any_cast<std::string>(&any)) return *s;
  if (auto d = boost::any_cast<double>(&any)) return number_to_text(*d);
  if (auto i = boost::any_cast<int>(&any)) return std::to_string(*i);
  if (auto u = boost::any_cast<unsigned>(&any)) return std::to_string(*u);
  if (auto z = boost::any_cast<std::size_t>(&any)) return std::to_string(*z);
  if (auto b = boost::any_cast<bool>(&any)) return *b ? "true" : "false";
  throw InputError("an option of an unexpected type");
}

}  // namespace

void fill_calibration_overrides(const po::variables_map& vm, io::CalibrationOverrides& c) {
  // Checked by the library's one validation, before the input is opened.
  AnalysisOptions options;
  for (const char* key : {"time-step", "k-pixel-size", "beam-center", "convergence"})
    if (vm.count(key)) options.set(key, value_text(vm[key].value()));
  options.validate();
  c.time_step_s = options.calibration.time_step_s;
  c.k_pixel_size = options.calibration.k_pixel_size;
  c.beam_center_yx = options.calibration.beam_center_yx;
  c.convergence = options.calibration.convergence;
}

void require_input_and_output(const po::variables_map& vm, const std::string& usage) {
  if (!vm.count("input")) throw InputError("no input file given (" + usage + ")");
  if (!vm.count("output")) throw InputError("no output file given (-o OUT.h5)");
}

AnalysisOptions analysis_options(const po::variables_map& vm) {
  AnalysisOptions options;
  for (const auto& key : AnalysisOptions::keys())
    if (vm.count(key)) options.set(key, value_text(vm[key].value()));
  options.validate();
  return options;
}

}  // namespace ecm::cli
