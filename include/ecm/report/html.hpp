#pragma once
// The report page: every figure with its caption, and the numbers behind them as tables.
#include <string>
#include <vector>

#include "ecm/report/figures.hpp"

namespace ecm::report {

// Writes DIR/index.html (self-contained apart from the PNGs beside it); returns its path.
std::string write_html(const std::string& dir, const ReportInputs& in, const std::vector<Figure>& figures,
                       const std::string& design_verdict);

}  // namespace ecm::report
