#pragma once
// Binning of the polar strip in k_r, k_phi and t by integer factors (paper section 3.3:
// k_phi bins about the speckle size). Counts are summed, so binning after the polar
// transform equals a polar transform onto the coarse grid.
#include <Kokkos_Core.hpp>

namespace ecm::binning {

struct Factors {
  int kr = 1, kphi = 1, t = 1;
};

// fine(p, ir_f * n_kphi_f + iphi_f, t_f) for t_f in [0, nt_f) of one time block ->
// strip(p * n_bins_c + ir_c * n_kphi_c + iphi_c, t_offset_c + t_c). nt_f must be a multiple of f.t.
template <class ExecSpace>
void bin_block(const ExecSpace& exec,
               Kokkos::View<const float***, Kokkos::LayoutRight, typename ExecSpace::memory_space> fine, int n_kr_f,
               int n_kphi_f, Factors f,
               Kokkos::View<float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> strip,
               std::size_t t_offset_c) {
  const std::int64_t n_pos = fine.extent(0);
  const int n_kr_c = n_kr_f / f.kr, n_kphi_c = n_kphi_f / f.kphi;
  const std::int64_t n_bins_c = std::int64_t(n_kr_c) * n_kphi_c;
  const std::int64_t nt_c = fine.extent(2) / f.t;
  using Policy = Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<3>, Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for(
      "ecm::binning::bin_block", Policy(exec, {0, 0, 0}, {n_pos, n_bins_c, nt_c}),
      KOKKOS_LAMBDA(const std::int64_t p, const std::int64_t bc, const std::int64_t tc) {
        const int irc = int(bc / n_kphi_c), iphic = int(bc % n_kphi_c);
        float sum = 0.0f;
        for (int a = 0; a < f.kr; ++a)
          for (int b = 0; b < f.kphi; ++b) {
            const std::int64_t bin_f = std::int64_t(irc * f.kr + a) * n_kphi_f + (iphic * f.kphi + b);
            for (int dt = 0; dt < f.t; ++dt) sum += fine(p, bin_f, tc * f.t + dt);
          }
        strip(p * n_bins_c + bc, t_offset_c + tc) = sum;
      });
}

}  // namespace ecm::binning
