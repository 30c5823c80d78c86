#pragma once
// Kernels of the registration stage (engine/registration.hpp):
//   vdf           virtual-dark-field value of every frame (sum over an annular detector);
//   pattern_sum   sum of frames per detector pixel (mean pattern for the beam centre);
//   apply_shift   a tile's frames moved by the sample drift, by bilinear interpolation
//                 between scan positions, from boxes read with a one-position halo;
//   mark_out_of_field  series of scan positions the drift took out of the field.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/kww_fit.hpp"

namespace ecm::registration {

// out(f) = sum_p weights(p) * frames(f, p): one value per frame (scan position and cycle).
template <class ExecSpace>
void vdf(const ExecSpace& exec,
         Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
         Kokkos::View<const float*, typename ExecSpace::memory_space> weights,
         Kokkos::View<double*, typename ExecSpace::memory_space> out) {
  using Team = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  const int n_pixels = int(frames.extent(1));
  Kokkos::parallel_for(
      "ecm::registration::vdf", Kokkos::TeamPolicy<ExecSpace>(exec, int(frames.extent(0)), Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const int f = team.league_rank();
        double sum = 0.0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, n_pixels),
            [&](const int p, double& acc) { acc += double(weights(p)) * double(frames(f, p)); }, sum);
        Kokkos::single(Kokkos::PerTeam(team), [&]() { out(f) = sum; });
      });
}

// out(p) += sum_f frames(f, p).
template <class ExecSpace>
void pattern_sum(const ExecSpace& exec,
                 Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> frames,
                 Kokkos::View<double*, typename ExecSpace::memory_space> out) {
  const std::size_t n_frames = frames.extent(0);
  Kokkos::parallel_for(
      "ecm::registration::pattern_sum", Kokkos::RangePolicy<ExecSpace>(exec, 0, frames.extent(1)),
      KOKKOS_LAMBDA(const std::size_t p) {
        double sum = 0.0;
        for (std::size_t f = 0; f < n_frames; ++f) sum += frames(f, p);
        out(p) += sum;
      });
}

// Geometry of one cycle's read for a drift-corrected tile: the box of scan positions read
// (origin in the scan, same size every cycle) and where the tile's content is in it.
struct ShiftedBox {
  long origin_y = 0, origin_x = 0;  // box origin in scan positions
  double source_y = 0, source_x = 0;  // scan position of the tile's (0, 0) content, relative to the box
};

// out(t, y, x, :) = box_t at fractional position (source_y + y, source_x + x), bilinear.
// boxes: (nt, box_ny, box_nx, det) flattened as (nt * box_ny * box_nx, det); out: (nt *
// tile_ny * tile_nx, det). Positions whose source lies outside the box get zeros: the
// caller marks them out of field (they were outside the scan).
template <class ExecSpace>
void apply_shift(const ExecSpace& exec,
                 Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> boxes,
                 std::size_t box_ny, std::size_t box_nx,
                 Kokkos::View<const ShiftedBox*, typename ExecSpace::memory_space> geometry, std::size_t tile_ny,
                 std::size_t tile_nx, Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> out) {
  using Team = typename Kokkos::TeamPolicy<ExecSpace>::member_type;
  const std::size_t n_pixels = out.extent(1), tile_positions = tile_ny * tile_nx;
  const std::size_t box_positions = box_ny * box_nx;
  const long bny = long(box_ny), bnx = long(box_nx);
  // One team per output frame: the four source frames and weights are found once, then the
  // pixels are a contiguous, vectorisable weighted sum (coalesced on a GPU).
  Kokkos::parallel_for(
      "ecm::registration::apply_shift", Kokkos::TeamPolicy<ExecSpace>(exec, int(out.extent(0)), Kokkos::AUTO),
      KOKKOS_LAMBDA(const Team& team) {
        const std::size_t row = std::size_t(team.league_rank());
        const std::size_t t = row / tile_positions, pos = row % tile_positions;
        const ShiftedBox g = geometry(t);
        const double sy = g.source_y + double(pos / tile_nx), sx = g.source_x + double(pos % tile_nx);
        const double fy0 = kmath::floor(sy), fx0 = kmath::floor(sx);
        const long y0 = long(fy0), x0 = long(fx0);
        const double wy = sy - fy0, wx = sx - fx0;
        const std::size_t base = t * box_positions;
        // Up to four sources; a zero weight (exact integer source) needs no neighbour.
        std::size_t src[4] = {0, 0, 0, 0};
        float w[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        bool inside = true;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) {
            const double weight = (a ? wy : 1.0 - wy) * (b ? wx : 1.0 - wx);
            if (weight <= 0.0) continue;
            const long y = y0 + a, x = x0 + b;
            if (y < 0 || y >= bny || x < 0 || x >= bnx) {
              inside = false;
              continue;
            }
            src[2 * a + b] = base + std::size_t(y * bnx + x);
            w[2 * a + b] = float(weight);
          }
        const float scale = inside ? 1.0f : 0.0f;
        Kokkos::parallel_for(Kokkos::TeamVectorRange(team, int(n_pixels)), [&](const int p) {
          out(row, p) = scale * (w[0] * boxes(src[0], p) + w[1] * boxes(src[1], p) + w[2] * boxes(src[2], p) +
                                 w[3] * boxes(src[3], p));
        });
      });
}

// pre_status(s) = out_of_field for every series of a position flagged in `outside`
// (one flag per tile position; series s belongs to position s / n_bins).
template <class ExecSpace>
void mark_out_of_field(const ExecSpace& exec, Kokkos::View<const std::uint8_t*, typename ExecSpace::memory_space> outside,
                       std::size_t n_bins, Kokkos::View<std::uint8_t*, typename ExecSpace::memory_space> pre_status) {
  Kokkos::parallel_for(
      "ecm::registration::mark_out_of_field", Kokkos::RangePolicy<ExecSpace>(exec, 0, pre_status.extent(0)),
      KOKKOS_LAMBDA(const std::size_t s) {
        if (outside(s / n_bins)) pre_status(s) = std::uint8_t(fit::Status::out_of_field);
      });
}

}  // namespace ecm::registration
