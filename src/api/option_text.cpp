#include "ecm/api/option_text.hpp"

#include <cmath>
#include <sstream>

#include "ecm/core/error.hpp"
#include "ecm/core/units.hpp"

namespace ecm::api {

namespace {
[[noreturn]] void bad(const std::string& option, const std::string& expected, const std::string& text) {
  throw InputError("--" + option + " expects " + expected + " (got '" + text + "')");
}
}  // namespace

double parse_number(const std::string& text, const std::string& option) {
  std::istringstream in(trim(text));
  double v = 0;
  if (!(in >> v) || !(in >> std::ws).eof()) bad(option, "a number", text);
  if (!std::isfinite(v)) throw InputError("--" + option + " must be a finite number (got " + trim(text) + ")");
  return v;
}

long long parse_integer(const std::string& text, const std::string& option) {
  const std::string t = trim(text);
  std::istringstream in(t);
  long long v = 0;
  if (t.empty() || t.find_first_not_of("+-0123456789") != std::string::npos || !(in >> v) || !(in >> std::ws).eof())
    bad(option, "a whole number", text);
  return v;
}

std::size_t parse_count(const std::string& text, const std::string& option) {
  const std::string t = trim(text);
  std::istringstream in(t);
  unsigned long long v = 0;
  // A minus sign is refused, not wrapped to 2^64 - 1 (drivers/options.cpp says why).
  if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || !(in >> v))
    bad(option, "a whole number >= 0", text);
  return std::size_t(v);
}

bool parse_bool(const std::string& text, const std::string& option) {
  const std::string t = trim(text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  bad(option, "true or false", text);
}

std::array<double, 2> parse_pair(const std::string& text, const std::string& option) {
  std::array<double, 2> v{};
  char comma = 0;
  std::istringstream in(text);
  if (!(in >> v[0] >> comma >> v[1]) || comma != ',' || !(in >> std::ws).eof())
    bad(option, "two numbers as A,B", text);
  if (!std::isfinite(v[0]) || !std::isfinite(v[1])) bad(option, "two finite numbers as A,B", text);
  return v;
}

std::array<std::size_t, 2> parse_count_pair(const std::string& text, const std::string& option) {
  const auto v = parse_pair(text, option);
  // Checked as doubles before the conversion: 2.5 must not become 2, nor -1 a huge count.
  for (double x : v)
    if (!(x >= 1 && x <= 1e15 && x == std::floor(x))) bad(option, "two whole numbers >= 1 as A,B", text);
  return {std::size_t(v[0]), std::size_t(v[1])};
}

std::string number_to_text(double v) {
  for (int precision = 6; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << v;
    if (std::stod(out.str()) == v) return out.str();
  }
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

std::string size_to_text(double bytes) {
  const char* units[] = {"T", "G", "M", "K"};
  double scale = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  for (const char* unit : units) {
    if (bytes >= scale && std::fmod(bytes, scale) == 0) return number_to_text(bytes / scale) + unit;
    scale /= 1024.0;
  }
  return number_to_text(bytes);
}

}  // namespace ecm::api
