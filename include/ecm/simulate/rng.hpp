#pragma once
// Deterministic random streams for the simulator. Every random quantity is drawn from a
// stream keyed by (seed, a, b, purpose) — e.g. the speckle field of sample position
// (py, px), or the shot noise of scan position (sy, sx) — and each stream is consumed in
// a fixed order. So the dataset is a function of the configuration alone, identical
// whatever the number of ranks or the way the scan is tiled.
#include <cmath>
#include <complex>
#include <cstdint>

namespace ecm::simulate {

enum class Purpose : std::uint64_t {
  field = 1,  // white noise w(k', t) of a sample position
  tau = 2,    // white noise of the tau maps at a sample position (all sectors)
  shot = 3,   // Poisson counting at a scan position
  read = 4,   // read noise at a scan position
  drift = 5,  // random-walk drift
  dark = 6,   // per-pixel dark offsets
  gain = 7,   // per-pixel gains
  hot = 8,    // hot-pixel positions
  thickness = 9  // white noise of the thickness map at a sample position
};

// SplitMix64 finaliser: a bijective 64-bit mix.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Layer tables of the 256-layer normal ziggurat (computed once, identically everywhere).
struct ZigguratTables {
  static constexpr double r = 3.6541528853610088;     // start of the tail
  static constexpr double inv_r = 1.0 / 3.6541528853610088;
  std::uint64_t k[256];
  double w[256], f[256];
  ZigguratTables();
};
// Built during static initialisation (the simulator draws no normals before main).
extern const ZigguratTables kZiggurat;

// xoshiro256** (Blackman & Vigna), seeded through SplitMix64 from a stream key.
class Rng {
 public:
  Rng(std::uint64_t seed, std::int64_t a, std::int64_t b, Purpose purpose) {
    std::uint64_t key = mix64(seed ^ mix64(static_cast<std::uint64_t>(purpose)));
    key = mix64(key ^ static_cast<std::uint64_t>(a));
    key = mix64(key ^ (static_cast<std::uint64_t>(b) * 0xD1B54A32D192ED03ULL));
    for (auto& word : s_) {
      key += 0x9E3779B97F4A7C15ULL;
      word = mix64(key);
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Standard normal by the ziggurat method (Marsaglia & Tsang 2000; 256 layers, 64-bit
  // draws as in NumPy): one draw and a table look-up in 99 % of cases.
  double normal() {
    const ZigguratTables& z = kZiggurat;
    std::uint64_t r = next();
    const unsigned idx = static_cast<unsigned>(r & 0xff);
    r >>= 8;
    // The sign is applied arithmetically: a branch on a random bit mispredicts half the time.
    const double sign = 1.0 - 2.0 * static_cast<double>(r & 1);
    const std::uint64_t rabs = (r >> 1) & 0x000fffffffffffffULL;
    const double x = sign * static_cast<double>(static_cast<std::int64_t>(rabs)) * z.w[idx];  // rabs < 2^52
    if (rabs < z.k[idx]) return x;  // ~98.5 %
    return normal_edge(idx, rabs, x);
  }

  // Circular complex Gaussian with E|z|^2 = 1 (real and imaginary parts N(0, 1/2)).
  std::complex<double> complex_normal() {
    const double x = normal();
    const double y = normal();
    return {x * 0.70710678118654752, y * 0.70710678118654752};
  }

  // Poisson(lambda) draw: inversion for small means, PTRS (Hoermann 1993) for large.
  std::uint32_t poisson(double lambda);

 private:
  // Wedge and tail of the ziggurat, kept out of line so the fast path stays small.
  double normal_edge(unsigned idx, std::uint64_t rabs, double x);
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace ecm::simulate
