#include "ecm/simulate/detector.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ecm::simulate {

DetectorModel::DetectorModel(const SimConfig& cfg) {
  const std::size_t n = cfg.det_y * cfg.det_x;
  scale_.assign(n, cfg.counts_per_electron);
  dark_.assign(n, cfg.dark_level);
  hot_.assign(n, 0);
  read_noise_ = cfg.read_noise;
  if (cfg.saturation_counts > 0) saturation_ = cfg.saturation_counts;
  hot_value_ = std::min(cfg.hot_pixel_value, saturation_);
  // Each per-pixel property has its own stream, drawn in pixel order, so it is the same
  // on every rank and does not change when another property is switched on.
  if (cfg.gain_spread > 0) {
    Rng rng(cfg.seed, 0, 0, Purpose::gain);
    for (auto& s : scale_) s = cfg.counts_per_electron * std::max(0.05, 1.0 + cfg.gain_spread * rng.normal());
  }
  if (cfg.dark_spread > 0) {
    Rng rng(cfg.seed, 0, 0, Purpose::dark);
    for (auto& d : dark_) d = std::max(0.0, cfg.dark_level + cfg.dark_spread * rng.normal());
  }
  if (cfg.hot_pixels > 0) {
    // Partial Fisher-Yates: hot_pixels distinct pixels.
    Rng rng(cfg.seed, 0, 0, Purpose::hot);
    std::vector<std::size_t> idx(n);
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    for (std::size_t k = 0; k < cfg.hot_pixels; ++k) {
      const std::size_t j = k + static_cast<std::size_t>(rng.uniform() * static_cast<double>(n - k));
      std::swap(idx[k], idx[std::min(j, n - 1)]);
      hot_[idx[k]] = 1;
    }
  }
  dark_f_.resize(n);
  gain_ref_.resize(n);
  for (std::size_t p = 0; p < n; ++p) {
    dark_f_[p] = static_cast<float>(dark_[p]);
    gain_ref_[p] = static_cast<float>(1.0 / scale_[p]);
  }
}

}  // namespace ecm::simulate
