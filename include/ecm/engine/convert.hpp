#pragma once
// `ecm convert IN -o OUT.h5`: any input ecm reads, written as the canonical 5-D HDF5 layout
// (docs/input-format.md) with its calibration and detector references, in parallel: each
// rank reads its own scan rows and all ranks write collectively. Optional: `ecm run` reads
// every format directly; a converted file is for archives and other tools.
#include <mpi.h>

#include <string>
#include <vector>

#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

struct ConvertConfig {
  std::string input_path, output_path;
  io::InputOptions input;
  io::CalibrationOverrides calibration;  // values to store where the file does not say
  double memory_budget_bytes = 1.0 * (1ull << 30);  // per rank, for frame buffers
  std::string command_line;
};

struct ConvertSummary {
  std::string input_line;               // the input as its reader describes it
  std::vector<std::string> notes;       // what the reader noticed, and calibration not stored
  std::size_t cycles = 0, scan_y = 0, scan_x = 0, det_y = 0, det_x = 0;
  double bytes = 0, seconds = 0;
};

ConvertSummary convert(const ConvertConfig& config, MPI_Comm comm);

}  // namespace ecm::engine
