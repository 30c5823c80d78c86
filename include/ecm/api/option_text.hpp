#pragma once
// Option values as text, both ways: the parsers behind AnalysisOptions::set() (and the CLI's
// pairs), and the shortest text that reads back to the same value (AnalysisOptions::to_ini).
// Every parser throws InputError "--OPTION expects ... (got 'TEXT')".
#include <array>
#include <cstddef>
#include <string>

namespace ecm::api {

double parse_number(const std::string& text, const std::string& option);          // finite
long long parse_integer(const std::string& text, const std::string& option);      // whole, any sign
std::size_t parse_count(const std::string& text, const std::string& option);      // whole, >= 0
bool parse_bool(const std::string& text, const std::string& option);              // true/false, 1/0, yes/no, on/off
// "A,B" -> two finite numbers.
std::array<double, 2> parse_pair(const std::string& text, const std::string& option);
// "A,B" -> two whole numbers >= 1 (shapes, counts); "2.5,1.6" is an InputError, not 2x1.
std::array<std::size_t, 2> parse_count_pair(const std::string& text, const std::string& option);

// The shortest decimal text that reads back to v exactly ("0.05", not "0.050000000000000003").
std::string number_to_text(double v);
// Bytes as the largest whole K/M/G/T unit ("2G"), else a plain number.
std::string size_to_text(double bytes);

}  // namespace ecm::api
