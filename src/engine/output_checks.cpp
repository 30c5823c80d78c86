#include "ecm/engine/output_checks.hpp"

#include "ecm/core/mpi_check.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/io/output_path.hpp"

namespace ecm::engine {

void check_output_before_reading(const RunConfig& config, bool with_ledger, MPI_Comm comm) {
  mpi::run_then_agree(comm, [&] {
    std::vector<std::string> written{".partial"};
    if (with_ledger) written.push_back(".partial.tiles");
    io::require_output_path(config.output_path, written);
    h5::require_attribute_fits("the command line", config.controls.command_line);
    h5::require_attribute_fits("the configuration", config.configuration);
  });
}

}  // namespace ecm::engine
