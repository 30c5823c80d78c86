#pragma once
// Frame preprocessing (paper section 2.2): dark subtraction, gain (flat-field)
// multiplication, values below a count threshold set to zero, bad pixels zeroed.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/core/views.hpp"

namespace ecm::preprocess {

// Per-detector-pixel corrections, resident in MemSpace. Empty views mean "not given".
template <class MemSpace>
struct DetectorCorrections {
  Kokkos::View<float*, MemSpace> dark;         // subtracted [raw counts]
  Kokkos::View<float*, MemSpace> gain;         // multiplied after dark subtraction
  Kokkos::View<std::uint8_t*, MemSpace> mask;  // 1 = bad pixel
  float threshold = 0.0f;                      // values < threshold (after dark, gain) become 0
};

// Builds corrections from host vectors (each empty or of det_pixels length).
template <class MemSpace>
DetectorCorrections<MemSpace> make_corrections(const std::vector<float>& dark, const std::vector<float>& gain,
                                               const std::vector<float>& mask, float threshold) {
  DetectorCorrections<MemSpace> c;
  c.threshold = threshold;
  if (!dark.empty()) c.dark = to_device<MemSpace>(dark, "ecm::preprocess::dark");
  if (!gain.empty()) c.gain = to_device<MemSpace>(gain, "ecm::preprocess::gain");
  if (!mask.empty()) {
    std::vector<std::uint8_t> bad(mask.size());
    for (std::size_t i = 0; i < mask.size(); ++i) bad[i] = mask[i] != 0.0f ? 1 : 0;
    c.mask = to_device<MemSpace>(bad, "ecm::preprocess::mask");
  }
  return c;
}

// One pixel's corrections as a device function. apply() uses it, and so do kernels that
// correct values as they read them (polar::transform_stored), so both give the same floats.
template <class MemSpace>
struct PixelCorrection {
  Kokkos::View<const float*, MemSpace> dark, gain;
  Kokkos::View<const std::uint8_t*, MemSpace> mask;
  float threshold = 0.0f;
  bool has_dark = false, has_gain = false, has_mask = false;
  bool active = false;  // false: nothing to correct, values pass unchanged

  PixelCorrection() = default;
  PixelCorrection(const DetectorCorrections<MemSpace>& c, std::size_t n_pix)
      : dark(c.dark), gain(c.gain), mask(c.mask), threshold(c.threshold) {
    has_dark = dark.extent(0) == n_pix;
    has_gain = gain.extent(0) == n_pix;
    has_mask = mask.extent(0) == n_pix;
    active = has_dark || has_gain || has_mask || threshold > 0.0f;
  }

  KOKKOS_INLINE_FUNCTION float operator()(float v, std::int64_t p) const {
    if (!active) return v;
    if (has_dark) v -= dark(p);
    if (has_gain) v *= gain(p);
    if (v < threshold || (has_mask && mask(p))) v = 0.0f;
    return v;
  }
};

// Applies the corrections in place to `frames` (n_frames, det_pixels).
template <class ExecSpace>
void apply(const ExecSpace& exec, Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
           const DetectorCorrections<typename ExecSpace::memory_space>& c) {
  const std::int64_t n_pix = frames.extent(1);
  const PixelCorrection<typename ExecSpace::memory_space> correct(c, std::size_t(n_pix));
  if (!correct.active) return;  // nothing to do
  using Policy = Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for(
      "ecm::preprocess::apply", Policy(exec, {0, 0}, {std::int64_t(frames.extent(0)), n_pix}),
      KOKKOS_LAMBDA(const std::int64_t f, const std::int64_t p) { frames(f, p) = correct(frames(f, p), p); });
}

}  // namespace ecm::preprocess
