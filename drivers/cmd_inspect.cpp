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
  po::options_description options("ecm inspect FILE [--dataset PATH] [--format F]\n\nDescribes a 5D-STEM input in any "
                                  "format ecm reads (frames, scan, calibration, references) or an ecm result file (shape, fits, provenance)");
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "HDF5 file (positional)")(
      "dataset", po::value<std::string>(), "HDF5 dataset of the frames (default: found as ecm run finds it)")(
      "format", po::value<std::string>()->default_value("auto"), "input format (auto: from the content)")(
      "allow-external", po::bool_switch(), "read HDF5 data from files outside the input's folder");
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, options, "file", vm, comm)) return 0;
  if (!vm.count("file")) throw ecm::InputError("no file given (ecm inspect FILE.h5)");
  // Every rank builds the description (so a bad file fails everywhere alike); rank 0 prints it.
  ecm::io::SourceOptions source;
  source.format = vm["format"].as<std::string>();
  if (vm.count("dataset")) source.dataset = vm["dataset"].as<std::string>();
  source.allow_external = vm["allow-external"].as<bool>();
  const std::string text = ecm::io::describe_file(vm["file"].as<std::string>(), source);
  if (ecm::cli::is_printer(comm)) std::cout << text << std::flush;
  return 0;
}
