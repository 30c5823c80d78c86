#include "ecm/simulate/frames.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ecm/core/error.hpp"

namespace ecm::simulate {

FrameGenerator::FrameGenerator(const SimConfig& cfg)
    : cfg_(cfg),
      tracks_(make_tracks(cfg)),
      tau_map_(cfg),
      thickness_(cfg),
      synth_(cfg, tracks_),
      detector_(cfg),
      beam_stop_(beam_stop_mask(cfg)) {}

std::size_t FrameGenerator::bytes_per_position() const {
  return cfg_.cycles * cfg_.det_y * cfg_.det_x * (sizeof(float) + cfg_.bytes_per_value());
}

std::size_t FrameGenerator::fixed_bytes() const { return synth_.field_bytes(); }

void FrameGenerator::expected(const ScanTile& tile, std::vector<float>& lambda) {
  const std::size_t T = cfg_.cycles, P = tile.positions(), N = synth_.det_pixels();
  lambda.assign(T * P * N, 0.0f);
  if (tile.empty()) return;

  // Integer and fractional parts of the drift per cycle.
  std::vector<long> iy(T), ix(T);
  std::vector<double> fy(T), fx(T);
  for (std::size_t t = 0; t < T; ++t) {
    iy[t] = static_cast<long>(std::floor(tracks_.drift_y[t]));
    ix[t] = static_cast<long>(std::floor(tracks_.drift_x[t]));
    fy[t] = tracks_.drift_y[t] - static_cast<double>(iy[t]);
    fx[t] = tracks_.drift_x[t] - static_cast<double>(ix[t]);
  }
  const auto [iy_lo, iy_hi] = std::minmax_element(iy.begin(), iy.end());
  const auto [ix_lo, ix_hi] = std::minmax_element(ix.begin(), ix.end());
  const long y0 = static_cast<long>(tile.y0), x0 = static_cast<long>(tile.x0);
  const long ny = static_cast<long>(tile.ny), nx = static_cast<long>(tile.nx);
  // Sample positions any scan position of the tile sees during the run.
  const long py0 = y0 + *iy_lo, py1 = y0 + ny + *iy_hi + 1;  // [py0, py1)
  const long px0 = x0 + *ix_lo, px1 = x0 + nx + *ix_hi + 1;
  const std::size_t ns = static_cast<std::size_t>(cfg_.n_sectors);
  const std::vector<double> taus =
      tau_map_.tau(py0, px0, static_cast<std::size_t>(py1 - py0), static_cast<std::size_t>(px1 - px0));
  // Thickness m of each sample position scales its scattered intensity; S1 = sum w m per
  // (cycle, position) is the mixed thickness the static part of the ring sees. A uniform
  // sample (m = 1) keeps the arithmetic of a sample without a thickness map, bit for bit.
  const bool uniform = thickness_.uniform();
  const std::vector<double> thick =
      uniform ? std::vector<double>{}
              : thickness_.values(py0, px0, static_cast<std::size_t>(py1 - py0), static_cast<std::size_t>(px1 - px0));
  std::vector<float> s1(uniform ? 0 : T * P, 0.0f);

  struct Use {
    std::size_t t, position;
    float weight;
  };
  std::vector<Use> uses;
  std::vector<float> speckle(N);
  // Lexicographic order over sample positions: see the header on why this is deterministic.
  for (long py = py0; py < py1; ++py)
    for (long px = px0; px < px1; ++px) {
      uses.clear();
      for (std::size_t t = 0; t < T; ++t)
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) {
            const long sy = py - iy[t] - a, sx = px - ix[t] - b;
            if (sy < y0 || sy >= y0 + ny || sx < x0 || sx >= x0 + nx) continue;
            const double w = (a ? fy[t] : 1.0 - fy[t]) * (b ? fx[t] : 1.0 - fx[t]);
            if (w <= 0) continue;
            uses.push_back({t, static_cast<std::size_t>((sy - y0) * nx + (sx - x0)), static_cast<float>(w)});
          }
      if (uses.empty()) continue;
      const std::size_t box_index = static_cast<std::size_t>((py - py0) * (px1 - px0) + (px - px0));
      synth_.load_sample(cfg_.seed, py, px, &taus[box_index * ns]);
      const float m = uniform ? 1.0f : static_cast<float>(thick[box_index]);
      std::size_t computed_t = T;  // cycle whose |E|^2 is in `speckle`
      for (const Use& u : uses) {
        if (u.t != computed_t) {
          synth_.intensity(u.t, speckle.data());
          computed_t = u.t;
        }
        float* acc = &lambda[(u.t * P + u.position) * N];
        if (uniform) {
          for (std::size_t p = 0; p < N; ++p) acc[p] += u.weight * speckle[p];
        } else {
          const float wm = u.weight * m;
          for (std::size_t p = 0; p < N; ++p) acc[p] += wm * speckle[p];
          s1[u.t * P + u.position] += wm;
        }
      }
    }

  // Expected electrons: envelope * (b + (1 - b) |E|^2) in the speckle annulus.
  std::vector<float> ring(N), disc(N);
  std::vector<std::uint8_t> annulus(N);
  const bool static_beam = cfg_.center_drift_y == 0.0 && cfg_.center_drift_x == 0.0;
  const float b = static_cast<float>(synth_.visibility_floor()), one_minus_b = 1.0f - b;
  for (std::size_t t = 0; t < T; ++t) {
    if (t == 0 || !static_beam) synth_.envelope(t, ring.data(), disc.data(), annulus.data());
    for (std::size_t pos = 0; pos < P; ++pos) {
      float* l = &lambda[(t * P + pos) * N];
      if (uniform) {
        for (std::size_t p = 0; p < N; ++p)
          l[p] = (annulus[p] ? ring[p] * (b + one_minus_b * l[p]) : ring[p]) + disc[p];
      } else {
        const float m = s1[t * P + pos];
        for (std::size_t p = 0; p < N; ++p)
          l[p] = (annulus[p] ? ring[p] * (b * m + one_minus_b * l[p]) : ring[p] * m) + disc[p];
      }
      // The stop removes every electron before counting: those pixels read the detector only.
      if (!beam_stop_.empty())
        for (std::size_t p = 0; p < N; ++p)
          if (beam_stop_[p]) l[p] = 0.0f;
    }
  }
}

template <class T>
void FrameGenerator::record_as(const ScanTile& tile, T* out) {
  expected(tile, lambda_);
  const std::size_t cycles = cfg_.cycles, P = tile.positions(), N = synth_.det_pixels();
  // One shot-noise and one read-noise stream per scan position, consumed in (t, pixel)
  // order: independent of which tile the position is in.
  std::vector<Rng> shot, read;
  for (std::size_t y = 0; y < tile.ny; ++y)
    for (std::size_t x = 0; x < tile.nx; ++x) {
      const auto sy = static_cast<std::int64_t>(tile.y0 + y), sx = static_cast<std::int64_t>(tile.x0 + x);
      shot.emplace_back(cfg_.seed, sy, sx, Purpose::shot);
      read.emplace_back(cfg_.seed, sy, sx, Purpose::read);
    }
  for (std::size_t t = 0; t < cycles; ++t)
    for (std::size_t pos = 0; pos < P; ++pos) {
      const float* l = &lambda_[(t * P + pos) * N];
      T* o = out + (t * P + pos) * N;
      Rng& s = shot[pos];
      Rng& r = read[pos];
      for (std::size_t p = 0; p < N; ++p) {
        const double electrons = cfg_.shot_noise ? static_cast<double>(s.poisson(l[p])) : static_cast<double>(l[p]);
        o[p] = to_stored<T>(detector_.record(p, electrons, r));
      }
    }
}

void FrameGenerator::record(const ScanTile& tile, void* out) {
  switch (cfg_.dtype) {
    case h5::DType::u8: record_as(tile, static_cast<std::uint8_t*>(out)); break;
    case h5::DType::u16: record_as(tile, static_cast<std::uint16_t*>(out)); break;
    case h5::DType::u32: record_as(tile, static_cast<std::uint32_t*>(out)); break;
    case h5::DType::f32: record_as(tile, static_cast<float*>(out)); break;
    default: throw InputError("unsupported --dtype");
  }
}

std::vector<ScanTile> plan_tiles(const SimConfig& cfg, std::size_t row0, std::size_t row1,
                                 std::size_t bytes_per_position, std::size_t fixed_bytes) {
  std::vector<ScanTile> tiles;
  if (row1 <= row0) return tiles;
  const double budget = cfg.memory_budget_mb * 1024.0 * 1024.0 - static_cast<double>(fixed_bytes);
  // At least one position per tile, whatever the budget says.
  const std::size_t fit =
      std::max<std::size_t>(1, budget > 0 ? static_cast<std::size_t>(budget / static_cast<double>(bytes_per_position)) : 0);
  if (fit >= cfg.scan_x) {
    const std::size_t rows = std::max<std::size_t>(1, fit / cfg.scan_x);
    for (std::size_t y = row0; y < row1; y += rows) tiles.push_back({y, 0, std::min(rows, row1 - y), cfg.scan_x});
  } else {
    for (std::size_t y = row0; y < row1; ++y)
      for (std::size_t x = 0; x < cfg.scan_x; x += fit) tiles.push_back({y, x, 1, std::min(fit, cfg.scan_x - x)});
  }
  return tiles;
}

}  // namespace ecm::simulate
