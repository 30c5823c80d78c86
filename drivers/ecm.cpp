// `ecm`: k-resolved electron correlation microscopy. Starts MPI and Kokkos, runs one
// subcommand, and turns any failure into one line and a non-zero exit on every rank.
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <chrono>
#include <climits>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/interrupt.hpp"
#include "ecm/core/io_watchdog.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/core/partial_outputs.hpp"
#include "ecm/core/stop_signals.hpp"
#include "ecm/io/hdf5.hpp"

namespace {

const char* kUsage =
    "usage: ecm <command> [options]   (ecm <command> --help for its options)\n"
    "commands:\n"
    "  simulate OUT.h5 --truth TRUTH.h5   simulate a 5D-STEM acquisition with known relaxation times\n"
    "  run IN.h5 -o OUT.h5                 k-resolved ECM: tau(r, k) hypercube from a 5D-STEM acquisition\n"
    "  convert IN -o OUT.h5                a camera's files (.mib, .seq, NeXus, MRC, EMPAD) as the canonical HDF5 input\n"
    "  inspect FILE.h5                     describe an input or output file\n"
    "  stats OUT.h5                        ensemble tau, log-normal statistics and domain sizes of a result\n"
    "  ttcf IN.h5 -o TTCF.h5               two-time correlation G(t1, t2) and its band width (aging)\n"
    "  design [planned parameters | OUT.h5] experiment-design rules, Eqs. (3)-(5): will tau be reliable?\n"
    "  report OUT.h5 -o DIR                PNG figures and an HTML page of the science products\n";

// Decides, within a few seconds, which rank prints the error; if some rank never reaches
// this point (stuck in a collective call), aborts the job rather than hanging it.
void report_failure(const std::string& command, const std::string& message, bool primary) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int mine = primary ? rank : INT_MAX, printer = INT_MAX;
  MPI_Request request;
  MPI_Iallreduce(&mine, &printer, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &request);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int done = 0;
  while (!done && std::chrono::steady_clock::now() < deadline) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!done) {
    ecm::io_watchdog::mark_reported();
    std::cerr << "ecm " << command << ": error: " << message << " (other ranks did not respond; aborting)" << std::endl;
    ecm::partial_outputs::remove_all();
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  ecm::io_watchdog::mark_reported();
  if (rank == printer) std::cerr << "ecm " << command << ": error: " << message << std::endl;
  ecm::partial_outputs::remove_all();
}

// The --kokkos-* options whose value Kokkos reads with std::stoi (Kokkos 3.4 to 4.x).
std::string check_kokkos_arguments(const std::vector<char*>& args) {
  static const char* const kIntegerOptions[] = {"--kokkos-threads",   "--kokkos-num-threads", "--kokkos-numa",
                                                "--kokkos-device",    "--kokkos-device-id",   "--kokkos-ndevices",
                                                "--kokkos-num-devices", "--kokkos-skip-device"};
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string arg = args[i];
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    for (const char* option : kIntegerOptions) {
      if (name != option) continue;
      const std::string value = eq == std::string::npos ? std::string() : arg.substr(eq + 1);
      const bool digits = !value.empty() && value.size() <= 9 &&
                          value.find_first_not_of("0123456789") == std::string::npos;
      if (!digits)
        return "'" + arg + "': " + option + " expects a non-negative integer, as " + option + "=4";
    }
  }
  return {};
}

int dispatch(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  ecm::io_watchdog::install("ecm " + command);
  {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    ecm::stop_signals::install("ecm " + command, rank);
  }
  try {
    if (command == "run") return cmd_run(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "simulate") return cmd_simulate(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "inspect") return cmd_inspect(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "stats") return cmd_stats(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "ttcf") return cmd_ttcf(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "design") return cmd_design(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "report") return cmd_report(argc - 1, argv + 1, MPI_COMM_WORLD);
    if (command == "convert") return cmd_convert(argc - 1, argv + 1, MPI_COMM_WORLD);
    throw ecm::InputError("unknown command '" + command +
                          "'; commands: simulate, run, convert, inspect, stats, ttcf, design, report (ecm --help)");
  } catch (const ecm::interrupt::Interrupted& e) {
    // Every rank got here (the stop is agreed collectively); the partial output and its
    // ledger stay for --resume.
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::cerr << "ecm " << command << ": " << e.what() << std::endl;
    return ecm::interrupt::kExitInterrupted;
  } catch (const ecm::PeerFailure& e) {
    report_failure(command, e.what(), false);
  } catch (const std::exception& e) {
    report_failure(command, e.what(), true);
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ecm::mpi::init(&argc, &argv);
  // Kokkos sees only its own --kokkos-* options (it would also answer --help), the
  // subcommand everything else.
  std::vector<char*> kokkos_args{argv[0]}, command_args;
  for (int i = 0; i < argc; ++i) (i > 0 && !std::strncmp(argv[i], "--kokkos-", 9) ? kokkos_args : command_args).push_back(argv[i]);
  int kokkos_argc = int(kokkos_args.size());
  int code = 1;
  // Kokkos throws on a malformed --kokkos-* value (std::stoi's invalid_argument for
  // --kokkos-threads=abc), from a constructor outside any handler: ecm checks the values it
  // knows first, and turns anything Kokkos still refuses into the usual one line.
  std::string kokkos_error = check_kokkos_arguments(kokkos_args);
  std::optional<Kokkos::ScopeGuard> kokkos;
  if (kokkos_error.empty()) {
    try {
      kokkos.emplace(kokkos_argc, kokkos_args.data());
    } catch (const std::exception& e) {
      kokkos_error = std::string("Kokkos refused its options: ") + e.what();
    }
  }
  if (!kokkos_error.empty()) {
    // Every rank has the same arguments, so every rank gets here: one prints.
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::cerr << "ecm: error: " << kokkos_error << std::endl;
  } else {
    ecm::h5::silence_hdf5_errors();
    code = dispatch(int(command_args.size()), command_args.data());
    kokkos.reset();
  }
  MPI_Finalize();
  return code;
}
