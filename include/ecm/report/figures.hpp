#pragma once
// `ecm report`: the paper's kinds of figures from a result file (and a TTCF file), as PNGs
// drawn by gnuplot, plus the numbers behind them. Runs on one rank (the driver's printer).
#include <string>
#include <vector>

#include "ecm/analysis/ensemble_stats.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::report {

struct Figure {
  std::string name;     // file stem: <name>.png, <name>.gp, data/<name>*.dat
  std::string title;
  std::string caption;  // what is shown, in words, with the key numbers
};

// Domain sizes per k_r and their power-law fits, as the report needs them.
struct DomainSummary {
  std::vector<double> xi_px, xi_std_px;  // per k_r, mean and std over k_phi [scan px]
  double scan_step_nm = 0;
  // xi = a tau^z per branch (below, above the I(k) peak); NaN when not fitted.
  double z_low = 0, z_low_err = 0, a_low = 0, z_high = 0, z_high_err = 0, a_high = 0;
};

// A two-time correlation read back from an `ecm ttcf` file.
struct TtcfSummary {
  std::string path;
  std::size_t n_t = 0;
  double time_step_s = 0;
  std::vector<double> g_mean;                        // (n_t, n_t)
  std::vector<double> elapsed_s, band_width_s;       // per elapsed-time window
  std::string verdict;
};

struct ReportInputs {
  const io::ResultCube* cube = nullptr;
  const analysis::EnsembleStats* stats = nullptr;
  const DomainSummary* domain = nullptr;  // optional
  const TtcfSummary* ttcf = nullptr;      // optional
};

// Draws every figure the inputs allow into `dir` (created), returns them in page order.
std::vector<Figure> draw_figures(const std::string& dir, const ReportInputs& in, const std::string& gnuplot);

}  // namespace ecm::report
