#include "ecm/engine/analysis_setup.hpp"

#include <cmath>
#include <sstream>
#include <tuple>

#include "ecm/engine/beam_center.hpp"

namespace ecm::engine {

Prepared prepare_analysis(const RunConfig& config, const io::InputDataset& input) {
  const auto& L = input.layout();
  Prepared p;
  AnalysisSetup& s = p.setup;
  s.calibration = input.calibration(config.calibration);
  // The options' values were checked by ecm::AnalysisOptions::validate() (src/api).
  s.bin = config.bin;
  s.fine_grid = config.grid;
  s.fine_grid.n_kr *= s.bin.kr;
  s.fine_grid.n_kphi *= s.bin.kphi;

  s.n_t_binned = L.n_t / std::size_t(s.bin.t);
  s.n_t_used = s.n_t_binned * std::size_t(s.bin.t);
  require(s.n_t_binned >= 8, "too few scan cycles after t-binning (" + std::to_string(s.n_t_binned) +
                                 "); at least 8 are needed for a correlation");
  s.time_step_s = s.calibration.time_step_s * s.bin.t;

  const int max_lag = std::max(1, int(std::floor(config.max_lag_fraction * double(s.n_t_binned - 1))));
  s.lag_bins = g2::make_log_lag_bins(max_lag, config.n_lags);
  // The series has only max_lag distinct lags: more bins than that merge into them.
  if (config.n_lags > max_lag)
    s.notes.push_back("--n-lags " + std::to_string(config.n_lags) + ": " + std::to_string(s.n_t_binned) +
                      " cycles have " + std::to_string(max_lag) + " distinct lags to fit (--max-lag-fraction), " +
                      std::to_string(s.lag_bins.size()) + " lag bins used");
  require(s.lag_bins.size() >= 5, "too few distinct lags to fit (" + std::to_string(s.lag_bins.size()) +
                                      "); record more cycles or raise --max-lag-fraction");
  for (double c : s.lag_bins.center) s.lag_s.push_back(c * s.time_step_s);

  const auto det_y = L.det_y, det_x = L.det_x;
  s.input_dataset = input.dataset_path();
  // A reference given as an option wins; "none" turns off one the input brings along (a
  // camera's dark and gain files, a NeXus pixel mask).
  const auto& meta = input.source().metadata();
  auto reference = [&](const std::string& option, const std::optional<io::DetectorReference>& from_input,
                       const std::string& what) -> std::vector<float> {
    if (option == "none") return {};
    if (!option.empty()) {
      s.references.push_back(what + ": " + option);
      return io::read_detector_reference(option, config.input_path, det_y, det_x, what);
    }
    if (!from_input) return {};
    require(from_input->values.size() == det_y * det_x,
            what + " reference " + from_input->origin + " is not of the frame shape");
    s.references.push_back(what + ": " + from_input->origin);
    return from_input->values;
  };
  std::vector<float> dark = reference(config.dark, meta.dark, "dark");
  std::vector<float> gain = reference(config.gain, meta.gain, "gain");
  std::vector<float> mask = reference(config.mask, meta.bad_pixels, "mask");
  // NaN or Inf in a reference: that pixel is masked (a NaN gain crashed the polar stage).
  for (auto [values, neutral, what] : {std::tuple{&dark, 0.0f, "dark"}, std::tuple{&gain, 1.0f, "gain"}})
    if (const std::size_t n = preprocess::mask_nonfinite(*values, neutral, mask))
      s.notes.push_back(std::string(what) + " reference: " + std::to_string(n) + " pixel" + (n == 1 ? "" : "s") +
                        " NaN or Inf, masked");
  p.corrections = preprocess::make_corrections<MemSpace>(dark, gain, mask, config.threshold);
  // Float frames can hold NaN or Inf: they are read as 0 counts, and counted (TileProcessor).
  p.corrections.screen_nonfinite = L.dtype == h5::DType::f32;
  p.mask = mask;
  if (s.calibration.beam_center_source.empty()) {
    const auto found = find_beam_center(input, mask, {config.grid.k_min / s.calibration.k_pixel_size,
                                                      config.grid.k_max / s.calibration.k_pixel_size});
    s.calibration.beam_center_yx = found.center;
    s.calibration.beam_center_source = "found";
    s.calibration.beam_center_how = found.method;
  }

  p.map = polar::build_polar_map(s.fine_grid, s.calibration.k_pixel_size, s.calibration.beam_center_yx, det_y, det_x,
                                 config.polar_subsample, mask);
  s.bin_area_px = output_bin_area(p.map, config.grid, s.bin);
  require_strip_pixels(s, config, mask);
  return p;
}

void require_strip_pixels(const AnalysisSetup& s, const RunConfig& config, const std::vector<float>& mask) {
  double area = 0;
  for (double a : s.bin_area_px) area += a;
  if (area > 0) return;
  // Every bin would be `masked` and the run would end with no fit at all: say why now.
  const double r_lo = config.grid.k_min / s.calibration.k_pixel_size, r_hi = config.grid.k_max / s.calibration.k_pixel_size;
  std::size_t bad = 0;
  for (float m : mask) bad += m != 0.0f;
  std::ostringstream msg;
  msg << "no unmasked detector pixel lies in the polar strip " << config.grid.k_min << "-" << config.grid.k_max
      << " 1/A (radius " << r_lo << "-" << r_hi << " px around the beam centre " << s.calibration.beam_center_yx[0] << ","
      << s.calibration.beam_center_yx[1] << " at " << s.calibration.k_pixel_size << " 1/A per px; " << bad
      << " detector pixels masked): check --kr-range, the k pixel size and the mask";
  throw InputError(msg.str());
}

std::vector<double> output_bin_area(const polar::PolarMapHost& map, const PolarGrid& grid, const binning::Factors& bin) {
  // Output-bin areas: sums of the fine bins they are made of.
  const auto fine_area = map.bin_area();
  std::vector<double> area(std::size_t(grid.n_bins()), 0.0);
  for (int ir = 0; ir < map.grid.n_kr; ++ir)
    for (int ip = 0; ip < map.grid.n_kphi; ++ip)
      area[std::size_t(ir / bin.kr) * grid.n_kphi + ip / bin.kphi] += fine_area[std::size_t(ir) * map.grid.n_kphi + ip];
  return area;
}

}  // namespace ecm::engine
