#include "ecm/io/scan_geometry.hpp"

#include "ecm/core/error.hpp"

namespace ecm::io {

std::vector<FrameRun> ScanGeometry::runs(std::size_t t0, std::size_t nt, std::size_t y0, std::size_t x0,
                                         std::size_t ny, std::size_t nx) const {
  std::vector<FrameRun> out;
  out.reserve(nt * ny);
  for (std::size_t t = t0; t < t0 + nt; ++t)
    for (std::size_t y = y0; y < y0 + ny; ++y) {
      const std::size_t first = stored(t, y, x0);
      if (!out.empty() && out.back().first + out.back().count == first) out.back().count += nx;
      else out.push_back({first, nx});
    }
  return out;
}

ScanGeometry make_scan_geometry(std::size_t n_frames, const ScanOptions& o,
                                const std::optional<std::array<std::size_t, 2>>& file_scan, const std::string& what) {
  const auto scan = o.scan_shape ? o.scan_shape : file_scan;
  if (!scan) throw InputError(what + " does not say its scan shape: give it with --scan-shape NY,NX");
  ScanGeometry g;
  g.scan_y = (*scan)[0];
  g.scan_x = (*scan)[1];
  if (g.scan_y == 0 || g.scan_x == 0) throw InputError("--scan-shape must be at least 1,1");
  g.skip = o.skip_frames;
  g.flyback = o.flyback;
  const std::size_t used = g.scan_y * (g.scan_x + g.flyback);  // frames of one cycle, row flybacks included
  g.cycle_frames = o.cycle_frames.value_or(used);
  if (g.cycle_frames < used)
    throw InputError("--cycle-frames " + std::to_string(g.cycle_frames) + " is shorter than one scan of " +
                     std::to_string(g.scan_y) + " rows of " + std::to_string(g.scan_x) + " + " +
                     std::to_string(g.flyback) + " flyback frames (" + std::to_string(used) + ")");
  if (g.skip >= n_frames)
    throw InputError(what + " holds " + std::to_string(n_frames) + " frames: --skip-frames " + std::to_string(g.skip) +
                     " leaves none");
  const std::size_t after_skip = n_frames - g.skip;
  // A last cycle may lack the dead frames after its last row's frames: it still counts.
  const std::size_t last_needed = used - g.flyback;
  g.cycles = after_skip / g.cycle_frames + (after_skip % g.cycle_frames >= last_needed ? 1 : 0);
  const std::size_t consumed = g.cycles == 0 ? 0 : (g.cycles - 1) * g.cycle_frames + last_needed;
  const std::size_t left = after_skip > consumed ? after_skip - consumed : 0;
  // Trailing dead frames of the last cycle are not "left over".
  const std::size_t tail_dead = g.cycle_frames - last_needed;
  if (left > tail_dead || g.cycles == 0) {
    const std::size_t extra = g.cycles == 0 ? after_skip : left;
    if (!o.drop_incomplete_cycle || g.cycles == 0)
      throw InputError(what + " holds " + std::to_string(n_frames) + " frames: after " + std::to_string(g.skip) +
                       " skipped, " + std::to_string(g.cycles) + " whole cycles of " + std::to_string(g.cycle_frames) +
                       " frames (scan " + std::to_string(g.scan_y) + "x" + std::to_string(g.scan_x) + ") leave " +
                       std::to_string(extra) + " frames over; check --scan-shape, --skip-frames, --flyback, " +
                       "--cycle-frames, or give --drop-incomplete-cycle");
    g.dropped_frames = extra;
  }
  return g;
}

}  // namespace ecm::io
