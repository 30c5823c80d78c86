#pragma once
// Applies a PolarMap to a block of preprocessed frames: a gather per (frame, bin).
#include <Kokkos_Core.hpp>

#include "ecm/kernels/polar_map.hpp"

namespace ecm::polar {

// frames(f, pixel) -> binned(f, bin): counts per bin, frame by frame (f = t * n_pos + p as
// read). Output stays frame-major so that writes are contiguous; the one transpose to
// time-contiguous series happens in binning::bin_block.
template <class ExecSpace>
void transform(const ExecSpace& exec, const PolarMap<typename ExecSpace::memory_space>& map,
               Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
               Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> binned) {
  const std::int64_t n_bins = map.n_bins;
  const std::int64_t n_frames = frames.extent(0);
  const auto offsets = map.row_offsets;
  const auto pixels = map.pixels;
  const auto weights = map.weights;
  // A group of kGroup frames per work item, all bins in turn: each map entry (pixel index and
  // weight) is loaded once for kGroup independent sums, the group's pixels stay in cache, and
  // a block still holds thousands of groups to spread over threads.
  constexpr std::int64_t kGroup = 8;
  const std::int64_t n_groups = (n_frames + kGroup - 1) / kGroup;
  Kokkos::parallel_for(
      "ecm::polar::transform", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_groups), KOKKOS_LAMBDA(const std::int64_t g) {
        const std::int64_t f0 = g * kGroup;
        if (f0 + kGroup <= n_frames) {
          for (std::int64_t b = 0; b < n_bins; ++b) {
            float sum[kGroup] = {};
            for (auto e = offsets(b); e < offsets(b + 1); ++e) {
              const auto pix = pixels(e);
              const float w = weights(e);
              for (std::int64_t k = 0; k < kGroup; ++k) sum[k] += w * frames(f0 + k, pix);
            }
            for (std::int64_t k = 0; k < kGroup; ++k) binned(f0 + k, b) = sum[k];
          }
        } else {  // the last, partial group
          for (std::int64_t f = f0; f < n_frames; ++f)
            for (std::int64_t b = 0; b < n_bins; ++b) {
              float sum = 0.0f;
              for (auto e = offsets(b); e < offsets(b + 1); ++e) sum += weights(e) * frames(f, pixels(e));
              binned(f, b) = sum;
            }
        }
      });
}

}  // namespace ecm::polar
