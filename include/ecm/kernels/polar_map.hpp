#pragma once
// The count-conserving polar transform as a precomputed sparse map.
//
// Frames are sparse electron counts, so the transform must move counts, not resample
// a smooth image: every detector pixel is split into s x s sub-pixels, each carrying
// 1/s^2 of the pixel's counts into the (k_r, k_phi) bin its centre falls in. A bin's
// value is then the number of counts in its area of the detector. Pixels wholly inside
// the strip are conserved exactly; pixels cut by the strip edge contribute the share of
// their area inside it. The map is built once per beam centre (host) and stored as CSR
// by output bin (device), so the transform kernel is a gather with no atomics.
#include <Kokkos_Core.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "ecm/core/geometry.hpp"
#include "ecm/core/views.hpp"

namespace ecm::polar {

// Host form: for each bin (ir * n_kphi + iphi), the detector pixels and their weights.
struct PolarMapHost {
  PolarGrid grid;
  std::size_t det_y = 0, det_x = 0;
  std::vector<std::int64_t> row_offsets;  // n_bins + 1
  std::vector<std::int32_t> pixels;       // flat detector index y * det_x + x
  std::vector<float> weights;             // share of that pixel's counts going to the bin
  // Detector area of each bin in pixels (sum of its weights).
  std::vector<double> bin_area() const;
};

// Builds the map. `mask` (det pixels, 1 = bad) may be empty; masked pixels contribute
// nothing. subsample >= 1 is the number of sub-pixels per pixel edge. With an ellipse, a
// sub-pixel's (k_r, k_phi) are those of its undistorted offset (core/geometry.hpp), so the
// bins follow the elliptical ring; without one the map is what it always was.
// Throws InputError if the strip is not inside the detector at this centre.
PolarMapHost build_polar_map(const PolarGrid& grid, double k_pixel_size, std::array<double, 2> center_yx,
                             std::size_t det_y, std::size_t det_x, int subsample, const std::vector<float>& mask,
                             const Ellipticity& ellipse = {});

template <class MemSpace>
struct PolarMap {
  int n_bins = 0;
  Kokkos::View<std::int64_t*, MemSpace> row_offsets;
  Kokkos::View<std::int32_t*, MemSpace> pixels;
  Kokkos::View<float*, MemSpace> weights;
};

template <class MemSpace>
PolarMap<MemSpace> upload(const PolarMapHost& host) {
  PolarMap<MemSpace> m;
  m.n_bins = host.grid.n_bins();
  m.row_offsets = to_device<MemSpace>(host.row_offsets, "ecm::polar::row_offsets");
  m.pixels = to_device<MemSpace>(host.pixels, "ecm::polar::pixels");
  m.weights = to_device<MemSpace>(host.weights, "ecm::polar::weights");
  return m;
}

}  // namespace ecm::polar
