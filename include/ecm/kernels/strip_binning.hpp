#pragma once
// Binning of the polar strip in k_r, k_phi and t by integer factors (paper section 3.3:
// k_phi bins about the speckle size). Counts are summed, so binning after the polar
// transform equals a polar transform onto the coarse grid.
#include <Kokkos_Core.hpp>

namespace ecm::binning {

struct Factors {
  int kr = 1, kphi = 1, t = 1;
};

// fine(t_f * n_pos + p, ir_f * n_kphi_f + iphi_f) for the frames of one time block (as the
// polar transform leaves them) -> strip(p * n_bins_c + ir_c * n_kphi_c + iphi_c, t_offset_c + t_c).
// The block's cycle count must be a multiple of f.t. This is where frame-major data becomes
// time-contiguous series, block by block, so no separate rechunking pass is needed.
template <class ExecSpace>
void bin_block(const ExecSpace& exec,
               Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> fine,
               std::int64_t n_pos, int n_kr_f, int n_kphi_f, Factors f,
               Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> strip,
               std::size_t t_offset_c) {
  const int n_kr_c = n_kr_f / f.kr, n_kphi_c = n_kphi_f / f.kphi;
  const std::int64_t n_bins_c = std::int64_t(n_kr_c) * n_kphi_c;
  const std::int64_t nt_c = std::int64_t(fine.extent(0)) / n_pos / f.t;
  // One output series per work item, its time samples in a contiguous inner loop (a plain
  // streaming copy when all factors are 1).
  Kokkos::parallel_for(
      "ecm::binning::bin_block", Kokkos::RangePolicy<ExecSpace>(exec, 0, n_pos * n_bins_c),
      KOKKOS_LAMBDA(const std::int64_t s) {
        const std::int64_t p = s / n_bins_c, bc = s % n_bins_c;
        const int irc = int(bc / n_kphi_c), iphic = int(bc % n_kphi_c);
        for (std::int64_t tc = 0; tc < nt_c; ++tc) strip(s, t_offset_c + tc) = 0.0f;
        for (int a = 0; a < f.kr; ++a)
          for (int b = 0; b < f.kphi; ++b) {
            const std::int64_t bin_f = std::int64_t(irc * f.kr + a) * n_kphi_f + (iphic * f.kphi + b);
            for (std::int64_t tc = 0; tc < nt_c; ++tc) {
              float sum = 0.0f;
              for (int dt = 0; dt < f.t; ++dt) sum += fine((tc * f.t + dt) * n_pos + p, bin_f);
              strip(s, t_offset_c + tc) += sum;
            }
          }
      });
}

}  // namespace ecm::binning
