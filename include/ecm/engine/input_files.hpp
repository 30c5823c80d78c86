#pragma once
// The files an analysis (`ecm run`, `ecm ttcf`) reads, and the check, before anything is
// written, that its output is none of them (io/output_guard.hpp).
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "ecm/engine/run_config.hpp"
#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

// The input of `config` on this rank: the file input_path, or the frames config.frames holds.
// Called on every rank (each opens the file itself).
std::unique_ptr<io::InputDataset> open_input(const RunConfig& config, MPI_Comm comm);

// Every existing file read besides config.input_path: what the frame source read with it
// (companions, a NeXus master's data files), the --dark/--gain/--mask files and the --drift-file.
std::vector<std::string> files_read_besides_input(const RunConfig& config, const io::InputDataset& input);

// On every rank, then agreed: throws InputError (one line) when OUT, OUT.partial or (with
// `with_ledger`) OUT.partial.tiles is one of the files the analysis reads.
void refuse_writing_inputs(const RunConfig& config, const io::InputDataset& input, bool with_ledger, MPI_Comm comm);

}  // namespace ecm::engine
