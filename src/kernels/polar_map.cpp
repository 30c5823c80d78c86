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
                             std::size_t det_y, std::size_t det_x, int subsample, const std::vector<float>& mask,
                             const Ellipticity& ellipse) {
  require(grid.n_kr >= 1 && grid.n_kphi >= 1, "need at least one k_r and one k_phi bin");
  require(grid.k_min >= 0 && grid.k_max > grid.k_min, "k range must satisfy 0 <= LO < HI");
  require(subsample >= 1 && subsample <= 64, "polar sub-sampling must be in 1..64");
  const double cy = center_yx[0], cx = center_yx[1];
  require(std::isfinite(cy) && std::isfinite(cx), "the beam centre is not a finite number");
  require(ellipse.e >= 0 && ellipse.e < 1 && std::isfinite(ellipse.angle), "the ellipticity must be in [0, 1)");
  const double r_min = grid.k_min / k_pixel_size, r_max = grid.k_max / k_pixel_size;
  // The strip must lie on the detector, or its outer bins would silently lose counts. Under
  // an ellipse the outer edge reaches extent_y / extent_x from the centre along each axis.
  const double reach_y = ellipse.extent_y(r_max), reach_x = ellipse.extent_x(r_max);
  const double room_y = std::min(cy + 0.5, double(det_y) - 0.5 - cy), room_x = std::min(cx + 0.5, double(det_x) - 0.5 - cx);
  if (reach_y > room_y || reach_x > room_x) {
    const double fits = std::max(0.0, std::min(room_y / ellipse.extent_y(1.0), room_x / ellipse.extent_x(1.0)));
    std::ostringstream msg;
    msg << "k range up to " << grid.k_max << " 1/A (" << r_max << " px from the beam centre " << cy << "," << cx
        << (ellipse.none() ? "" : ", stretched by the ellipse") << ") does not fit on the " << det_y << "x" << det_x
        << " detector; the largest k inside it is " << fits * k_pixel_size << " 1/A";
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
  const OffsetMap undistort = ellipse.undistortion();
  const auto y_lo = std::size_t(std::max(0.0, std::floor(cy - reach_y - 1)));
  const auto y_hi = std::min(det_y, std::size_t(std::ceil(cy + reach_y + 2)));
  const auto x_lo = std::size_t(std::max(0.0, std::floor(cx - reach_x - 1)));
  const auto x_hi = std::min(det_x, std::size_t(std::ceil(cx + reach_x + 2)));
  for (std::size_t y = y_lo; y < y_hi; ++y)
    for (std::size_t x = x_lo; x < x_hi; ++x) {
      const std::size_t pix = y * det_x + x;
      if (!mask.empty() && mask[pix] != 0.0f) continue;
      share.clear();
      for (int sy = 0; sy < subsample; ++sy)
        for (int sx = 0; sx < subsample; ++sx) {
          // The sub-pixel's offset on the detector, mapped back to undistorted k.
          double py, px;
          undistort.apply(double(y) - 0.5 + (sy + 0.5) / subsample - cy, double(x) - 0.5 + (sx + 0.5) / subsample - cx,
                            py, px);
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
