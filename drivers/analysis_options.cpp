#include "analysis_options.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/core/units.hpp"
#include "options.hpp"

namespace ecm::cli {

po::options_description input_options() {
  po::options_description in("Input format and scan (docs/input-formats.md)");
  in.add_options()
    ("format", po::value<std::string>()->default_value("auto"), "input format: auto (from the content) | hdf5 | nexus | seq | mib | mrc | empad")
    ("dataset", po::value<std::string>(), "HDF5 dataset of the frames (default: /frames, a NeXus master's data, or the only 3- to 5-D dataset)")
    ("scan-shape", po::value<std::string>(), "NY,NX scan positions (when the file does not say)")
    ("skip-frames", po::value<std::size_t>()->default_value(0), "leading frames to drop before the first scan")
    ("flyback", po::value<std::size_t>()->default_value(0), "extra frames recorded at the end of each scan row")
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

void fill_calibration_overrides(const po::variables_map& vm, io::CalibrationOverrides& c) {
  // Checked here, before the input is opened, with the ranges the file's values get
  // (io::InputDataset::calibration).
  if (vm.count("time-step")) io::check_time_step(*(c.time_step_s = vm["time-step"].as<double>()), "--time-step");
  if (vm.count("k-pixel-size"))
    io::check_k_pixel_size(*(c.k_pixel_size = vm["k-pixel-size"].as<double>()), "--k-pixel-size");
  if (vm.count("beam-center")) c.beam_center_yx = parse_pair(vm["beam-center"].as<std::string>(), "beam-center");
  if (vm.count("convergence")) io::check_convergence(*(c.convergence = vm["convergence"].as<double>()), "--convergence");
}

po::options_description analysis_io_options() {
  po::options_description io("Input and output");
  io.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "INI file with any of these options as key = value (long names)")
    ("input", po::value<std::string>(), "input file (positional): HDF5, NeXus master, Merlin .mib, StreamPix .seq, MRC, EMPAD (docs/input-formats.md)")
    ("output,o", po::value<std::string>(), "output HDF5 file (required); written as OUT.partial, renamed when complete")
    ("memory-budget", po::value<std::string>()->default_value("2G"), "memory per rank (K, M, G suffixes); sets the tile size")
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
  po::options_description pre("Preprocessing and polar strip");
  pre.add_options()
    ("dark", po::value<std::string>(), "dark reference: FILE.h5:/path or /path in the input (subtracted); none = not the one the input brings")
    ("gain", po::value<std::string>(), "gain reference: FILE.h5:/path or /path (multiplied after dark subtraction); none = not the input's")
    ("mask", po::value<std::string>(), "bad-pixel mask: FILE.h5:/path or /path (non-zero = bad); none = not the input's")
    ("threshold", po::value<double>()->default_value(0.0), "values below this (after dark and gain) are set to 0 [counts]")
    ("kr-range", po::value<std::string>()->default_value("0.3,0.6"), "LO,HI of the polar strip [1/A]")
    ("n-kr", po::value<int>()->default_value(4), "k_r bins over the strip (after binning)")
    ("n-kphi", po::value<int>()->default_value(48), "k_phi bins over 2 pi (after binning); keep each bin <= k_c")
    ("bin-kr", po::value<int>()->default_value(1), "polar transform on a k_r grid this many times finer, then summed")
    ("bin-kphi", po::value<int>()->default_value(1), "likewise in k_phi")
    ("bin-t", po::value<int>()->default_value(1), "sum this many consecutive scan cycles (time step grows accordingly)")
    ("polar-subsample", po::value<int>()->default_value(8), "sub-pixels per pixel edge in the count-conserving transform");
  return pre;
}

po::options_description registration_options() {
  po::options_description reg("Drift registration and beam-centre tracking (docs/registration.md)");
  reg.add_options()
    ("no-register", po::bool_switch(), "neither measure nor correct the sample drift")
    ("drift-file", po::value<std::string>(), "apply the drift in FILE.h5[:/path] (default path /registration/drift_yx, (t, 2) scan px) instead of measuring it")
    ("drift-reference", po::value<std::string>()->default_value("mean"), "VDF blocks registered against: first | previous | mean")
    ("register-stride", po::value<std::size_t>()->default_value(0), "read one cycle in this many for registration; 0 = auto (up to 8)")
    ("drift-block", po::value<std::size_t>()->default_value(0), "cycles summed per drift estimate (a multiple of the stride); 0 = auto")
    ("drift-smooth", po::value<double>()->default_value(0.0), "Gaussian smoothing of the drift over blocks (std, in blocks); 0 = none")
    ("drift-threshold", po::value<double>()->default_value(0.5), "drift corrected only if its range reaches this [scan px]")
    ("vdf-k-range", po::value<std::string>(), "LO,HI of the annular virtual detector [1/A]; default the polar strip")
    ("no-center-track", po::bool_switch(), "one beam centre for the whole run instead of a tracked one")
    ("center-block", po::value<std::size_t>()->default_value(0), "cycles per beam-centre measurement (a multiple of the stride); 0 = auto")
    ("center-tolerance", po::value<double>()->default_value(0.05), "a new polar map when the tracked centre moves further [detector px]")
    ("ellipse", po::value<std::string>()->default_value("auto"), "elliptical ring distortion: auto (measured, applied when >= 0.5 %), off, or A,B,ANGLE (semi-axes, any unit, and the direction of A [deg, from +x towards +y])");
  return reg;
}

namespace {

// --ellipse auto | off | A,B,ANGLE.
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

}  // namespace

void fill_analysis_config(const po::variables_map& vm, const std::string& usage, engine::RunConfig& c) {
  if (!vm.count("input")) throw InputError("no input file given (" + usage + ")");
  if (!vm.count("output")) throw InputError("no output file given (-o OUT.h5)");
  c.input_path = vm["input"].as<std::string>();
  c.output_path = vm["output"].as<std::string>();
  fill_input_options(vm, c.input);
  fill_calibration_overrides(vm, c.calibration);
  if (vm.count("dark")) c.dark = vm["dark"].as<std::string>();
  if (vm.count("gain")) c.gain = vm["gain"].as<std::string>();
  if (vm.count("mask")) c.mask = vm["mask"].as<std::string>();
  const double threshold = vm["threshold"].as<double>();
  if (!(std::fabs(threshold) <= std::numeric_limits<float>::max())) {
    std::ostringstream got;
    got << threshold;
    throw InputError("--threshold must be a count that fits a float (got " + got.str() + ")");
  }
  c.threshold = float(threshold);
  const auto kr = parse_pair(vm["kr-range"].as<std::string>(), "kr-range");
  c.grid.k_min = kr[0];
  c.grid.k_max = kr[1];
  if (!(kr[0] >= 0 && kr[1] > kr[0])) throw InputError("--kr-range must satisfy 0 <= LO < HI");
  c.grid.n_kr = vm["n-kr"].as<int>();
  c.grid.n_kphi = vm["n-kphi"].as<int>();
  c.bin.kr = vm["bin-kr"].as<int>();
  c.bin.kphi = vm["bin-kphi"].as<int>();
  c.bin.t = vm["bin-t"].as<int>();
  c.polar_subsample = vm["polar-subsample"].as<int>();
  auto& r = c.registration;
  r.drift = !vm["no-register"].as<bool>();
  r.center_track = !vm["no-center-track"].as<bool>();
  if (vm.count("drift-file")) r.drift_file = vm["drift-file"].as<std::string>();
  const std::string ref = vm["drift-reference"].as<std::string>();
  if (ref == "first") r.reference = registration::Reference::first;
  else if (ref == "previous") r.reference = registration::Reference::previous;
  else if (ref == "mean") r.reference = registration::Reference::mean;
  else throw InputError("--drift-reference must be first, previous or mean (got '" + ref + "')");
  r.stride = vm["register-stride"].as<std::size_t>();
  r.drift_block = vm["drift-block"].as<std::size_t>();
  r.center_block = vm["center-block"].as<std::size_t>();
  r.smooth_blocks = vm["drift-smooth"].as<double>();
  r.min_drift_px = vm["drift-threshold"].as<double>();
  r.center_tolerance_px = vm["center-tolerance"].as<double>();
  parse_ellipse(vm["ellipse"].as<std::string>(), r);
  if (vm.count("vdf-k-range")) r.vdf_k_range = parse_pair(vm["vdf-k-range"].as<std::string>(), "vdf-k-range");
  if (!(r.smooth_blocks >= 0)) throw InputError("--drift-smooth must be >= 0");
  if (!(r.min_drift_px >= 0)) throw InputError("--drift-threshold must be >= 0");
  if (!(r.center_tolerance_px > 0)) throw InputError("--center-tolerance must be > 0");
  if (!r.drift_file.empty() && !r.drift) throw InputError("--drift-file and --no-register contradict each other");
  c.memory_budget_bytes = parse_size_bytes(vm["memory-budget"].as<std::string>(), "memory-budget");
  c.overlap_reads = !vm["no-overlap"].as<bool>();
}

}  // namespace ecm::cli
