#include "ecm/engine/registration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ecm/core/mpi_check.hpp"
#include "ecm/core/views.hpp"
#include "ecm/engine/center_tracking.hpp"
#include "ecm/engine/tile_processor.hpp"
#include "ecm/io/hdf5.hpp"
#include "ecm/kernels/convert.hpp"
#include "ecm/kernels/registration_kernels.hpp"

namespace ecm::engine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A block's match counts when its peak is at least this many times the largest value a
// pure-noise correlation map of the same size reaches (docs/registration.md).
constexpr double kMinSignificance = 1.0;
// Block shifts are trusted only if their scatter (rms about a smooth track) is below this
// fraction of what random shifts over the image would scatter (min(NY, NX) / sqrt 12).
constexpr double kMaxScatterFraction = 0.1;
// The drift is corrected only if its range is this many times the scatter of the blocks.
constexpr double kMinRangeOverNoise = 6.0;

std::size_t round_up(std::size_t value, std::size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

std::string reference_name(registration::Reference r) {
  switch (r) {
    case registration::Reference::first: return "first";
    case registration::Reference::previous: return "previous";
    case registration::Reference::mean: return "mean";
  }
  return "?";
}

// 1 on detector pixels of the annulus [k_lo, k_hi) around `center` that are not masked.
std::vector<float> annulus_weights(std::size_t det_y, std::size_t det_x, std::array<double, 2> center,
                                   double k_pixel_size, double k_lo, double k_hi, const std::vector<float>& mask) {
  std::vector<float> w(det_y * det_x, 0.0f);
  for (std::size_t y = 0; y < det_y; ++y)
    for (std::size_t x = 0; x < det_x; ++x) {
      const double k = std::hypot(double(y) - center[0], double(x) - center[1]) * k_pixel_size;
      const std::size_t p = y * det_x + x;
      if (k >= k_lo && k < k_hi && (mask.empty() || mask[p] == 0.0f)) w[p] = 1.0f;
    }
  return w;
}

// Sampled cycles (multiples of stride) of block b of `block` cycles within [0, n_used):
// how many, and their mean cycle index (the time the block's estimate belongs to).
std::pair<std::size_t, double> block_samples(std::size_t b, std::size_t block, std::size_t stride, std::size_t n_used) {
  std::size_t count = 0;
  double sum = 0.0;
  for (std::size_t t = b * block; t < std::min(n_used, (b + 1) * block); t += stride) {
    ++count;
    sum += double(t);
  }
  return {count, count ? sum / double(count) : kNaN};
}

// Drift given in a file: a (n_t, 2) dataset in the convention of Registration::drift_yx.
std::vector<double> read_drift_file(const std::string& spec, std::size_t n_t) {
  std::string file = spec, path = "/registration/drift_yx";
  const auto colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size() && spec[colon + 1] == '/') {
    file = spec.substr(0, colon);
    path = spec.substr(colon + 1);
  }
  h5::Handle f = h5::open_file_serial(file);
  h5::Handle ds = h5::open_dataset(f, path);
  const auto dims = h5::dataset_shape(ds);
  if (dims.size() != 2 || dims[0] != n_t || dims[1] != 2)
    throw InputError("drift file '" + spec + "' must hold a (" + std::to_string(n_t) +
                     ", 2) dataset of (dy, dx) per scan cycle [scan px]");
  std::vector<double> drift = h5::read_dataset<double>(f, path);
  for (double v : drift)
    if (!std::isfinite(v)) throw InputError("drift file '" + spec + "' holds a non-finite value");
  return drift;
}

}  // namespace

RegistrationSampling resolve_sampling(const RegistrationOptions& o, std::size_t n_t_used) {
  RegistrationSampling s;
  // One cycle in 8 keeps the extra reading near 1/8 of the run's; short runs read more so
  // that at least ~32 cycles are registered.
  s.stride = o.stride ? o.stride : std::clamp<std::size_t>(n_t_used / 32, 1, 8);
  require(s.stride < n_t_used, "--register-stride must be smaller than the number of cycles");
  const auto block = [&](std::size_t given, const char* option) {
    if (given) {
      require(given % s.stride == 0, std::string(option) + " must be a multiple of --register-stride (" +
                                         std::to_string(s.stride) + ")");
      return given;
    }
    // 8 sampled cycles per block, but at least 4 blocks and at most 512 over the run.
    std::size_t b = 8 * s.stride;
    if (n_t_used / b < 4) b = std::max(s.stride, (n_t_used / 4) / s.stride * s.stride);
    if (n_t_used / b > 512) b = round_up((n_t_used + 511) / 512, s.stride);
    return b;
  };
  s.drift_block = block(o.drift_block, "--drift-block");
  s.center_block = block(o.center_block, "--center-block");
  return s;
}

std::vector<CenterSegment> center_segments(const Registration& reg, std::size_t n_t_used, double tolerance) {
  std::vector<CenterSegment> segments;
  std::size_t begin = 0;
  while (begin < n_t_used) {
    // Extend while every centre stays within 2 * tolerance of the first on each axis; the
    // segment's map is built at the midpoint of its range, within `tolerance` of them all.
    double lo_y = reg.center(begin)[0], hi_y = lo_y, lo_x = reg.center(begin)[1], hi_x = lo_x;
    std::size_t end = begin + 1;
    for (; end < n_t_used; ++end) {
      const auto c = reg.center(end);
      const double ny_lo = std::min(lo_y, c[0]), ny_hi = std::max(hi_y, c[0]);
      const double nx_lo = std::min(lo_x, c[1]), nx_hi = std::max(hi_x, c[1]);
      if (ny_hi - ny_lo > 2 * tolerance || nx_hi - nx_lo > 2 * tolerance) break;
      lo_y = ny_lo, hi_y = ny_hi, lo_x = nx_lo, hi_x = nx_hi;
    }
    segments.push_back({begin, end, {0.5 * (lo_y + hi_y), 0.5 * (lo_x + hi_x)}});
    begin = end;
  }
  return segments;
}

Registration register_acquisition(const RegistrationOptions& options, const AnalysisSetup& setup,
                                  const io::InputDataset& input, const std::vector<ScanTile>& mine,
                                  const preprocess::DetectorCorrections<MemSpace>& corrections,
                                  const std::vector<float>& mask, double k_range_lo, double k_range_hi,
                                  MPI_Comm comm, StageTimer& timer) {
  const auto& L = input.layout();
  const std::size_t n_t = L.n_t, n_used = setup.n_t_used, det = L.det_pixels();
  Registration reg;
  reg.n_t = n_t;
  reg.drift_yx.assign(2 * n_t, 0.0);
  reg.peak_quality.assign(n_t, kNaN);
  reg.center_yx.resize(2 * n_t);
  for (std::size_t t = 0; t < n_t; ++t) {
    reg.center_yx[2 * t] = setup.calibration.beam_center_yx[0];
    reg.center_yx[2 * t + 1] = setup.calibration.beam_center_yx[1];
  }
  reg.center_method = "static (" + setup.calibration.beam_center_source +
                      (setup.calibration.beam_center_how.empty() ? "" : ": " + setup.calibration.beam_center_how) + ")";
  reg.drift_method = "none (--no-register)";
  apply_ellipse_option(options.ellipse_mode, options.ellipse, reg);

  bool measure_drift = options.drift;
  if (options.drift && !options.drift_file.empty()) {
    reg.drift_yx = read_drift_file(options.drift_file, n_t);
    reg.drift_method = "given in " + options.drift_file;
    reg.drift_applied = true;
    measure_drift = false;
  } else if (options.drift && (L.scan_y < 4 || L.scan_x < 4)) {
    reg.drift_method = "none (scan smaller than 4 x 4 positions: nothing to register)";
    measure_drift = false;
  }
  // The mean patterns serve the centre track and the ellipse measurement.
  const bool measure_center = options.center_track || options.ellipse_mode == EllipseMode::measure;
  if (!measure_drift && !measure_center) return reg;

  const RegistrationSampling sampling = resolve_sampling(options, n_used);
  const std::size_t stride = sampling.stride;
  const std::size_t n_blocks = (n_used + sampling.drift_block - 1) / sampling.drift_block;
  const std::size_t n_cblocks = (n_used + sampling.center_block - 1) / sampling.center_block;
  const std::size_t positions = L.positions();

  // 1. Local pass over this rank's tiles, one cycle in `stride`.
  const double k_lo = options.vdf_k_range ? (*options.vdf_k_range)[0] : k_range_lo;
  const double k_hi = options.vdf_k_range ? (*options.vdf_k_range)[1] : k_range_hi;
  require(k_hi > k_lo && k_lo >= 0, "--vdf-k-range must satisfy 0 <= LO < HI");
  const auto weights_host = annulus_weights(L.det_y, L.det_x, setup.calibration.beam_center_yx,
                                            setup.calibration.k_pixel_size, k_lo, k_hi, mask);
  std::vector<double> stack(measure_drift ? n_blocks * positions : 0, 0.0);
  std::vector<double> patterns(measure_center ? n_cblocks * det : 0, 0.0);
  mpi::run_then_agree(comm, [&] {
    if (measure_drift && std::count(weights_host.begin(), weights_host.end(), 1.0f) == 0)
      throw InputError("the VDF annulus holds no detector pixel; give --vdf-k-range");
    using Right = Kokkos::LayoutRight;
    ExecSpace exec;
    const auto weights = to_device<MemSpace>(weights_host, "ecm::registration::annulus");
    Kokkos::View<double**, Right, MemSpace> pattern_dev("ecm::registration::patterns", n_cblocks, det);
    for (const ScanTile& tile : mine) {
      const std::size_t n_pos = tile.positions();
      Kokkos::View<unsigned char*, MemSpace> stored(
          Kokkos::view_alloc("ecm::registration::stored", Kokkos::WithoutInitializing), n_pos * det * L.element_bytes());
      Kokkos::View<float**, Right, MemSpace> frames(
          Kokkos::view_alloc("ecm::registration::frames", Kokkos::WithoutInitializing), n_pos, det);
      Kokkos::View<double*, MemSpace> values("ecm::registration::vdf_values", n_pos);
      auto stored_host = Kokkos::create_mirror_view(stored);
      auto values_host = Kokkos::create_mirror_view(values);
      for (std::size_t t = 0; t < n_used; t += stride) {
        timer.mark("register");
        input.read_tile_block(t, 1, tile, stored_host.data(), h5::native_type(L.dtype));
        Kokkos::deep_copy(stored, stored_host);
        timer.mark("register_read");
        convert::to_float(exec, L.dtype, stored.data(), frames.data(), n_pos * det);
        preprocess::apply(exec, frames, corrections);
        const Kokkos::View<const float**, Right, MemSpace> cframes(frames);
        if (measure_center)
          registration::pattern_sum(exec, cframes,
                                    Kokkos::subview(pattern_dev, t / sampling.center_block, Kokkos::ALL()));
        if (measure_drift) {
          registration::vdf(exec, cframes, Kokkos::View<const float*, MemSpace>(weights), values);
          Kokkos::deep_copy(exec, values_host, values);
          exec.fence();
          double* block_image = &stack[(t / sampling.drift_block) * positions];
          for (std::size_t y = 0; y < tile.ny; ++y)
            for (std::size_t x = 0; x < tile.nx; ++x)
              block_image[(tile.y0 + y) * L.scan_x + tile.x0 + x] += values_host(y * tile.nx + x);
        }
      }
    }
    exec.fence();
    if (measure_center) {
      auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), pattern_dev);
      std::copy(h.data(), h.data() + h.size(), patterns.begin());
    }
  });
  timer.mark("register");
  // 2. Whole images and patterns on every rank (each position belongs to one rank's tile).
  if (measure_drift)
    mpi::check(MPI_Allreduce(MPI_IN_PLACE, stack.data(), int(stack.size()), MPI_DOUBLE, MPI_SUM, comm),
               "MPI_Allreduce(VDF block images)");
  if (measure_center)
    mpi::check(MPI_Allreduce(MPI_IN_PLACE, patterns.data(), int(patterns.size()), MPI_DOUBLE, MPI_SUM, comm),
               "MPI_Allreduce(mean patterns)");
  timer.mark("register_wait");

  // 3. Beam centre per block -> gated piecewise-linear track, and the ring's ellipse.
  if (measure_center) {
    CenterPatterns cp;
    cp.det_y = L.det_y;
    cp.det_x = L.det_x;
    cp.sums = std::move(patterns);
    cp.mask = mask;
    for (std::size_t b = 0; b < n_cblocks; ++b) {
      const auto [count, time] = block_samples(b, sampling.center_block, stride, n_used);
      cp.block_cycle.push_back(time);
      cp.frames.push_back(count * positions);
    }
    CenterSettings cs;
    cs.track = options.center_track;
    cs.ellipse_mode = options.ellipse_mode;
    cs.start = setup.calibration.beam_center_yx;
    cs.start_source = setup.calibration.beam_center_source;
    cs.start_how = setup.calibration.beam_center_how;
    cs.annulus = {k_range_lo / setup.calibration.k_pixel_size, k_range_hi / setup.calibration.k_pixel_size};
    cs.min_movement_px = options.center_tolerance_px;
    cs.center_block = sampling.center_block;
    cs.stride = stride;
    const int me = mpi::rank(comm), n_ranks = mpi::size(comm);
    cs.share.owns = [me, n_ranks](std::size_t b) { return int(b % std::size_t(n_ranks)) == me; };
    cs.share.sum = [comm](std::vector<double>& values) {
      mpi::check(MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, comm),
                 "MPI_Allreduce(beam-centre blocks)");
    };
    track_center(cp, cs, reg);
  }

  // 4. Drift: block shifts round-robin over ranks, merged by a sum.
  if (measure_drift) {
    for (double v : stack)
      if (!std::isfinite(v)) throw InputError("VDF images hold non-finite values (NaN or Inf in the frames?)");
    std::vector<double> weights(n_blocks), knot_t(n_blocks);
    for (std::size_t b = 0; b < n_blocks; ++b)
      std::tie(weights[b], knot_t[b]) = [&] {
        const auto [count, time] = block_samples(b, sampling.drift_block, stride, n_used);
        return std::pair<double, double>(double(count), time);
      }();
    std::ostringstream m;
    const bool direct = registration::shift_method_for(L.scan_y, L.scan_x) == registration::ShiftMethod::direct;
    m << (direct ? "VDF direct cross-correlation (small scan)" : "VDF FFT cross-correlation") << ", reference "
      << reference_name(options.reference) << ", blocks of "
      << sampling.drift_block << " cycles (one in " << stride << " read), VDF " << k_lo << "-" << k_hi << " 1/A";
    if (options.smooth_blocks > 0) m << ", smoothed over " << options.smooth_blocks << " blocks";
    if (n_blocks < 2) {
      reg.drift_method = "none (a single registration block: nothing to compare)";
    } else {
      const int me = mpi::rank(comm), n_ranks = mpi::size(comm);
      registration::BlockDistribution dist;
      dist.owns = [me, n_ranks](std::size_t b) { return int(b % std::size_t(n_ranks)) == me; };
      dist.combine = [comm](std::vector<registration::Shift>& shifts) {
        std::vector<double> packed;
        for (const auto& s : shifts) packed.insert(packed.end(), {s.dy, s.dx, s.peak_quality});
        mpi::check(MPI_Allreduce(MPI_IN_PLACE, packed.data(), int(packed.size()), MPI_DOUBLE, MPI_SUM, comm),
                   "MPI_Allreduce(block shifts)");
        for (std::size_t b = 0; b < shifts.size(); ++b) shifts[b] = {packed[3 * b], packed[3 * b + 1], packed[3 * b + 2]};
      };
      const auto shifts = registration::estimate_block_shifts(stack, n_blocks, L.scan_y, L.scan_x, options.reference,
                                                             weights, dist);
      // Two tests of whether the VDF images show texture that persists. Per block: its peak
      // must reach the largest value noise alone gives in a map of this many pixels (about
      // sqrt(2 ln N) rms). Over the run: the shifts must follow a smooth track; without
      // texture each "peak" is a noise maximum, and its shift jumps across the image.
      const double noise_max = std::sqrt(2.0 * std::log(double(positions)));
      std::vector<bool> good(n_blocks);
      std::size_t n_good = 0;
      for (std::size_t b = 0; b < n_blocks; ++b) n_good += (good[b] = shifts[b].peak_quality >= kMinSignificance * noise_max);
      auto usable = shifts;
      if (options.reference == registration::Reference::previous) {
        // A cascade cannot skip a block: a weak step is replaced by the mean of the good ones.
        double sy = 0, sx = 0;
        std::size_t n_steps = 0;
        for (std::size_t b = 1; b < n_blocks; ++b)
          if (good[b]) sy += shifts[b].dy - shifts[b - 1].dy, sx += shifts[b].dx - shifts[b - 1].dx, ++n_steps;
        for (std::size_t b = 1; b < n_blocks; ++b) {
          const bool keep = good[b] || n_steps == 0;
          const double step_y = keep ? shifts[b].dy - shifts[b - 1].dy : sy / double(n_steps);
          const double step_x = keep ? shifts[b].dx - shifts[b - 1].dx : sx / double(n_steps);
          usable[b].dy = usable[b - 1].dy + step_y;
          usable[b].dx = usable[b - 1].dx + step_x;
        }
        std::fill(good.begin(), good.end(), true);
      }
      // A shift s means image_t(r) = image_0(r - s): the content moved by +s, so scan
      // position r now shows what r - s showed, i.e. drift = -s.
      std::vector<double> kt, dy, dx;
      for (std::size_t b = 0; b < n_blocks; ++b)
        if (good[b]) {
          kt.push_back(knot_t[b]);
          dy.push_back(-usable[b].dy);
          dx.push_back(-usable[b].dx);
        }
      const double range = std::max(registration::track_range(dy), registration::track_range(dx));
      const double scatter = std::max(registration::track_scatter(dy), registration::track_scatter(dx));
      const double max_scatter =
          kMaxScatterFraction * double(std::min(L.scan_y, L.scan_x)) / std::sqrt(12.0);
      m.precision(3);
      m << "; " << n_good << " of " << n_blocks << " blocks matched (peak >= the noise maximum); block range " << range
        << " px, scatter " << scatter << " px (trusted below " << max_scatter << ")";
      if (2 * n_good < n_blocks || kt.size() < 3 || scatter > max_scatter) {
        reg.drift_method = "none: " + m.str() +
                           "; not trusted: the VDF images show no texture that persists (see docs/registration.md)";
        for (std::size_t b = 0; b < n_blocks; ++b) {
          reg.block_cycle.push_back(knot_t[b]);
          reg.block_drift_yx.insert(reg.block_drift_yx.end(), {-shifts[b].dy, -shifts[b].dx});
          reg.block_quality.push_back(shifts[b].peak_quality);
        }
        timer.mark("register");
        return reg;
      }
      dy = registration::gaussian_smooth(dy, options.smooth_blocks);
      dx = registration::gaussian_smooth(dx, options.smooth_blocks);
      const auto ty = registration::piecewise_linear(kt, dy, n_t), tx = registration::piecewise_linear(kt, dx, n_t);
      for (std::size_t t = 0; t < n_t; ++t) {
        reg.drift_yx[2 * t] = ty[t] - ty[0];
        reg.drift_yx[2 * t + 1] = tx[t] - tx[0];
        reg.peak_quality[t] = shifts[std::min(n_blocks - 1, t / sampling.drift_block)].peak_quality;
      }
      for (std::size_t b = 0; b < n_blocks; ++b) {
        reg.block_cycle.push_back(knot_t[b]);
        reg.block_drift_yx.push_back(-usable[b].dy - ty[0]);
        reg.block_drift_yx.push_back(-usable[b].dx - tx[0]);
        reg.block_quality.push_back(shifts[b].peak_quality);
      }
      // Corrected only if the measured blocks span at least the threshold and well above
      // their own scatter: interpolating frames and masking the border for a drift that is
      // not there would only cost data.
      reg.drift_applied = range >= std::max(options.min_drift_px, kMinRangeOverNoise * scatter);
      m << (reg.drift_applied ? "; applied" : "; not applied: below --drift-threshold or 6 x the scatter");
      reg.drift_method = m.str();
    }
  }
  timer.mark("register");
  return reg;
}

}  // namespace ecm::engine
