// `ecm stats OUT.h5`: ensemble relaxation time, log-normal statistics and the diffraction
// profile of a result (paper section 3.1, Figs. 3c and 6a), stored under /stats in the
// file, printed as a table and optionally exported as CSV.
#include <iostream>

#include "commands.hpp"
#include "ecm/analysis/domain_size.hpp"
#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/analysis/stats_output.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/result_cube.hpp"
#include "options.hpp"

int cmd_stats(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  ecm::analysis::StatsOptions opt;
  po::options_description options(
      "ecm stats OUT.h5 [options]\n\nEnsemble tau per k_r (median per k_phi map, averaged over k_phi, std over "
      "k_phi),\nlog-normal fits of the log tau histograms, whether the k_phi slices share one distribution,\n"
      "I(k), and the domain size xi_tau of every tau(r) map with its power law against tau. Writes the /stats group into OUT.h5 (replacing an earlier one) and prints a table.\n\nOptions");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "ecm run result (positional)")(
      "csv", po::value<std::string>()->value_name("PREFIX"), "also write PREFIX_kr.csv and PREFIX_maps.csv")(
      "min-valid", po::value<std::size_t>()->default_value(opt.min_valid),
      "valid fits a map needs for its median to enter the ensemble")(
      "min-valid-fraction", po::value<double>()->default_value(opt.min_valid_fraction),
      "... and this fraction of the scan positions")(
      "histogram-bins", po::value<std::size_t>()->default_value(opt.histogram_bins), "bins of the log10 tau histograms")(
      "scan-step-nm", po::value<double>()->value_name("NM"), "real-space scan step, for domain sizes in nm")(
      "failures-as-zero", "count failed fits (max_iterations, no_decay, at_bound) as tau = 0 in the map medians, as "
                          "the authors' notebooks did (to compare with numbers made that way)");
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "file", vm, comm)) return 0;
  if (!vm.count("file")) throw ecm::InputError("no result file given (ecm stats OUT.h5)");
  opt.min_valid = vm["min-valid"].as<std::size_t>();
  opt.min_valid_fraction = vm["min-valid-fraction"].as<double>();
  opt.histogram_bins = vm["histogram-bins"].as<std::size_t>();
  opt.failures_as_zero = vm.count("failures-as-zero") > 0;
  ecm::require(opt.min_valid_fraction >= 0 && opt.min_valid_fraction <= 1, "--min-valid-fraction must be in [0, 1]");
  ecm::require(opt.histogram_bins >= 1, "--histogram-bins must be >= 1");
  // A negative step made negative domain sizes in nm, written with exit 0.
  ecm::require(!vm.count("scan-step-nm") || vm["scan-step-nm"].as<double>() > 0, "--scan-step-nm must be > 0");

  const std::string path = vm["file"].as<std::string>();
  ecm::io::ReadOptions read;
  read.tau_err = true;
  ecm::io::ResultCube cube = ecm::io::read_result_cube(path, comm, read);
  if (vm.count("scan-step-nm")) cube.scan_step_nm = vm["scan-step-nm"].as<double>();
  ecm::analysis::DomainResults domain;
  domain.sizes = ecm::analysis::domain_sizes(cube, ecm::analysis::DomainSizeOptions{}, comm);
  const auto stats = ecm::analysis::ensemble_stats(cube, opt, &domain.sizes);
  std::vector<double> ensemble;
  for (const auto& k : stats.kr) ensemble.push_back(k.ensemble_tau_s);
  domain.scaling = ecm::analysis::xi_tau_scaling(domain.sizes, ensemble, stats.peak_kr);
  // CSV files come from the printing rank; a failure there fails every rank. They are written
  // before /stats, so that a --csv that cannot be written leaves the result file as it was.
  std::vector<std::string> csv_files;
  ecm::mpi::run_then_agree(comm, [&] {
    if (vm.count("csv") && ecm::cli::is_printer(comm))
      csv_files = ecm::analysis::write_stats_csv(vm["csv"].as<std::string>(), cube, stats, &domain);
  });
  {
    ecm::io::ProductGroup group(path, "/stats", comm);
    ecm::analysis::write_stats(group, stats, &domain);
    group.attribute("map_medians", opt.failures_as_zero ? "failed fits counted as tau = 0 (--failures-as-zero)"
                                                        : "valid fits only");
    group.commit();
  }
  if (ecm::cli::is_printer(comm)) {
    std::cout << "ecm stats: " << path << " (" << cube.scan_y << " x " << cube.scan_x << " scan, " << cube.n_kr
              << " k_r x " << cube.n_kphi << " k_phi bins)\n"
              << ecm::analysis::stats_table(stats, &domain);
    for (const auto& f : csv_files) std::cout << "  wrote " << f << "\n";
    std::cout << "  /stats written into " << path << std::endl;
  }
  return 0;
}
