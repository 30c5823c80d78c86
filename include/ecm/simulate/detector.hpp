#pragma once
// Detector response: electrons -> recorded values.
//   raw = round(counts_per_electron * gain_pix * electrons + dark_pix + read_noise * N(0,1)),
// clamped to the dtype range (float32: neither rounded nor clamped); hot pixels read a
// fixed high value. The references an engine needs to undo this are
//   /dark = dark_pix,  /gain = 1 / (counts_per_electron * gain_pix),  /mask = 1 on hot pixels,
// so that (raw - dark) * gain = electrons (up to read noise and rounding).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "ecm/simulate/config.hpp"
#include "ecm/simulate/rng.hpp"

namespace ecm::simulate {

class DetectorModel {
 public:
  explicit DetectorModel(const SimConfig& cfg);

  // Recorded value (before conversion to the dtype) of `electrons` at pixel p.
  double record(std::size_t p, double electrons, Rng& read_rng) const {
    if (hot_[p]) return cfg_hot_value_;
    double v = scale_[p] * electrons + dark_[p];
    if (read_noise_ > 0) v += read_noise_ * read_rng.normal();
    return v;
  }

  const std::vector<float>& dark() const { return dark_f_; }
  const std::vector<float>& gain_reference() const { return gain_ref_; }
  const std::vector<std::uint8_t>& mask() const { return hot_; }

 private:
  std::vector<double> scale_, dark_;  // cpe * gain_pix, dark_pix
  std::vector<float> dark_f_, gain_ref_;
  std::vector<std::uint8_t> hot_;
  double read_noise_ = 0, cfg_hot_value_ = 0;
};

// Conversion to the stored element type: integers are rounded and clamped to their range.
template <class T>
inline T to_stored(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    const double r = std::floor(v + 0.5);
    if (!(r > 0)) return T{0};
    const double hi = static_cast<double>(std::numeric_limits<T>::max());
    return r >= hi ? std::numeric_limits<T>::max() : static_cast<T>(r);
  }
}

}  // namespace ecm::simulate
