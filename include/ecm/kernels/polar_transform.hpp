#pragma once
// Applies a PolarMap to a block of preprocessed frames: a gather per (frame, bin).
#include <Kokkos_Core.hpp>

#include "ecm/kernels/polar_map.hpp"

namespace ecm::polar {

// frames(t * n_pos + p, pixel) -> strip_block(p, bin, t), counts per bin per frame.
template <class ExecSpace>
void transform(const ExecSpace& exec, const PolarMap<typename ExecSpace::memory_space>& map,
               Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
               std::size_t n_pos,
               Kokkos::View<float***, Kokkos::LayoutRight, typename ExecSpace::memory_space> strip_block) {
  const std::int64_t n_bins = map.n_bins;
  const std::int64_t n_frames = frames.extent(0);
  const std::int64_t n_p = n_pos;
  const auto offsets = map.row_offsets;
  const auto pixels = map.pixels;
  const auto weights = map.weights;
  // 2-D range (frame, bin): no integer division per element, and on a CPU each frame's
  // pixels stay in cache while all its bins are gathered.
  using Policy = Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<2>, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for(
      "ecm::polar::transform", Policy(exec, {0, 0}, {n_frames, n_bins}),
      KOKKOS_LAMBDA(const std::int64_t f, const std::int64_t b) {
        float sum = 0.0f;
        for (auto e = offsets(b); e < offsets(b + 1); ++e) sum += weights(e) * frames(f, pixels(e));
        strip_block(f % n_p, b, f / n_p) = sum;
      });
}

}  // namespace ecm::polar
