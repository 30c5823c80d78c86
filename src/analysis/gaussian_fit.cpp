// 2-D Gaussian fit of an autocorrelation (see gaussian_fit.hpp, docs/domain-size.md).
#include "ecm/analysis/gaussian_fit.hpp"

#include <Eigen/Dense>
#include <unsupported/Eigen/LevenbergMarquardt>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ecm::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kFwhmPerSigma = 2.0 * std::sqrt(2.0 * std::log(2.0));

struct Lag {
  double dy2, dx2, c;
};

// Parameters x = (a, c, ln sy, ln sx) or (a, c, ln s): the log keeps the widths positive
// without bounds, and the FWHM's error follows from the covariance of ln s directly.
struct Model : Eigen::DenseFunctor<double> {
  const std::vector<Lag>* lags;
  bool isotropic;
  Model(const std::vector<Lag>& l, bool iso)
      : Eigen::DenseFunctor<double>(iso ? 3 : 4, static_cast<int>(l.size())), lags(&l), isotropic(iso) {}

  double inv2s2(const InputType& x, int axis) const {
    const double ls = isotropic ? x[2] : x[2 + axis];
    return 0.5 * std::exp(-2.0 * ls);
  }
  int operator()(const InputType& x, ValueType& f) const {
    const double iy = inv2s2(x, 0), ix = inv2s2(x, 1);
    for (std::size_t i = 0; i < lags->size(); ++i) {
      const Lag& l = (*lags)[i];
      f[Eigen::Index(i)] = x[0] * std::exp(-(l.dy2 * iy + l.dx2 * ix)) + x[1] - l.c;
    }
    return 0;
  }
  int df(const InputType& x, JacobianType& j) const {
    const double iy = inv2s2(x, 0), ix = inv2s2(x, 1);
    for (std::size_t i = 0; i < lags->size(); ++i) {
      const Lag& l = (*lags)[i];
      const auto r = Eigen::Index(i);
      const double e = std::exp(-(l.dy2 * iy + l.dx2 * ix));
      j(r, 0) = e;
      j(r, 1) = 1.0;
      // d/d ln s of exp(-d^2 / (2 s^2)) = e * d^2 / s^2; written so that e = 0 gives 0, not 0 * inf.
      const double gy = e == 0.0 ? 0.0 : x[0] * e * 2.0 * l.dy2 * iy;
      const double gx = e == 0.0 ? 0.0 : x[0] * e * 2.0 * l.dx2 * ix;
      if (isotropic) {
        j(r, 2) = gy + gx;
      } else {
        j(r, 2) = gy;
        j(r, 3) = gx;
      }
    }
    return 0;
  }
};

// Mean C over lags whose distance rounds to r, r = 0..rmax (NaN where no valid lag).
std::vector<double> radial_profile(const Autocorrelation& acf, long rmax) {
  std::vector<double> sum(std::size_t(rmax) + 1, 0.0), n(std::size_t(rmax) + 1, 0.0);
  const long ly = long(acf.max_lag_y), lx = long(acf.max_lag_x);
  for (long dy = -ly; dy <= ly; ++dy)
    for (long dx = -lx; dx <= lx; ++dx) {
      const long r = std::lround(std::sqrt(double(dy * dy + dx * dx)));
      const double c = acf.at(dy, dx);
      if (r > rmax || !std::isfinite(c)) continue;
      sum[std::size_t(r)] += c;
      n[std::size_t(r)] += 1.0;
    }
  for (std::size_t r = 0; r < sum.size(); ++r) sum[r] = n[r] > 0 ? sum[r] / n[r] : kNaN;
  return sum;
}

bool lm_converged(Eigen::LevenbergMarquardtSpace::Status s) {
  using namespace Eigen::LevenbergMarquardtSpace;
  // 6-8: the tolerances cannot be met at machine precision; the minimum is reached all the same.
  return s == RelativeReductionTooSmall || s == RelativeErrorTooSmall || s == RelativeErrorAndReductionTooSmall ||
         s == CosinusTooSmall || s == FtolTooSmall || s == XtolTooSmall || s == GtolTooSmall;
}

}  // namespace

std::string status_name(GaussianFitStatus status) {
  switch (status) {
    case GaussianFitStatus::ok: return "ok";
    case GaussianFitStatus::no_correlation: return "no_correlation";
    case GaussianFitStatus::too_wide: return "too_wide";
    case GaussianFitStatus::too_few_lags: return "too_few_lags";
    case GaussianFitStatus::not_converged: return "not_converged";
    case GaussianFitStatus::unresolved: return "unresolved";
  }
  return "unknown";
}

double fwhm_of_sigma(double sigma) { return kFwhmPerSigma * sigma; }

GaussianFit fit_gaussian(const Autocorrelation& acf, const GaussianFitOptions& options) {
  GaussianFit out;
  out.fwhm = out.fwhm_err = kNaN;
  const long rmax = long(std::min(acf.max_lag_y, acf.max_lag_x));
  if (rmax < 2 || acf.c.empty()) {
    out.status = GaussianFitStatus::too_few_lags;
    return out;
  }
  // --- window ------------------------------------------------------------------------
  const auto profile = radial_profile(acf, rmax);
  const double p1 = profile[1];
  // Under white noise C(d) scatters by 1 / sqrt(P(d)); the radius-1 mean holds two independent
  // lags (d and -d are one). Below the significance level nothing correlates even there.
  const double p1_pairs = 0.5 * (acf.pairs_at(0, 1) + acf.pairs_at(1, 0));
  if (!(p1 > options.min_significance / std::sqrt(2.0 * std::max(1.0, p1_pairs)))) return out;
  long r_e = 0;
  for (long r = 2; r <= rmax; ++r) {
    const double p = profile[std::size_t(r)];
    if (!std::isfinite(p)) break;
    if (p < options.window_level * p1) {
      r_e = r;
      break;
    }
  }
  if (r_e == 0) {
    out.status = GaussianFitStatus::too_wide;
    return out;
  }
  const long window =
      std::min(rmax, std::max(long(options.min_window), long(std::ceil(options.window_factor * double(r_e)))));
  out.window = std::size_t(window);

  // --- lags: one of each (d, -d), zero lag excluded -----------------------------------
  std::vector<Lag> lags;
  for (long dy = 0; dy <= window; ++dy)
    for (long dx = -window; dx <= window; ++dx) {
      if (dy == 0 && dx <= 0) continue;
      const double d2 = double(dy * dy + dx * dx);
      const double c = acf.at(dy, dx);
      if (d2 > double(window * window) || !std::isfinite(c)) continue;
      lags.push_back({double(dy * dy), double(dx * dx), c});
    }
  const int n_par = options.isotropic ? 3 : 4;
  out.points = lags.size();
  if (lags.size() < std::size_t(n_par + 2)) {
    out.status = GaussianFitStatus::too_few_lags;
    return out;
  }

  // --- start: width from the decay between radius 1 and 2, amplitude through radius 1 ---
  const double p2 = profile[2];
  double s0 = double(r_e) / 2.0;
  if (std::isfinite(p2) && p2 > 0.0 && p2 < p1) s0 = std::sqrt(1.5 / std::log(p1 / p2));
  s0 = std::clamp(s0, 0.5, std::max(0.5, double(window) / 2.0));
  Eigen::VectorXd x(n_par);
  x[0] = p1 * std::exp(0.5 / (s0 * s0));
  x[1] = 0.0;
  for (int k = 2; k < n_par; ++k) x[k] = std::log(s0);

  Model model(lags, options.isotropic);
  Eigen::LevenbergMarquardt<Model> lm(model);
  lm.setMaxfev(options.max_evaluations);
  const auto lm_status = lm.minimize(x);

  out.amplitude = x[0];
  out.offset = x[1];
  out.sigma_y = std::exp(x[2]);
  out.sigma_x = std::exp(options.isotropic ? x[2] : x[3]);
  Eigen::VectorXd f(lags.size());
  model(x, f);
  const double ssr = f.squaredNorm();
  out.rms_residual = std::sqrt(ssr / double(lags.size()));
  if (!lm_converged(lm_status) || !x.allFinite()) {
    out.status = GaussianFitStatus::not_converged;
    return out;
  }
  // --- covariance s^2 (J^T J)^-1 ------------------------------------------------------
  Eigen::MatrixXd j(lags.size(), n_par);
  model.df(x, j);
  const Eigen::MatrixXd jtj = j.transpose() * j;
  Eigen::FullPivLU<Eigen::MatrixXd> lu(jtj);
  if (!lu.isInvertible()) {
    out.status = GaussianFitStatus::not_converged;
    return out;
  }
  const Eigen::MatrixXd cov = lu.inverse() * (ssr / double(int(lags.size()) - n_par));
  // ln FWHM = const + (ln sy + ln sx) / 2
  const double var_ln_fwhm = options.isotropic ? cov(2, 2) : 0.25 * (cov(2, 2) + cov(3, 3) + 2.0 * cov(2, 3));

  if (!(out.amplitude > 0.0)) {
    out.status = GaussianFitStatus::no_correlation;
    return out;
  }
  if (std::max(out.sigma_y, out.sigma_x) > double(window)) {
    out.status = GaussianFitStatus::too_wide;  // the window does not see the Gaussian's tail
    return out;
  }
  const double fwhm = kFwhmPerSigma * std::sqrt(out.sigma_y * out.sigma_x);
  if (fwhm > options.max_fwhm_fraction * double(std::min(acf.ny, acf.nx))) {
    out.status = GaussianFitStatus::too_wide;  // a map cannot show domains as large as itself
    return out;
  }
  if (fwhm < options.min_fwhm_px) {
    out.status = GaussianFitStatus::unresolved;
    return out;
  }
  out.fwhm = fwhm;
  out.fwhm_err = fwhm * std::sqrt(std::max(0.0, var_ln_fwhm));
  out.status = GaussianFitStatus::ok;
  return out;
}

}  // namespace ecm::analysis
