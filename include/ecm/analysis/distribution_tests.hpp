#pragma once
// The statistics behind `ecm stats`: log-normal fits of relaxation-time histograms and the
// test of whether the k_phi slices of tau(r, k) are samples of one distribution (paper
// section 3.1, Fig. 3c). Plain host code over small vectors (one value per scan position).
#include <cstddef>
#include <vector>

namespace ecm::analysis {

// Median of the finite values (NaN when there are none). Takes a copy: it reorders.
double median(std::vector<double> values);

// Maximum-likelihood normal fit of x (for ln tau: a log-normal fit of tau) with the
// Anderson-Darling test of normality, parameters estimated from the data (Stephens' case 3:
// A*^2 = A^2 (1 + 0.75/n + 2.25/n^2), p-value from D'Agostino & Stephens 1986, Table 4.9).
struct NormalFit {
  std::size_t n = 0;
  double mean = 0, sigma = 0;  // sigma with n - 1 in the denominator
  double anderson_darling = 0; // A*^2 (NaN when n < 8)
  double p_value = 0;          // probability of an A*^2 this large from a normal sample
};
NormalFit fit_normal(const std::vector<double>& x);

// Kruskal-Wallis H test: do the groups come from one distribution? Ranks with ties
// averaged and H tie-corrected; p from chi^2 with groups - 1 degrees of freedom.
// `effective_fraction` (0, 1] scales H for samples that are not independent: values of
// one tau(r) map are correlated over a domain, so a map of N positions carries about
// N * effective_fraction independent values (H grows in proportion to the sample size for
// a given difference between groups).
struct KruskalWallis {
  std::size_t groups = 0, n = 0;  // non-empty groups, values
  double h = 0;                   // after the effective-sample correction
  double dof = 0;
  double p_value = 0;
  double effective_fraction = 1;
};
KruskalWallis kruskal_wallis(const std::vector<std::vector<double>>& groups, double effective_fraction = 1.0);

// Fraction of a map's positions that are independent samples when values are correlated
// with a Gaussian autocorrelation of FWHM xi [px]: 1 / (correlation area) with the area
// 2 pi s^2 = pi xi^2 / (4 ln 2) (s = xi / 2.355), capped at 1 (NaN or small xi: 1).
double independent_fraction(double xi_px);

}  // namespace ecm::analysis
