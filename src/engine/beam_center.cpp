#include "ecm/engine/beam_center.hpp"

#include <algorithm>
#include <vector>

#include "ecm/core/error.hpp"

namespace ecm::engine {

std::array<double, 2> find_beam_center(const io::InputDataset& input) {
  const auto& L = input.layout();
  // A row block of at most 64 positions, and enough cycles for a few hundred frames.
  const std::size_t nx = std::min<std::size_t>(L.scan_x, 64);
  const std::size_t ny = std::min<std::size_t>(L.scan_y, std::max<std::size_t>(1, 64 / nx));
  const std::size_t nt = std::min<std::size_t>(L.n_t, std::max<std::size_t>(1, 256 / (nx * ny)));
  const ScanTile tile{0, 0, ny, nx};
  std::vector<float> frames(nt * tile.positions() * L.det_pixels());
  input.read_tile_block(0, nt, tile, frames.data());
  std::vector<double> mean(L.det_pixels(), 0.0);
  const std::size_t n_frames = nt * tile.positions();
  for (std::size_t f = 0; f < n_frames; ++f)
    for (std::size_t p = 0; p < L.det_pixels(); ++p) mean[p] += frames[f * L.det_pixels() + p] / double(n_frames);

  const auto centre = direct_beam_center(mean, L.det_y, L.det_x);
  if (!centre)
    throw InputError("cannot find the beam centre: no direct beam stands out of the mean pattern; give --beam-center Y,X");
  return *centre;
}

std::optional<std::array<double, 2>> direct_beam_center(const std::vector<double>& pattern, std::size_t det_y,
                                                        std::size_t det_x) {
  if (pattern.empty()) return std::nullopt;
  const double peak = *std::max_element(pattern.begin(), pattern.end());
  std::vector<double> sorted = pattern;
  std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
  const double background = sorted[sorted.size() / 2];
  if (!(peak > 4.0 * background + 1e-12)) return std::nullopt;
  const double level = background + 0.5 * (peak - background);
  double sum = 0, sy = 0, sx = 0;
  for (std::size_t y = 0; y < det_y; ++y)
    for (std::size_t x = 0; x < det_x; ++x) {
      const double v = pattern[y * det_x + x] - level;
      if (v <= 0) continue;
      sum += v;
      sy += v * double(y);
      sx += v * double(x);
    }
  return std::array<double, 2>{sy / sum, sx / sum};
}

}  // namespace ecm::engine
