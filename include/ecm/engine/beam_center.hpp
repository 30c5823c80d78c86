#pragma once
// The beam centre of a pattern: from the direct beam where one stands out, else from the
// first diffraction ring (registration/ring_fit), for data whose direct beam is behind a
// beam stop, off the detector or absent.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ecm/io/input_dataset.hpp"

namespace ecm::engine {

// The annulus in which the first ring is looked for [detector px]: the analysis strip.
struct RingAnnulus {
  double r_lo = 0, r_hi = 0;
};

struct FoundCenter {
  std::array<double, 2> center{};  // [det px]
  std::string method;              // how it was found, in words
};

// Finds the beam centre when the acquisition does not record it, from the mean of the
// first frames of up to 64 scan positions (masked pixels left out): the direct beam's
// centroid if one stands out (direct_beam_center), else a ring fit (fit_ring) started at
// the ring's centroid. Every rank reads the same frames, so every rank finds the same
// centre. Throws InputError if neither a direct beam nor a ring is found.
FoundCenter find_beam_center(const io::InputDataset& input, const std::vector<float>& mask, RingAnnulus annulus);

// The centre of the direct beam on a mean pattern (det_y x det_x, row-major, masked pixels
// left out): the intensity-weighted centroid of the pixels above half the maximum over the
// median background, or, when at least 5 pixels share the maximum (a saturated beam), the
// centroid of the plateau within 5 % of it. Nothing unless a direct beam clearly stands
// out: the peak at least 4 x the background, at least 2 pixels above the level (one is a
// hot pixel), those pixels compact (rms radius under half the ring's inner radius, r_lo or
// 0.3 r_hi if larger) and inside the ring's hole (within half that radius of
// ring_centroid). Without
// a direct beam the brightest pixels are speckles on the ring, and their centroid is noise
// (it moved the centre by 1-4 px on such data before these tests).
// `saturated`, if given, is set to whether the plateau rule was used.
std::optional<std::array<double, 2>> direct_beam_center(const std::vector<double>& pattern,
                                                        const std::vector<float>& mask, std::size_t det_y,
                                                        std::size_t det_x, RingAnnulus annulus,
                                                        bool* saturated = nullptr);

}  // namespace ecm::engine
