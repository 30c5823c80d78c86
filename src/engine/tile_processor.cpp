#include "ecm/engine/tile_processor.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>

#include "ecm/core/mpi_check.hpp"
#include "ecm/core/views.hpp"
#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/polar_transform.hpp"
#include "ecm/kernels/registration_kernels.hpp"
#include "ecm/kernels/strip_binning.hpp"
#include "ecm/kernels/series_stats.hpp"

namespace ecm::engine {

namespace {
// Float frames per thread that one sub-block may hold on a CPU: well inside a typical L2.
constexpr std::size_t kFrameCacheBytes = 256u << 10;
}  // namespace

TileProcessor::TileProcessor(const RunConfig& config, const AnalysisSetup& setup,
                             const std::vector<polar::PolarMapHost>& maps, std::vector<CenterSegment> segments,
                             const Registration& registration,
                             const preprocess::DetectorCorrections<MemSpace>& corrections, const MemoryPlan& plan,
                             std::unique_ptr<g2::G2Engine<ExecSpace>> g2)
    : config_(config),
      setup_(setup),
      corrections_(corrections),
      plan_(plan),
      g2_(std::move(g2)),
      segments_(std::move(segments)),
      registration_(registration) {
  require(!maps.empty() && maps.size() == segments_.size(), "internal: one polar map per beam-centre segment");
  nonfinite_ = NonFiniteTally(maps.front().det_y, maps.front().det_x);
  for (const auto& m : maps) maps_.push_back(polar::upload<MemSpace>(m));
  lag_s_ = to_device<MemSpace>(setup.lag_s, "ecm::engine::lag_s");
  bin_area_ = to_device<MemSpace>(std::vector<float>(setup.bin_area_px.begin(), setup.bin_area_px.end()),
                                  "ecm::engine::bin_area");
  if (registration_.drift_applied) drift_ = registration_.drift_extent(setup.n_t_used);
}

TileProcessor::~TileProcessor() = default;

std::vector<std::uint8_t> TileProcessor::out_of_field(const io::InputLayout& L, const ScanTile& tile) const {
  // Position r shows sample point r + drift(t) of cycle 0's frame, so cycle 0's content at
  // r is read at r - drift(t): inside the scan at every cycle iff r - max(drift) >= 0 and
  // r - min(drift) <= N - 1 per axis. Never extrapolated.
  std::vector<std::uint8_t> outside(tile.positions(), 0);
  if (!registration_.drift_applied) return outside;
  const double eps = 1e-9;  // an exact edge is inside
  for (std::size_t y = 0; y < tile.ny; ++y)
    for (std::size_t x = 0; x < tile.nx; ++x) {
      const double ry = double(tile.y0 + y), rx = double(tile.x0 + x);
      const bool inside = ry - drift_.hi_y >= -eps && ry - drift_.lo_y <= double(L.scan_y) - 1.0 + eps &&
                          rx - drift_.hi_x >= -eps && rx - drift_.lo_x <= double(L.scan_x) - 1.0 + eps;
      outside[y * tile.nx + x] = inside ? 0 : 1;
    }
  return outside;
}

Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> TileProcessor::build_strip(const io::InputDataset& input,
                                                                                const ScanTile& tile,
                                                                                StageTimer& timer) {
  using Right = Kokkos::LayoutRight;
  ExecSpace exec;
  const auto& L = input.layout();
  const std::size_t n_pos = tile.positions();
  const std::size_t n_bins_f = std::size_t(setup_.fine_grid.n_bins());
  const std::size_t n_bins = std::size_t(config_.grid.n_bins());
  const std::size_t n_series = n_pos * n_bins;
  const std::size_t block = plan_.cycles_per_block;
  const bool shifted = registration_.drift_applied;
  // Drift-corrected reads take a box one position larger per axis (the interpolation halo).
  const std::size_t box_ny = shifted ? std::min(tile.ny + 1, L.scan_y) : tile.ny;
  const std::size_t box_nx = shifted ? std::min(tile.nx + 1, L.scan_x) : tile.nx;
  const std::size_t read_positions = box_ny * box_nx;

  Kokkos::View<float**, Right, MemSpace> strip(Kokkos::view_alloc("ecm::engine::strip", Kokkos::WithoutInitializing),
                                               n_series, setup_.n_t_binned);
  // Without drift, one kernel takes a block of frames as stored to their polar bins,
  // converting and correcting each value as it gathers it: the block passes through memory
  // once. Drift correction interpolates between the float frames of neighbouring positions,
  // so with drift the frames are converted, corrected and shifted first; on a CPU a few
  // hundred kB of frames per thread at a time (whole cycles), which then stay in cache until
  // the polar transform. Whole blocks at once (tens of MB) made three passes through memory,
  // and two ranks sharing a socket's memory bandwidth slowed each other's polar stage by
  // 40-60 % (docs/performance.md). On a CPU the kernels read the reader's buffer directly; a
  // GPU gets the block copied to its memory.
  constexpr bool kHostKernels = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
  const std::size_t block_frames = block * read_positions;
  // Frames per piece of the drift path (0: no drift path).
  const std::size_t cache_cycles =
      kFrameCacheBytes * std::size_t(exec.concurrency()) / (read_positions * L.det_pixels() * sizeof(float));
  const std::size_t sub_frames = !shifted       ? 0
                                 : kHostKernels ? std::clamp<std::size_t>(cache_cycles, 1, block) * read_positions
                                                : block_frames;
  const preprocess::PixelCorrection<MemSpace> correct(corrections_, L.det_pixels());
  Kokkos::View<unsigned char*, MemSpace> stored(Kokkos::view_alloc("ecm::engine::stored", Kokkos::WithoutInitializing),
                                                kHostKernels ? 0 : block_frames * L.det_pixels() * L.element_bytes());
  Kokkos::View<float*, MemSpace> raw_buf(Kokkos::view_alloc("ecm::engine::raw", Kokkos::WithoutInitializing),
                                         sub_frames * L.det_pixels());
  Kokkos::View<float*, MemSpace> shifted_buf(Kokkos::view_alloc("ecm::engine::shifted", Kokkos::WithoutInitializing),
                                             sub_frames / read_positions * n_pos * L.det_pixels());
  Kokkos::View<registration::ShiftedBox*, MemSpace> boxes("ecm::engine::boxes", shifted ? block : 0);
  auto boxes_host = Kokkos::create_mirror_view(boxes);
  Kokkos::View<float*, MemSpace> fine_buf(Kokkos::view_alloc("ecm::engine::fine", Kokkos::WithoutInitializing),
                                          n_pos * n_bins_f * block);
  // Raw blocks are read on the host into two buffers: while the kernels work on one, a
  // reader thread fills the other with the next block (MPI-IO from that thread needs
  // MPI_THREAD_SERIALIZED; the main thread makes no MPI or HDF5 call meanwhile).
  struct HostBlock {
    Kokkos::View<unsigned char*, Kokkos::HostSpace> bytes;
    std::vector<registration::ShiftedBox> geometry;  // per cycle, when the drift is applied
    bool clean = false;  // known to hold no NaN or Inf: the kernels skip the screen
  };
  const bool overlap = config_.overlap_reads && mpi::serialized_threads() && setup_.n_t_used > block;
  HostBlock host[2];
  for (int i = 0; i < (overlap ? 2 : 1); ++i)
    host[i].bytes = Kokkos::View<unsigned char*, Kokkos::HostSpace>(
        Kokkos::view_alloc("ecm::engine::stored_host", Kokkos::WithoutInitializing),
        block_frames * L.det_pixels() * L.element_bytes());
  // Float frames may hold NaN or Inf, which the kernels read as 0: counted here, on the
  // reader thread (behind the kernels when reads overlap), for the run summary.
  const bool float_frames = L.dtype == h5::DType::f32;
  const std::size_t frame_bytes = L.det_pixels() * L.element_bytes();
  const auto read_block = [&](std::size_t t0, HostBlock& into) {
    const std::size_t nt = std::min(block, setup_.n_t_used - t0);
    if (!shifted) {
      input.read_tile_block(t0, nt, tile, into.bytes.data(), h5::native_type(L.dtype));
      into.clean = !float_frames || nonfinite_.add(reinterpret_cast<const float*>(into.bytes.data()), nt * n_pos) == 0;
      return;
    }
    into.clean = false;  // the halo is not counted: screened whatever the count
    if (float_frames) nonfinite_.mark_lower_bound();
    // Cycle 0's content of tile row 0 is at scan row y0 - drift_y(t) at cycle t.
    std::vector<long> origin_y(nt), origin_x(nt);
    into.geometry.resize(nt);
    for (std::size_t i = 0; i < nt; ++i) {
      const double sy = double(tile.y0) - registration_.drift_y(t0 + i);
      const double sx = double(tile.x0) - registration_.drift_x(t0 + i);
      origin_y[i] = std::clamp(long(std::floor(sy)), 0L, long(L.scan_y - box_ny));
      origin_x[i] = std::clamp(long(std::floor(sx)), 0L, long(L.scan_x - box_nx));
      into.geometry[i] = {origin_y[i], origin_x[i], sy - double(origin_y[i]), sx - double(origin_x[i])};
    }
    input.read_boxes(t0, nt, origin_y.data(), origin_x.data(), box_ny, box_nx, into.bytes.data(),
                     h5::native_type(L.dtype));
    if (!float_frames) return;
    for (std::size_t i = 0; i < nt; ++i)  // the box positions that are the tile's own
      for (std::size_t by = 0; by < box_ny; ++by)
        for (std::size_t bx = 0; bx < box_nx; ++bx) {
          const std::size_t y = std::size_t(origin_y[i]) + by, x = std::size_t(origin_x[i]) + bx;
          if (y < tile.y0 || y >= tile.y0 + tile.ny || x < tile.x0 || x >= tile.x0 + tile.nx) continue;
          nonfinite_.add(reinterpret_cast<const float*>(into.bytes.data() + ((i * box_ny + by) * box_nx + bx) * frame_bytes), 1);
        }
  };
  timer.mark("setup");
  read_block(0, host[0]);
  std::size_t k = 0;
  for (std::size_t t0 = 0; t0 < setup_.n_t_used; t0 += block, ++k) {
    const std::size_t nt = std::min(block, setup_.n_t_used - t0);
    HostBlock& current = host[overlap ? k % 2 : 0];
    if constexpr (!kHostKernels) Kokkos::deep_copy(stored, current.bytes);
    const unsigned char* block_values = kHostKernels ? current.bytes.data() : stored.data();
    if (shifted) {
      for (std::size_t i = 0; i < nt; ++i) boxes_host(i) = current.geometry[i];
      Kokkos::deep_copy(boxes, boxes_host);
    }
    const bool more = t0 + block < setup_.n_t_used;
    std::future<void> next;
    if (more && overlap) next = std::async(std::launch::async, read_block, t0 + block, std::ref(host[(k + 1) % 2]));
    timer.mark("read");
    // Each cycle goes through the polar map of its beam-centre segment: for rows [out0, out0 +
    // n_out) of the block (row = cycle * n_pos + position), f(s, a, b) for the rows [a, b) of
    // segment s among them.
    const auto for_segment_rows = [&](std::size_t out0, std::size_t n_out, const auto& f) {
      for (std::size_t s = 0; s < segments_.size(); ++s) {
        const std::size_t seg_lo = segments_[s].begin > t0 ? (segments_[s].begin - t0) * n_pos : 0;
        const std::size_t seg_hi = segments_[s].end > t0 ? (segments_[s].end - t0) * n_pos : 0;
        const std::size_t a = std::max(out0, seg_lo), b = std::min(out0 + n_out, seg_hi);
        if (a < b) f(s, a, b);
      }
    };
    const auto fine_rows = [&](std::size_t a, std::size_t b) {
      return Kokkos::View<float**, Right, MemSpace>(fine_buf.data() + a * n_bins_f, b - a, n_bins_f);
    };
    if (!shifted) {
      // Straight from the stored frames.
      // A block the reader found free of NaN and Inf skips the screen (float data: +35 % of
      // the polar stage); one that holds any is screened.
      const auto block_correct = current.clean ? correct.for_finite_values() : correct;
      for_segment_rows(0, nt * n_pos, [&](std::size_t s, std::size_t a, std::size_t b) {
        polar::transform_stored(exec, maps_[s], L.dtype, block_values + a * L.det_pixels() * L.element_bytes(),
                                std::int64_t(b - a), std::int64_t(L.det_pixels()), block_correct, fine_rows(a, b));
      });
    } else {
      // Float frames, corrected and shifted a piece of whole cycles at a time, then polar bins.
      const std::size_t nt_frames = nt * read_positions;
      for (std::size_t r0 = 0; r0 < nt_frames; r0 += sub_frames) {
        const std::size_t nr = std::min(sub_frames, nt_frames - r0);
        convert::to_float(exec, L.dtype, block_values + r0 * L.det_pixels() * L.element_bytes(), raw_buf.data(),
                          nr * L.det_pixels());
        Kokkos::View<float**, Right, MemSpace> read_frames(raw_buf.data(), nr, L.det_pixels());
        preprocess::apply(exec, read_frames, corrections_);
        // Output rows (cycle * n_pos + position) [out0, out0 + n_out) of the block.
        const std::size_t c0 = r0 / read_positions, nc = nr / read_positions;
        const std::size_t out0 = c0 * n_pos, n_out = nc * n_pos;
        Kokkos::View<float**, Right, MemSpace> frames(shifted_buf.data(), n_out, L.det_pixels());
        registration::apply_shift(exec, Kokkos::View<const float**, Right, MemSpace>(read_frames), box_ny, box_nx,
                                  Kokkos::View<const registration::ShiftedBox*, MemSpace>(boxes.data() + c0, nc), tile.ny,
                                  tile.nx, frames);
        for_segment_rows(out0, n_out, [&](std::size_t s, std::size_t a, std::size_t b) {
          polar::transform(exec, maps_[s],
                           Kokkos::View<const float**, Right, MemSpace>(frames.data() + (a - out0) * L.det_pixels(),
                                                                       b - a, L.det_pixels()),
                           fine_rows(a, b));
        });
      }
    }
    Kokkos::View<float**, Right, MemSpace> fine(fine_buf.data(), nt * n_pos, n_bins_f);
    binning::bin_block(exec, Kokkos::View<const float**, Right, MemSpace>(fine), std::int64_t(n_pos),
                       setup_.fine_grid.n_kr, setup_.fine_grid.n_kphi, setup_.bin, strip,
                       t0 / std::size_t(setup_.bin.t));
    exec.fence();
    timer.mark("polar");
    if (next.valid()) next.get();          // the reader's time not hidden behind the kernels
    else if (more) read_block(t0 + block, host[0]);
    timer.mark("read");
  }
  return strip;
}

io::TileResults TileProcessor::process(const io::InputDataset& input, const ScanTile& tile, StageTimer& timer) {
  using Right = Kokkos::LayoutRight;
  if (!g2_) throw Error("internal: a tile processor without a g2 engine cannot fit tiles");
  ExecSpace exec;
  const auto& L = input.layout();
  const std::size_t n_bins = std::size_t(config_.grid.n_bins());
  const std::size_t n_series = tile.positions() * n_bins;
  const bool shifted = registration_.drift_applied;

  // 1. Strip: raw cycles in blocks -> preprocess -> [drift] -> polar -> bin.
  const Kokkos::View<float**, Right, MemSpace> strip = build_strip(input, tile, timer);

  // 2. Which series are worth fitting: mean counts per frame and bin coverage.
  Kokkos::View<float*, MemSpace> mean_intensity("ecm::engine::mean_intensity", n_series);
  Kokkos::View<std::uint8_t*, MemSpace> pre_status("ecm::engine::pre_status", n_series);
  series_stats::classify(exec, Kokkos::View<const float**, Right, MemSpace>(strip), bin_area_, n_bins,
                         float(config_.min_counts), mean_intensity, pre_status);
  if (shifted)
    registration::mark_out_of_field(exec, Kokkos::View<const std::uint8_t*, MemSpace>(
                                              to_device<MemSpace>(out_of_field(L, tile), "ecm::engine::out_of_field")),
                                    n_bins, pre_status);

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
