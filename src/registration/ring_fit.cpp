#include "ecm/registration/ring_fit.hpp"

#include <Eigen/Dense>
#include <unsupported/Eigen/NonLinearOptimization>
#include <unsupported/Eigen/NumericalDiff>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ecm::registration {

namespace {

// Parameter vector: cy, cx, r0, w, A, B0, B1 [, a, b] (the ellipse's S, when fitted).
enum Param { kCy, kCx, kR0, kW, kA, kB0, kB1, kSa, kSb };

struct Pixel {
  double y, x, value;
};

// Ellipse <-> the traceless S of M^-2 = exp(S) (see the header).
Ellipticity ellipse_of(double a, double b) {
  const double lambda = std::hypot(a, b);
  double angle = 0.5 * std::atan2(b, a) + 0.5 * kPi;
  angle = std::fmod(angle + kPi, kPi);  // [0, pi): an axis has no sign
  return {std::expm1(lambda), angle};
}
std::array<double, 2> s_of(const Ellipticity& e) {
  const double lambda = std::log1p(e.e), phi2 = 2.0 * (e.angle - 0.5 * kPi);
  return {lambda * std::cos(phi2), lambda * std::sin(phi2)};
}

// Undistorted radius of offset (dy, dx) under S = (a, b): sqrt(d^T exp(S) d).
double undistorted_radius(double dy, double dx, double a, double b) {
  const double lambda = std::hypot(a, b);
  const double sinhc = lambda > 1e-12 ? std::sinh(lambda) / lambda : 1.0;
  const double rho2 = std::cosh(lambda) * (dx * dx + dy * dy) + sinhc * (a * (dx * dx - dy * dy) + 2.0 * b * dx * dy);
  return std::sqrt(std::max(rho2, 0.0));
}

struct RingModel {
  using Scalar = double;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;

  const std::vector<Pixel>* pixels = nullptr;
  bool fit_ellipse = true;
  std::array<double, 2> held_s{};  // S when the ellipse is held

  int inputs() const { return fit_ellipse ? 9 : 7; }
  int values() const { return int(pixels->size()); }
  double value(const Eigen::VectorXd& p, const Pixel& px) const {
    const double a = fit_ellipse ? p[kSa] : held_s[0], b = fit_ellipse ? p[kSb] : held_s[1];
    const double rho = undistorted_radius(px.y - p[kCy], px.x - p[kCx], a, b);
    const double u = (rho - p[kR0]) / p[kW];
    return p[kB0] + p[kB1] * (rho - p[kR0]) / p[kR0] + p[kA] * std::exp(-0.5 * u * u);
  }
  int operator()(const Eigen::VectorXd& p, Eigen::VectorXd& residual) const {
    for (std::size_t i = 0; i < pixels->size(); ++i) residual[Eigen::Index(i)] = value(p, (*pixels)[i]) - (*pixels)[i].value;
    return 0;
  }
};

// Pixels of the annulus [r_lo, r_hi] (undistorted radius about `center` under `s`).
std::vector<Pixel> annulus_pixels(const std::vector<double>& pattern, const std::vector<float>& mask, std::size_t det_y,
                                  std::size_t det_x, std::array<double, 2> center, std::array<double, 2> s, double r_lo,
                                  double r_hi) {
  std::vector<Pixel> out;
  for (std::size_t y = 0; y < det_y; ++y)
    for (std::size_t x = 0; x < det_x; ++x) {
      const std::size_t i = y * det_x + x;
      if ((!mask.empty() && mask[i] != 0.0f) || !std::isfinite(pattern[i])) continue;
      const double rho = undistorted_radius(double(y) - center[0], double(x) - center[1], s[0], s[1]);
      if (rho >= r_lo && rho <= r_hi) out.push_back({double(y), double(x), pattern[i]});
    }
  return out;
}

// Start values from the radial profile of the annulus about the guess.
Eigen::VectorXd start_values(const std::vector<Pixel>& pixels, const RingFitOptions& o, std::array<double, 2> center,
                             std::array<double, 2> s) {
  const std::size_t n_bins = std::max<std::size_t>(1, std::size_t(std::ceil(o.r_hi - o.r_lo)));
  std::vector<double> sum(n_bins, 0.0), count(n_bins, 0.0);
  for (const auto& p : pixels) {
    const double rho = undistorted_radius(p.y - center[0], p.x - center[1], s[0], s[1]);
    const std::size_t bin = std::min(n_bins - 1, std::size_t(std::max(0.0, rho - o.r_lo)));
    sum[bin] += p.value;
    count[bin] += 1;
  }
  double best = -1e300, lowest = 1e300, r_best = 0.5 * (o.r_lo + o.r_hi);
  for (std::size_t b = 0; b < n_bins; ++b) {
    if (count[b] == 0) continue;
    const double mean = sum[b] / count[b];
    if (mean > best) best = mean, r_best = o.r_lo + double(b) + 0.5;
    lowest = std::min(lowest, mean);
  }
  Eigen::VectorXd p(o.fit_ellipse ? 9 : 7);
  p[kCy] = center[0];
  p[kCx] = center[1];
  p[kR0] = r_best;
  p[kW] = std::max(1.0, (o.r_hi - o.r_lo) / 6.0);
  p[kA] = std::max(best - lowest, 1e-12);
  p[kB0] = lowest;
  p[kB1] = 0.0;
  if (o.fit_ellipse) p[kSa] = s[0], p[kSb] = s[1];
  return p;
}

struct Solved {
  Eigen::VectorXd p;
  Eigen::MatrixXd covariance;
  bool converged = false;
  double rss = 0;
};

// How many pixels one independent residual spans: the sum of the residuals' normalised
// autocorrelation over offsets up to 3 px (at least 1). The covariance from (J^T J)^-1
// assumes independent pixels; a mean pattern's residual is speckle a few pixels wide, so
// it is scaled by this factor (on the simulated speckle of 3 px FWHM, about 5-10).
double correlated_pixels(const RingModel& model, const Eigen::VectorXd& p, std::size_t det_y, std::size_t det_x) {
  std::vector<double> residual(det_y * det_x, 0.0);
  std::vector<char> present(det_y * det_x, 0);
  double sum2 = 0.0;
  for (const auto& px : *model.pixels) {
    const std::size_t i = std::size_t(px.y) * det_x + std::size_t(px.x);
    residual[i] = px.value - model.value(p, px);
    present[i] = 1;
    sum2 += residual[i] * residual[i];
  }
  if (!(sum2 > 0)) return 1.0;
  constexpr long kReach = 3;
  double area = 0.0;
  for (long dy = -kReach; dy <= kReach; ++dy)
    for (long dx = -kReach; dx <= kReach; ++dx) {
      double sum = 0.0, norm = 0.0;
      for (const auto& px : *model.pixels) {
        const long y = long(px.y) + dy, x = long(px.x) + dx;
        if (y < 0 || x < 0 || y >= long(det_y) || x >= long(det_x)) continue;
        const std::size_t i = std::size_t(px.y) * det_x + std::size_t(px.x), j = std::size_t(y) * det_x + std::size_t(x);
        if (!present[j]) continue;
        sum += residual[i] * residual[j];
        norm += residual[i] * residual[i];
      }
      if (norm > 0) area += sum / norm;
    }
  return std::max(1.0, area);
}

Solved solve(const RingModel& model, Eigen::VectorXd p) {
  Eigen::NumericalDiff<RingModel> numeric(model);
  Eigen::LevenbergMarquardt<Eigen::NumericalDiff<RingModel>, double> lm(numeric);
  lm.parameters.maxfev = 400 * (model.inputs() + 1);
  lm.parameters.xtol = 1e-10;
  lm.parameters.ftol = 1e-12;
  const auto status = lm.minimize(p);
  Solved s;
  s.p = p;
  s.converged = status != Eigen::LevenbergMarquardtSpace::ImproperInputParameters &&
                status != Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation;
  Eigen::VectorXd residual(model.values());
  model(p, residual);
  s.rss = residual.squaredNorm();
  Eigen::MatrixXd J(model.values(), model.inputs());
  numeric.df(p, J);
  const double dof = std::max(1.0, double(model.values() - model.inputs()));
  s.covariance = (J.transpose() * J).ldlt().solve(Eigen::MatrixXd::Identity(model.inputs(), model.inputs())) * (s.rss / dof);
  return s;
}

}  // namespace

EllipseEstimate combine_ellipses(const std::vector<RingFit>& fits) {
  double wa = 0, wb = 0, w = 0;
  EllipseEstimate out;
  for (const auto& f : fits) {
    if (!f.ok || !(f.sigma_e > 0)) continue;
    const auto s = s_of(f.ellipse);
    // sigma of S is that of ln(1 + e) = sigma_e / (1 + e).
    const double weight = std::pow((1.0 + f.ellipse.e) / f.sigma_e, 2);
    wa += weight * s[0], wb += weight * s[1], w += weight;
    ++out.fits;
  }
  if (out.fits == 0) return out;
  out.ellipse = ellipse_of(wa / w, wb / w);
  out.sigma_e = (1.0 + out.ellipse.e) / std::sqrt(w);
  return out;
}

std::array<double, 2> ring_centroid(const std::vector<double>& pattern, const std::vector<float>& mask,
                                    std::size_t det_y, std::size_t det_x) {
  std::vector<double> usable;
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if ((mask.empty() || mask[i] == 0.0f) && std::isfinite(pattern[i])) usable.push_back(pattern[i]);
  if (usable.empty()) return {0.5 * (double(det_y) - 1.0), 0.5 * (double(det_x) - 1.0)};
  std::nth_element(usable.begin(), usable.begin() + std::ptrdiff_t(usable.size() / 2), usable.end());
  const double median = usable[usable.size() / 2];
  double sum = 0, sy = 0, sx = 0;
  for (std::size_t y = 0; y < det_y; ++y)
    for (std::size_t x = 0; x < det_x; ++x) {
      const std::size_t i = y * det_x + x;
      if ((!mask.empty() && mask[i] != 0.0f) || !std::isfinite(pattern[i]) || pattern[i] <= median) continue;
      const double w = pattern[i] - median;
      sum += w, sy += w * double(y), sx += w * double(x);
    }
  if (!(sum > 0)) return {0.5 * (double(det_y) - 1.0), 0.5 * (double(det_x) - 1.0)};
  return {sy / sum, sx / sum};
}

RingFit fit_ring(const std::vector<double>& pattern, const std::vector<float>& mask, std::size_t det_y,
                 std::size_t det_x, const RingFitOptions& o) {
  RingFit fit;
  if (!(o.r_hi > o.r_lo && o.r_lo >= 0) || pattern.size() != det_y * det_x) {
    fit.why = "no annulus to fit";
    return fit;
  }
  RingModel model;
  model.fit_ellipse = o.fit_ellipse;
  model.held_s = s_of(o.ellipse);
  std::array<double, 2> center = o.center_guess, s = s_of(o.ellipse);
  Solved solved;
  std::vector<Pixel> pixels;
  Eigen::VectorXd p;
  for (int pass = 0; pass < 2; ++pass) {
    pixels = annulus_pixels(pattern, mask, det_y, det_x, center, s, o.r_lo, o.r_hi);
    if (pass == 1 && pixels.size() > 20) {
      // Outliers: pixels the first fit cannot explain (hot pixels, an unmasked beam-stop arm).
      std::vector<double> dev;
      for (const auto& px : pixels) dev.push_back(std::fabs(model.value(p, px) - px.value));
      std::vector<double> sorted = dev;
      std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
      const double robust_sigma = 1.4826 * sorted[sorted.size() / 2];
      std::vector<Pixel> kept;
      for (std::size_t i = 0; i < pixels.size(); ++i)
        if (!(dev[i] > 6.0 * robust_sigma)) kept.push_back(pixels[i]);
      pixels.swap(kept);
    }
    if (pixels.size() < 50) {
      fit.why = "fewer than 50 usable pixels in the ring annulus";
      return fit;
    }
    model.pixels = &pixels;
    if (pass == 0) p = start_values(pixels, o, center, s);
    solved = solve(model, p);
    p = solved.p;
    center = {p[kCy], p[kCx]};
    if (o.fit_ellipse) s = {p[kSa], p[kSb]};
    if (!solved.converged || !p.allFinite()) break;
  }
  fit.pixels = pixels.size();
  if (solved.converged && p.allFinite()) solved.covariance *= correlated_pixels(model, p, det_y, det_x);
  fit.center = center;
  fit.ellipse = o.fit_ellipse ? ellipse_of(s[0], s[1]) : o.ellipse;
  fit.radius = p[kR0];
  fit.width = std::fabs(p[kW]);
  fit.amplitude = p[kA];
  fit.background = p[kB0];
  const auto& C = solved.covariance;
  fit.sigma_y = std::sqrt(std::max(0.0, C(kCy, kCy)));
  fit.sigma_x = std::sqrt(std::max(0.0, C(kCx, kCx)));
  fit.significance = C(kA, kA) > 0 ? fit.amplitude / std::sqrt(C(kA, kA)) : 0.0;
  if (o.fit_ellipse) {
    const double lambda = std::hypot(s[0], s[1]);
    const double var_lambda = lambda > 1e-9 ? (s[0] * s[0] * C(kSa, kSa) + 2 * s[0] * s[1] * C(kSa, kSb) +
                                               s[1] * s[1] * C(kSb, kSb)) / (lambda * lambda)
                                            : 0.5 * (C(kSa, kSa) + C(kSb, kSb));
    fit.sigma_e = std::exp(lambda) * std::sqrt(std::max(0.0, var_lambda));
  }
  std::ostringstream why;
  if (!solved.converged || !p.allFinite())
    why << "the fit did not converge";
  else if (!(fit.amplitude > 0))
    why << "no ring: the fitted peak is not above the background";
  else if (!(fit.radius > o.r_lo && fit.radius < o.r_hi))
    why << "the ring's radius " << fit.radius << " px is outside the annulus " << o.r_lo << "-" << o.r_hi << " px";
  else if (!(fit.width > 0.3 && fit.width < o.r_hi - o.r_lo))
    why << "the ring's width " << fit.width << " px is not that of a ring in the annulus";
  else if (!(fit.ellipse.e < 0.5))
    why << "an ellipticity of " << fit.ellipse.e << " is not a lens distortion";
  fit.why = why.str();
  fit.ok = fit.why.empty();
  return fit;
}

}  // namespace ecm::registration
