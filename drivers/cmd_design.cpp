// `ecm design`: the paper's experiment-design rules, Eqs. (3)-(5). Before an experiment from
// planned parameters; on a result (`ecm design OUT.h5`) per pixel, as flags stored in /design.
// Exit status: 0 reliable, 4 marginal (time step 0.05-0.1 tau), 3 unreliable; bad input is an
// InputError (exit 1 from ecm.cpp), so a verdict is always a return value, never an exception.
#include <cmath>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "ecm/analysis/design_rules.hpp"
#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/value_range.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/io/result_cube.hpp"
#include "options.hpp"

namespace {

constexpr int kExitUnreliable = 3, kExitMarginal = 4;
constexpr double kElectronsPerPicoCoulomb = 1e-12 / 1.602176634e-19;

int exit_code(ecm::analysis::Level verdict) {
  using ecm::analysis::Level;
  return verdict == Level::fail ? kExitUnreliable : verdict == Level::marginal ? kExitMarginal : 0;
}

int planned(const boost::program_options::variables_map& vm, MPI_Comm comm) {
  ecm::analysis::PlannedExperiment p;
  ecm::require(vm.count("scan") && vm.count("frame-rate") && vm.count("tau") && vm.count("ring-pixels"),
               "planned mode needs --scan, --frame-rate, --tau and --ring-pixels (or give a result file)");
  const auto scan = ecm::cli::parse_pair(vm["scan"].as<std::string>(), "scan");
  // Checked as doubles before the conversion (1e300 is no size_t); the product's range in assess_plan.
  ecm::require(scan[0] >= 1 && scan[1] >= 1 && scan[0] <= 1e12 && scan[1] <= 1e12 && scan[0] == std::floor(scan[0]) &&
                   scan[1] == std::floor(scan[1]),
               "--scan must be two whole numbers in [1, 1e12] as NY,NX");
  p.scan_y = std::size_t(scan[0]);
  p.scan_x = std::size_t(scan[1]);
  p.frame_rate_hz = vm["frame-rate"].as<double>();
  p.tau_s = vm["tau"].as<double>();
  p.ring_pixels = vm["ring-pixels"].as<double>();
  if (vm.count("diffracted-current")) {
    ecm::require(!vm.count("probe-current"), "give --diffracted-current or --probe-current, not both");
    p.diffracted_current = vm["diffracted-current"].as<double>();
  } else {
    ecm::require(vm.count("probe-current") && vm.count("scattered-fraction"),
                 "give --diffracted-current E_PER_S, or --probe-current PA with --scattered-fraction X");
    const double f = vm["scattered-fraction"].as<double>(), pa = vm["probe-current"].as<double>();
    ecm::require_in_range(f, 1e-9, 1, "--scattered-fraction", "", "the share of the probe scattered into the ring");
    ecm::require_in_range(pa, 1e-6, 1e9, "--probe-current", "pA", "the probe current");
    p.diffracted_current = pa * kElectronsPerPicoCoulomb * f;
  }
  // The optional numbers mean "not given" as 0 inside assess_plan, so a 0 given on the command
  // line would pass unchecked: refuse it here, and leave the ranges to assess_plan.
  auto optional = [&](const char* name, double& into) {
    if (!vm.count(name)) return;
    into = vm[name].as<double>();
    ecm::require(into != 0, std::string("--") + name + " is 0: it must be > 0 (leave it out when it is not known)");
  };
  optional("kphi-bin", p.kphi_bin);
  optional("convergence", p.convergence);
  optional("cycles", p.cycles);
  optional("contrast", p.contrast);
  p.pixels_per_g2 = vm["g2-pixels"].as<double>();
  const auto a = ecm::analysis::assess_plan(p);
  if (ecm::cli::is_printer(comm)) {
    std::cout << "ecm design: " << p.scan_y << " x " << p.scan_x << " scan at " << p.frame_rate_hz << " fps, tau "
              << p.tau_s << " s, " << p.diffracted_current << " e/s into " << p.ring_pixels << " ring pixels\n"
              << "  time step " << a.time_step_s << " s, " << a.counts_per_pixel << " e/px/frame";
    if (std::isfinite(a.snr)) std::cout << ", SNR of g2 (Eq. 3) " << a.snr;
    const auto side_rate = ecm::analysis::square_side(a.max_positions_at_rate);
    const auto side_any = ecm::analysis::square_side(a.max_positions_any_rate);
    std::cout << "\n" << ecm::analysis::rules_table(a.rules) << "  largest scan passing the time rule at "
              << p.frame_rate_hz << " fps: " << std::floor(a.max_positions_at_rate) << " positions (" << side_rate
              << " x " << side_rate << ")\n"
              << "  largest scan passing both rules: " << std::floor(a.max_positions_any_rate) << " positions ("
              << side_any << " x " << side_any << ") at " << a.max_frame_rate_hz
              << " fps (the fastest frame rate the counts rule allows)\n"
              << "  to pass both: " << a.remedy << "\n"
              << "  verdict: " << ecm::analysis::verdict_name(a.verdict) << std::endl;
  }
  return exit_code(a.verdict);
}

int measured(const std::string& path, const boost::program_options::variables_map& vm, MPI_Comm comm) {
  ecm::io::ResultCube cube = ecm::io::read_result_cube(path, comm);
  if (vm.count("convergence")) {
    cube.convergence = vm["convergence"].as<double>();
    ecm::require_in_range(cube.convergence, 1e-6, ecm::io::kMaxConvergence, "--convergence", "1/A",
                          "the probe convergence k_c");
  }
  const auto stats = ecm::analysis::ensemble_stats(cube, ecm::analysis::StatsOptions{});
  const auto a = ecm::analysis::assess_result(cube, stats);
  {
    ecm::io::ProductGroup g(path, "/design", comm);
    g.write("reliability_flags", a.flags, {cube.scan_y, cube.scan_x, cube.n_kr, cube.n_kphi},
            {{"meaning", "bits: 1 counts per ring pixel per frame < 1, 2 time step 0.05-0.1 tau, 4 time step >= 0.1 "
                         "tau, 8 k_phi bin wider than k_c, 16 no valid tau (0: every rule met)"}});
    std::vector<double> values, limits;
    for (const auto& r : a.rules) {
      values.push_back(r.value);
      limits.push_back(r.limit);
    }
    g.write("ensemble_rules", std::vector<double>{values[0], limits[0], values[1], limits[1], values[2], limits[2]},
            {3, 2},
            {{"meaning", "rows: time step / tau (Eq. 4), electrons per ring pixel per frame (Eq. 5), k_phi bin / k_c; "
                         "columns: value at the I(k) peak, limit"}});
    g.attribute("verdict", a.verdict_text);
    g.attribute("fraction_low_counts", a.frac_low_counts);
    g.attribute("fraction_time_marginal", a.frac_time_marginal);
    g.attribute("fraction_time_fail", a.frac_time_fail);
    g.attribute("fraction_bin_too_wide", a.frac_bin);
    g.attribute("fraction_no_valid_tau", a.frac_no_tau);
    g.commit();
  }
  if (ecm::cli::is_printer(comm)) {
    std::cout << "ecm design: " << path << " (rules at the I(k) peak, k_r = " << cube.k_r[stats.peak_kr] << " 1/A)\n"
              << ecm::analysis::rules_table(a.rules) << std::fixed << std::setprecision(1)
              << "  per pixel (of valid fits): low counts " << 100 * a.frac_low_counts << " %, time step marginal "
              << 100 * a.frac_time_marginal << " %, failing " << 100 * a.frac_time_fail << " %, bin > k_c "
              << 100 * a.frac_bin << " %; no valid tau " << 100 * a.frac_no_tau << " % of all pixels\n"
              << "  flags in /design/reliability_flags\n"
              << "  verdict: " << a.verdict_text << std::endl;
  }
  return exit_code(a.verdict);
}

}  // namespace

int cmd_design(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  po::options_description options(
      "ecm design [OUT.h5] [planned parameters]\n\nThe paper's experiment-design rules: time step Nx Ny / f < 0.05 "
      "tau (Eq. 4; up to 0.1 tau marginal),\nI_s / (f N_d) > 1 electron per ring pixel per frame (Eq. 5), k_phi bin "
      "<= k_c (Fig. 5), and the\nSNR of g2, Eq. (3). With a result file: the same rules per pixel, flags written to "
      "/design.\nExit status: 0 reliable, 4 marginal, 3 unreliable, 1 bad input. docs/design-rules.md has the details."
      "\n\nOptions");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "ecm run result (positional)")(
      "scan", po::value<std::string>()->value_name("NY,NX"), "planned scan positions")(
      "frame-rate", po::value<double>()->value_name("FPS"), "detector frames per second")(
      "tau", po::value<double>()->value_name("S"), "expected ensemble relaxation time [s]")(
      "diffracted-current", po::value<double>()->value_name("E_PER_S"), "electrons per second into the first ring (I_s)")(
      "probe-current", po::value<double>()->value_name("PA"), "probe current [pA] (with --scattered-fraction)")(
      "scattered-fraction", po::value<double>()->value_name("X"), "share of the probe scattered into the first ring")(
      "ring-pixels", po::value<double>()->value_name("N"), "detector pixels in the first ring (N_d)")(
      "kphi-bin", po::value<double>()->value_name("K"), "planned k_phi bin width at the ring [1/A]")(
      "convergence", po::value<double>()->value_name("K_C"), "probe convergence k_c = alpha/lambda [1/A]")(
      "cycles", po::value<double>()->value_name("N"), "scan cycles N_s (for the SNR)")(
      "contrast", po::value<double>()->value_name("A"), "expected g2 contrast A (for the SNR)")(
      "g2-pixels", po::value<double>()->default_value(1.0), "detector pixels summed into one g2 (N of Eq. 3)");
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "file", vm, comm)) return 0;
  if (vm.count("file")) {
    // A result file is judged from what it holds; planned numbers beside it would be ignored
    // silently (and the verdict written into the file), so they are refused. --convergence
    // stays: it may be missing from the result.
    for (const char* name : {"scan", "frame-rate", "tau", "diffracted-current", "probe-current", "scattered-fraction",
                             "ring-pixels", "kphi-bin", "cycles", "contrast"})
      if (vm.count(name))
        throw ecm::InputError("--" + std::string(name) +
                              " plans an experiment; with a result file ecm design judges the run it holds (give one "
                              "or the other)");
    return measured(vm["file"].as<std::string>(), vm, comm);
  }
  return planned(vm, comm);
}
