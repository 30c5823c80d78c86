#include "ecm/simulate/rng.hpp"

#include <cmath>

namespace ecm::simulate {

ZigguratTables::ZigguratTables() {
  // Marsaglia & Tsang's table construction for 256 layers of area v each.
  const double m = 4503599627370496.0;  // 2^52
  const double v = 4.92867323399e-3;
  double dn = r, tn = r;
  const double q = v / std::exp(-0.5 * dn * dn);
  k[0] = static_cast<std::uint64_t>((dn / q) * m);
  k[1] = 0;
  w[0] = q / m;
  w[255] = dn / m;
  f[0] = 1.0;
  f[255] = std::exp(-0.5 * dn * dn);
  for (int i = 254; i >= 1; --i) {
    dn = std::sqrt(-2.0 * std::log(v / dn + std::exp(-0.5 * dn * dn)));
    k[i + 1] = static_cast<std::uint64_t>((dn / tn) * m);
    tn = dn;
    f[i] = std::exp(-0.5 * dn * dn);
    w[i] = dn / m;
  }
}

const ZigguratTables kZiggurat;

double Rng::normal_edge(unsigned idx, std::uint64_t rabs, double x) {
  const ZigguratTables& z = kZiggurat;
  if (idx == 0) {  // the tail beyond r
    for (;;) {
      const double xx = -ZigguratTables::inv_r * std::log1p(-uniform());
      const double yy = -std::log1p(-uniform());
      if (yy + yy > xx * xx) return ((rabs >> 8) & 1) ? -(ZigguratTables::r + xx) : ZigguratTables::r + xx;
    }
  }
  if ((z.f[idx - 1] - z.f[idx]) * uniform() + z.f[idx] < std::exp(-0.5 * x * x)) return x;
  return normal();
}

std::uint32_t Rng::poisson(double lambda) {
  if (!(lambda > 0)) return 0;
  if (lambda < 10.0) {
    // Inversion by sequential search: one uniform, about lambda steps.
    const double u = uniform();
    double p = std::exp(-lambda);
    double cdf = p;
    std::uint32_t k = 0;
    while (u > cdf && p > 0) {
      ++k;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  // PTRS: transformed rejection with squeeze (W. Hoermann, "The transformed rejection
  // method for generating Poisson random variables", 1993), exact for lambda >= 10.
  const double slam = std::sqrt(lambda);
  const double loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double U = uniform() - 0.5;
    const double V = uniform();
    const double us = 0.5 - std::fabs(U);
    const double k = std::floor((2.0 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return static_cast<std::uint32_t>(k);
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (std::log(V) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -lambda + k * loglam - std::lgamma(k + 1.0))
      return static_cast<std::uint32_t>(k);
  }
}

}  // namespace ecm::simulate
