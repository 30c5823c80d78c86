#pragma once
// Detector response: electrons -> recorded values.
//   raw = round(counts_per_electron * gain_pix * electrons + dark_pix + read_noise * N(0,1)),
// then clipped at the counter depth saturation_counts (when set) and, on storing, clamped to
// the integer dtype's range (float32: neither rounded nor range-clamped). Both are a ceiling
// on the same value: saturation is a whole number within the dtype's range (validate), so a
// stored value never exceeds it. Hot pixels read a fixed high value, under the same ceiling.
// The references an engine needs to undo this are
//   /dark = dark_pix,  /gain = 1 / (counts_per_electron * gain_pix),  /mask = 1 on hot pixels,
// so that (raw - dark) * gain = electrons (up to read noise and rounding).
#include <algorithm>
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
    if (hot_[p]) return hot_value_;
    double v = scale_[p] * electrons + dark_[p];
    if (read_noise_ > 0) v += read_noise_ * read_rng.normal();
    return std::min(v, saturation_);
  }

  const std::vector<float>& dark() const { return dark_f_; }
  const std::vector<float>& gain_reference() const { return gain_ref_; }
  const std::vector<std::uint8_t>& mask() const { return hot_; }

 private:
  std::vector<double> scale_, dark_;  // cpe * gain_pix, dark_pix
  std::vector<float> dark_f_, gain_ref_;
  std::vector<std::uint8_t> hot_;
  double read_noise_ = 0, hot_value_ = 0;
  double saturation_ = std::numeric_limits<double>::infinity();  // counter depth [counts]
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
