#include "ecm/engine/center_tracking.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "ecm/registration/ring_fit.hpp"
#include "ecm/registration/shift_estimation.hpp"

namespace ecm::engine {

namespace {

// A block's ring fit counts when its peak stands this many sigmas above the background.
constexpr double kMinRingSignificance = 10.0;
// The measured ellipticity must be this many sigmas from 0 to be applied.
constexpr double kEllipseSigmas = 5.0;
constexpr double kDegrees = 180.0 / kPi;

std::vector<double> block_pattern(const CenterPatterns& P, std::size_t b) {
  const std::size_t det = P.det_y * P.det_x;
  return {P.sums.begin() + std::ptrdiff_t(b * det), P.sums.begin() + std::ptrdiff_t((b + 1) * det)};
}

// Blocks summed in runs: block b goes into run group[b] (non-decreasing, from 0); a run's
// cycle is the frame-weighted mean of its blocks'.
CenterPatterns merge_blocks(const CenterPatterns& P, const std::vector<std::size_t>& group) {
  const std::size_t det = P.det_y * P.det_x, n_runs = group.empty() ? 0 : group.back() + 1;
  CenterPatterns m = P;
  m.sums.assign(n_runs * det, 0.0);
  m.frames.assign(n_runs, 0);
  std::vector<double> cycle_sum(n_runs, 0.0);
  for (std::size_t b = 0; b < P.frames.size(); ++b) {
    const std::size_t g = group[b];
    for (std::size_t i = 0; i < det; ++i) m.sums[g * det + i] += P.sums[b * det + i];
    if (P.frames[b]) cycle_sum[g] += P.block_cycle[b] * double(P.frames[b]), m.frames[g] += P.frames[b];
  }
  m.block_cycle.resize(n_runs);
  for (std::size_t g = 0; g < n_runs; ++g)
    m.block_cycle[g] = m.frames[g] ? cycle_sum[g] / double(m.frames[g]) : std::numeric_limits<double>::quiet_NaN();
  return m;
}

// Neighbouring blocks summed in pairs (a last odd block stays alone).
CenterPatterns merge_pairs(const CenterPatterns& P) {
  std::vector<std::size_t> group(P.frames.size());
  for (std::size_t b = 0; b < group.size(); ++b) group[b] = b / 2;
  return merge_blocks(P, group);
}

// The run's last block holds what is left of the cycles; with under half the frames of a
// full block its centre is the noisiest and, at the end of the track, sets its
// extrapolation (0.2 px off where the others were within 0.05): it joins the one before.
CenterPatterns merge_short_tail(const CenterPatterns& P) {
  const std::size_t n = P.frames.size();
  if (n < 2 || 2 * P.frames[n - 1] >= *std::max_element(P.frames.begin(), P.frames.end())) return P;
  std::vector<std::size_t> group(n);
  for (std::size_t b = 0; b < n; ++b) group[b] = std::min(b, n - 2);
  return merge_blocks(P, group);
}

std::string describe_ellipse(const Ellipticity& e) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(2);
  s << 100.0 * e.e << " % at " << std::fmod(e.angle * kDegrees + 180.0, 180.0) << " deg";
  return s.str();
}

// A measured ellipse, applied when at least kMinEllipticity and kEllipseSigmas sigma.
void adopt_ellipse(const registration::EllipseEstimate& measured, const std::string& where, Registration& reg) {
  reg.ellipse_measured = measured.ellipse.e;
  reg.ellipse_measured_angle = measured.ellipse.angle;
  reg.ellipse_sigma = measured.sigma_e;
  reg.ellipse = {};
  std::ostringstream m;
  m.precision(2);
  m << "measured on " << where << ": " << describe_ellipse(measured.ellipse) << " (+-" << std::fixed
    << 100.0 * measured.sigma_e << " %)";
  if (measured.ellipse.e >= kMinEllipticity && measured.ellipse.e >= kEllipseSigmas * measured.sigma_e) {
    reg.ellipse = measured.ellipse;
    m << "; applied: the polar maps follow the ellipse";
  } else {
    m << std::defaultfloat << "; not applied: below " << 100.0 * kMinEllipticity << " % or " << kEllipseSigmas << " sigma";
  }
  reg.ellipse_method = m.str();
}

// The ellipse measured on the whole run's mean pattern (--ellipse auto).
void measure_ellipse(const registration::RingFit& whole, Registration& reg) {
  if (!whole.ok) {
    reg.ellipse_method = "not measured: the ring of the mean pattern did not fit (" + whole.why + "); circular polar maps";
    return;
  }
  adopt_ellipse({whole.ellipse, whole.sigma_e, 1}, "the ring of the run's mean pattern", reg);
}

}  // namespace

void apply_ellipse_option(EllipseMode mode, const Ellipticity& given, Registration& reg) {
  reg.ellipse = {};
  if (mode == EllipseMode::off) reg.ellipse_method = "off (--ellipse off): circular polar maps";
  if (mode == EllipseMode::given) {
    reg.ellipse = given;
    reg.ellipse_method = "given: " + describe_ellipse(given);
  }
}

void track_center(const CenterPatterns& P, const CenterSettings& S, Registration& reg) {
  const std::size_t n_t = reg.n_t, n_blocks = P.frames.size();
  reg.center_yx.resize(2 * n_t);
  for (std::size_t t = 0; t < n_t; ++t) reg.center_yx[2 * t] = S.start[0], reg.center_yx[2 * t + 1] = S.start[1];
  reg.center_method = "static (" + S.start_source + (S.start_how.empty() ? "" : ": " + S.start_how) + ")";

  const std::size_t det = P.det_y * P.det_x;
  std::vector<double> mean(det, 0.0);
  std::size_t total = 0;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    total += P.frames[b];
    for (std::size_t i = 0; i < det; ++i) mean[i] += P.sums[b * det + i];
  }
  if (total == 0) return;

  // A saturated direct beam keeps little sub-pixel information (which pixels clip, not how
  // much light they got): its block centres scatter ~0.1 px and its track was 0.3 px off
  // where the ring's was 0.06 px (docs/registration.md), so the ring tracks it if it fits.
  bool saturated = false;
  const auto beam_center = direct_beam_center(mean, P.mask, P.det_y, P.det_x, S.annulus, &saturated);
  const bool beam = beam_center.has_value();
  registration::RingFitOptions whole_options;
  whole_options.center_guess = S.start;
  whole_options.r_lo = S.annulus.r_lo;
  whole_options.r_hi = S.annulus.r_hi;
  whole_options.fit_ellipse = S.ellipse_mode == EllipseMode::measure;
  whole_options.ellipse = reg.ellipse;  // given, or none (apply_ellipse_option)
  const bool need_ring = S.ellipse_mode == EllipseMode::measure || (S.track && (!beam || saturated));
  const auto whole = need_ring ? registration::fit_ring(mean, P.mask, P.det_y, P.det_x, whole_options)
                               : registration::RingFit{};
  const bool direct = beam && !(saturated && whole.ok && whole.significance >= kMinRingSignificance);
  if (S.ellipse_mode == EllipseMode::measure) measure_ellipse(whole, reg);
  // A centre ecm found on the first frames is refined on the whole run's mean pattern
  // (the same method, on up to 8 x the frames); a track, if applied, replaces it below.
  if (S.start_source == "found") {
    std::optional<std::array<double, 2>> refined;
    if (direct)
      refined = beam_center;
    else if (whole.ok)
      refined = whole.center;
    if (refined) {
      for (std::size_t t = 0; t < n_t; ++t) reg.center_yx[2 * t] = (*refined)[0], reg.center_yx[2 * t + 1] = (*refined)[1];
      reg.center_method += ", refined on the mean pattern of the " + std::to_string(total) + " frames read";
    }
  }
  if (!S.track) return;

  // One centre per block: the direct beam's centroid, or the ring with the ellipse held.
  if (!direct && !whole.ok) {
    reg.center_method += "; not tracked: no direct beam, and the ring of the mean pattern did not fit (" + whole.why + ")";
    return;
  }
  registration::RingFitOptions block_options = whole_options;
  block_options.fit_ellipse = false;
  block_options.ellipse = reg.ellipse;
  if (whole.ok) block_options.center_guess = whole.center;
  std::vector<double> knot_t, cy, cx;
  std::size_t n_read = 0;
  // Blocks are measured round-robin over the ranks and the results summed, so each rank
  // fits 1 / ranks of them and all end with the same list.
  const auto measure = [&](const CenterPatterns& blocks) {
    const std::size_t n = blocks.frames.size();
    std::vector<double> found(3 * n, 0.0);  // per block: measured (1/0), cy, cx
    for (std::size_t b = 0; b < n; ++b) {
      if (blocks.frames[b] == 0 || !S.share.owns(b)) continue;
      const auto pattern = block_pattern(blocks, b);
      std::optional<std::array<double, 2>> c;
      if (direct) {
        c = direct_beam_center(pattern, P.mask, P.det_y, P.det_x, S.annulus);
      } else {
        const auto ring = registration::fit_ring(pattern, P.mask, P.det_y, P.det_x, block_options);
        if (ring.ok && ring.significance >= kMinRingSignificance) c = ring.center;
      }
      if (c) found[3 * b] = 1.0, found[3 * b + 1] = (*c)[0], found[3 * b + 2] = (*c)[1];
    }
    S.share.sum(found);
    knot_t.clear(), cy.clear(), cx.clear();
    n_read = 0;
    for (std::size_t b = 0; b < n; ++b) {
      n_read += blocks.frames[b] != 0;
      if (found[3 * b] == 0.0) continue;
      knot_t.push_back(blocks.block_cycle[b]);
      cy.push_back(found[3 * b + 1]);
      cx.push_back(found[3 * b + 2]);
    }
  };
  // A ring too faint to fit per block (low dose, few positions) may fit on blocks twice
  // as long: merge neighbours while fewer than half fit and 3 blocks would remain.
  CenterPatterns blocks = merge_short_tail(P);
  std::size_t merged = 1;
  measure(blocks);
  while (!direct && 2 * knot_t.size() < n_read && n_read >= 6) {
    blocks = merge_pairs(blocks);
    merged *= 2;
    measure(blocks);
  }
  std::ostringstream how;
  how << (direct ? "direct-beam centroid" : beam ? "ring fit (the direct beam is saturated)" : "ring fit (no direct beam)")
      << " per block of " << S.center_block * merged << " cycles (one in " << S.stride << " read)";

  // A centre the user or the file gave is kept at cycle 0 and only its movement is
  // tracked: an undercorrected detector (dark offsets, hot pixels) can bias a centroid,
  // but a static bias cancels in the movement. A centre ecm found itself is replaced by
  // the track as measured.
  const bool given = S.start_source != "found";
  std::vector<double> ty, tx;
  if (!knot_t.empty()) {
    ty = registration::piecewise_linear(knot_t, cy, n_t);
    tx = registration::piecewise_linear(knot_t, cx, n_t);
  }
  const double oy = given && !ty.empty() ? S.start[0] - ty[0] : 0.0;
  const double ox = given && !tx.empty() ? S.start[1] - tx[0] : 0.0;
  for (std::size_t i = 0; i < knot_t.size(); ++i) {
    reg.center_block_cycle.push_back(knot_t[i]);
    reg.center_block_yx.insert(reg.center_block_yx.end(), {cy[i] + oy, cx[i] + ox});
  }

  // Trust gates: enough blocks measured, a scatter small enough to matter, and a movement
  // well above that scatter. Otherwise the start centre stays.
  const double spread = std::max(registration::track_scatter(cy), registration::track_scatter(cx));
  const double moved = std::max(registration::track_range(cy), registration::track_range(cx));
  std::ostringstream m;
  m.precision(3);
  m << how.str() << ": " << knot_t.size() << " of " << n_read << " blocks measured, range " << moved << " px, scatter "
    << spread << " px";
  if (knot_t.size() < 3 || 2 * knot_t.size() < n_read) {
    reg.center_method += "; not tracked: " + m.str() + " (too few blocks measured)";
    return;
  }
  if (spread > kMaxCenterScatterPx) {
    m << " (not trusted above " << kMaxCenterScatterPx << " px)";
    reg.center_method += "; not tracked: " + m.str();
    return;
  }
  if (moved < std::max(S.min_movement_px, 6.0 * spread)) {
    reg.center_method += "; kept: " + m.str() + ", no movement beyond 6 x the scatter";
    return;
  }
  for (std::size_t t = 0; t < n_t; ++t) {
    reg.center_yx[2 * t] = ty[t] + oy;
    reg.center_yx[2 * t + 1] = tx[t] + ox;
  }
  reg.center_moved = true;
  // The run's mean pattern smeared the ring along the track: measure the ellipse per block.
  if (S.ellipse_mode == EllipseMode::measure) {
    registration::RingFitOptions per_block = block_options;
    per_block.fit_ellipse = true;
    const std::size_t n = blocks.frames.size();
    std::vector<double> shared(3 * n, 0.0);  // per block: e, angle, sigma_e (0: no fit)
    for (std::size_t b = 0; b < n; ++b)
      if (blocks.frames[b] && S.share.owns(b)) {
        const std::size_t t = std::min(n_t - 1, std::size_t(std::max(0.0, blocks.block_cycle[b])));
        per_block.center_guess = {reg.center_yx[2 * t], reg.center_yx[2 * t + 1]};
        const auto fit = registration::fit_ring(block_pattern(blocks, b), P.mask, P.det_y, P.det_x, per_block);
        if (fit.ok && fit.sigma_e > 0)
          shared[3 * b] = fit.ellipse.e, shared[3 * b + 1] = fit.ellipse.angle, shared[3 * b + 2] = fit.sigma_e;
      }
    S.share.sum(shared);
    std::vector<registration::RingFit> fits(n);
    for (std::size_t b = 0; b < n; ++b) {
      fits[b].ok = shared[3 * b + 2] > 0;
      fits[b].ellipse = {shared[3 * b], shared[3 * b + 1]};
      fits[b].sigma_e = shared[3 * b + 2];
    }
    const auto combined = registration::combine_ellipses(fits);
    if (combined.fits >= 3)
      adopt_ellipse(combined, "the rings of " + std::to_string(combined.fits) + " blocks (the beam moved)", reg);
  }
  reg.center_method = "tracked: " + m.str() + ", piecewise linear" +
                      (given ? ", movement added to the " + S.start_source + " centre at cycle 0" : "");
}

}  // namespace ecm::engine
