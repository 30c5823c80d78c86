#pragma once
// Small helpers shared by the subcommand drivers: value parsing, --config INI files,
// and the resolved configuration text stored in outputs.
#include <mpi.h>

#include <boost/program_options.hpp>

#include <array>
#include <string>
#include <vector>

namespace ecm::cli {

namespace po = boost::program_options;

// "A,B" -> two numbers; throws InputError naming the option (also for NaN or Inf).
std::array<double, 2> parse_pair(const std::string& text, const std::string& option);
// "A,B" -> two whole numbers >= 1 (shapes, counts); "2.5,1.6" is an InputError, not 2x1.
std::array<std::size_t, 2> parse_count_pair(const std::string& text, const std::string& option);

// Parses argv (and the INI file named by --config, whose keys are the long option names)
// into vm. Unknown or malformed options, and any numeric option that is NaN or Inf, become
// an InputError with one clear line.
void parse(int argc, char** argv, const po::options_description& options,
           const po::positional_options_description& positional, po::variables_map& vm);

// Parses argv (one positional argument named `positional_name`) into vm. Returns true if
// --help was asked for, after printing the options on the printing rank: the command then
// returns 0 without doing anything else.
bool parse_or_help(int argc, char** argv, const po::options_description& options, const char* positional_name,
                   po::variables_map& vm, MPI_Comm comm);

// The parsed options as INI text (key = value), for provenance; only the keys `only` names
// when it is not empty.
std::string to_ini(const po::variables_map& vm, const std::vector<std::string>& only = {});

// The command line as typed.
std::string command_line(int argc, char** argv);

// True on the rank that prints (rank 0 of comm).
bool is_printer(MPI_Comm comm);

}  // namespace ecm::cli
