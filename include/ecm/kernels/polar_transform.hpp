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
  // One frame per work item, all its bins in turn: the frame's pixels stay in cache while
  // its bins are gathered, and a block holds thousands of frames to spread over threads.
  Kokkos::parallel_for(
      "ecm::polar::transform", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_frames), KOKKOS_LAMBDA(const std::int64_t f) {
        for (std::int64_t b = 0; b < n_bins; ++b) {
          float sum = 0.0f;
          for (auto e = offsets(b); e < offsets(b + 1); ++e) sum += weights(e) * frames(f, pixels(e));
          binned(f, b) = sum;
        }
      });
}

}  // namespace ecm::polar
