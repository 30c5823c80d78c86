// Direct (spatial-domain) shift estimation for small images (see direct_correlation.hpp).
#include "ecm/registration/direct_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ecm/core/error.hpp"
#include "ecm/registration/bilinear.hpp"

namespace ecm::registration {
namespace {

constexpr int kMaxIterations = 30;    // Gauss-Newton steps; a converging fit needs ~3-6
constexpr double kConverged = 1e-4;   // [px] far below the accuracy the data support
constexpr double kMaxStep = 0.5;      // [px] per step: the bilinear model is local to a cell

struct Correlation {
  double r = 0.0;      // Pearson correlation over the overlap; 0 if either side is flat there
  std::size_t n = 0;   // pixels in the overlap
};

// Correlation of image(y, x) with reference(y - dy, x - dx) over the pixels both cover.
Correlation correlation_at(const double* ref, const double* img, std::size_t ny, std::size_t nx, long dy, long dx) {
  const long NY = static_cast<long>(ny), NX = static_cast<long>(nx);
  const long y0 = std::max(0L, dy), y1 = std::min(NY, NY + dy);
  const long x0 = std::max(0L, dx), x1 = std::min(NX, NX + dx);
  Correlation c;
  if (y1 <= y0 || x1 <= x0) return c;
  c.n = static_cast<std::size_t>((y1 - y0) * (x1 - x0));
  double ma = 0.0, mb = 0.0;
  for (long y = y0; y < y1; ++y)
    for (long x = x0; x < x1; ++x) {
      ma += img[y * NX + x];
      mb += ref[(y - dy) * NX + (x - dx)];
    }
  ma /= static_cast<double>(c.n);
  mb /= static_cast<double>(c.n);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (long y = y0; y < y1; ++y)
    for (long x = x0; x < x1; ++x) {
      const double a = img[y * NX + x] - ma, b = ref[(y - dy) * NX + (x - dx)] - mb;
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
  if (saa > 0.0 && sbb > 0.0) c.r = sab / std::sqrt(saa * sbb);
  return c;
}

// Whether a shift keeps at least half of the image in the overlap: below that the
// correlation rests on too few pixels to be compared with the others.
bool enough_overlap(std::size_t ny, std::size_t nx, long dy, long dx) {
  const long oy = static_cast<long>(ny) - std::labs(dy), ox = static_cast<long>(nx) - std::labs(dx);
  return oy > 0 && ox > 0 && 2 * oy * ox >= static_cast<long>(ny * nx);
}

// Gauss-Newton on s for image(y) = a + b * reference(y - s) over the overlap, from (sy, sx).
// a and b are solved exactly for each s (b must stay positive: a match, not an inversion).
// False if it moves more than one pixel from the start or the system is degenerate.
bool refine(const double* ref, const double* img, std::size_t ny, std::size_t nx, double& sy, double& sx) {
  const double start_y = sy, start_x = sx;
  double last_y = 0.0, last_x = 0.0, damp_y = 1.0, damp_x = 1.0;
  std::vector<double> a, b, gy, gx;
  a.reserve(ny * nx), b.reserve(ny * nx), gy.reserve(ny * nx), gx.reserve(ny * nx);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    a.clear(), b.clear(), gy.clear(), gx.clear();
    for (std::size_t y = 0; y < ny; ++y)
      for (std::size_t x = 0; x < nx; ++x) {
        BilinearSample s;
        if (!sample_bilinear(ref, ny, nx, double(y) - sy, double(x) - sx, s)) continue;
        a.push_back(img[y * nx + x]);
        b.push_back(s.value);
        gy.push_back(s.d_dy);
        gx.push_back(s.d_dx);
      }
    const double n = static_cast<double>(a.size());
    if (a.size() < 4) return false;
    double ma = 0, mb = 0, mgy = 0, mgx = 0;
    for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i], mgy += gy[i], mgx += gx[i];
    ma /= n, mb /= n, mgy /= n, mgx /= n;
    double sab = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sab += (a[i] - ma) * (b[i] - mb), sbb += (b[i] - mb) * (b[i] - mb);
    if (!(sbb > 0.0)) return false;
    const double gain = sab / sbb;
    if (!(gain > 0.0)) return false;
    // Residual r = A - gain B (centred), d r / d s = gain G with G = grad reference (centred),
    // as reference(y - s) changes by -G per unit s. Normal equations: (G^T G) step = -G^T r / gain.
    double gyy = 0, gxx = 0, gyx = 0, ry = 0, rx = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double r = (a[i] - ma) - gain * (b[i] - mb), cy = gy[i] - mgy, cx = gx[i] - mgx;
      gyy += cy * cy, gxx += cx * cx, gyx += cy * cx;
      ry += cy * r, rx += cx * r;
    }
    const double det = gyy * gxx - gyx * gyx;
    if (!(det > 1e-12 * gyy * gxx)) return false;
    double step_y = std::clamp(-(gxx * ry - gyx * rx) / det / gain, -kMaxStep, kMaxStep);
    double step_x = std::clamp(-(gyy * rx - gyx * ry) / det / gain, -kMaxStep, kMaxStep);
    // A step that reverses the last one has crossed a cell edge, where the bilinear
    // gradient jumps and pixels enter or leave the overlap: steps would alternate about
    // it forever. Each reversal halves that axis' steps from then on (a bisection).
    if (step_y * last_y < 0.0) damp_y *= 0.5;
    if (step_x * last_x < 0.0) damp_x *= 0.5;
    last_y = step_y, last_x = step_x;
    step_y *= damp_y, step_x *= damp_x;
    sy += step_y, sx += step_x;
    if (std::fabs(sy - start_y) > 1.0 || std::fabs(sx - start_x) > 1.0) return false;
    if (std::fabs(step_y) < kConverged && std::fabs(step_x) < kConverged) break;
  }
  // Converged, or kMaxIterations steps taken (shrinking about a cell edge): the last iterate.
  return true;
}

// Vertex of the parabola through (-1, left), (0, centre), (1, right), within half a pixel.
double parabola_vertex(double left, double centre, double right) {
  const double denom = left - 2.0 * centre + right;
  if (!(denom < 0.0)) return 0.0;
  return std::clamp(0.5 * (left - right) / denom, -0.5, 0.5);
}

}  // namespace

Shift estimate_shift_direct(const double* reference, const double* image, std::size_t ny, std::size_t nx) {
  require(ny >= 4 && nx >= 4, "registration: image grid must be at least 4 x 4, got " + std::to_string(ny) + " x " +
                                  std::to_string(nx));
  const bool flat_ref = is_flat_image(reference, ny * nx), flat_img = is_flat_image(image, ny * nx);
  if (flat_ref || flat_img) return Shift{};

  const long NY = static_cast<long>(ny), NX = static_cast<long>(nx);
  Correlation best;
  long by = 0, bx = 0;
  best.r = -std::numeric_limits<double>::infinity();
  for (long dy = -(NY - 1); dy <= NY - 1; ++dy)
    for (long dx = -(NX - 1); dx <= NX - 1; ++dx) {
      if (!enough_overlap(ny, nx, dy, dx)) continue;
      const Correlation c = correlation_at(reference, image, ny, nx, dy, dx);
      if (c.r > best.r) best = c, by = dy, bx = dx;
    }
  if (!(best.r > 0.0)) return Shift{};  // no positive correlation anywhere: no match

  Shift out;
  out.peak_quality = best.r * std::sqrt(static_cast<double>(best.n) - 1.0);
  double sy = static_cast<double>(by), sx = static_cast<double>(bx);
  if (!refine(reference, image, ny, nx, sy, sx)) {
    const auto r_at = [&](long dy, long dx) {
      return enough_overlap(ny, nx, dy, dx) ? correlation_at(reference, image, ny, nx, dy, dx).r : best.r;
    };
    sy = static_cast<double>(by) + parabola_vertex(r_at(by - 1, bx), best.r, r_at(by + 1, bx));
    sx = static_cast<double>(bx) + parabola_vertex(r_at(by, bx - 1), best.r, r_at(by, bx + 1));
  }
  out.dy = sy;
  out.dx = sx;
  return out;
}

}  // namespace ecm::registration
