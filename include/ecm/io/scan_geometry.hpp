#pragma once
// Which stored frame is which scan position and cycle. A camera records frames one after the
// other; a scan of NY x NX positions repeated over cycles becomes, in recording order:
//   skip_frames leading frames (dropped: e.g. a first row recorded before the scan synced),
//   then per cycle NY rows of NX frames, each row followed by `flyback` dead frames,
//   cycles starting every cycle_frames frames (>= NY * (NX + flyback): dead frames at the end
//   of a cycle are allowed).
// stored(t, y, x) = skip + t * cycle_frames + y * (NX + flyback) + x.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ecm/io/frame_source.hpp"

namespace ecm::io {

// The options that place frames on the scan, the same for every format.
struct ScanOptions {
  std::optional<std::array<std::size_t, 2>> scan_shape;  // --scan-shape NY,NX (else from the file)
  std::size_t skip_frames = 0;                           // --skip-frames
  std::size_t flyback = 0;                               // --flyback
  std::optional<std::size_t> cycle_frames;               // --cycle-frames (else NY * (NX + flyback))
  bool drop_incomplete_cycle = false;                    // --drop-incomplete-cycle
};

struct ScanGeometry {
  std::size_t scan_y = 0, scan_x = 0, cycles = 0;
  std::size_t skip = 0, flyback = 0, cycle_frames = 0;
  std::size_t dropped_frames = 0;  // frames after the last whole cycle (with --drop-incomplete-cycle)

  std::size_t stored(std::size_t t, std::size_t y, std::size_t x) const {
    return skip + t * cycle_frames + y * (scan_x + flyback) + x;
  }
  // The stored runs of frames of cycles [t0, t0 + nt) of the box of scan positions at (y0, x0)
  // of ny x nx, in (t, y, x) order, neighbouring runs merged.
  std::vector<FrameRun> runs(std::size_t t0, std::size_t nt, std::size_t y0, std::size_t x0, std::size_t ny,
                             std::size_t nx) const;
};

// Places `n_frames` stored frames on the scan; `file_scan` is what the file says (may be
// empty), `what` names the input in messages. Throws InputError on a scan that does not fit,
// or frames left over after the last whole cycle (unless drop_incomplete_cycle).
ScanGeometry make_scan_geometry(std::size_t n_frames, const ScanOptions& options,
                                const std::optional<std::array<std::size_t, 2>>& file_scan, const std::string& what);

}  // namespace ecm::io
