#include "ecm/engine/beam_center.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/registration/ring_fit.hpp"

namespace ecm::engine {

namespace {
bool usable(const std::vector<double>& pattern, const std::vector<float>& mask, std::size_t i) {
  return (mask.empty() || mask[i] == 0.0f) && std::isfinite(pattern[i]);
}
}  // namespace

FoundCenter find_beam_center(const io::InputDataset& input, const std::vector<float>& mask, RingAnnulus annulus) {
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

  if (const auto beam = direct_beam_center(mean, mask, L.det_y, L.det_x, annulus))
    return {*beam, "direct-beam centroid of the first " + std::to_string(n_frames) + " frames"};
  registration::RingFitOptions o;
  o.center_guess = registration::ring_centroid(mean, mask, L.det_y, L.det_x);
  o.r_lo = annulus.r_lo;
  o.r_hi = annulus.r_hi;
  const auto ring = registration::fit_ring(mean, mask, L.det_y, L.det_x, o);
  if (!ring.ok)
    throw InputError("cannot find the beam centre: no direct beam stands out of the mean pattern, and the first ring "
                     "does not fit in the --kr-range annulus (" + ring.why + "); give --beam-center Y,X");
  std::ostringstream m;
  m.precision(3);
  m << "ring fit of the first " << n_frames << " frames (no direct beam; +-" << std::max(ring.sigma_y, ring.sigma_x)
    << " px)";
  return {ring.center, m.str()};
}

std::optional<std::array<double, 2>> direct_beam_center(const std::vector<double>& pattern,
                                                        const std::vector<float>& mask, std::size_t det_y,
                                                        std::size_t det_x, RingAnnulus annulus,
                                                        bool* saturated_out) {
  std::vector<double> values;
  double peak = -1e300;
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if (usable(pattern, mask, i)) values.push_back(pattern[i]), peak = std::max(peak, pattern[i]);
  if (values.empty()) return std::nullopt;
  std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(values.size() / 2), values.end());
  const double background = values[values.size() / 2];
  if (!(peak > 4.0 * background + 1e-12)) return std::nullopt;
  // A saturated beam is a plateau at the counter's limit, often on a halo that is not
  // symmetric about it: its centre is that of the plateau (pixels within 5 % of the peak),
  // unweighted. An unsaturated beam: the weighted centroid above half maximum.
  std::size_t at_peak = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) at_peak += usable(pattern, mask, i) && pattern[i] == peak;
  const bool saturated = at_peak >= 5;
  if (saturated_out) *saturated_out = saturated;
  const double level = background + (saturated ? 0.95 : 0.5) * (peak - background);
  double sum = 0, sy = 0, sx = 0, syy = 0, sxx = 0;
  std::size_t n_above = 0;
  for (std::size_t y = 0; y < det_y; ++y)
    for (std::size_t x = 0; x < det_x; ++x) {
      const std::size_t i = y * det_x + x;
      if (!usable(pattern, mask, i)) continue;
      if (!(pattern[i] > level || (saturated && pattern[i] == peak))) continue;
      const double v = saturated ? 1.0 : pattern[i] - level;
      ++n_above;
      sum += v;
      sy += v * double(y), sx += v * double(x);
      syy += v * double(y) * double(y), sxx += v * double(x) * double(x);
    }
  if (n_above < 2) return std::nullopt;  // one pixel is a hot pixel, not a beam
  const double cy = sy / sum, cx = sx / sum;
  // Compact, and inside the ring's hole: a bright speckle is compact too, but on the ring.
  const double inner = std::max(annulus.r_lo, 0.3 * annulus.r_hi);
  const double rms_radius = std::sqrt(std::max(0.0, syy / sum - cy * cy + sxx / sum - cx * cx));
  if (!(rms_radius <= 0.5 * inner)) return std::nullopt;
  const auto ring = registration::ring_centroid(pattern, mask, det_y, det_x);
  if (!(std::hypot(cy - ring[0], cx - ring[1]) <= 0.5 * inner)) return std::nullopt;
  return std::array<double, 2>{cy, cx};
}

}  // namespace ecm::engine
