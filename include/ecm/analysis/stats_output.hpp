#pragma once
// How `ecm stats` hands its numbers to users: the /stats group of the result file
// (docs/output-format.md), a table on the terminal and CSV files for plotting elsewhere.
#include <string>

#include "ecm/analysis/domain_size.hpp"
#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::analysis {

// Domain sizes of the same result and their power law against the ensemble tau.
struct DomainResults {
  DomainSizes sizes;
  XiTauScaling scaling;
};

// Writes everything under the group (collective; rank 0's values are written); `domain`
// may be null (then no domain_size subgroup).
void write_stats(io::ProductGroup& group, const EnsembleStats& stats, const DomainResults* domain);

// Per-k_r table, the domain-size power law, and the verdict on the k_phi slices.
std::string stats_table(const EnsembleStats& stats, const DomainResults* domain);

// PREFIX_kr.csv (per k_r) and PREFIX_maps.csv (per (k_r, k_phi)); returns the paths.
std::vector<std::string> write_stats_csv(const std::string& prefix, const io::ResultCube& cube,
                                         const EnsembleStats& stats, const DomainResults* domain);

}  // namespace ecm::analysis
