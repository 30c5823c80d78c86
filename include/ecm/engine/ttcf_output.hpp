#pragma once
// TTCF.h5, the output of `ecm ttcf` (schema in docs/ttcf.md): written collectively as
// TTCF.h5.partial (removed by the driver on failure) and renamed when complete.
#include <mpi.h>

#include <string>
#include <vector>

#include "ecm/engine/analysis_setup.hpp"
#include "ecm/engine/run_config.hpp"
#include "ecm/engine/ttcf_run.hpp"
#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

// The T x T matrices (row-major); read on rank 0 only, which writes them.
struct TtcfMatrices {
  const double* g_mean = nullptr;
  std::vector<const double*> g_positions;  // one per selected position
};

// Collective; `summary` must be the same on every rank.
void write_ttcf_file(const RunConfig& config, const AnalysisSetup& setup, const TtcfSummary& summary,
                     const TtcfMatrices& matrices, const std::string& start_time, MPI_Comm comm);

// "YYYY-MM-DDTHH:MM:SSZ" now, for provenance.
std::string utc_time_now();

}  // namespace ecm::engine
