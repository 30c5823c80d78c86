#pragma once
// How `ecm stats` hands its numbers to users: the /stats group of the result file
// (docs/output-format.md), a table on the terminal and CSV files for plotting elsewhere.
#include <string>

#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::analysis {

// Writes everything in `stats` under the group (collective; rank 0's values are written).
void write_stats(io::ProductGroup& group, const EnsembleStats& stats);

// Per-k_r table and a one-line verdict on the k_phi slices, for the terminal.
std::string stats_table(const EnsembleStats& stats);

// PREFIX_kr.csv (per k_r) and PREFIX_maps.csv (per (k_r, k_phi)); returns the paths.
std::vector<std::string> write_stats_csv(const std::string& prefix, const io::ResultCube& cube,
                                         const EnsembleStats& stats);

}  // namespace ecm::analysis
