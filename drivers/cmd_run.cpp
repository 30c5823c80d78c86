// `ecm run IN.h5 -o OUT.h5`: maps the flags onto ecm::AnalysisOptions and ecm::RunControls,
// runs the library (the RunConfig made from them in api::make_run_config), prints a summary.
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>

#include "analysis_options.hpp"
#include "commands.hpp"
#include "ecm/core/interrupt.hpp"
#include "ecm/api/run_config_from_options.hpp"
#include "ecm/engine/pipeline.hpp"
#include "options.hpp"

namespace {

namespace po = boost::program_options;

po::options_description run_options() {
  // The options shared with `ecm ttcf` (drivers/analysis_options), and run's own.
  po::options_description io = ecm::cli::analysis_io_options();
  io.add_options()
    ("save-g2", po::bool_switch(), "also write /g2 (scan_y, scan_x, n_kr, n_kphi, n_lags)")
    ("resume", po::bool_switch(), "continue OUT.h5.partial from its tile ledger (after a kill, a crash or a time limit); "
                                  "only from the same files with the same options; starts afresh when there is none, "
                                  "does nothing when OUT.h5 is complete and made from them")
    ("progress", po::value<std::string>()->default_value("auto"), "progress on stderr: auto (a bar on a terminal, lines in a log) | bar | lines | none")
    ("schedule", po::value<std::string>()->default_value("dynamic"), "tiles per rank: dynamic (in proportion to rank speed) | static (round-robin)")
    ("throttle", po::value<double>()->default_value(0.0), "sleep this long after each tile [s] (tests and benchmarks: a slow node)")
    ("throttle-rank", po::value<int>()->default_value(-1), "the rank --throttle slows; -1 = every rank");
  po::options_description all("ecm run IN.h5 -o OUT.h5 [options]\n\n"
                               "k-resolved ECM: the KWW relaxation time tau(r, k_r, k_phi) of every scan position and\n"
                               "ring pixel of a 5D-STEM acquisition, written to one HDF5 file (docs/output-format.md).\n"
                               "Run under mpiexec to spread the scan over ranks.");
  all.add(io).add(ecm::cli::calibration_options()).add(ecm::cli::strip_options())
     .add(ecm::cli::registration_options()).add(ecm::cli::correlation_options());
  return all;
}

// The options that say how the run is carried out (never part of the result's fingerprint).
ecm::RunControls run_controls(const po::variables_map& vm, int argc, char** argv) {
  ecm::RunControls c;
  c.resume = vm["resume"].as<bool>();
  c.progress = vm["progress"].as<std::string>();
  const std::string schedule = vm["schedule"].as<std::string>();
  if (schedule != "dynamic" && schedule != "static")
    throw ecm::InputError("--schedule must be dynamic or static (got '" + schedule + "')");
  c.dynamic_schedule = schedule == "dynamic";
  c.throttle_s = vm["throttle"].as<double>();
  c.throttle_rank = vm["throttle-rank"].as<int>();
  c.overlap_reads = !vm["no-overlap"].as<bool>();
  c.command_line = ecm::cli::command_line(argc, argv);
  c.validate();
  return c;
}

// A run that finished with no valid tau at all (all-zero, all-NaN or saturated frames, a
// gain of 0, a strip of empty bins) is a failure, not a result: sysexits' EX_DATAERR, on
// every rank (README, "Exit codes"). The output file stays: its /fit_status says why per pixel.
constexpr int kExitNoValidTau = 65;

// The one line that says why no fit converged: the statuses, and what the commonest means.
std::string why_no_valid_tau(const ecm::engine::RunSummary& s, const ecm::AnalysisOptions& o) {
  std::ostringstream m;
  m << "no valid tau: none of the " << s.n_pixels << " (r, k_r, k_phi) fits converged (";
  std::pair<std::string, std::size_t> top{"", 0};
  for (std::size_t i = 0; i < s.status_counts.size(); ++i) {
    m << (i ? ", " : "") << s.status_counts[i].first << " " << s.status_counts[i].second;
    if (s.status_counts[i].second > top.second) top = s.status_counts[i];
  }
  m << ")";
  const std::string& why = top.first;
  if (why == "too_few_counts")
    m << ": the strip holds (almost) no counts, below --min-counts " << o.correlation.min_counts
      << " per frame and bin (all-zero frames, a gain of 0, a --threshold above the counts?)";
  else if (why == "no_decay")
    m << ": no g2 curve decays (static or saturated frames, or a time step far from the relaxation time)";
  else if (why == "masked")
    m << ": every bin is masked";
  else if (why == "invalid_input")
    m << ": the bins' counts or g2 are not finite numbers (NaN or Inf: float frame values that overflow a float when a bin sums them?)";
  else if (why == "at_bound" || why == "max_iterations")
    m << ": the fits end at a bound or do not converge (--tau-min, --tau-max, --beta-min, --beta-max, --max-iterations)";
  else if (why == "out_of_field")
    m << ": the drift takes every scan position off the scanned area";
  if (!s.nonfinite_note.empty()) m << "; " << s.nonfinite_note;
  m << "; " << s.output_path << " holds each pixel's fit_status";
  return m.str();
}

void print_summary(const ecm::engine::RunSummary& s) {
  constexpr double MB = 1e6, MiB = 1024.0 * 1024.0;
  const double valid = s.n_pixels ? 100.0 * double(s.n_converged) / double(s.n_pixels) : 0.0;
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "ecm run: wrote " << s.output_path << "\n"
            << "  input           " << s.input_line << "\n";
  for (const auto& note : s.input_notes) std::cout << "  input note      " << note << "\n";
  std::cout
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
            << "  ring ellipse    " << s.ellipse_line << "\n"
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
  const auto description = run_options();
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, description, "input", vm, comm)) return 0;
  // Flags onto the library's options (which validates them) and controls; then the library.
  ecm::cli::require_input_and_output(vm, "ecm run IN.h5 -o OUT.h5");
  const ecm::AnalysisOptions options = ecm::cli::analysis_options(vm);
  const ecm::RunControls controls = run_controls(vm, argc, argv);
  ecm::interrupt::install_handlers();
  const auto summary = ecm::engine::run(
      ecm::api::make_run_config(options, controls, vm["input"].as<std::string>(), vm["output"].as<std::string>()), comm);
  // Every rank has the same summary (its counts are reduced over all ranks).
  // (A finished output that --resume finds complete is summed up from its file: one whose run
  // found no valid tau fails again as that run did.)
  const bool no_valid_tau = summary.n_converged == 0;
  if (ecm::cli::is_printer(comm)) {
    if (summary.already_complete)
      std::cout << "ecm run: " << summary.output_path << " is complete already; nothing to resume" << std::endl;
    else
      print_summary(summary);
    if (no_valid_tau) std::cerr << "ecm run: error: " << why_no_valid_tau(summary, options) << std::endl;
  }
  return no_valid_tau ? kExitNoValidTau : 0;
}
