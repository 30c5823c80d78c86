#pragma once
// The options every analysis of the polar strip takes (`ecm run`, `ecm ttcf`): what to read,
// the calibration, preprocessing and the strip, drift registration. One definition, so that
// the two commands read the same data the same way from the same words.
#include <boost/program_options.hpp>

#include <string>

#include "ecm/engine/run_config.hpp"

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
void fill_calibration_overrides(const po::variables_map& vm, io::CalibrationOverrides& c);
po::options_description strip_options();         // preprocessing and polar strip
po::options_description registration_options();  // drift registration and beam-centre tracking

// Sets the RunConfig fields of those options from vm; `usage` names the command's form
// for the messages about a missing input or output ("ecm run IN.h5 -o OUT.h5").
void fill_analysis_config(const po::variables_map& vm, const std::string& usage, engine::RunConfig& c);

}  // namespace ecm::cli
