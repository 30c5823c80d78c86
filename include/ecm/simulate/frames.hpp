#pragma once
// Frames of a tile of scan positions (all cycles): expected electrons, then electron
// counting and the detector.
//
// Real-space drift. Scan position s at cycle t sees sample position s + d(t). With
// d = i + f (integer part i, fraction f per axis) the expected intensity is the bilinear
// interpolation of the patterns of the four sample positions s + i + (a, b), a, b in {0, 1},
// weights (a ? fy : 1-fy)(b ? fx : 1-fx). A tile is generated sample position by sample
// position: each needed sample position's field is generated once, its |E|^2 computed at
// the cycles where some scan position of the tile sees it, and scattered with those
// weights into the tile's accumulator. Contributions to one (s, t) always arrive in the
// same order ((0,0), (0,1), (1,0), (1,1)), so the result does not depend on the tiling.
// Memory: the tile's frames (float) plus one sample position's field.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/simulate/config.hpp"
#include "ecm/simulate/detector.hpp"
#include "ecm/simulate/domains.hpp"
#include "ecm/simulate/optics.hpp"
#include "ecm/simulate/pattern.hpp"

namespace ecm::simulate {

class FrameGenerator {
 public:
  explicit FrameGenerator(const SimConfig& cfg);

  const SimConfig& config() const { return cfg_; }
  const Tracks& tracks() const { return tracks_; }
  const TauMap& tau_map() const { return tau_map_; }
  const ThicknessMap& thickness() const { return thickness_; }
  const DetectorModel& detector() const { return detector_; }
  SpeckleSynth& speckle() { return synth_; }

  // Expected electrons per pixel of the tile, layout (t, y, x, det_y, det_x); 0 behind
  // the beam stop.
  void expected(const ScanTile& tile, std::vector<float>& lambda);
  // Recorded values in the configured dtype, same layout; `out` holds
  // cycles * tile.positions() * det pixels elements of that type.
  void record(const ScanTile& tile, void* out);

  // Memory per scan position of a tile (expected electrons + stored values) and the
  // fixed part (one sample position's field), in bytes.
  std::size_t bytes_per_position() const;
  std::size_t fixed_bytes() const;

 private:
  template <class T>
  void record_as(const ScanTile& tile, T* out);

  SimConfig cfg_;
  Tracks tracks_;
  TauMap tau_map_;
  ThicknessMap thickness_;
  SpeckleSynth synth_;
  DetectorModel detector_;
  std::vector<std::uint8_t> beam_stop_;  // 1 = opaque (optics.hpp); empty: no stop
  std::vector<float> lambda_;
};

// Splits scan rows [row0, row1) into tiles that fit the memory budget: blocks of whole
// rows when a row fits, else pieces of one row (both are a single regular hyperslab in
// either file layout).
std::vector<ScanTile> plan_tiles(const SimConfig& cfg, std::size_t row0, std::size_t row1,
                                 std::size_t bytes_per_position, std::size_t fixed_bytes);

}  // namespace ecm::simulate
