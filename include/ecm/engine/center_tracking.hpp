#pragma once
// The beam-centre part of the registration stage, from the mean patterns per block of
// cycles (summed over ranks, so identical on every rank):
//   ellipse  - the ring of the whole run's mean pattern fitted with an ellipse (--ellipse
//              auto), or the ellipse given, or none;
//   track    - a centre per block, from the direct beam where one stands out, else from
//              the ring (ellipse held), made into a piecewise-linear track; applied only
//              when it passes the trust gates (docs/registration.md): enough blocks
//              measured, a block scatter below kMaxCenterScatterPx, and a movement above
//              6 x that scatter. Otherwise the given or found centre is kept, and the
//              method says why.
#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/engine/beam_center.hpp"
#include "ecm/engine/registration.hpp"

namespace ecm::engine {

// The block centres of a track may scatter at most this much about a smooth track [det px]:
// a centre off by 0.1 px moves the k_r of a bin by 0.1 px, a few % of a bin.
constexpr double kMaxCenterScatterPx = 0.1;
// An ellipse is applied when the measured ellipticity is at least this (and 5 sigma): at
// 0.5 % the ring's radius differs by 0.25 % between the axes, under 0.1 px on these rings.
constexpr double kMinEllipticity = 0.005;

struct CenterPatterns {
  std::size_t det_y = 0, det_x = 0;
  std::vector<double> sums;          // n_blocks x det: sum of the frames read per block
  std::vector<double> block_cycle;   // per block: the mean cycle read (NaN if none)
  std::vector<std::size_t> frames;   // per block: frames summed (0: none)
  std::vector<float> mask;           // det pixels, 1 = bad; may be empty
};

// How the per-block fits are shared out: this rank measures the blocks it owns, and `sum`
// adds everyone's results (zeros elsewhere) into the full list, e.g. by MPI_Allreduce. The
// default owns every block and adds nothing.
struct BlockShare {
  std::function<bool(std::size_t)> owns = [](std::size_t) { return true; };
  std::function<void(std::vector<double>&)> sum = [](std::vector<double>&) {};
};

struct CenterSettings {
  bool track = true;                       // --no-center-track: one centre for the run
  EllipseMode ellipse_mode = EllipseMode::measure;
  std::array<double, 2> start{};           // the calibration's centre
  std::string start_source;                // "option", "attribute" or "found"
  std::string start_how;                   // when found: how, in words
  RingAnnulus annulus;                     // where the ring is [det px]
  double min_movement_px = 0.05;           // a movement below this is not applied [det px]
  std::size_t center_block = 1, stride = 1;  // for the method's words
  BlockShare share;
};

// Sets reg.ellipse and its method for --ellipse off or given (measure: left to
// track_center). Called before track_center, and alone when no pattern is read.
void apply_ellipse_option(EllipseMode mode, const Ellipticity& given, Registration& reg);

// Fills reg.center_yx (n_t cycles), center_method, center_block_* and, with
// EllipseMode::measure, ellipse*. A given ellipse is reg.ellipse as apply_ellipse_option set it.
void track_center(const CenterPatterns& patterns, const CenterSettings& settings, Registration& reg);

}  // namespace ecm::engine
