#pragma once
// Turns a RunConfig and an opened input into the fixed parts of the analysis
// (calibration, polar map, detector corrections, lag bins), validating as it goes.
#include "ecm/engine/run_config.hpp"
#include "ecm/engine/tile_processor.hpp"
#include "ecm/io/input_dataset.hpp"
#include "ecm/kernels/polar_map.hpp"
#include "ecm/kernels/preprocess.hpp"

namespace ecm::engine {

struct Prepared {
  AnalysisSetup setup;
  polar::PolarMapHost map;
  preprocess::DetectorCorrections<MemSpace> corrections;
  std::vector<float> mask;  // host copy (det pixels, 1 = bad; empty = none) for further polar maps
};

// Throws InputError on any inconsistency between the configuration and the data.
Prepared prepare_analysis(const RunConfig& config, const io::InputDataset& input);

// Throws InputError when no output bin of `s` covers any detector area (every pixel of the
// strip masked, or the strip inside a pixel: a k pixel size of 1e6 1/A), naming the strip,
// the centre, the k pixel size and the masked pixels; `mask` as in Prepared.
void require_strip_pixels(const AnalysisSetup& s, const RunConfig& config, const std::vector<float>& mask);

// Detector area of each output bin [px]: the areas of the fine bins of `map` (the output
// grid refined by `bin`) summed into the output bins of `grid`.
std::vector<double> output_bin_area(const polar::PolarMapHost& map, const PolarGrid& grid, const binning::Factors& bin);

}  // namespace ecm::engine
