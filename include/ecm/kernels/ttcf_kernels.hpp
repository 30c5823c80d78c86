#pragma once
// Kernels of the two-time correlation (paper Eq. 5, docs/ttcf.md) on one tile's strip:
//   G_r(t1, t2) = <I(t1, k) I(t2, k)>_k / (<I(t1, k)>_k <I(t2, k)>_k)
// per scan position r over its ring bins k, summed over positions.
//
// 1. normalize: each bin's series is divided by its time mean (the static pattern: ring
//    bins differ in mean intensity across k_r and by detector response, which would
//    otherwise stay in G - 1 as var_k<I>/<I>^2 at every lag), then each time sample by the
//    position's ring mean m_r(t) of those, and by sqrt(n_k(r)):
//       J(s, t) = I(s, t) / (<I(s)>_t m_r(t) sqrt(n_k(r))),
//    so that G_r(t1, t2) = sum_k J(t1, k) J(t2, k) exactly, and the sum of G_r over
//    positions is one product J^T J over all the tile's series. Bins with no counts in
//    the whole run (or no detector area) are left out of n_k(r); positions with a ring
//    mean of 0 at some cycle, or that the drift takes off the scan, get J = 0 (skipped).
// 2. accumulate: G += J^T J on 32 x 32 blocks of (t1, t2) with t1-block <= t2-block (the
//    lower triangle is the mirror image, filled on the host), each block summed over all
//    series in double precision by one team: memory O(T^2) per output, never per position.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/core/kokkos_types.hpp"

namespace ecm::ttcf {

// Per scan position of a tile.
enum class PositionStatus : std::uint8_t {
  valid = 0,
  no_counts = 1,     // ring mean 0 at some cycle (or no bin with counts): left out
  out_of_field = 2,  // the drift takes it off the scan at some cycle: left out
};

// Work arrays of normalize() for one tile.
template <class MemSpace>
struct TileWork {
  Kokkos::View<double*, MemSpace> series_mean;                     // <I(s)>_t, 0 = bin left out
  Kokkos::View<double**, Kokkos::LayoutRight, MemSpace> ring_mean;  // m_r(t), (n_pos, T)
  Kokkos::View<double*, MemSpace> weight;                          // 1/sqrt(n_k(r)), 0 = position left out
  Kokkos::View<std::uint8_t*, MemSpace> status;                    // PositionStatus per position
  TileWork(std::size_t n_pos, std::size_t n_bins, std::size_t n_t)
      : series_mean(Kokkos::view_alloc("ecm::ttcf::series_mean", Kokkos::WithoutInitializing), n_pos * n_bins),
        ring_mean(Kokkos::view_alloc("ecm::ttcf::ring_mean", Kokkos::WithoutInitializing), n_pos, n_t),
        weight(Kokkos::view_alloc("ecm::ttcf::weight", Kokkos::WithoutInitializing), n_pos),
        status(Kokkos::view_alloc("ecm::ttcf::status", Kokkos::WithoutInitializing), n_pos) {}
};

// Turns the strip (n_pos * n_bins series, T samples) into J in place (see above).
// bin_area: detector area of each of the n_bins bins; out_of_field: one flag per position,
// or empty when the drift is not applied.
template <class ExecSpace>
void normalize(const ExecSpace& exec,
               Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> strip, std::size_t n_bins,
               Kokkos::View<const float*, typename ExecSpace::memory_space> bin_area,
               Kokkos::View<const std::uint8_t*, typename ExecSpace::memory_space> out_of_field,
               TileWork<typename ExecSpace::memory_space>& work) {
  const std::int64_t n_series = std::int64_t(strip.extent(0)), n_t = std::int64_t(strip.extent(1));
  const std::int64_t n_pos = n_series / std::int64_t(n_bins), nb = std::int64_t(n_bins);
  const bool has_field_flags = out_of_field.extent(0) > 0;
  auto series_mean = work.series_mean;
  auto ring_mean = work.ring_mean;
  auto weight = work.weight;
  auto status = work.status;
  Kokkos::parallel_for(
      "ecm::ttcf::series_mean", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_series), KOKKOS_LAMBDA(const std::int64_t s) {
        double sum = 0.0;
        for (std::int64_t t = 0; t < n_t; ++t) sum += strip(s, t);
        series_mean(s) = bin_area(s % nb) > 0.0f && sum > 0.0 ? sum / double(n_t) : 0.0;
      });
  // One position per work item: its bins in turn, each a contiguous row of the strip.
  Kokkos::parallel_for(
      "ecm::ttcf::ring_mean", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_pos), KOKKOS_LAMBDA(const std::int64_t p) {
        for (std::int64_t t = 0; t < n_t; ++t) ring_mean(p, t) = 0.0;
        std::int64_t n_k = 0;
        for (std::int64_t k = 0; k < nb; ++k) {
          const double mu = series_mean(p * nb + k);
          if (!(mu > 0.0)) continue;
          ++n_k;
          const double inv = 1.0 / mu;
          for (std::int64_t t = 0; t < n_t; ++t) ring_mean(p, t) += double(strip(p * nb + k, t)) * inv;
        }
        bool counts = n_k > 0;
        for (std::int64_t t = 0; t < n_t && counts; ++t) {
          ring_mean(p, t) /= double(n_k);
          counts = ring_mean(p, t) > 0.0;
        }
        PositionStatus st = counts ? PositionStatus::valid : PositionStatus::no_counts;
        if (has_field_flags && out_of_field(p) != 0) st = PositionStatus::out_of_field;
        status(p) = std::uint8_t(st);
        weight(p) = st == PositionStatus::valid ? 1.0 / kmath::sqrt(double(n_k)) : 0.0;
      });
  Kokkos::parallel_for(
      "ecm::ttcf::normalize", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_series), KOKKOS_LAMBDA(const std::int64_t s) {
        const std::int64_t p = s / nb;
        const double w = weight(p), mu = series_mean(s);
        if (w == 0.0 || !(mu > 0.0)) {
          for (std::int64_t t = 0; t < n_t; ++t) strip(s, t) = 0.0f;
          return;
        }
        const double scale = w / mu;
        for (std::int64_t t = 0; t < n_t; ++t) strip(s, t) = float(double(strip(s, t)) * scale / ring_mean(p, t));
      });
}

// Side of the (t1, t2) blocks one team sums.
constexpr int kBlock = 32;

// G(t1, t2) += sum_s J(s, t1) J(s, t2) for t1, t2 in blocks with block(t1) <= block(t2)
// (G is T x T; the caller mirrors the lower triangle once all sums are in).
template <class ExecSpace>
void accumulate(const ExecSpace& exec,
                Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> J,
                Kokkos::View<double**, Kokkos::LayoutRight, typename ExecSpace::memory_space> G) {
  using Policy = Kokkos::TeamPolicy<ExecSpace>;
  using Member = typename Policy::member_type;
  using Scratch = Kokkos::View<double**, Kokkos::LayoutRight, typename ExecSpace::scratch_memory_space,
                               Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  const std::int64_t n_series = std::int64_t(J.extent(0)), n_t = std::int64_t(J.extent(1));
  if (n_series == 0 || n_t == 0) return;
  const std::int64_t nb = (n_t + kBlock - 1) / kBlock;
  const std::int64_t n_pairs = nb * (nb + 1) / 2;
  // Threads over rows and vector lanes over columns of a block (GPUs); one thread per team
  // on host backends, where a block's accumulator (8 KiB) stays in L1 while every series
  // streams by once per block pair, in two contiguous runs of 32 samples.
  const int vector = Policy::vector_length_max() < kBlock ? Policy::vector_length_max() : kBlock;
  Policy policy(exec, int(n_pairs), Kokkos::AUTO, vector);
  policy.set_scratch_size(0, Kokkos::PerTeam(Scratch::shmem_size(kBlock, kBlock)));
  Kokkos::parallel_for(
      "ecm::ttcf::accumulate", policy, KOKKOS_LAMBDA(const Member& team) {
        // League rank -> (bi, bj), bi <= bj, row by row over the upper triangle of blocks.
        std::int64_t k = team.league_rank(), bi = 0;
        while (k >= nb - bi) {
          k -= nb - bi;
          ++bi;
        }
        const std::int64_t bj = bi + k;
        const std::int64_t t1 = bi * kBlock, t2 = bj * kBlock;
        const int ni = int(kmath::min<std::int64_t>(kBlock, n_t - t1));
        const int nj = int(kmath::min<std::int64_t>(kBlock, n_t - t2));
        Scratch acc(team.team_scratch(0), kBlock, kBlock);
        // Every loop below maps (i, j) to threads and lanes the same way (same ranges), so
        // each entry of acc is only ever touched by one thread: no barrier between series.
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, ni), [&](const int i) {
          Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, nj), [&](const int j) { acc(i, j) = 0.0; });
        });
        for (std::int64_t s = 0; s < n_series; ++s) {
          Kokkos::parallel_for(Kokkos::TeamThreadRange(team, ni), [&](const int i) {
            const double a = J(s, t1 + i);
            if (a == 0.0) return;  // zero counts, or a series left out: nothing to add
            Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, nj),
                                 [&](const int j) { acc(i, j) += a * double(J(s, t2 + j)); });
          });
        }
        Kokkos::parallel_for(Kokkos::TeamThreadRange(team, ni), [&](const int i) {
          Kokkos::parallel_for(Kokkos::ThreadVectorRange(team, nj),
                               [&](const int j) { G(t1 + i, t2 + j) += acc(i, j); });
        });
      });
}

}  // namespace ecm::ttcf
