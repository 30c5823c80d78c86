#include "ecm/engine/tile_processor.hpp"

#include "ecm/core/views.hpp"
#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/polar_transform.hpp"
#include "ecm/kernels/strip_binning.hpp"
#include "ecm/kernels/series_stats.hpp"

namespace ecm::engine {

TileProcessor::TileProcessor(const RunConfig& config, const AnalysisSetup& setup, const polar::PolarMapHost& map,
                             const preprocess::DetectorCorrections<MemSpace>& corrections, const MemoryPlan& plan,
                             std::unique_ptr<g2::G2Engine<ExecSpace>> g2)
    : config_(config),
      setup_(setup),
      map_(polar::upload<MemSpace>(map)),
      corrections_(corrections),
      plan_(plan),
      g2_(std::move(g2)) {
  lag_s_ = to_device<MemSpace>(setup.lag_s, "ecm::engine::lag_s");
  bin_area_ = to_device<MemSpace>(std::vector<float>(setup.bin_area_px.begin(), setup.bin_area_px.end()),
                                  "ecm::engine::bin_area");
}

TileProcessor::~TileProcessor() = default;

io::TileResults TileProcessor::process(const io::InputDataset& input, const ScanTile& tile, StageTimer& timer) {
  using Right = Kokkos::LayoutRight;
  ExecSpace exec;
  const auto& L = input.layout();
  const std::size_t n_pos = tile.positions();
  const std::size_t n_bins_f = std::size_t(setup_.fine_grid.n_bins());
  const std::size_t n_bins = std::size_t(config_.grid.n_bins());
  const std::size_t n_series = n_pos * n_bins;
  const std::size_t block = plan_.cycles_per_block;

  // 1. Strip: raw cycles in blocks -> preprocess -> polar -> bin.
  Kokkos::View<float**, Right, MemSpace> strip(Kokkos::view_alloc("ecm::engine::strip", Kokkos::WithoutInitializing),
                                               n_series, setup_.n_t_binned);
  const std::size_t block_values = block * n_pos * L.det_pixels();
  Kokkos::View<unsigned char*, MemSpace> stored(Kokkos::view_alloc("ecm::engine::stored", Kokkos::WithoutInitializing),
                                                block_values * L.element_bytes());
  Kokkos::View<float*, MemSpace> raw_buf(Kokkos::view_alloc("ecm::engine::raw", Kokkos::WithoutInitializing),
                                         block_values);
  Kokkos::View<float*, MemSpace> fine_buf(Kokkos::view_alloc("ecm::engine::fine", Kokkos::WithoutInitializing),
                                          n_pos * n_bins_f * block);
  auto stored_host = Kokkos::create_mirror_view(stored);
  timer.mark("setup");
  for (std::size_t t0 = 0; t0 < setup_.n_t_used; t0 += block) {
    const std::size_t nt = std::min(block, setup_.n_t_used - t0);
    input.read_tile_block(t0, nt, tile, stored_host.data(), h5::native_type(L.dtype));
    Kokkos::deep_copy(stored, stored_host);
    timer.mark("read");
    convert::to_float(exec, L.dtype, stored.data(), raw_buf.data(), nt * n_pos * L.det_pixels());
    Kokkos::View<float**, Right, MemSpace> frames(raw_buf.data(), nt * n_pos, L.det_pixels());
    Kokkos::View<float**, Right, MemSpace> fine(fine_buf.data(), nt * n_pos, n_bins_f);
    preprocess::apply(exec, frames, corrections_);
    polar::transform(exec, map_, Kokkos::View<const float**, Right, MemSpace>(frames), fine);
    binning::bin_block(exec, Kokkos::View<const float**, Right, MemSpace>(fine), std::int64_t(n_pos),
                       setup_.fine_grid.n_kr, setup_.fine_grid.n_kphi, setup_.bin, strip,
                       t0 / std::size_t(setup_.bin.t));
    exec.fence();
    timer.mark("polar");
  }

  // 2. Which series are worth fitting: mean counts per frame and bin coverage.
  Kokkos::View<float*, MemSpace> mean_intensity("ecm::engine::mean_intensity", n_series);
  Kokkos::View<std::uint8_t*, MemSpace> pre_status("ecm::engine::pre_status", n_series);
  series_stats::classify(exec, Kokkos::View<const float**, Right, MemSpace>(strip), bin_area_, n_bins,
                         float(config_.min_counts), mean_intensity, pre_status);

  // 3. g2 at log-spaced lags, 4. KWW fits.
  Kokkos::View<double**, Right, MemSpace> g2(Kokkos::view_alloc("ecm::engine::g2", Kokkos::WithoutInitializing),
                                             n_series, setup_.lag_s.size());
  g2_->compute(exec, strip, g2);
  exec.fence();
  timer.mark("g2");
  fit::KwwResults<MemSpace> fitted(n_series);
  fit::fit_kww(exec, Kokkos::View<const double**, Right, MemSpace>(g2), Kokkos::View<const double*, MemSpace>(lag_s_),
               Kokkos::View<const std::uint8_t*, MemSpace>(pre_status), config_.fit, fitted);
  exec.fence();
  timer.mark("fit");

  io::TileResults r;
  r.tau = to_host(fitted.tau);
  r.tau_err = to_host(fitted.tau_err);
  r.beta = to_host(fitted.beta);
  r.beta_err = to_host(fitted.beta_err);
  r.contrast = to_host(fitted.contrast);
  r.contrast_err = to_host(fitted.contrast_err);
  r.baseline = to_host(fitted.baseline);
  r.chi2_red = to_host(fitted.chi2_red);
  r.fit_status = to_host(fitted.status);
  r.mean_intensity = to_host(mean_intensity);
  if (config_.save_g2) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), g2);
    r.g2.assign(h.data(), h.data() + h.size());
  }
  timer.mark("download");
  return r;
}

}  // namespace ecm::engine
