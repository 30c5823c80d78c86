#pragma once
// The options every analysis of the polar strip takes (`ecm run`, `ecm ttcf`): what to read,
// the calibration, preprocessing and the strip, drift registration, correlation and fit. The
// commands only map them onto ecm::AnalysisOptions (include/ecm/analysis_options.hpp), whose
// defaults, names and checks they are.
#include <boost/program_options.hpp>

#include <string>

#include "ecm/analysis_options.hpp"
#include "ecm/io/input_dataset.hpp"

namespace ecm::cli {

namespace po = boost::program_options;

// "Input and output": help, config, input (positional), output, dataset, scan-shape,
// memory-budget, no-overlap. Commands add their own to this group.
po::options_description analysis_io_options();
po::options_description calibration_options();
// "Input format and scan": format, dataset, scan-shape, skip-frames, flyback, cycle-frames,
// drop-incomplete-cycle, frame-count (part of analysis_io_options; `ecm convert` takes them alone).
po::options_description input_options();
void fill_input_options(const po::variables_map& vm, io::InputOptions& in);
// The calibration overrides alone (`ecm convert`), checked as AnalysisOptions::validate checks them.
void fill_calibration_overrides(const po::variables_map& vm, io::CalibrationOverrides& c);
po::options_description strip_options();         // preprocessing and polar strip
po::options_description registration_options();  // drift registration and beam-centre tracking

// "Correlation and KWW fit" (`ecm run`).
po::options_description correlation_options();

// Every option above, defaults included, as ecm::AnalysisOptions (through set(), key by key),
// validated: throws InputError naming the option. The CLI's defaults are the library's.
AnalysisOptions analysis_options(const po::variables_map& vm);
// Throws InputError when the input or -o is missing; `usage` names the command's form
// ("ecm run IN.h5 -o OUT.h5").
void require_input_and_output(const po::variables_map& vm, const std::string& usage);

}  // namespace ecm::cli
