#pragma once
// Drift registration of small images (scans of a few tens of positions per side): the
// shift between two images by a normalised cross-correlation computed directly over
// their overlap, without an FFT.
//
// Why not the FFT correlation of shift_estimation.hpp on a 10 x 10 scan: its map is
// periodic, so content that leaves one edge is matched against the other edge, and a
// 3 px drift is 30 % of the image; its Hann taper keeps little of a 10 px image; and its
// re-centred passes can walk a weak block's estimate to an alias one image width away
// (docs/registration.md, "Small scans"). Here every candidate shift is scored only on the
// pixels the two images share, and the sub-pixel shift is fitted on them.
//
// Same convention as estimate_shift: image(y, x) ≈ reference(y - dy, x - dx).
#include <cstddef>

#include "ecm/registration/shift_estimation.hpp"

namespace ecm::registration {

// 1. Integer shift: the largest Pearson correlation of the overlapping pixels over all
//    shifts that keep at least half of the image in the overlap.
// 2. Sub-pixel shift: Gauss-Newton (Lucas-Kanade) least squares of
//    image(y) = a + b * reference(y - s) over the overlap, the reference sampled
//    bilinearly, starting at the integer peak; if it does not converge within one pixel of
//    the peak, the vertex of a parabola through the peak's neighbours per axis is used.
// peak_quality is the peak correlation r times sqrt(overlap pixels - 1): for unrelated
// images r has standard deviation 1 / sqrt(n - 1), so this is the peak in units of the
// noise rms, the same scale as estimate_shift's peak over the map's rms.
// A constant image (nothing to correlate) gives Shift{} (0, 0, quality 0).
// Throws InputError for grids smaller than 4 x 4 or non-finite values.
Shift estimate_shift_direct(const double* reference, const double* image, std::size_t ny, std::size_t nx);

}  // namespace ecm::registration
