// `ecm simulate OUT.h5 --truth TRUTH.h5 [options]`: a physical 5D-STEM acquisition with
// known relaxation times (see include/ecm/simulate/simulate.hpp for the files written).
// The options come from one table in the library (ecm/simulate/options.hpp), so --help,
// --config INI keys and the `simulator` attribute of the output always agree.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/simulate/options.hpp"
#include "ecm/simulate/simulate.hpp"
#include "options.hpp"

namespace {

const char* kAbout =
    "ecm simulate OUT.h5 --truth TRUTH.h5 [options]\n\n"
    "Simulates a 5D-STEM acquisition I(r, k, t) of a supercooled liquid: a speckled first\n"
    "diffraction ring whose speckles decorrelate as g2 = 1 + A exp(-2 (t/tau)^beta), log-normal\n"
    "relaxation-time domains (one map per azimuthal sector), sample and beam-centre drift,\n"
    "Poisson electron counting and a detector (gain, dark, read noise, hot pixels).\n"
    "OUT.h5 holds /frames in the layout `ecm run` reads (plus /dark, /gain, /mask when the\n"
    "detector has them); TRUTH.h5 holds the true tau maps, drift and beam-centre tracks.\n"
    "The data are identical whatever the number of MPI ranks.\n\nOptions";

}  // namespace

int cmd_simulate(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  using ecm::simulate::SimConfig;
  const SimConfig defaults;
  po::options_description options(kAbout, 120, 60);
  options.add_options()("help,h", "show this help")("output", po::value<std::string>(), "output file (positional)")(
      "truth", po::value<std::string>()->value_name("FILE"), "truth file to write (required)")(
      "config", po::value<std::string>()->value_name("FILE"),
      "INI file with the same keys as the long options (command line wins)");
  for (const auto& spec : ecm::simulate::option_table()) {
    const std::string help = spec.help + " [default: " + spec.get(defaults) + "]";
    options.add_options()(spec.name.c_str(), po::value<std::string>()->value_name(spec.value_hint), help.c_str());
  }
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "output", vm, comm)) return 0;
  if (!vm.count("output")) throw ecm::InputError("no output file given (ecm simulate OUT.h5 --truth TRUTH.h5)");
  if (!vm.count("truth")) throw ecm::InputError("--truth TRUTH.h5 is required");
  SimConfig cfg;
  for (const auto& spec : ecm::simulate::option_table())
    if (vm.count(spec.name)) spec.set(cfg, vm[spec.name].as<std::string>());
  ecm::simulate::validate(cfg);

  const std::string out = vm["output"].as<std::string>(), truth = vm["truth"].as<std::string>();
  // Before they are registered for removal on failure: a refusal must not remove a file.
  ecm::simulate::require_separate_files(out, truth, comm);
  ecm::partial_outputs::add(out);
  ecm::partial_outputs::add(truth);
  const auto start = std::chrono::steady_clock::now();
  ecm::simulate::run_simulation(cfg, out, truth, comm);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ecm::partial_outputs::forget(out);
  ecm::partial_outputs::forget(truth);

  if (ecm::cli::is_printer(comm)) {
    const double gb = cfg.dataset_bytes() / 1e9;
    char line[512];
    std::snprintf(line, sizeof line,
                  "ecm simulate: wrote %s (%.3f GB of frames: %zu cycles x %zux%zu positions x %zux%zu %s, %s) "
                  "in %.2f s (%.3f GB/s, %d ranks); truth in %s",
                  out.c_str(), gb, cfg.cycles, cfg.scan_y, cfg.scan_x, cfg.det_y, cfg.det_x,
                  ecm::h5::dtype_name(cfg.dtype).c_str(),
                  (cfg.format == "hdf5" ? ecm::simulate::layout_name(cfg.layout) : cfg.format + " files").c_str(), seconds,
                  gb / seconds, ecm::mpi::size(comm), truth.c_str());
    std::cout << line << std::endl;
  }
  return 0;
}
