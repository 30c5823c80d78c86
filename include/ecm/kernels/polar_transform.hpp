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
  const std::size_t n_bins = map.n_bins;
  const std::size_t n_frames = frames.extent(0);
  const auto offsets = map.row_offsets;
  const auto pixels = map.pixels;
  const auto weights = map.weights;
  Kokkos::parallel_for(
      "ecm::polar::transform", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_frames * n_bins),
      KOKKOS_LAMBDA(const std::size_t i) {
        const std::size_t f = i / n_bins, b = i % n_bins;
        const std::size_t t = f / n_pos, p = f % n_pos;
        float sum = 0.0f;
        for (auto e = offsets(b); e < offsets(b + 1); ++e) sum += weights(e) * frames(f, pixels(e));
        strip_block(p, b, t) = sum;
      });
}

}  // namespace ecm::polar
