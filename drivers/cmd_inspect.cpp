// `ecm inspect FILE.h5`: what is in an acquisition or a result file, without reading the data.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "ecm/core/error.hpp"
#include "ecm/io/inspect.hpp"
#include "options.hpp"

int cmd_inspect(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  po::options_description options("ecm inspect FILE.h5 [--dataset PATH]\n\nDescribes a 5D-STEM input (layout, "
                                  "calibration) or an ecm result file (shape, fits, provenance)");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "HDF5 file (positional)")(
      "dataset", po::value<std::string>()->default_value("/frames"), "dataset path of an input");
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "file", vm, comm)) return 0;
  if (!vm.count("file")) throw ecm::InputError("no file given (ecm inspect FILE.h5)");
  // Every rank builds the description (so a bad file fails everywhere alike); rank 0 prints it.
  const std::string text = ecm::io::describe_file(vm["file"].as<std::string>(), vm["dataset"].as<std::string>());
  if (ecm::cli::is_printer(comm)) std::cout << text << std::flush;
  return 0;
}
