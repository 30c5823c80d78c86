#pragma once
// Applies a PolarMap to a block of frames: a gather per (frame, bin). `transform` takes
// preprocessed float frames; `transform_stored` takes frames as stored in the file and
// converts and corrects each value as it gathers it, so that a block of raw frames passes
// through memory once instead of once per kernel (docs/performance.md).
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/io/hdf5.hpp"
#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/polar_map.hpp"
#include "ecm/kernels/preprocess.hpp"

namespace ecm::polar {

namespace detail {
// binned(f, b) = sum over the map entries e of bin b of weights(e) * value(f, pixels(e)).
// A group of kGroup frames per work item, all bins in turn: each map entry (pixel index and
// weight) is loaded once for kGroup independent sums, the group's pixels stay in cache, and
// a block still holds thousands of groups to spread over threads.
template <class ExecSpace, class Value>
void gather(const char* label, const ExecSpace& exec, const PolarMap<typename ExecSpace::memory_space>& map,
            std::int64_t n_frames, const Value& value,
            Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> binned) {
  const std::int64_t n_bins = map.n_bins;
  const auto offsets = map.row_offsets;
  const auto pixels = map.pixels;
  const auto weights = map.weights;
  constexpr std::int64_t kGroup = 8;
  const std::int64_t n_groups = (n_frames + kGroup - 1) / kGroup;
  Kokkos::parallel_for(
      label, Kokkos::RangePolicy<ExecSpace>(exec, 0, n_groups), KOKKOS_LAMBDA(const std::int64_t g) {
        const std::int64_t f0 = g * kGroup;
        if (f0 + kGroup <= n_frames) {
          for (std::int64_t b = 0; b < n_bins; ++b) {
            float sum[kGroup] = {};
            for (auto e = offsets(b); e < offsets(b + 1); ++e) {
              const auto pix = pixels(e);
              const float w = weights(e);
              for (std::int64_t k = 0; k < kGroup; ++k) sum[k] += w * value(f0 + k, pix);
            }
            for (std::int64_t k = 0; k < kGroup; ++k) binned(f0 + k, b) = sum[k];
          }
        } else {  // the last, partial group
          for (std::int64_t f = f0; f < n_frames; ++f)
            for (std::int64_t b = 0; b < n_bins; ++b) {
              float sum = 0.0f;
              for (auto e = offsets(b); e < offsets(b + 1); ++e) sum += weights(e) * value(f, pixels(e));
              binned(f, b) = sum;
            }
        }
      });
}

template <class View>
struct FloatValue {
  View frames;
  KOKKOS_INLINE_FUNCTION float operator()(std::int64_t f, std::int64_t p) const { return frames(f, p); }
};

// Float frames with no reference: only NaN and Inf become 0 (preprocess::PixelCorrection).
template <class View>
struct FiniteValue {
  View frames;
  KOKKOS_INLINE_FUNCTION float operator()(std::int64_t f, std::int64_t p) const {
    return preprocess::PixelCorrection<typename View::memory_space>::finite_or_zero(static_cast<float>(frames(f, p)));
  }
};

template <class View, class Correction>
struct StoredValue {
  View frames;
  Correction correct;
  KOKKOS_INLINE_FUNCTION float operator()(std::int64_t f, std::int64_t p) const {
    return correct(static_cast<float>(frames(f, p)), p);
  }
};

}  // namespace detail

// frames(f, pixel) -> binned(f, bin): counts per bin, frame by frame (f = t * n_pos + p as
// read). Output stays frame-major so that writes are contiguous; the one transpose to
// time-contiguous series happens in binning::bin_block.
template <class ExecSpace>
void transform(const ExecSpace& exec, const PolarMap<typename ExecSpace::memory_space>& map,
               Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
               Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> binned) {
  using Frames = Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space>;
  detail::gather("ecm::polar::transform", exec, map, std::int64_t(frames.extent(0)), detail::FloatValue<Frames>{frames},
                 binned);
}

// The same from n_frames frames of n_pix values stored as `dtype` at `raw` (in ExecSpace's
// memory), each converted to float and corrected as it is read: equal to convert::to_float,
// then preprocess::apply, then transform.
template <class ExecSpace>
void transform_stored(const ExecSpace& exec, const PolarMap<typename ExecSpace::memory_space>& map, h5::DType dtype,
                      const unsigned char* raw, std::int64_t n_frames, std::int64_t n_pix,
                      const preprocess::PixelCorrection<typename ExecSpace::memory_space>& correct,
                      Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> binned) {
  // The kernel is in gather (a named function): CUDA allows no device lambda in a generic one.
  convert::with_stored_type(dtype, "polar transform", [&](auto tag) {
    using Mem = typename ExecSpace::memory_space;
    using Frames = Kokkos::View<const decltype(tag)**, Kokkos::LayoutRight, Mem, Kokkos::MemoryUnmanaged>;
    const Frames frames(reinterpret_cast<const decltype(tag)*>(raw), n_frames, n_pix);
    if (correct.screens_only())  // the common float case, at the cost of a select per value
      detail::gather("ecm::polar::transform_stored", exec, map, n_frames, detail::FiniteValue<Frames>{frames}, binned);
    else
      detail::gather("ecm::polar::transform_stored", exec, map, n_frames,
                     detail::StoredValue<Frames, preprocess::PixelCorrection<Mem>>{frames, correct}, binned);
  });
}

}  // namespace ecm::polar
