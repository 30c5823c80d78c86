#pragma once
// Domain size xi_tau (paper section 3.4, Fig. 6b; docs/domain-size.md): the FWHM of a 2-D
// Gaussian fitted to the spatial autocorrelation of each tau(r) map, per (k_r, k_phi) bin and
// averaged over k_phi per k_r; and the power law xi = a tau^z on each leg of the diffraction
// peak.
//
// Maps go round-robin over the ranks of the communicator (map m = ir * n_kphi + ip on rank
// m % size); maps with at least `distributed_min_positions` scan positions are instead
// transformed by all ranks together (FFTW-MPI) and fitted by their round-robin owner. The
// results are gathered so every rank holds the same DomainSizes: the small-map path gives the
// same bits whatever the rank count, the distributed path the same to rounding.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecm/analysis/autocorrelation.hpp"
#include "ecm/analysis/gaussian_fit.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::analysis {

struct DomainSizeOptions {
  // Autocorrelate ln tau (the authors used log10 tau; after normalisation the base does not
  // matter). false: tau itself, whose log-normal tails weigh single slow pixels heavily.
  bool log_tau = true;
  // A map is fitted only with this many valid fits and this fraction of the scan; a map with
  // large holes has few pairs at every lag and a hole pattern that can mimic domains.
  std::size_t min_valid = 64;
  double min_valid_fraction = 0.5;
  AutocorrelationOptions acf;
  GaussianFitOptions fit;
  // [nm] real-space scan step; > 0 overrides the result file's scan_step_nm (0: use the file's;
  // when neither is known the nm columns are NaN).
  double scan_step_nm = 0;
  // Maps with at least this many scan positions use the FFTW-MPI path (0: every map).
  std::size_t distributed_min_positions = std::size_t(1) << 20;
};

enum class DomainStatus : std::uint8_t {
  ok = 0,
  too_few_valid = 1,   // below min_valid / min_valid_fraction
  no_variance = 2,     // every valid value the same
  no_correlation = 3,  // the rest mirror GaussianFitStatus
  too_wide = 4,
  too_few_lags = 5,
  not_converged = 6,
  unresolved = 7,
};
std::string status_name(DomainStatus status);

struct MapDomainSize {  // one tau(r) map: bin (k_r, k_phi)
  DomainStatus status = DomainStatus::too_few_valid;
  std::size_t n_valid = 0;
  double valid_fraction = 0;
  double xi_px = 0, xi_err_px = 0;     // FWHM [scan px]; NaN unless ok
  double xi_nm = 0, xi_err_nm = 0;     // [nm]; NaN unless ok and the scan step is known
  double sigma_y_px = 0, sigma_x_px = 0;  // fitted Gaussian std per axis
  double amplitude = 0, offset = 0;    // a (the correlated share of the variance off lag 0), c
  double rms_residual = 0;             // of the fit, in units of C
  std::size_t window_px = 0, fit_points = 0;
  bool ok() const { return status == DomainStatus::ok; }
};

struct KrDomainSize {  // over the k_phi maps of one k_r bin with status ok
  double k_r = 0;             // [1/A]
  std::size_t maps = 0;       // maps that entered
  double xi_px = 0;           // mean over k_phi [scan px]; NaN when maps == 0
  double xi_std_px = 0;       // std over k_phi (n - 1), the paper's error bar; NaN when maps < 2
  double xi_sem_px = 0;       // std / sqrt(maps): uncertainty of the mean
  double xi_nm = 0, xi_std_nm = 0, xi_sem_nm = 0;  // the same in nm; NaN without a scan step
};

struct DomainSizes {
  std::size_t n_kr = 0, n_kphi = 0;
  std::size_t scan_y = 0, scan_x = 0;
  double scan_step_nm = 0;             // used for the nm columns; 0 when unknown
  std::vector<MapDomainSize> maps;     // (n_kr, n_kphi)
  std::vector<KrDomainSize> kr;        // (n_kr)
  std::size_t distributed_maps = 0;    // maps that went through FFTW-MPI
  const MapDomainSize& map(std::size_t ir, std::size_t ip) const { return maps[ir * n_kphi + ip]; }
};

// Collective on comm; every rank passes the same cube and options and gets the same result.
// Throws InputError for impossible options (checked identically on every rank).
DomainSizes domain_sizes(const io::ResultCube& cube, const DomainSizeOptions& options, MPI_Comm comm);

// One map on the calling rank (what domain_sizes does per map): tau [s] (ny, nx), NaN holes;
// scan_step_nm <= 0 leaves the nm fields NaN.
MapDomainSize map_domain_size(const std::vector<double>& tau, std::size_t ny, std::size_t nx,
                              const DomainSizeOptions& options, double scan_step_nm = 0);

// --- xi vs tau: a power law per leg of the diffraction peak -----------------------------

struct PowerLawFit {  // xi = prefactor * tau^exponent, least squares in (ln tau, ln xi)
  std::vector<std::size_t> kr_bins;  // k_r bins that entered (finite, positive tau and xi)
  double exponent = 0, exponent_err = 0;
  double prefactor = 0;              // in the units of xi per s^exponent
  double ln_prefactor_err = 0;
  double chi2_red = 0;               // weighted when errors were given; NaN with 2 points
  bool weighted = false;
  std::size_t points() const { return kr_bins.size(); }
};

struct XiTauScaling {
  std::size_t peak_kr = 0;
  PowerLawFit below;  // k_r bins 0..peak_kr
  PowerLawFit above;  // k_r bins peak_kr..n_kr-1
};

// tau_s, xi and xi_err per k_r bin (xi_err may be empty). The peak bin belongs to both legs:
// it is the apex where they meet (paper Fig. 6b), and with the few k_r bins of a ring it
// is often what gives a leg its second point. Each leg with < 2 points has NaN numbers.
// Weights 1 / (xi_err / xi)^2 are used only when every point of a leg has a positive finite
// error; the exponent error is then from those errors (times chi2_red when > 2 points),
// otherwise from the residual scatter (NaN with 2 points). tau's own error is not used.
XiTauScaling xi_tau_scaling(const std::vector<double>& tau_s, const std::vector<double>& xi,
                            const std::vector<double>& xi_err, std::size_t peak_kr);

// The same with xi and its error (the standard error of the mean over k_phi) from `sizes`
// in scan px, and tau the ensemble tau per k_r (e.g. EnsembleStats::kr[i].ensemble_tau_s).
XiTauScaling xi_tau_scaling(const DomainSizes& sizes, const std::vector<double>& ensemble_tau_s, std::size_t peak_kr);

}  // namespace ecm::analysis
