#include "ecm/kernels/polar_map.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "ecm/core/error.hpp"

namespace ecm::polar {

std::vector<double> PolarMapHost::bin_area() const {
  std::vector<double> area(grid.n_bins(), 0.0);
  for (int b = 0; b < grid.n_bins(); ++b)
    for (auto i = row_offsets[b]; i < row_offsets[b + 1]; ++i) area[b] += weights[i];
  return area;
}

PolarMapHost build_polar_map(const PolarGrid& grid, double k_pixel_size, std::array<double, 2> center_yx,
                             std::size_t det_y, std::size_t det_x, int subsample, const std::vector<float>& mask) {
  require(grid.n_kr >= 1 && grid.n_kphi >= 1, "need at least one k_r and one k_phi bin");
  require(grid.k_min >= 0 && grid.k_max > grid.k_min, "k range must satisfy 0 <= LO < HI");
  require(subsample >= 1 && subsample <= 64, "polar sub-sampling must be in 1..64");
  const double cy = center_yx[0], cx = center_yx[1];
  const double r_min = grid.k_min / k_pixel_size, r_max = grid.k_max / k_pixel_size;
  // The strip must lie on the detector, or its outer bins would silently lose counts.
  const double room = std::min({cy + 0.5, double(det_y) - 0.5 - cy, cx + 0.5, double(det_x) - 0.5 - cx});
  if (r_max > room) {
    std::ostringstream msg;
    msg << "k range up to " << grid.k_max << " 1/A (" << r_max << " px from the beam centre " << cy << "," << cx
        << ") does not fit on the " << det_y << "x" << det_x << " detector; the largest k inside it is "
        << std::max(0.0, room) * k_pixel_size << " 1/A";
    throw InputError(msg.str());
  }

  PolarMapHost m;
  m.grid = grid;
  m.det_y = det_y;
  m.det_x = det_x;
  const int n_bins = grid.n_bins();
  const double inv_dk = 1.0 / grid.dk(), inv_dphi = 1.0 / grid.dphi();
  const double w_sub = 1.0 / (double(subsample) * subsample);
  // Entries per bin, built in pixel order; a small per-pixel accumulator merges sub-pixels.
  std::vector<std::vector<std::pair<std::int32_t, double>>> per_bin(n_bins);
  std::map<int, double> share;
  const auto y_lo = std::size_t(std::max(0.0, std::floor(cy - r_max - 1)));
  const auto y_hi = std::min(det_y, std::size_t(std::ceil(cy + r_max + 2)));
  const auto x_lo = std::size_t(std::max(0.0, std::floor(cx - r_max - 1)));
  const auto x_hi = std::min(det_x, std::size_t(std::ceil(cx + r_max + 2)));
  for (std::size_t y = y_lo; y < y_hi; ++y)
    for (std::size_t x = x_lo; x < x_hi; ++x) {
      const std::size_t pix = y * det_x + x;
      if (!mask.empty() && mask[pix] != 0.0f) continue;
      share.clear();
      for (int sy = 0; sy < subsample; ++sy)
        for (int sx = 0; sx < subsample; ++sx) {
          const double py = double(y) - 0.5 + (sy + 0.5) / subsample - cy;
          const double px = double(x) - 0.5 + (sx + 0.5) / subsample - cx;
          const double r = std::hypot(py, px);
          if (r < r_min || r >= r_max) continue;
          const int ir = std::min(grid.n_kr - 1, int((r * k_pixel_size - grid.k_min) * inv_dk));
          const int iphi = std::min(grid.n_kphi - 1, int(polar_angle(py, px) * inv_dphi));
          share[ir * grid.n_kphi + iphi] += w_sub;
        }
      for (const auto& [bin, w] : share) per_bin[bin].emplace_back(std::int32_t(pix), w);
    }
  m.row_offsets.assign(n_bins + 1, 0);
  for (int b = 0; b < n_bins; ++b) m.row_offsets[b + 1] = m.row_offsets[b] + std::int64_t(per_bin[b].size());
  m.pixels.reserve(m.row_offsets.back());
  m.weights.reserve(m.row_offsets.back());
  for (const auto& entries : per_bin)
    for (const auto& [pix, w] : entries) {
      m.pixels.push_back(pix);
      m.weights.push_back(float(w));
    }
  return m;
}

}  // namespace ecm::polar
