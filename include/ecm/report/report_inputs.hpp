#pragma once
// Everything `ecm report` draws from, computed the same way `ecm stats` computes it (so the
// report never depends on /stats having been written, or being current).
#include <mpi.h>

#include <memory>
#include <string>

#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/io/result_cube.hpp"
#include "ecm/report/figures.hpp"

namespace ecm::report {

struct GatheredInputs {
  io::ResultCube cube;
  analysis::EnsembleStats stats;
  std::unique_ptr<DomainSummary> domain;  // null when no map supports a domain-size fit
  std::unique_ptr<TtcfSummary> ttcf;      // null without --ttcf
  std::string design_verdict;             // from /design when `ecm design OUT.h5` has run

  ReportInputs view() const { return {&cube, &stats, domain.get(), ttcf.get()}; }
};

// Collective on comm (domain sizes are distributed over ranks).
GatheredInputs gather_inputs(const std::string& result, const std::string& ttcf, double scan_step_nm, MPI_Comm comm);

// The mean two-time correlation and its band from an `ecm ttcf` file (docs/ttcf.md).
TtcfSummary read_ttcf(const std::string& path, MPI_Comm comm);

}  // namespace ecm::report
