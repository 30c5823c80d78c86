#include "ecm/core/units.hpp"

#include <cmath>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

double parse_size_bytes(const std::string& text, const std::string& option) {
  const std::string expected = "--" + option + " expects a size such as 512M or 2G (got '" + text + "')";
  std::istringstream in(text);
  double value = 0;
  std::string unit;
  if (!(in >> value) || !(value > 0) || !std::isfinite(value)) throw InputError(expected);
  in >> unit;
  if (!(in >> std::ws).eof()) throw InputError(expected);
  double scale = 1;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB") scale = 1024.0;
  else if (unit == "M" || unit == "MiB") scale = 1024.0 * 1024.0;
  else if (unit == "G" || unit == "GiB") scale = 1024.0 * 1024.0 * 1024.0;
  else if (unit == "T" || unit == "TiB") scale = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  else throw InputError("--" + option + ": unknown unit '" + unit + "' (use K, M, G or T)");
  return value * scale;
}

}  // namespace ecm
