// `ecm report OUT.h5 -o DIR [--ttcf TTCF.h5]`: PNG figures of the paper's kinds and an HTML
// page with the numbers (ensemble tau, log-normal fits, domain sizes, TTCF band).
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/result_cube.hpp"
#include "ecm/report/figures.hpp"
#include "ecm/report/gnuplot.hpp"
#include "ecm/report/report_inputs.hpp"
#include "ecm/report/write_report.hpp"
#include "options.hpp"

int cmd_report(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  po::options_description options(
      "ecm report OUT.h5 -o DIR [options]\n\nDraws tau maps at several k_phi, tau vs k_phi at one position, "
      "log tau histograms with\nlog-normal fits, ensemble tau vs k_r over I(k), domain size vs tau and (with --ttcf) "
      "the\ntwo-time correlation with its band, as PNGs (gnuplot) with an HTML page DIR/index.html.\n\nOptions");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "ecm run result (positional)")(
      "output,o", po::value<std::string>()->value_name("DIR"), "directory for the figures and index.html")(
      "ttcf", po::value<std::string>()->value_name("FILE"), "an `ecm ttcf` output to include")(
      "scan-step-nm", po::value<double>()->value_name("NM"), "real-space scan step, for domain sizes in nm");
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "file", vm, comm)) return 0;
  if (!vm.count("file")) throw ecm::InputError("no result file given (ecm report OUT.h5 -o DIR)");
  if (!vm.count("output")) throw ecm::InputError("no output directory given (-o DIR)");
  ecm::require(!vm.count("scan-step-nm") || vm["scan-step-nm"].as<double>() > 0, "--scan-step-nm must be > 0");
  const std::string gnuplot = ecm::report::find_gnuplot();
  if (gnuplot.empty())
    throw ecm::InputError("gnuplot not found: install gnuplot-nox (cmake/setup-debian.sh does) or set ECM_GNUPLOT");

  const auto inputs = ecm::report::gather_inputs(vm["file"].as<std::string>(),
                                                 vm.count("ttcf") ? vm["ttcf"].as<std::string>() : std::string(),
                                                 vm.count("scan-step-nm") ? vm["scan-step-nm"].as<double>() : 0.0, comm);
  const std::string dir = vm["output"].as<std::string>();
  ecm::report::WrittenReport report;
  // Drawing is serial (gnuplot per figure) on the printing rank; its failure fails all ranks.
  ecm::mpi::run_then_agree(comm, [&] {
    if (!ecm::cli::is_printer(comm)) return;
    report = ecm::report::write_report(dir, inputs.view(), gnuplot, inputs.design_verdict);
  });
  if (ecm::cli::is_printer(comm)) {
    std::cout << "ecm report: " << report.figures.size() << " figures in " << dir << "\n";
    for (const auto& f : report.figures) std::cout << "  " << f.name << ".png  " << f.title << "\n";
    std::cout << "  page: " << report.page << std::endl;
  }
  return 0;
}
