#pragma once
// Frame preprocessing (paper section 2.2): dark subtraction, gain (flat-field)
// multiplication, values below a count threshold set to zero, bad pixels zeroed; and, where
// values can be NaN or Inf (float frames, or after dark and gain), those read as 0 counts.
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
  // NaN and Inf values (after dark and gain) become 0: a missing value is no counts, never
  // a NaN carried into a polar bin. Set for float frames, where a camera or a conversion
  // marks dead or saturated pixels so; integer frames with no dark or gain cannot hold one.
  bool screen_nonfinite = false;
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

// A dark or gain reference may hold NaN or Inf (a camera's flat field marks dead pixels so):
// such a pixel is no measurement, so it is masked (mask grown to the reference's size if
// empty; 1 = bad) and its reference value set to `neutral` (0 for a dark, 1 for a gain), so
// that no NaN reaches a kernel. Returns the number of pixels masked so.
inline std::size_t mask_nonfinite(std::vector<float>& reference, float neutral, std::vector<float>& mask) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const float v = reference[i];
    if (v >= -3.402823466e+38f && v <= 3.402823466e+38f) continue;
    if (mask.empty()) mask.assign(reference.size(), 0.0f);
    mask[i] = 1.0f;
    reference[i] = neutral;
    ++n;
  }
  return n;
}

// One pixel's corrections as a device function. apply() uses it, and so do kernels that
// correct values as they read them (polar::transform_stored), so both give the same floats.
template <class MemSpace>
struct PixelCorrection {
  Kokkos::View<const float*, MemSpace> dark, gain;
  Kokkos::View<const std::uint8_t*, MemSpace> mask;
  float threshold = 0.0f;
  bool has_dark = false, has_gain = false, has_mask = false;
  bool corrects = false;  // dark, gain, mask or a threshold: negative and masked values become 0
  bool screen = false;    // NaN and Inf become 0
  bool active = false;    // false: nothing to correct, values pass unchanged

  PixelCorrection() = default;
  PixelCorrection(const DetectorCorrections<MemSpace>& c, std::size_t n_pix)
      : dark(c.dark), gain(c.gain), mask(c.mask), threshold(c.threshold) {
    has_dark = dark.extent(0) == n_pix;
    has_gain = gain.extent(0) == n_pix;
    has_mask = mask.extent(0) == n_pix;
    corrects = has_dark || has_gain || has_mask || threshold > 0.0f;
    screen = c.screen_nonfinite || has_dark || has_gain;  // a huge gain can overflow to Inf
    active = corrects || screen;
  }

  // Only NaN and Inf to clear (float frames without references): kernels take a lighter path.
  bool screens_only() const { return screen && !corrects; }
  // The same corrections for values known to be finite (a block of frames the reader found
  // clean): no screen, so that clean float data takes the path it took before screening.
  PixelCorrection for_finite_values() const {
    PixelCorrection c = *this;
    c.screen = has_dark || has_gain;
    c.active = c.corrects || c.screen;
    return c;
  }
  static KOKKOS_INLINE_FUNCTION float finite_or_zero(float v) {
    return (v >= -3.402823466e+38f && v <= 3.402823466e+38f) ? v : 0.0f;
  }

  KOKKOS_INLINE_FUNCTION float operator()(float v, std::int64_t p) const {
    if (!active) return v;
    if (has_dark) v -= dark(p);
    if (has_gain) v *= gain(p);
    // Comparisons only (no isfinite in Kokkos 3.4 device code): false for NaN and +-Inf. A
    // select, not a branch, so that the gather over a group of frames still vectorises.
    if (screen) v = finite_or_zero(v);
    if (corrects && (v < threshold || (has_mask && mask(p)))) v = 0.0f;
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
