#pragma once
// The one table of `ecm simulate` options: name (= INI key), help text with unit, parser
// and printer for each SimConfig field. The driver builds its Boost.Program_options
// description from it, the `simulator` attribute of the output is printed from it, and
// the unit tests exercise it without Boost.
#include <functional>
#include <string>
#include <vector>

#include "ecm/simulate/config.hpp"

namespace ecm::simulate {

struct OptionSpec {
  std::string name;        // long option without "--", also the INI key
  std::string value_hint;  // shown in --help, e.g. "NY,NX"
  std::string help;        // meaning and unit
  std::function<void(SimConfig&, const std::string&)> set;  // parses; throws InputError
  std::function<std::string(const SimConfig&)> get;         // prints in a form `set` accepts
};

const std::vector<OptionSpec>& option_table();

// Sets one option by name from its text; throws InputError naming the option.
void apply_option(SimConfig& cfg, const std::string& name, const std::string& value);

// Every option as "name = value" lines (INI, readable back by from_ini / --config).
std::string to_ini(const SimConfig& cfg);
// Parses INI text of the same keys ('#' comments, blank lines allowed) over the defaults.
SimConfig from_ini(const std::string& text);

}  // namespace ecm::simulate
