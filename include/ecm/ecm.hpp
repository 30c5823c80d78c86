#pragma once
// The public C++ API of ecm (docs/api.md): options, runtime, analysis.
#include "ecm/analysis.hpp"
#include "ecm/analysis_options.hpp"
#include "ecm/core/error.hpp"
