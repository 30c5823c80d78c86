// `ecm ttcf IN.h5 -o TTCF.h5`: two-time correlation, band width vs elapsed time, aging verdict
// (paper Eq. 5, Fig. 7; docs/ttcf.md). Parses options into a TtcfConfig, calls the library,
// prints a summary on rank 0.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>

#include "analysis_options.hpp"
#include "commands.hpp"
#include "ecm/api/run_config_from_options.hpp"
#include "ecm/engine/ttcf_run.hpp"
#include "options.hpp"

namespace {

namespace po = boost::program_options;

po::options_description ttcf_options() {
  po::options_description t("Two-time correlation");
  t.add_options()
    ("positions", po::value<std::string>()->default_value("centre"),
     "scan positions Y,X;Y,X;... whose own G_r(t1, t2) is written (/ttcf/G_positions); 'centre' = (NY/2, NX/2), "
     "'none' = only the mean over positions")
    ("window", po::value<std::size_t>()->default_value(0),
     "elapsed-time window over which the band is averaged [binned cycles]; 0 = a tenth of the run")
    ("diagonal-lags", po::value<std::string>()->default_value("1,4"),
     "FIRST,LAST lags of the straight line extrapolated to the diagonal (whose exact value holds the shot noise)")
    ("aging-sigma", po::value<double>()->default_value(3.0),
     "aging is detected when the band-width slope exceeds this many standard errors ...")
    ("aging-min-change", po::value<double>()->default_value(0.2),
     "... and the fitted band width grows by more than this fraction over the run");
  po::options_description all("ecm ttcf IN.h5 -o TTCF.h5 [options]\n\n"
                              "Two-time correlation G(t1, t2) = <I(t1)I(t2)>_k / (<I(t1)>_k <I(t2)>_k) over the ring\n"
                              "bins of the polar strip (paper Eq. 5), averaged over scan positions and for chosen\n"
                              "positions; the width of its diagonal band vs elapsed time, and whether it widens\n"
                              "(aging). The data are read as `ecm run` reads them (same strip and registration\n"
                              "options). Output schema: docs/ttcf.md. Run under mpiexec to spread the scan over ranks.");
  all.add(ecm::cli::analysis_io_options()).add(t).add(ecm::cli::calibration_options()).add(ecm::cli::strip_options())
     .add(ecm::cli::registration_options());
  return all;
}

ecm::engine::TtcfConfig build_config(const po::variables_map& vm, int argc, char** argv) {
  using ecm::InputError;
  ecm::engine::TtcfConfig c;
  // The strip and registration options onto the library's AnalysisOptions, made into the
  // engine's RunConfig as `ecm run` and ecm::Analysis make it.
  ecm::cli::require_input_and_output(vm, "ecm ttcf IN.h5 -o TTCF.h5");
  const ecm::AnalysisOptions options = ecm::cli::analysis_options(vm);
  ecm::RunControls controls;
  controls.overlap_reads = !vm["no-overlap"].as<bool>();
  controls.command_line = ecm::cli::command_line(argc, argv);
  c.run = ecm::api::make_run_config(options, controls, vm["input"].as<std::string>(), vm["output"].as<std::string>());
  const std::string positions = vm["positions"].as<std::string>();
  if (positions != "centre" && positions != "center") c.positions = ecm::engine::parse_positions(positions);
  c.band.window = vm["window"].as<std::size_t>();
  const auto lags = ecm::cli::parse_pair(vm["diagonal-lags"].as<std::string>(), "diagonal-lags");
  if (!(lags[0] >= 1 && lags[1] > lags[0] && lags[1] <= 1000 && lags[0] == std::floor(lags[0]) &&
        lags[1] == std::floor(lags[1])))
    throw InputError("--diagonal-lags must be two integers 1 <= FIRST < LAST");
  c.band.diag_first_lag = int(lags[0]);
  c.band.diag_last_lag = int(lags[1]);
  c.aging.min_sigma = vm["aging-sigma"].as<double>();
  c.aging.min_relative_change = vm["aging-min-change"].as<double>();
  if (!(c.aging.min_sigma > 0)) throw InputError("--aging-sigma must be > 0");
  if (!(c.aging.min_relative_change >= 0)) throw InputError("--aging-min-change must be >= 0");
  // Provenance: the analysis options as every entry point writes them, then ttcf's own.
  c.run.configuration += ecm::cli::to_ini(vm, {"positions", "window", "diagonal-lags", "aging-sigma", "aging-min-change"});
  return c;
}

void print_summary(const ecm::engine::TtcfSummary& s) {
  std::cout << "ecm ttcf: wrote " << s.output_path << "\n"
            << "  G(t1, t2)       " << s.n_t << " x " << s.n_t << " cycles of " << s.time_step_s << " s, over "
            << s.n_bins << " ring bins\n"
            << "  positions       " << s.positions_averaged << " of " << s.positions_total << " averaged ("
            << s.positions_no_counts << " with a ring mean of 0 at some cycle, " << s.positions_out_of_field
            << " off the scan by the drift)\n";
  for (const auto& note : s.input_notes) std::cout << "  input note      " << note << "\n";
  if (s.duplicate_positions)
    std::cout << "  note            --positions listed " << s.duplicate_positions << " position(s) again: each is "
              << "computed and written once, in the order first given (" << s.selected.size() << " distinct)\n";
  for (std::size_t i = 0; i < s.selected.size(); ++i)
    std::cout << "  G_r written     " << s.selected[i][0] << "," << s.selected[i][1]
              << (s.selected_status[i] == 0 ? "" : " (left out: NaN)") << "\n";
  std::cout << "  band width      " << std::fixed << std::setprecision(3);
  for (std::size_t w = 0; w < s.band.width_s.size(); ++w)
    std::cout << (w ? ", " : "") << s.band.width_s[w];
  std::cout << " s at elapsed " << std::setprecision(1);
  for (std::size_t w = 0; w < s.band.elapsed_s.size(); ++w) std::cout << (w ? ", " : "") << s.band.elapsed_s[w];
  std::cout << " s (windows of " << s.band.window << " cycles)\n"
            << "  aging           " << s.aging.verdict << "\n";
  // The straight-line diagonal is biased when the band spans only a few cycles (docs/ttcf.md).
  double shortest = HUGE_VAL;
  for (double w : s.band.width_s)
    if (std::isfinite(w)) shortest = std::min(shortest, w / s.time_step_s);
  if (shortest < 10.0)
    std::cout << "  note            the band is only " << std::setprecision(1) << shortest
              << " cycles wide somewhere; below ~10 the straight-line diagonal estimate biases it wide "
              << "(docs/ttcf.md): sample faster or use a smaller --bin-t\n";
  std::cout << "  wall time       " << std::setprecision(2) << s.wall_s << " s on " << s.n_ranks << " rank(s), "
            << s.n_tiles << " tile(s)" << std::endl;
}

}  // namespace

int cmd_ttcf(int argc, char** argv, MPI_Comm comm) {
  const auto options = ttcf_options();
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "input", vm, comm)) return 0;
  const auto config = build_config(vm, argc, argv);
  const auto summary = ecm::engine::run_ttcf(config, comm);
  if (ecm::cli::is_printer(comm)) print_summary(summary);
  return 0;
}
