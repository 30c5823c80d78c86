// `ecm convert IN -o OUT.h5`: any input ecm reads, as the canonical 5-D HDF5 layout with its
// calibration and references (engine/convert.hpp).
#include <iomanip>
#include <iostream>

#include "analysis_options.hpp"
#include "commands.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/units.hpp"
#include "ecm/engine/convert.hpp"
#include "options.hpp"

int cmd_convert(int argc, char** argv, MPI_Comm comm) {
  namespace po = boost::program_options;
  po::options_description io(
      "ecm convert IN -o OUT.h5 [options]\n\nWrites any input ecm reads (docs/input-formats.md) as the canonical "
      "5-D HDF5 layout\n(docs/input-format.md) with its calibration and detector references, in parallel.\n"
      "Optional: ecm run reads every format directly.\n\nOptions");
  io.add_options()("help,h", "show this help")("input", po::value<std::string>(), "input file (positional)")(
      "output,o", po::value<std::string>(), "output HDF5 file; written as OUT.partial, renamed when complete")(
      "memory-budget", po::value<std::string>()->default_value("1G"), "frame buffer per rank (K, M, G suffixes)");
  io.add(ecm::cli::input_options()).add(ecm::cli::calibration_options());
  po::variables_map vm;
  if (ecm::cli::parse_or_help(argc, argv, io, "input", vm, comm)) return 0;
  if (!vm.count("input")) throw ecm::InputError("no input file given (ecm convert IN -o OUT.h5)");
  if (!vm.count("output")) throw ecm::InputError("no output file given (-o OUT.h5)");
  ecm::engine::ConvertConfig c;
  c.input_path = vm["input"].as<std::string>();
  c.output_path = vm["output"].as<std::string>();
  ecm::cli::fill_input_options(vm, c.input);
  ecm::cli::fill_calibration_overrides(vm, c.calibration);
  c.memory_budget_bytes = ecm::parse_size_bytes(vm["memory-budget"].as<std::string>(), "memory-budget");
  c.command_line = ecm::cli::command_line(argc, argv);
  const auto s = ecm::engine::convert(c, comm);
  if (ecm::mpi::rank(comm) == 0) {
    std::cout << std::fixed << std::setprecision(3) << "ecm convert: wrote " << c.output_path << " ("
              << s.cycles << " cycles x " << s.scan_y << "x" << s.scan_x << " positions x " << s.det_y << "x" << s.det_x
              << ", " << s.bytes / 1e9 << " GB in " << s.seconds << " s)\n"
              << "  input           " << s.input_line << "\n";
    for (const auto& n : s.notes) std::cout << "  input note      " << n << "\n";
  }
  return 0;
}
