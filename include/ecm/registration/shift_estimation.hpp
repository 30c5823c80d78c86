#pragma once
// Drift registration, first step: the translation between two real-space images (e.g.
// virtual-dark-field images of two scan cycles) and the drift of a whole time series.
//
// Convention (shared with /registration/drift_yx): a shift (dy, dx) in scan pixels means
// image(y, x) ≈ reference(y - dy, x - dx), i.e. the sample content moved by +dy rows and
// +dx columns. Images are ny x nx, row-major, real.
#include <cstddef>
#include <functional>
#include <vector>

namespace ecm::registration {

struct Shift {
  double dy = 0.0, dx = 0.0;  // [scan pixels]
  // Height of the cross-correlation peak over the rms of the correlation map away from the
  // peak (a signal-to-noise ratio of the match); 0 when there was nothing to correlate.
  double peak_quality = 0.0;
};

// Translation that maps `reference` onto `image`: image(y, x) ≈ reference(y - dy, x - dx).
// Plain (not phase-normalised) cross-correlation by FFTW of zero-mean inputs: phase
// correlation whitens the spectrum and so amplifies shot noise, which dominates at the
// ~1 electron/pixel these images have; for the same reason the map is smoothed by a
// Gaussian of 1 px (symmetric, so it moves no peak). With `window`, Hann tapers suppress
// the seams of the periodic FFT; they are re-centred on the current estimate and the
// estimate repeated until it moves < 1e-3 px (at most 6 passes), which removes the pull
// towards 0 a fixed window causes (see the .cpp). The integer peak is wrapped to
// [-n/2, n/2) per axis and refined to sub-pixel precision by a least-squares quadratic fit
// over its 3x3 neighbourhood, on log values (a Gaussian peak, fitted exactly) when they
// are all positive, else on the values (a parabola).
// A constant image (nothing to correlate) gives Shift{} (0, 0, quality 0).
// Throws InputError for sizes that do not match, grids smaller than 4 x 4, or non-finite values.
Shift estimate_shift(const std::vector<double>& reference, const std::vector<double>& image, std::size_t ny,
                     std::size_t nx, bool window = true);

// Whether an image of n values is constant to rounding (nothing to correlate: its
// mean-subtracted values are only rounding noise). Throws InputError on a non-finite value.
bool is_flat_image(const double* image, std::size_t n);

// What each image of a time series is registered against.
enum class Reference {
  first,     // the first (block of) image(s)
  previous,  // the previous block, shifts accumulated (cascade): follows slow content change
  mean,      // the mean image, iterated once: estimate, align, re-average, estimate again
};

// How the per-block estimates of estimate_block_shifts are shared out: the caller
// estimates the blocks it owns, and `combine` merges everyone's (zeros elsewhere) into the
// full list, e.g. by an MPI sum. The default owns every block and merges nothing.
struct BlockDistribution {
  std::function<bool(std::size_t)> owns = [](std::size_t) { return true; };
  std::function<void(std::vector<Shift>&)> combine = [](std::vector<Shift>&) {};
};

// How estimate_block_shifts registers two images of a grid: by FFT cross-correlation
// (estimate_shift) or, below kDirectCorrelationBelow positions on the shorter side, by
// direct correlation over the overlap (estimate_shift_direct, direct_correlation.hpp),
// which on a small scan does not confuse content wrapped across the edges with a match.
// Measured on simulated 15 % texture (docs/registration.md, "Small scans"): direct is
// better at 10-16 positions per side, the two are close at 20-24.
enum class ShiftMethod { fft, direct };
inline constexpr std::size_t kDirectCorrelationBelow = 20;
ShiftMethod shift_method_for(std::size_t ny, std::size_t nx);

// Shift of each of n_blocks images (`blocks`, n_blocks x ny x nx, e.g. sums of several
// cycles' VDF images) against `reference`: relative to block 0 (first, previous) or to the
// aligned mean image (mean). `weights` (one per block, e.g. the number of images summed)
// weigh the blocks in the re-averaged mean. With the direct method (small images, few
// blocks) `mean` compares each block with the mean of the others, so that its own noise
// does not make a match, and starts both from the unaligned mean and from the steps between
// neighbouring blocks, keeping the better match (see the .cpp). The result is the same
// wherever the blocks are estimated: every step that combines blocks runs on the full list
// in a fixed order.
std::vector<Shift> estimate_block_shifts(const std::vector<double>& blocks, std::size_t n_blocks, std::size_t ny,
                                         std::size_t nx, Reference reference, const std::vector<double>& weights,
                                         const BlockDistribution& dist = {});

// Values at knots (knot_t strictly increasing, in cycles) made into one value per cycle
// 0..n_t-1: linear between knots and continued linearly beyond the first and last (a
// drift or centre that moves steadily keeps moving over the half-block at either end).
std::vector<double> piecewise_linear(const std::vector<double>& knot_t, const std::vector<double>& knot_v,
                                     std::size_t n_t);

// A measured track's knots (a drift or centre per block): the scatter of the values about
// a smooth track (second differences of a smooth track are its noise, rms sqrt(6) sigma;
// 0 with fewer than 3 knots) and their range (largest minus smallest; 0 when empty). The
// trust gates compare the two.
double track_scatter(const std::vector<double>& knot_v);
double track_range(const std::vector<double>& knot_v);

// Gaussian smoothing of a series (std `sigma` in samples, normalised at the ends); sigma <= 0
// returns the series unchanged.
std::vector<double> gaussian_smooth(const std::vector<double>& values, double sigma);

// Shift of every image of a time series `images` (n_images x ny x nx, row-major), on one
// process. Whatever the reference, the shifts share one origin: image 0 has shift 0, so
// the three references are interchangeable.
// Low counts: consecutive images are summed in blocks of `block` (the last may be
// shorter), a shift is estimated per block and assigned to the block's centre time, and
// shifts are made per image by piecewise_linear. Each image's peak_quality is that of the
// block it belongs to. Memory: the block sums, n_images / block images.
// Throws InputError for bad sizes (as estimate_shift, plus n_images == 0, block == 0).
std::vector<Shift> estimate_drift(const std::vector<double>& images, std::size_t n_images, std::size_t ny,
                                  std::size_t nx, Reference reference, std::size_t block = 1);

}  // namespace ecm::registration
