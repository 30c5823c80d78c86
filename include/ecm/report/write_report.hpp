#pragma once
// A whole report, or nothing: figures and page are drawn into a staging folder beside DIR
// and moved into DIR only when every figure is drawn, so a failing gnuplot never leaves a
// half-written report (issue 14, class 11), and a report already in DIR stays whole.
#include <string>
#include <vector>

#include "ecm/report/figures.hpp"

namespace ecm::report {

struct WrittenReport {
  std::vector<Figure> figures;
  std::string page;  // DIR/index.html
};

WrittenReport write_report(const std::string& dir, const ReportInputs& in, const std::string& gnuplot,
                           const std::string& design_verdict);

}  // namespace ecm::report
