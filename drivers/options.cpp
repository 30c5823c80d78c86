#include "options.hpp"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ecm/api/option_text.hpp"
#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"
#include "ecm/io/file_identity.hpp"
#include "ecm/io/regular_file.hpp"

namespace ecm::cli {

std::array<double, 2> parse_pair(const std::string& text, const std::string& option) {
  return api::parse_pair(text, option);
}

std::array<std::size_t, 2> parse_count_pair(const std::string& text, const std::string& option) {
  return api::parse_count_pair(text, option);
}

namespace {

// Every numeric option must be a finite number: boost reads "nan" and "inf" as doubles, and
// no option means anything by them (a NaN --min-counts silently skipped every fit).
void require_finite_numbers(const po::variables_map& vm) {
  for (const auto& [key, value] : vm)
    if (const auto d = boost::any_cast<double>(&value.value()); d && !std::isfinite(*d)) {
      std::ostringstream got;
      got << *d;
      throw InputError("--" + key + " must be a finite number (got " + got.str() + ")");
    }
}

// boost reads "-1" into an unsigned option as 2^64 - 1 (lexical_cast wraps it): --flyback -1
// made cycles of 12 frames out of a 4x4 scan and the run ended with exit 0. A count given with
// a minus sign is refused, on the command line and in --config alike.
void refuse_negative_counts(const po::parsed_options& parsed, const po::variables_map& vm) {
  for (const auto& option : parsed.options) {
    if (!vm.count(option.string_key)) continue;
    const auto& any = vm[option.string_key].value();
    if (!boost::any_cast<std::size_t>(&any) && !boost::any_cast<unsigned>(&any)) continue;
    for (const auto& token : option.value) {
      const auto first = token.find_first_not_of(" \t");
      if (first != std::string::npos && token[first] == '-')
        throw InputError("--" + option.string_key + " expects a whole number >= 0 (got '" + token + "')");
    }
  }
}

}  // namespace

void parse(int argc, char** argv, const po::options_description& options,
           const po::positional_options_description& positional, po::variables_map& vm) {
  try {
    const auto parsed = po::command_line_parser(argc, argv).options(options).positional(positional).run();
    po::store(parsed, vm);
    refuse_negative_counts(parsed, vm);
    if (vm.count("config") && !vm.count("help")) {
      const auto path = vm["config"].as<std::string>();
      io::require_regular_file(path);  // an ifstream on a FIFO blocks
      std::ifstream file(path);
      if (!file) throw InputError("cannot read configuration file '" + path + "'");
      // boost's messages say "the options configuration file": name it.
      try {
        const auto from_file = po::parse_config_file(file, options);
        po::store(from_file, vm);
        refuse_negative_counts(from_file, vm);
      } catch (const po::error& e) {
        throw InputError("--config '" + path + "': " + e.what());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
  require_finite_numbers(vm);
}

namespace {

// The --config file is read, so neither the output (`-o`, or simulate's positional one) nor
// --truth may be it: compared by identity (io/file_identity.hpp), not by name.
void refuse_writing_config(const po::variables_map& vm) {
  if (!vm.count("config")) return;
  const auto config = vm["config"].as<std::string>();
  for (const std::string key : {"output", "truth"}) {
    if (!vm.count(key)) continue;
    const auto out = vm[key].as<std::string>();
    const std::string what = key == "output" ? "the output" : "--truth";
    if (io::same_file(out, config))
      throw InputError(what + " '" + out + "' is the --config file" + (out == config ? "" : " '" + config + "'") +
                       "; choose another");
  }
}

}  // namespace

bool parse_or_help(int argc, char** argv, const po::options_description& options, const char* positional_name,
                   po::variables_map& vm, MPI_Comm comm) {
  po::positional_options_description positional;
  positional.add(positional_name, 1);
  parse(argc, argv, options, positional, vm);
  if (!vm.count("help")) mpi::run_then_agree(comm, [&] { refuse_writing_config(vm); });
  if (!vm.count("help")) return false;
  if (is_printer(comm)) std::cout << options << std::endl;
  return true;
}

std::string to_ini(const po::variables_map& vm, const std::vector<std::string>& only) {
  std::ostringstream out;
  for (const auto& [key, value] : vm) {
    if (key == "help" || key == "config") continue;
    if (!only.empty() && std::find(only.begin(), only.end(), key) == only.end()) continue;
    const auto& any = value.value();
    out << key << " = ";
    if (auto s = boost::any_cast<std::string>(&any)) out << *s;
    else if (auto d = boost::any_cast<double>(&any)) out << *d;
    else if (auto i = boost::any_cast<int>(&any)) out << *i;
    else if (auto u = boost::any_cast<unsigned>(&any)) out << *u;
    else if (auto z = boost::any_cast<std::size_t>(&any)) out << *z;
    else if (auto b = boost::any_cast<bool>(&any)) out << (*b ? "true" : "false");
    else out << "(set)";
    out << "\n";
  }
  return out.str();
}

std::string command_line(int argc, char** argv) {
  std::string s = "ecm";
  for (int i = 0; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

bool is_printer(MPI_Comm comm) { return mpi::rank(comm) == 0; }

}  // namespace ecm::cli
