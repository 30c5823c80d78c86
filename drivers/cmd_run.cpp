// `ecm run IN.h5 -o OUT.h5`: parse options into a RunConfig, run the pipeline, print a summary.
#include <cstdio>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "ecm/core/interrupt.hpp"
#include "ecm/core/units.hpp"
#include "ecm/engine/pipeline.hpp"
#include "ecm/engine/progress.hpp"
#include "options.hpp"

namespace {

namespace po = boost::program_options;

po::options_description run_options() {
  po::options_description io("Input and output");
  io.add_options()
    ("help,h", "show this help")
    ("config", po::value<std::string>(), "INI file with any of these options as key = value (long names)")
    ("input", po::value<std::string>(), "input HDF5 file (positional)")
    ("output,o", po::value<std::string>(), "output HDF5 file (required); written as OUT.partial, renamed when complete")
    ("dataset", po::value<std::string>()->default_value("/frames"), "dataset path in the input")
    ("scan-shape", po::value<std::string>(), "NY,NX of a 3-D frame-stream input (if not in its scan_shape attribute)")
    ("save-g2", po::bool_switch(), "also write /g2 (scan_y, scan_x, n_kr, n_kphi, n_lags)")
    ("memory-budget", po::value<std::string>()->default_value("2G"), "memory per rank (K, M, G suffixes); sets the tile size")
    ("no-overlap", po::bool_switch(), "read each block of cycles only after the kernels are done with the last (for measurements)")
    ("resume", po::bool_switch(), "continue OUT.h5.partial from its tile ledger (after a kill, a crash or a time limit); "
                                  "starts afresh when there is none, does nothing when OUT.h5 is complete")
    ("progress", po::value<std::string>()->default_value("auto"), "progress on stderr: auto (a bar on a terminal, lines in a log) | bar | lines | none")
    ("schedule", po::value<std::string>()->default_value("dynamic"), "tiles per rank: dynamic (in proportion to rank speed) | static (round-robin)")
    ("throttle", po::value<double>()->default_value(0.0), "sleep this long after each tile [s] (tests and benchmarks: a slow node)")
    ("throttle-rank", po::value<int>()->default_value(-1), "the rank --throttle slows; -1 = every rank");
  po::options_description cal("Calibration (override the dataset's attributes)");
  cal.add_options()
    ("time-step", po::value<double>(), "time between scan cycles [s] (attribute time_step_s)")
    ("k-pixel-size", po::value<double>(), "detector pixel size in k [1/A] (attribute k_pixel_size_inv_angstrom)")
    ("beam-center", po::value<std::string>(), "beam centre Y,X on the detector [px] (attribute beam_center_yx)")
    ("convergence", po::value<double>(), "probe convergence k_c [1/A], the speckle size (attribute convergence_inv_angstrom)");
  po::options_description pre("Preprocessing and polar strip");
  pre.add_options()
    ("dark", po::value<std::string>(), "dark reference: FILE.h5:/path or /path in the input (subtracted)")
    ("gain", po::value<std::string>(), "gain reference: FILE.h5:/path or /path (multiplied after dark subtraction)")
    ("mask", po::value<std::string>(), "bad-pixel mask: FILE.h5:/path or /path (non-zero = bad)")
    ("threshold", po::value<double>()->default_value(0.0), "values below this (after dark and gain) are set to 0 [counts]")
    ("kr-range", po::value<std::string>()->default_value("0.3,0.6"), "LO,HI of the polar strip [1/A]")
    ("n-kr", po::value<int>()->default_value(4), "k_r bins over the strip (after binning)")
    ("n-kphi", po::value<int>()->default_value(48), "k_phi bins over 2 pi (after binning); keep each bin <= k_c")
    ("bin-kr", po::value<int>()->default_value(1), "polar transform on a k_r grid this many times finer, then summed")
    ("bin-kphi", po::value<int>()->default_value(1), "likewise in k_phi")
    ("bin-t", po::value<int>()->default_value(1), "sum this many consecutive scan cycles (time step grows accordingly)")
    ("polar-subsample", po::value<int>()->default_value(8), "sub-pixels per pixel edge in the count-conserving transform");
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
    ("center-tolerance", po::value<double>()->default_value(0.05), "a new polar map when the tracked centre moves further [detector px]");
  po::options_description corr("Correlation and KWW fit");
  corr.add_options()
    ("normalization", po::value<std::string>()->default_value("symmetric"), "g2 normalisation: symmetric | standard")
    ("n-lags", po::value<int>()->default_value(50), "log-spaced lag bins fitted")
    ("max-lag-fraction", po::value<double>()->default_value(0.5), "largest lag fitted, as a fraction of the series length")
    ("min-counts", po::value<double>()->default_value(0.05), "no fit below this mean count per frame in a bin (status too_few_counts)")
    ("tau-min", po::value<double>()->default_value(0.0), "lower bound on tau [s]; 0: a tenth of the first lag")
    ("tau-max", po::value<double>()->default_value(0.0), "upper bound on tau [s]; 0: ten times the last lag")
    ("beta-min", po::value<double>()->default_value(0.1), "lower bound on beta")
    ("beta-max", po::value<double>()->default_value(2.5), "upper bound on beta")
    ("max-iterations", po::value<int>()->default_value(100), "Levenberg-Marquardt iterations per fit");
  po::options_description all("ecm run IN.h5 -o OUT.h5 [options]\n\n"
                               "k-resolved ECM: the KWW relaxation time tau(r, k_r, k_phi) of every scan position and\n"
                               "ring pixel of a 5D-STEM acquisition, written to one HDF5 file (docs/output-format.md).\n"
                               "Run under mpiexec to spread the scan over ranks.");
  all.add(io).add(cal).add(pre).add(reg).add(corr);
  return all;
}

ecm::engine::RunConfig build_config(const po::variables_map& vm, int argc, char** argv) {
  using ecm::InputError;
  using ecm::cli::parse_pair;
  ecm::engine::RunConfig c;
  if (!vm.count("input")) throw InputError("no input file given (ecm run IN.h5 -o OUT.h5)");
  if (!vm.count("output")) throw InputError("no output file given (-o OUT.h5)");
  c.input_path = vm["input"].as<std::string>();
  c.output_path = vm["output"].as<std::string>();
  c.dataset = vm["dataset"].as<std::string>();
  if (vm.count("scan-shape")) {
    const auto s = parse_pair(vm["scan-shape"].as<std::string>(), "scan-shape");
    if (s[0] < 1 || s[1] < 1) throw InputError("--scan-shape must be two positive integers");
    c.scan_shape = std::array<std::size_t, 2>{std::size_t(s[0]), std::size_t(s[1])};
  }
  if (vm.count("time-step")) c.calibration.time_step_s = vm["time-step"].as<double>();
  if (vm.count("k-pixel-size")) c.calibration.k_pixel_size = vm["k-pixel-size"].as<double>();
  if (vm.count("beam-center")) c.calibration.beam_center_yx = parse_pair(vm["beam-center"].as<std::string>(), "beam-center");
  if (vm.count("convergence")) c.calibration.convergence = vm["convergence"].as<double>();
  if (vm.count("dark")) c.dark = vm["dark"].as<std::string>();
  if (vm.count("gain")) c.gain = vm["gain"].as<std::string>();
  if (vm.count("mask")) c.mask = vm["mask"].as<std::string>();
  c.threshold = float(vm["threshold"].as<double>());
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
  if (ref == "first") r.reference = ecm::registration::Reference::first;
  else if (ref == "previous") r.reference = ecm::registration::Reference::previous;
  else if (ref == "mean") r.reference = ecm::registration::Reference::mean;
  else throw InputError("--drift-reference must be first, previous or mean (got '" + ref + "')");
  r.stride = vm["register-stride"].as<std::size_t>();
  r.drift_block = vm["drift-block"].as<std::size_t>();
  r.center_block = vm["center-block"].as<std::size_t>();
  r.smooth_blocks = vm["drift-smooth"].as<double>();
  r.min_drift_px = vm["drift-threshold"].as<double>();
  r.center_tolerance_px = vm["center-tolerance"].as<double>();
  if (vm.count("vdf-k-range")) r.vdf_k_range = parse_pair(vm["vdf-k-range"].as<std::string>(), "vdf-k-range");
  if (!(r.smooth_blocks >= 0)) throw InputError("--drift-smooth must be >= 0");
  if (!(r.min_drift_px >= 0)) throw InputError("--drift-threshold must be >= 0");
  if (!(r.center_tolerance_px > 0)) throw InputError("--center-tolerance must be > 0");
  if (!r.drift_file.empty() && !r.drift) throw InputError("--drift-file and --no-register contradict each other");
  c.normalization = ecm::g2::parse_normalization(vm["normalization"].as<std::string>());
  c.n_lags = vm["n-lags"].as<int>();
  c.max_lag_fraction = vm["max-lag-fraction"].as<double>();
  c.min_counts = vm["min-counts"].as<double>();
  c.fit.tau_min_s = vm["tau-min"].as<double>();
  c.fit.tau_max_s = vm["tau-max"].as<double>();
  c.fit.beta_min = vm["beta-min"].as<double>();
  c.fit.beta_max = vm["beta-max"].as<double>();
  c.fit.max_iterations = vm["max-iterations"].as<int>();
  if (!(c.fit.beta_min > 0 && c.fit.beta_min < c.fit.beta_max && c.fit.beta_max <= 2.5))
    throw InputError("beta bounds must satisfy 0 < --beta-min < --beta-max <= 2.5");
  if (c.fit.max_iterations < 1) throw InputError("--max-iterations must be >= 1");
  c.memory_budget_bytes = ecm::parse_size_bytes(vm["memory-budget"].as<std::string>(), "memory-budget");
  c.save_g2 = vm["save-g2"].as<bool>();
  c.resume = vm["resume"].as<bool>();
  c.overlap_reads = !vm["no-overlap"].as<bool>();
  c.progress = vm["progress"].as<std::string>();
  ecm::engine::Progress::style_for(c.progress, false);  // validates
  const std::string schedule = vm["schedule"].as<std::string>();
  if (schedule != "dynamic" && schedule != "static") throw InputError("--schedule must be dynamic or static (got '" + schedule + "')");
  c.dynamic_schedule = schedule == "dynamic";
  c.throttle_s = vm["throttle"].as<double>();
  c.throttle_rank = vm["throttle-rank"].as<int>();
  if (!(c.throttle_s >= 0)) throw InputError("--throttle must be >= 0 s");
  c.command_line = ecm::cli::command_line(argc, argv);
  c.resolved_ini = ecm::cli::to_ini(vm);
  return c;
}

void print_summary(const ecm::engine::RunSummary& s) {
  constexpr double MB = 1e6, MiB = 1024.0 * 1024.0;
  const double valid = s.n_pixels ? 100.0 * double(s.n_converged) / double(s.n_pixels) : 0.0;
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "ecm run: wrote " << s.output_path << "\n"
            << "  valid fits      " << std::setprecision(1) << valid << " % (" << s.n_converged << " of " << s.n_pixels
            << " (r, k_r, k_phi) pixels)\n"
            << "  median tau      " << std::setprecision(4) << s.median_tau_s << " s\n"
            << "  wall time       " << std::setprecision(2) << s.wall_s << " s on " << s.n_ranks << " rank(s), "
            << s.n_tiles << " tile(s) of <= " << s.tile_positions << " positions\n"
            << "  throughput      " << std::setprecision(1) << s.raw_bytes / MB / s.wall_s << " MB/s raw, "
            << s.raw_bytes / MB / s.wall_s / s.n_ranks << " MB/s per rank (" << s.raw_bytes / MB << " MB of frames)\n"
            << "  read            " << std::setprecision(3) << s.bytes_read_analysis / s.raw_bytes
            << " x the frames for the analysis, " << s.bytes_read_registration / s.raw_bytes
            << " x for registration; the libraries fetched " << s.fetched_over_requested
            << " x the analysis' request from the file\n"
            << "  peak memory     " << s.peak_rss_bytes / MiB << " MiB per rank (planned " << s.plan.planned_peak_bytes() / MiB
            << " MiB)\n";
  if (s.tiles_resumed) std::cout << "  resumed         " << s.tiles_resumed << " of " << s.n_tiles << " tiles were done by an earlier run\n";
  std::cout << "  tiles per rank  ";
  for (double n : s.tiles_per_rank) std::cout << std::setprecision(0) << n << " ";
  std::cout << "\n  drift           " << s.drift_line << "\n"
            << "  beam centre     " << s.center_line << "\n"
            << "  stages, s       ";
  for (const auto& [stage, seconds] : s.stage_seconds_max) std::cout << stage << " " << std::setprecision(2) << seconds << "  ";
  std::cout << "(slowest rank)\n";
  // Per rank: where its time went (read / kernels / write / wait), also in /timing.
  const auto at = [&](std::size_t rank, const std::string& stage) {
    for (std::size_t j = 0; j < s.stage_names.size(); ++j)
      if (s.stage_names[j] == stage) return s.stage_seconds[rank * s.stage_names.size() + j];
    return 0.0;
  };
  for (std::size_t r = 0; r < s.tiles_per_rank.size(); ++r)
    std::cout << "  rank " << std::setw(4) << std::left << r << "      read " << std::setprecision(2)
              << at(r, "read") + at(r, "register_read") << "  kernels "
              << at(r, "polar") + at(r, "g2") + at(r, "fit") + at(r, "download") + at(r, "register")
              << "  write " << at(r, "write") << "  wait " << at(r, "wait") + at(r, "register_wait") << "  ("
              << std::setprecision(0) << s.tiles_per_rank[r] << " tiles)\n";
  std::cout << std::flush;
}

}  // namespace

int cmd_run(int argc, char** argv, MPI_Comm comm) {
  const auto options = run_options();
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "input", vm, comm)) return 0;
  const auto config = build_config(vm, argc, argv);
  ecm::interrupt::install_handlers();
  const auto summary = ecm::engine::run(config, comm);
  if (!ecm::cli::is_printer(comm)) return 0;
  if (summary.already_complete)
    std::cout << "ecm run: " << summary.output_path << " is complete already; nothing to resume" << std::endl;
  else
    print_summary(summary);
  return 0;
}
