// Domain size xi_tau per tau(r) map, per k_r, and its power law in tau (see domain_size.hpp).
#include "ecm/analysis/domain_size.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"

namespace ecm::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

DomainStatus from_fit(GaussianFitStatus s) {
  switch (s) {
    case GaussianFitStatus::ok: return DomainStatus::ok;
    case GaussianFitStatus::no_correlation: return DomainStatus::no_correlation;
    case GaussianFitStatus::too_wide: return DomainStatus::too_wide;
    case GaussianFitStatus::too_few_lags: return DomainStatus::too_few_lags;
    case GaussianFitStatus::not_converged: return DomainStatus::not_converged;
    case GaussianFitStatus::unresolved: return DomainStatus::unresolved;
  }
  return DomainStatus::not_converged;
}

// The values the autocorrelation sees: ln tau (or tau), NaN where there is no valid fit.
std::vector<double> analysed_values(const std::vector<double>& tau, const DomainSizeOptions& options,
                                    std::size_t& n_valid) {
  std::vector<double> v(tau.size(), kNaN);
  n_valid = 0;
  for (std::size_t i = 0; i < tau.size(); ++i) {
    const double t = tau[i];
    if (!std::isfinite(t) || (options.log_tau && !(t > 0.0))) continue;
    v[i] = options.log_tau ? std::log(t) : t;
    ++n_valid;
  }
  return v;
}

bool enough_valid(std::size_t n_valid, std::size_t positions, const DomainSizeOptions& options) {
  return n_valid >= std::max<std::size_t>(options.min_valid, 2) &&
         double(n_valid) >= options.min_valid_fraction * double(positions);
}

// A map's record before (or without) a fit: NaN sizes, the valid count.
MapDomainSize empty_record(std::size_t n_valid, std::size_t positions, DomainStatus status) {
  MapDomainSize r;
  r.status = status;
  r.n_valid = n_valid;
  r.valid_fraction = positions ? double(n_valid) / double(positions) : 0.0;
  r.xi_px = r.xi_err_px = r.xi_nm = r.xi_err_nm = kNaN;
  r.sigma_y_px = r.sigma_x_px = r.amplitude = r.offset = r.rms_residual = kNaN;
  return r;
}

MapDomainSize from_acf(const Autocorrelation& acf, std::size_t positions, const DomainSizeOptions& options,
                       double step_nm) {
  if (!(acf.variance > 0.0)) return empty_record(acf.n_valid, positions, DomainStatus::no_variance);
  const GaussianFit fit = fit_gaussian(acf, options.fit);
  MapDomainSize r = empty_record(acf.n_valid, positions, from_fit(fit.status));
  r.sigma_y_px = fit.sigma_y;
  r.sigma_x_px = fit.sigma_x;
  r.amplitude = fit.amplitude;
  r.offset = fit.offset;
  r.rms_residual = fit.rms_residual;
  r.window_px = fit.window;
  r.fit_points = fit.points;
  if (fit.ok()) {  // never a number from a failed fit
    r.xi_px = fit.fwhm;
    r.xi_err_px = fit.fwhm_err;
    if (step_nm > 0) {
      r.xi_nm = fit.fwhm * step_nm;
      r.xi_err_nm = fit.fwhm_err * step_nm;
    }
  }
  return r;
}

// Flat form of a record for the reduction that gathers them.
constexpr std::size_t kFields = 14;
void pack(const MapDomainSize& r, double* out) {
  const double v[kFields] = {double(r.status), double(r.n_valid), r.valid_fraction, r.xi_px, r.xi_err_px,
                             r.xi_nm, r.xi_err_nm, r.sigma_y_px, r.sigma_x_px, r.amplitude, r.offset,
                             r.rms_residual, double(r.window_px), double(r.fit_points)};
  std::copy(v, v + kFields, out);
}
MapDomainSize unpack(const double* v) {
  MapDomainSize r;
  r.status = static_cast<DomainStatus>(static_cast<std::uint8_t>(v[0]));
  r.n_valid = std::size_t(v[1]);
  r.valid_fraction = v[2];
  r.xi_px = v[3];
  r.xi_err_px = v[4];
  r.xi_nm = v[5];
  r.xi_err_nm = v[6];
  r.sigma_y_px = v[7];
  r.sigma_x_px = v[8];
  r.amplitude = v[9];
  r.offset = v[10];
  r.rms_residual = v[11];
  r.window_px = std::size_t(v[12]);
  r.fit_points = std::size_t(v[13]);
  return r;
}

void check_options(const DomainSizeOptions& o) {
  require(o.min_valid_fraction >= 0.0 && o.min_valid_fraction <= 1.0, "domain size: min_valid_fraction must be in [0, 1]");
  require(o.acf.max_lag >= 2, "domain size: the autocorrelation needs max_lag >= 2");
  require(o.fit.window_level > 0.0 && o.fit.window_level < 1.0, "domain size: window_level must be in (0, 1)");
  require(o.fit.window_factor > 0.0, "domain size: window_factor must be > 0");
  require(o.fit.max_evaluations > 0, "domain size: max_evaluations must be > 0");
  require(o.scan_step_nm >= 0.0 && std::isfinite(o.scan_step_nm), "domain size: scan step must be >= 0 nm");
}

KrDomainSize kr_summary(const std::vector<MapDomainSize>& maps, std::size_t ir, std::size_t n_kphi, double k_r,
                        double step_nm) {
  KrDomainSize k;
  k.k_r = k_r;
  double sum = 0.0;
  for (std::size_t ip = 0; ip < n_kphi; ++ip) {
    const auto& m = maps[ir * n_kphi + ip];
    if (!m.ok()) continue;
    sum += m.xi_px;
    ++k.maps;
  }
  k.xi_px = k.maps ? sum / double(k.maps) : kNaN;
  k.xi_std_px = k.xi_sem_px = kNaN;
  if (k.maps >= 2) {
    double ss = 0.0;
    for (std::size_t ip = 0; ip < n_kphi; ++ip) {
      const auto& m = maps[ir * n_kphi + ip];
      if (m.ok()) ss += (m.xi_px - k.xi_px) * (m.xi_px - k.xi_px);
    }
    k.xi_std_px = std::sqrt(ss / double(k.maps - 1));
    k.xi_sem_px = k.xi_std_px / std::sqrt(double(k.maps));
  }
  const double s = step_nm > 0 ? step_nm : kNaN;
  k.xi_nm = k.xi_px * s;
  k.xi_std_nm = k.xi_std_px * s;
  k.xi_sem_nm = k.xi_sem_px * s;
  return k;
}

PowerLawFit fit_branch(const std::vector<double>& tau, const std::vector<double>& xi, const std::vector<double>& err,
                       std::size_t first, std::size_t last) {
  PowerLawFit f;
  std::vector<double> x, y, w;
  for (std::size_t i = first; i <= last && i < tau.size(); ++i) {
    if (!(std::isfinite(tau[i]) && tau[i] > 0 && std::isfinite(xi[i]) && xi[i] > 0)) continue;
    f.kr_bins.push_back(i);
    x.push_back(std::log(tau[i]));
    y.push_back(std::log(xi[i]));
    const double e = err.empty() ? kNaN : err[i] / xi[i];  // error of ln xi
    w.push_back(std::isfinite(e) && e > 0 ? 1.0 / (e * e) : kNaN);
  }
  f.exponent = f.exponent_err = f.prefactor = f.ln_prefactor_err = f.chi2_red = kNaN;
  const std::size_t n = x.size();
  if (n < 2) return f;
  f.weighted = !err.empty();
  for (double wi : w) f.weighted = f.weighted && std::isfinite(wi);
  if (!f.weighted) std::fill(w.begin(), w.end(), 1.0);
  // Normal equations of y = b + z x with weights w.
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
    sxx += w[i] * x[i] * x[i];
    sxy += w[i] * x[i] * y[i];
  }
  const double det = sw * sxx - sx * sx;
  if (!(det > 1e-12 * sw * sxx)) return f;  // every tau the same: no slope to fit
  const double z = (sw * sxy - sx * sy) / det, b = (sxx * sy - sx * sxy) / det;
  double chi2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) chi2 += w[i] * (y[i] - b - z * x[i]) * (y[i] - b - z * x[i]);
  f.exponent = z;
  f.prefactor = std::exp(b);
  if (n > 2) f.chi2_red = chi2 / double(n - 2);
  // (X^T W X)^-1 = [[sxx, -sx], [-sx, sw]] / det; scaled by the residual scatter unless the
  // given errors alone set it (2 weighted points).
  const double scale = n > 2 ? f.chi2_red : (f.weighted ? 1.0 : kNaN);
  f.exponent_err = std::sqrt(sw / det * scale);
  f.ln_prefactor_err = std::sqrt(sxx / det * scale);
  return f;
}

}  // namespace

std::string status_name(DomainStatus status) {
  switch (status) {
    case DomainStatus::ok: return "ok";
    case DomainStatus::too_few_valid: return "too_few_valid";
    case DomainStatus::no_variance: return "no_variance";
    case DomainStatus::no_correlation: return "no_correlation";
    case DomainStatus::too_wide: return "too_wide";
    case DomainStatus::too_few_lags: return "too_few_lags";
    case DomainStatus::not_converged: return "not_converged";
    case DomainStatus::unresolved: return "unresolved";
  }
  return "unknown";
}

MapDomainSize map_domain_size(const std::vector<double>& tau, std::size_t ny, std::size_t nx,
                              const DomainSizeOptions& options, double scan_step_nm) {
  check_options(options);
  require(tau.size() == ny * nx && !tau.empty(), "domain size: the map does not have ny * nx values");
  std::size_t n_valid = 0;
  const auto values = analysed_values(tau, options, n_valid);
  if (!enough_valid(n_valid, tau.size(), options)) return empty_record(n_valid, tau.size(), DomainStatus::too_few_valid);
  return from_acf(autocorrelation(values, ny, nx, options.acf), tau.size(), options, scan_step_nm);
}

DomainSizes domain_sizes(const io::ResultCube& cube, const DomainSizeOptions& options, MPI_Comm comm) {
  check_options(options);
  require(cube.positions() > 0 && cube.bins() > 0, "domain size: the result has no tau maps");
  require(cube.tau.size() == cube.positions() * cube.bins(), "domain size: /tau does not match its shape");
  DomainSizes out;
  out.n_kr = cube.n_kr;
  out.n_kphi = cube.n_kphi;
  out.scan_y = cube.scan_y;
  out.scan_x = cube.scan_x;
  out.scan_step_nm = options.scan_step_nm > 0 ? options.scan_step_nm : std::max(0.0, cube.scan_step_nm);
  const int rank = mpi::rank(comm), size = mpi::size(comm);
  const std::size_t n_maps = cube.bins(), positions = cube.positions();
  const bool distributed = positions >= options.distributed_min_positions;
  auto owner = [&](std::size_t m) { return int(m % std::size_t(size)); };

  // Each rank fills the records it owns; the others stay zero for the gathering sum.
  std::vector<double> local(n_maps * kFields, 0.0), all(n_maps * kFields, 0.0);
  std::exception_ptr err;
  for (std::size_t m = 0; m < n_maps; ++m) {
    const std::size_t ir = m / cube.n_kphi, ip = m % cube.n_kphi;
    if (!distributed && owner(m) != rank) continue;
    std::size_t n_valid = 0;
    const auto values = analysed_values(cube.tau_map(ir, ip), options, n_valid);
    MapDomainSize rec;
    if (!enough_valid(n_valid, positions, options)) {
      rec = empty_record(n_valid, positions, DomainStatus::too_few_valid);
    } else if (distributed) {
      // Collective: every rank takes part in every large map's transforms, in map order.
      const auto acf = autocorrelation_distributed(values, cube.scan_y, cube.scan_x, options.acf, comm);
      ++out.distributed_maps;  // the same count on every rank: all take this branch
      if (owner(m) != rank) continue;
      try {
        rec = from_acf(acf, positions, options, out.scan_step_nm);
      } catch (...) {
        if (!err) err = std::current_exception();
      }
    } else {
      try {
        rec = from_acf(autocorrelation(values, cube.scan_y, cube.scan_x, options.acf), positions, options,
                       out.scan_step_nm);
      } catch (...) {
        if (!err) err = std::current_exception();
      }
    }
    if (owner(m) == rank) pack(rec, &local[m * kFields]);
  }
  mpi::agree_or_throw(comm, err);
  // Every record comes from exactly one rank and the others add exact zeros, so the sum is
  // that record bit for bit, whatever the rank count.
  mpi::check(MPI_Allreduce(local.data(), all.data(), int(local.size()), MPI_DOUBLE, MPI_SUM, comm),
             "MPI_Allreduce (domain sizes)");

  out.maps.resize(n_maps);
  for (std::size_t m = 0; m < n_maps; ++m) out.maps[m] = unpack(&all[m * kFields]);
  out.kr.resize(cube.n_kr);
  for (std::size_t ir = 0; ir < cube.n_kr; ++ir)
    out.kr[ir] = kr_summary(out.maps, ir, cube.n_kphi, ir < cube.k_r.size() ? cube.k_r[ir] : kNaN, out.scan_step_nm);
  return out;
}

XiTauScaling xi_tau_scaling(const std::vector<double>& tau_s, const std::vector<double>& xi,
                            const std::vector<double>& xi_err, std::size_t peak_kr) {
  require(tau_s.size() == xi.size(), "xi-tau scaling: tau and xi need one value per k_r bin");
  require(xi_err.empty() || xi_err.size() == xi.size(), "xi-tau scaling: xi_err needs one value per k_r bin");
  require(peak_kr < xi.size(), "xi-tau scaling: the peak k_r bin is outside the k_r axis");
  XiTauScaling s;
  s.peak_kr = peak_kr;
  s.below = fit_branch(tau_s, xi, xi_err, 0, peak_kr);
  s.above = fit_branch(tau_s, xi, xi_err, peak_kr, xi.size() - 1);
  return s;
}

XiTauScaling xi_tau_scaling(const DomainSizes& sizes, const std::vector<double>& ensemble_tau_s, std::size_t peak_kr) {
  std::vector<double> xi(sizes.kr.size()), err(sizes.kr.size());
  for (std::size_t i = 0; i < sizes.kr.size(); ++i) {
    xi[i] = sizes.kr[i].xi_px;
    err[i] = sizes.kr[i].xi_sem_px;
  }
  return xi_tau_scaling(ensemble_tau_s, xi, err, peak_kr);
}

}  // namespace ecm::analysis
