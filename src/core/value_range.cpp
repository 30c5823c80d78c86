#include "ecm/core/value_range.hpp"

#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm {

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void require_in_range(double v, double lo, double hi, const std::string& what, const std::string& unit,
                      const std::string& meaning, const std::string& remedy) {
  if (!(v >= lo && v <= hi))
    throw InputError(what + " is " + number_text(v) + (unit.empty() ? "" : " " + unit) + ": " + meaning +
                     " must be a finite number in [" + number_text(lo) + ", " + number_text(hi) + "]" +
                     (unit.empty() ? "" : " " + unit) + (remedy.empty() ? "" : "; " + remedy));
}

}  // namespace ecm
