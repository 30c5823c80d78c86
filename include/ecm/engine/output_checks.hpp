#pragma once
// Everything about an analysis' output that can be checked before the first frame is read
// (issue 14, class 10): a run that can only fail at the end must fail at the start.
#include <mpi.h>

#include "ecm/engine/run_config.hpp"

namespace ecm::engine {

// On every rank, then agreed (InputError, one line): the output path can be written
// (io/output_path.hpp: not "", not a directory, its directory exists; OUT.partial and, with
// `with_ledger`, OUT.partial.tiles not directories), and the provenance strings the output
// stores as attributes (the command line, the resolved configuration) fit in one: HDF5
// refuses an attribute over 64 kB, which `ecm ttcf --positions` with ~8000 positions reached
// after all the compute.
void check_output_before_reading(const RunConfig& config, bool with_ledger, MPI_Comm comm);

}  // namespace ecm::engine
