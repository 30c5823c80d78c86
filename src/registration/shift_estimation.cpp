// FFT cross-correlation shift estimation and time-series drift (see shift_estimation.hpp).
#include "ecm/registration/shift_estimation.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "ecm/core/error.hpp"
#include "ecm/registration/bilinear.hpp"
#include "ecm/registration/direct_correlation.hpp"

namespace ecm::registration {
namespace {

using Complex = std::complex<double>;  // layout-compatible with fftw_complex

constexpr double kPi = 3.14159265358979323846;
// [px] Gaussian smoothing of the correlation map. Shot noise is white and dominates the
// highest frequencies at ~1 count/pixel, while drift-tracking textures (VDF contrast of
// domains several pixels wide) live at low ones; a symmetric filter moves no peak.
constexpr double kSmoothSigma = 1.0;

// FFTW's planner and plan destruction are not thread-safe; execution is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

void check_grid(std::size_t ny, std::size_t nx) {
  // 4 x 4 is the least where a 3x3 peak neighbourhood and pixels "away from the peak" exist.
  require(ny >= 4 && nx >= 4, "registration: image grid must be at least 4 x 4, got " + std::to_string(ny) +
                                  " x " + std::to_string(nx));
  require(ny <= static_cast<std::size_t>(std::numeric_limits<int>::max()) / nx,
          "registration: image grid too large for FFTW");
}

// One image made ready for correlation: zero mean (otherwise the DC term dominates the map).
struct Prepared {
  std::vector<double> centred;
  bool flat = false;  // constant image: nothing to correlate
};

// Owns the FFTW buffers and plans of one grid size, so a time series plans once.
class CrossCorrelator {
 public:
  CrossCorrelator(std::size_t ny, std::size_t nx, bool window);
  ~CrossCorrelator();
  CrossCorrelator(const CrossCorrelator&) = delete;
  CrossCorrelator& operator=(const CrossCorrelator&) = delete;

  Prepared prepare(const double* image) const;
  Shift estimate(const Prepared& reference, const Prepared& image);

 private:
  void release();
  // Spectrum of `image` times the Hann window centred at offset (ay, ax) from the grid centre.
  std::vector<Complex> spectrum(const Prepared& image, double ay, double ax);
  // Correlation map of one pass into real_, its peak refined; false when nothing correlates.
  bool correlate_pass(const Prepared& ref, const Prepared& img, double dy0, double dx0, Shift& out);
  double map_at(long y, long x) const;  // correlation map with periodic wrap

  std::size_t ny_, nx_, nxc_;
  bool window_;
  std::vector<double> wy_, wx_;  // scratch: the window of one pass
  double* real_ = nullptr;
  fftw_complex* spec_ = nullptr;
  fftw_plan r2c_ = nullptr, c2r_ = nullptr;
};

CrossCorrelator::CrossCorrelator(std::size_t ny, std::size_t nx, bool window)
    : ny_(ny), nx_(nx), nxc_(nx / 2 + 1), window_(window), wy_(ny, 1.0), wx_(nx, 1.0) {
  std::lock_guard<std::mutex> lock(planner_mutex());
  real_ = fftw_alloc_real(ny * nx);
  spec_ = fftw_alloc_complex(ny * nxc_);
  if (!real_ || !spec_) {
    release();
    throw std::bad_alloc();
  }
  const int n0 = static_cast<int>(ny), n1 = static_cast<int>(nx);
  r2c_ = fftw_plan_dft_r2c_2d(n0, n1, real_, spec_, FFTW_ESTIMATE);
  c2r_ = fftw_plan_dft_c2r_2d(n0, n1, spec_, real_, FFTW_ESTIMATE);
  if (!r2c_ || !c2r_) {
    release();  // no destructor runs for a constructor that throws
    throw Error("registration: FFTW could not plan " + std::to_string(ny) + " x " + std::to_string(nx) +
                " transforms");
  }
}

CrossCorrelator::~CrossCorrelator() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  release();
}

void CrossCorrelator::release() {
  if (r2c_) fftw_destroy_plan(r2c_);
  if (c2r_) fftw_destroy_plan(c2r_);
  if (real_) fftw_free(real_);
  if (spec_) fftw_free(spec_);
  r2c_ = c2r_ = nullptr;
  real_ = nullptr;
  spec_ = nullptr;
}

Prepared CrossCorrelator::prepare(const double* image) const {
  const std::size_t n = ny_ * nx_;
  Prepared out;
  if (is_flat_image(image, n)) {
    out.flat = true;
    return out;
  }
  double sum = 0.0;
  for (std::size_t p = 0; p < n; ++p) sum += image[p];
  const double mean = sum / n;
  out.centred.resize(n);
  for (std::size_t p = 0; p < n; ++p) out.centred[p] = image[p] - mean;
  return out;
}

// Periodic Hann taper sin^2(pi (i + 1/2 - a) / n): sampled at pixel centres (symmetric
// about the grid centre for a = 0), its zero moved by a pixels with the content.
void hann(std::vector<double>& w, double a) {
  const double n = static_cast<double>(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::pow(std::sin(kPi * (i + 0.5 - a) / n), 2);
}

std::vector<Complex> CrossCorrelator::spectrum(const Prepared& image, double ay, double ax) {
  if (window_) {
    hann(wy_, ay);
    hann(wx_, ax);
  }
  // Zero weighted mean: a leftover DC level would add the window's own (broad, lopsided)
  // correlation to the map under the peak.
  double sum = 0.0, weight = 0.0;
  for (std::size_t i = 0; i < ny_; ++i)
    for (std::size_t j = 0; j < nx_; ++j) {
      sum += image.centred[i * nx_ + j] * wy_[i] * wx_[j];
      weight += wy_[i] * wx_[j];
    }
  const double level = sum / weight;
  for (std::size_t i = 0; i < ny_; ++i)
    for (std::size_t j = 0; j < nx_; ++j)
      real_[i * nx_ + j] = (image.centred[i * nx_ + j] - level) * wy_[i] * wx_[j];
  fftw_execute(r2c_);
  std::vector<Complex> out(ny_ * nxc_);
  std::memcpy(static_cast<void*>(out.data()), spec_, out.size() * sizeof(Complex));
  return out;
}

double CrossCorrelator::map_at(long y, long x) const {
  const long ny = static_cast<long>(ny_), nx = static_cast<long>(nx_);
  y = ((y % ny) + ny) % ny;
  x = ((x % nx) + nx) % nx;
  return real_[y * nx + x];
}

// Offset of the extremum of the quadratic least-squares fit to 3x3 values f[u+1][v+1]
// (u: row offset, v: column offset, each in {-1, 0, 1}); false when the fit has no maximum
// within one pixel of the centre.
bool quadratic_peak(const double f[3][3], double& u, double& v) {
  double bu = 0, bv = 0, quu = 0, qvv = 0, quv = 0;
  for (int a = -1; a <= 1; ++a)
    for (int b = -1; b <= 1; ++b) {
      const double val = f[a + 1][b + 1];
      bu += a * val / 6.0;
      bv += b * val / 6.0;
      quu += (a * a - 2.0 / 3.0) * val / 2.0;
      qvv += (b * b - 2.0 / 3.0) * val / 2.0;
      quv += a * b * val / 4.0;
    }
  // Stationary point of bu u + bv v + quu u^2 + qvv v^2 + quv u v; a maximum needs a
  // negative-definite Hessian [[2quu, quv], [quv, 2qvv]].
  const double det = 4.0 * quu * qvv - quv * quv;
  if (!(quu < 0.0 && det > 0.0)) return false;
  u = (-bu * 2.0 * qvv + bv * quv) / det;
  v = (-bv * 2.0 * quu + bu * quv) / det;
  return std::fabs(u) <= 1.0 && std::fabs(v) <= 1.0;
}

// 1-D three-point vertex, the fallback when the 2-D fit is degenerate.
double three_point_peak(double left, double centre, double right) {
  const double denom = left - 2.0 * centre + right;
  if (!(denom < 0.0)) return 0.0;
  return std::clamp(0.5 * (left - right) / denom, -0.5, 0.5);
}

// Integer peak position k in [0, n) as a shift in [-n/2, n/2).
long wrap_index(long k, long n) { return 2 * k >= n ? k - n : k; }

bool CrossCorrelator::correlate_pass(const Prepared& ref, const Prepared& img, double dy0, double dx0,
                                     Shift& out) {
  // Each image is tapered by a window centred on the content the two share, as far as the
  // previous pass located it (ref's window moved by -d0/2, image's by +d0/2). With both
  // windows fixed at the grid centre the map would be multiplied by the window's
  // autocorrelation, whose slope pulls the peak towards 0 (~0.4 px at a 4 px shift on
  // 32 px); centred on d0 the pull is proportional to the residual d - d0 and the passes
  // converge. The taper also hides each image's periodic-FFT seam.
  const std::vector<Complex> r = spectrum(ref, -0.5 * dy0, -0.5 * dx0);
  const std::vector<Complex> m = spectrum(img, 0.5 * dy0, 0.5 * dx0);
  // The map is also moved by -d0 (a phase ramp), so its peak sits near 0 and the 3x3 fit
  // samples it almost symmetrically: a fit of a not-quite-Gaussian peak sampled off-centre
  // is pulled towards the integer pixel ("peak locking"); sampled symmetrically it is not.
  auto* spec = reinterpret_cast<Complex*>(spec_);
  for (std::size_t ky = 0; ky < ny_; ++ky) {
    const double fy = static_cast<double>(wrap_index(static_cast<long>(ky), static_cast<long>(ny_))) / ny_;
    for (std::size_t kx = 0; kx < nxc_; ++kx) {
      const double fx = static_cast<double>(kx) / nx_;
      const double phase = 2.0 * kPi * (fy * dy0 + fx * dx0);
      const double smooth = std::exp(-2.0 * kPi * kPi * kSmoothSigma * kSmoothSigma * (fy * fy + fx * fx));
      const std::size_t k = ky * nxc_ + kx;
      spec[k] = std::conj(r[k]) * m[k] * Complex(smooth * std::cos(phase), smooth * std::sin(phase));
    }
  }
  fftw_execute(c2r_);  // real_ = c(s + d0), c(s) = sum_x r(x) i(x + s) peaking at s = shift

  const std::size_t n = ny_ * nx_;
  const std::size_t p_max = static_cast<std::size_t>(std::max_element(real_, real_ + n) - real_);
  const double peak = real_[p_max];
  if (!(peak > 0.0)) return false;  // no positive correlation anywhere: no match
  const long py = static_cast<long>(p_max / nx_), px = static_cast<long>(p_max % nx_);

  double f[3][3];
  bool all_positive = true;
  for (int a = -1; a <= 1; ++a)
    for (int b = -1; b <= 1; ++b) {
      f[a + 1][b + 1] = map_at(py + a, px + b);
      all_positive = all_positive && f[a + 1][b + 1] > 0.0;
    }
  if (all_positive)  // a Gaussian peak is exactly quadratic in log
    for (auto& row : f)
      for (double& val : row) val = std::log(val);
  double u = 0.0, v = 0.0;
  if (!quadratic_peak(f, u, v)) {
    u = three_point_peak(f[0][1], f[1][1], f[2][1]);
    v = three_point_peak(f[1][0], f[1][1], f[1][2]);
  }

  // Quality: peak over the rms of the map outside a box around the peak (wrapped distance).
  const long ny = static_cast<long>(ny_), nx = static_cast<long>(nx_);
  const long r_box = std::max<long>(1, static_cast<long>(std::min(ny_, nx_) / 8));
  double sum_sq = 0.0;
  std::size_t count = 0;
  for (long y = 0; y < ny; ++y) {
    const long ady = std::abs(wrap_index(((y - py) % ny + ny) % ny, ny));
    for (long x = 0; x < nx; ++x) {
      const long adx = std::abs(wrap_index(((x - px) % nx + nx) % nx, nx));
      if (ady <= r_box && adx <= r_box) continue;
      const double val = real_[y * nx + x];
      sum_sq += val * val;
      ++count;
    }
  }
  const double rms = count ? std::sqrt(sum_sq / count) : 0.0;
  out.dy = dy0 + wrap_index(py, ny) + u;
  out.dx = dx0 + wrap_index(px, nx) + v;
  out.peak_quality = rms > 0.0 ? peak / rms : std::numeric_limits<double>::infinity();
  return true;
}

Shift CrossCorrelator::estimate(const Prepared& ref, const Prepared& img) {
  if (ref.flat || img.flat) return Shift{};
  constexpr int kMaxPasses = 6;        // each pass shrinks the window pull ~10x (see correlate_pass)
  constexpr double kConverged = 1e-3;  // [px] far below the accuracy the data support
  Shift s;
  if (!correlate_pass(ref, img, 0.0, 0.0, s)) return Shift{};
  for (int pass = 1; window_ && pass < kMaxPasses; ++pass) {
    Shift next;
    if (!correlate_pass(ref, img, s.dy, s.dx, next)) break;
    const bool converged = std::fabs(next.dy - s.dy) < kConverged && std::fabs(next.dx - s.dx) < kConverged;
    s = next;
    if (converged) break;
  }
  return s;
}

// The shift between a reference and an image of one grid (FFT or direct correlation).
using PairShift = std::function<Shift(const double* reference, const double* image)>;

// A reference of drift_against_mean: the (aligned) sum `acc` of the blocks over their
// per-pixel weight `weight`. With `own` (leave one out), one block's contribution `own` of
// weight `own_weight` is taken off first, on the pixels `own_covers` marks (all if null).
// Pixels no block covers get the mean of the covered ones rather than made-up content.
std::vector<double> reference_image(const std::vector<double>& acc, const std::vector<double>& weight,
                                    const double* own, const std::vector<bool>* own_covers, double own_weight) {
  const std::size_t pixels = acc.size();
  std::vector<double> sum(acc), w(weight);
  if (own)
    for (std::size_t p = 0; p < pixels; ++p)
      if (!own_covers || (*own_covers)[p]) sum[p] -= own[p], w[p] -= own_weight;
  // A weight left at rounding level after the subtraction covers nothing.
  const double tiny = 1e-9 * own_weight;
  double covered_sum = 0.0, covered_weight = 0.0;
  for (std::size_t p = 0; p < pixels; ++p)
    if (w[p] > tiny) covered_sum += sum[p], covered_weight += w[p];
  const double fill = covered_weight > 0.0 ? covered_sum / covered_weight : 0.0;
  std::vector<double> out(pixels);
  for (std::size_t p = 0; p < pixels; ++p) out[p] = w[p] > tiny ? sum[p] / w[p] : fill;
  return out;
}

// Shifts of every block against the mean of the blocks moved back by `shifts`
// (block(y + s) = mean(y)). Pixels each block does not cover stay out of its average
// rather than being made up. Every caller does this in the same order, so the reference
// is identical wherever it is computed. Leaving one out needs each block's aligned image
// (small images only: n_blocks x ny x nx).
std::vector<Shift> against_aligned_mean(const std::vector<double>& blocks, const std::vector<double>& weights,
                                        std::size_t n_blocks, std::vector<Shift> shifts, const PairShift& pair_shift,
                                        std::size_t ny, std::size_t nx, const BlockDistribution& dist,
                                        bool leave_one_out) {
  const std::size_t pixels = ny * nx;
  std::vector<double> acc(pixels, 0.0), weight(pixels, 0.0), aligned(leave_one_out ? n_blocks * pixels : 0, 0.0);
  std::vector<bool> covers(aligned.size(), false);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    const double* one = &blocks[b * pixels];
    for (std::size_t y = 0; y < ny; ++y)
      for (std::size_t x = 0; x < nx; ++x) {
        double val;
        if (!sample_bilinear(one, ny, nx, y + shifts[b].dy, x + shifts[b].dx, val)) continue;
        acc[y * nx + x] += val;
        weight[y * nx + x] += weights[b];
        if (!leave_one_out) continue;
        aligned[b * pixels + y * nx + x] = val;
        covers[b * pixels + y * nx + x] = true;
      }
  }
  const std::vector<double> mean = reference_image(acc, weight, nullptr, nullptr, 0.0);
  std::vector<bool> own_covers(pixels);
  std::fill(shifts.begin(), shifts.end(), Shift{});
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (!dist.owns(b)) continue;
    if (!leave_one_out) {
      shifts[b] = pair_shift(mean.data(), &blocks[b * pixels]);
      continue;
    }
    std::copy(covers.begin() + std::ptrdiff_t(b * pixels), covers.begin() + std::ptrdiff_t((b + 1) * pixels),
              own_covers.begin());
    shifts[b] = pair_shift(reference_image(acc, weight, &aligned[b * pixels], &own_covers, weights[b]).data(),
                           &blocks[b * pixels]);
  }
  dist.combine(shifts);
  return shifts;
}

// First estimates against the unaligned mean. With `leave_one_out` each block is compared
// with the mean of the others (see drift_against_mean).
std::vector<Shift> against_unaligned_mean(const std::vector<double>& blocks, const std::vector<double>& weights,
                                          std::size_t n_blocks, const PairShift& pair_shift, std::size_t pixels,
                                          const BlockDistribution& dist, bool leave_one_out) {
  std::vector<double> sum(pixels, 0.0), weight(pixels, 0.0);
  for (std::size_t b = 0; b < n_blocks; ++b)
    for (std::size_t p = 0; p < pixels; ++p) sum[p] += blocks[b * pixels + p], weight[p] += weights[b];
  std::vector<Shift> shifts(n_blocks);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (!dist.owns(b)) continue;
    // Without leaving one out, the plain sum: the correlation does not depend on the scale.
    shifts[b] = leave_one_out ? pair_shift(reference_image(sum, weight, &blocks[b * pixels], nullptr, weights[b]).data(),
                                           &blocks[b * pixels])
                              : pair_shift(sum.data(), &blocks[b * pixels]);
  }
  dist.combine(shifts);
  return shifts;
}

// First estimates from the steps between neighbouring blocks, accumulated and centred on
// their weighted mean (so that the mean aligned by them lies in the middle of the drift path).
std::vector<Shift> accumulated_steps(const std::vector<double>& blocks, const std::vector<double>& weights,
                                     std::size_t n_blocks, const PairShift& pair_shift, std::size_t pixels,
                                     const BlockDistribution& dist) {
  std::vector<Shift> steps(n_blocks), shifts(n_blocks);
  for (std::size_t b = 1; b < n_blocks; ++b)
    if (dist.owns(b)) steps[b] = pair_shift(&blocks[(b - 1) * pixels], &blocks[b * pixels]);
  dist.combine(steps);
  double sum_y = 0.0, sum_x = 0.0, sum_w = 0.0;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (b > 0) shifts[b] = {shifts[b - 1].dy + steps[b].dy, shifts[b - 1].dx + steps[b].dx, 0.0};
    sum_y += weights[b] * shifts[b].dy, sum_x += weights[b] * shifts[b].dx, sum_w += weights[b];
  }
  for (Shift& sh : shifts) sh.dy -= sum_y / sum_w, sh.dx -= sum_x / sum_w;
  return shifts;
}

double total_quality(const std::vector<Shift>& shifts) {
  double sum = 0.0;
  for (const Shift& s : shifts) sum += s.peak_quality;
  return sum;
}

// Shifts of every block against the mean image, after one align-and-re-average pass: the
// unaligned mean is blurred along the drift path, so the blocks moved back by their first
// estimates give a sharper reference, against which they are estimated again.
// Estimates of blocks the caller does not own stay zero until `combine` merges them.
//
// Small images (`small`: direct correlation, few blocks) differ in two ways.
// - Each block is compared with the mean of the others: a block is 1/n of the mean for n
//   blocks, so its own noise correlates with the mean at zero shift, a peak that on a
//   small image without texture reaches the noise maximum and would pass the per-block
//   test (docs/registration.md, "Small scans").
// - The first estimates come from two starts, and the result with the better matches
//   (larger total peak_quality) is kept: the unaligned mean, and the steps between
//   neighbouring blocks accumulated. On a 10 x 10 scan a drift of 5 px blurs the unaligned
//   mean along half the image and far blocks lock onto a wrong peak of it; each step is
//   only the drift over one block, but the steps' errors add up, and on 8 x 8 scans the
//   mean aligned by them can settle on a wrong alignment. Each start fails where the other
//   does not, and a wrong alignment matches worse.
std::vector<Shift> drift_against_mean(const std::vector<double>& blocks, const std::vector<double>& weights,
                                      std::size_t n_blocks, const PairShift& pair_shift, std::size_t ny,
                                      std::size_t nx, const BlockDistribution& dist, bool small) {
  const std::size_t pixels = ny * nx;
  const auto refined = [&](const std::vector<Shift>& first) {
    return against_aligned_mean(blocks, weights, n_blocks, first, pair_shift, ny, nx, dist, small);
  };
  const auto from_mean = refined(against_unaligned_mean(blocks, weights, n_blocks, pair_shift, pixels, dist, small));
  if (!small) return from_mean;
  const auto from_steps = refined(accumulated_steps(blocks, weights, n_blocks, pair_shift, pixels, dist));
  return total_quality(from_steps) > total_quality(from_mean) ? from_steps : from_mean;
}

void check_series(std::size_t n_images, std::size_t ny, std::size_t nx, std::size_t size, const char* what) {
  check_grid(ny, nx);
  require(n_images >= 1, std::string("registration: the ") + what + " has no images");
  const std::size_t pixels = ny * nx;
  require(n_images <= std::numeric_limits<std::size_t>::max() / pixels && size == n_images * pixels,
          std::string("registration: the ") + what + " must hold n * ny * nx = " + std::to_string(n_images) +
              " * " + std::to_string(pixels) + " values, got " + std::to_string(size));
}

}  // namespace

Shift estimate_shift(const std::vector<double>& reference, const std::vector<double>& image, std::size_t ny,
                     std::size_t nx, bool window) {
  check_grid(ny, nx);
  require(reference.size() == ny * nx && image.size() == ny * nx,
          "registration: images must hold ny * nx = " + std::to_string(ny * nx) + " values, got " +
              std::to_string(reference.size()) + " and " + std::to_string(image.size()));
  CrossCorrelator xc(ny, nx, window);
  const Prepared ref = xc.prepare(reference.data());
  return xc.estimate(ref, xc.prepare(image.data()));
}

bool is_flat_image(const double* image, std::size_t n) {
  double lo = image[0], hi = image[0];
  for (std::size_t p = 0; p < n; ++p) {
    require(std::isfinite(image[p]), "registration: image contains a non-finite value");
    lo = std::min(lo, image[p]);
    hi = std::max(hi, image[p]);
  }
  // Relative test: the mean subtraction of a constant image leaves only rounding noise.
  return hi - lo <= 1e-12 * std::max(std::fabs(hi), std::fabs(lo));
}

double track_scatter(const std::vector<double>& v) {
  if (v.size() < 3) return 0.0;
  double sum2 = 0.0;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) sum2 += std::pow(v[i - 1] - 2 * v[i] + v[i + 1], 2);
  return std::sqrt(sum2 / double(v.size() - 2) / 6.0);
}

double track_range(const std::vector<double>& v) {
  return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
}

ShiftMethod shift_method_for(std::size_t ny, std::size_t nx) {
  return std::min(ny, nx) < kDirectCorrelationBelow ? ShiftMethod::direct : ShiftMethod::fft;
}

std::vector<Shift> estimate_block_shifts(const std::vector<double>& blocks, std::size_t n_blocks, std::size_t ny,
                                         std::size_t nx, Reference reference, const std::vector<double>& weights,
                                         const BlockDistribution& dist) {
  check_series(n_blocks, ny, nx, blocks.size(), "block series");
  require(weights.size() == n_blocks, "registration: one weight per block is needed");
  const std::size_t pixels = ny * nx;
  const bool direct = shift_method_for(ny, nx) == ShiftMethod::direct;
  std::unique_ptr<CrossCorrelator> xc;
  PairShift pair_shift;
  if (direct) {
    pair_shift = [ny, nx](const double* ref, const double* img) { return estimate_shift_direct(ref, img, ny, nx); };
  } else {
    xc = std::make_unique<CrossCorrelator>(ny, nx, /*window=*/true);
    pair_shift = [&xc](const double* ref, const double* img) { return xc->estimate(xc->prepare(ref), xc->prepare(img)); };
  }
  std::vector<Shift> per_block(n_blocks);
  switch (reference) {
    case Reference::first: {
      for (std::size_t b = 0; b < n_blocks; ++b)
        if (dist.owns(b)) per_block[b] = pair_shift(&blocks[0], &blocks[b * pixels]);
      dist.combine(per_block);
      break;
    }
    case Reference::previous: {
      // Steps between neighbours are independent, so they are estimated in parallel and
      // accumulated afterwards: block_b(y) = block_{b-1}(y - step_b), so shifts add.
      for (std::size_t b = 1; b < n_blocks; ++b)
        if (dist.owns(b)) per_block[b] = pair_shift(&blocks[(b - 1) * pixels], &blocks[b * pixels]);
      dist.combine(per_block);
      per_block[0].peak_quality = n_blocks > 1 ? per_block[1].peak_quality : 0.0;
      for (std::size_t b = 1; b < n_blocks; ++b) {
        per_block[b].dy += per_block[b - 1].dy;
        per_block[b].dx += per_block[b - 1].dx;
      }
      break;
    }
    case Reference::mean:
      per_block = drift_against_mean(blocks, weights, n_blocks, pair_shift, ny, nx, dist, /*small=*/direct);
      break;
  }
  return per_block;
}

std::vector<double> piecewise_linear(const std::vector<double>& knot_t, const std::vector<double>& knot_v,
                                     std::size_t n_t) {
  require(!knot_t.empty() && knot_t.size() == knot_v.size(), "piecewise_linear: need as many values as knots");
  std::vector<double> out(n_t, knot_v[0]);
  if (knot_t.size() == 1) return out;
  std::size_t k = 0;  // segment [k, k+1] used for t
  for (std::size_t t = 0; t < n_t; ++t) {
    const double tt = static_cast<double>(t);
    while (k + 2 < knot_t.size() && knot_t[k + 1] <= tt) ++k;
    const double w = (tt - knot_t[k]) / (knot_t[k + 1] - knot_t[k]);  // < 0 or > 1: extrapolated
    out[t] = knot_v[k] + w * (knot_v[k + 1] - knot_v[k]);
  }
  return out;
}

std::vector<double> gaussian_smooth(const std::vector<double>& values, double sigma) {
  if (!(sigma > 0.0) || values.size() < 2) return values;
  const long n = static_cast<long>(values.size());
  const long radius = static_cast<long>(std::ceil(3.0 * sigma));
  std::vector<double> out(values.size());
  for (long i = 0; i < n; ++i) {
    double sum = 0.0, weight = 0.0;
    for (long j = std::max(0L, i - radius); j <= std::min(n - 1, i + radius); ++j) {
      const double w = std::exp(-0.5 * double(j - i) * double(j - i) / (sigma * sigma));
      sum += w * values[std::size_t(j)];
      weight += w;
    }
    out[std::size_t(i)] = sum / weight;
  }
  return out;
}

std::vector<Shift> estimate_drift(const std::vector<double>& images, std::size_t n_images, std::size_t ny,
                                  std::size_t nx, Reference reference, std::size_t block) {
  check_series(n_images, ny, nx, images.size(), "time series");
  require(block >= 1, "registration: block size must be at least 1");
  const std::size_t pixels = ny * nx;
  const std::size_t n_blocks = (n_images + block - 1) / block;
  std::vector<double> sums(n_blocks * pixels, 0.0), weights(n_blocks, 0.0), centre(n_blocks);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    const std::size_t first = b * block, end = std::min(n_images, first + block);
    for (std::size_t t = first; t < end; ++t)
      for (std::size_t p = 0; p < pixels; ++p) sums[b * pixels + p] += images[t * pixels + p];
    weights[b] = double(end - first);
    centre[b] = 0.5 * double(first + end - 1);
  }
  const auto per_block = estimate_block_shifts(sums, n_blocks, ny, nx, reference, weights);
  std::vector<double> by(n_blocks), bx(n_blocks);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    by[b] = per_block[b].dy;
    bx[b] = per_block[b].dx;
  }
  const auto ty = piecewise_linear(centre, by, n_images), tx = piecewise_linear(centre, bx, n_images);
  std::vector<Shift> out(n_images);
  for (std::size_t t = 0; t < n_images; ++t)  // one origin for every reference: image 0 does not move
    out[t] = {ty[t] - ty[0], tx[t] - tx[0], per_block[t / block].peak_quality};
  return out;
}

}  // namespace ecm::registration
