#pragma once
// Parsing of the quantities users type on command lines and in INI files.
#include <string>

namespace ecm {

// "512M", "2G", "1.5GiB", "1000000" -> bytes (binary units K, M, G, T). Throws InputError
// naming --option on anything else.
double parse_size_bytes(const std::string& text, const std::string& option);
// `s` without leading and trailing blanks (space, tab, CR, LF): header fields, INI values.
std::string trim(const std::string& s);

}  // namespace ecm
