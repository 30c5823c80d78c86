#pragma once
// `ecm stats`, the numbers of paper section 3.1 and Fig. 6a from a tau(r, k) hypercube:
// per (k_r, k_phi) map the median tau and a log-normal fit of its histogram; per k_r the
// ensemble tau (median per k_phi, averaged over k_phi, std over k_phi as the error bar),
// the diffraction profile I(k) and whether the k_phi slices share one distribution.
#include <cstddef>
#include <vector>

#include "ecm/analysis/distribution_tests.hpp"
#include "ecm/analysis/domain_size.hpp"
#include "ecm/io/result_cube.hpp"

namespace ecm::analysis {

struct StatsOptions {
  // A map's median and fit need this many valid positions (and this fraction of the scan);
  // maps with fewer are left out of the ensemble (NaN), never averaged in.
  std::size_t min_valid = 8;
  double min_valid_fraction = 0.1;
  std::size_t histogram_bins = 40;  // over log10 tau, common edges for every map
  // The authors' notebooks returned 0 for a failed fit and took medians over everything: with
  // this set, fits that were attempted and failed (max_iterations, no_decay, at_bound) enter
  // the map medians as tau = 0, to compare with numbers made that way (the low-count bias of
  // their Fig. 4b is this). The log-normal fits always use valid fits only.
  bool failures_as_zero = false;
};

struct MapStats {  // one tau(r) map: one (k_r, k_phi) bin over the scan
  std::size_t n_valid = 0;
  double median_tau_s = 0;     // NaN when the map has too few valid fits
  NormalFit log_tau;           // fit of ln tau: median exp(mean), spread sigma
  // Spread of ln tau that the fits' own uncertainty explains: sqrt(median (tau_err/tau)^2)
  // (NaN without /tau_err). (JᵀJ)⁻¹ ignores that neighbouring lags of one g2 are correlated,
  // so this understates the real scatter: a diagnostic, not a correction.
  double sigma_fit_noise = 0;
  // The part of sigma that is correlated between neighbouring positions: sigma sqrt(a), a the
  // amplitude of the domain-size Gaussian (the share of the variance off lag 0). White fit
  // noise is not in it, so it is a lower bound of the sample's spread when each pixel's tau is
  // noisy (fits that compress the range of tau lower it further). NaN without a domain fit.
  // The log-normal sigma the paper reports is log_tau.sigma (the histogram's), an upper bound.
  double sigma_spatial = 0;
};

struct KrStats {
  double k_r = 0;                // [1/A]
  double ensemble_tau_s = 0;     // mean over k_phi of the map medians [s]
  double ensemble_tau_std_s = 0; // std over k_phi of the map medians [s]
  std::size_t slices = 0;        // k_phi maps that entered
  double intensity = 0;          // I(k): counts per detector px per frame, mean over scan and k_phi
  double valid_fraction = 0;     // of (r, k_phi) pixels at this k_r
  double sigma_ln_tau = 0;       // mean over k_phi of the log-normal sigma (histogram, upper bound)
  double sigma_ln_tau_spatial = 0;  // mean over k_phi of sigma_spatial (lower bound); NaN if none
  KruskalWallis slices_test;     // one distribution for all k_phi slices?
};

struct EnsembleStats {
  std::size_t n_kr = 0, n_kphi = 0;
  std::vector<MapStats> maps;          // (n_kr, n_kphi)
  std::vector<KrStats> kr;             // (n_kr)
  std::vector<double> histogram_edges; // log10(tau / s), histogram_bins + 1
  std::vector<double> histograms;      // counts, (n_kr, n_kphi, histogram_bins)
  double histogram_outside = 0;        // valid fits outside the edges (the outer 1 % at most)
  std::size_t peak_kr = 0;             // index of the k_r bin where I(k) is largest
  double overall_median_tau_s = 0;     // over every valid pixel
  double valid_fraction = 0;
};

// `domain` (optional, from domain_sizes on the same cube): per-k_r domain sizes make the
// slice test count correlated positions as fewer independent samples (independent_fraction),
// and per-map fit amplitudes give sigma_spatial.
EnsembleStats ensemble_stats(const io::ResultCube& cube, const StatsOptions& options,
                             const DomainSizes* domain = nullptr);

}  // namespace ecm::analysis
