#pragma once
// What `ecm run` writes and prints besides the tiles: provenance attributes, the
// /registration tables, and one-line descriptions of the registration for the summary.
#include <string>

#include "ecm/engine/registration.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/engine/tile_processor.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/io/result_file.hpp"

namespace ecm::engine {

// `input_file_size_bytes`: the input's size when the run began (it may be gone by the end).
void write_provenance(io::ResultFile& out, const RunConfig& config, const AnalysisSetup& setup,
                      const io::InputDataset& input, int n_ranks, const std::string& start_time,
                      std::uint64_t input_file_size_bytes);
// /registration: what was measured and applied, per cycle and per block (docs/output-format.md).
void write_registration(io::ResultFile& out, const Registration& reg, std::size_t n_maps);
std::string describe_drift(const Registration& reg, std::size_t n_used);
std::string describe_center(const Registration& reg, std::size_t n_used, std::size_t n_maps);

}  // namespace ecm::engine
