#pragma once
// The one conversion from the public options (ecm::AnalysisOptions, ecm::RunControls) to the
// engine's RunConfig, used by ecm::Analysis, `ecm run` and `ecm ttcf`.
#include <string>

#include "ecm/analysis_options.hpp"
#include "ecm/engine/registration.hpp"
#include "ecm/engine/run_config.hpp"

namespace ecm::api {

// --ellipse auto | off | A,B,ANGLE as the registration stage takes it; throws InputError.
void parse_ellipse(const std::string& text, engine::RegistrationOptions& r);

// The RunConfig of a run of `options` (validated by the caller) on input_path (empty for frames
// in memory, which the caller sets as RunConfig::frames) into output_path. Its configuration
// is options.to_ini(), so its identity() is the same from every entry point.
engine::RunConfig make_run_config(const AnalysisOptions& options, const RunControls& controls,
                                  const std::string& input_path, const std::string& output_path);

}  // namespace ecm::api
