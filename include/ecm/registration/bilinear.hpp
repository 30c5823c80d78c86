#pragma once
// Bilinear sampling of a small real image (ny x nx, row-major) at a fractional position,
// for the registration estimators. Bilinear is also the model a drifting VDF image
// follows: the simulator mixes the four sample positions around a fractional drift with
// bilinear weights, and the reader corrects the drift the same way (apply_shift).
#include <algorithm>
#include <cstddef>

namespace ecm::registration {

// Value at (y, x) and its derivatives along y and x (those of the cell the point lies in).
struct BilinearSample {
  double value = 0.0, d_dy = 0.0, d_dx = 0.0;
};

// False outside [0, ny-1] x [0, nx-1]: aligned content is never extrapolated. Needs ny, nx >= 2.
inline bool sample_bilinear(const double* image, std::size_t ny, std::size_t nx, double y, double x,
                            BilinearSample& out) {
  if (!(y >= 0.0 && x >= 0.0 && y <= ny - 1.0 && x <= nx - 1.0)) return false;
  const std::size_t y0 = std::min(static_cast<std::size_t>(y), ny - 2);
  const std::size_t x0 = std::min(static_cast<std::size_t>(x), nx - 2);
  const double fy = y - y0, fx = x - x0;
  const double* row0 = &image[y0 * nx];
  const double* row1 = row0 + nx;
  const double top = (1 - fx) * row0[x0] + fx * row0[x0 + 1];
  const double bottom = (1 - fx) * row1[x0] + fx * row1[x0 + 1];
  out.value = (1 - fy) * top + fy * bottom;
  out.d_dy = bottom - top;
  out.d_dx = (1 - fy) * (row0[x0 + 1] - row0[x0]) + fy * (row1[x0 + 1] - row1[x0]);
  return true;
}

inline bool sample_bilinear(const double* image, std::size_t ny, std::size_t nx, double y, double x,
                            double& value) {
  BilinearSample s;
  if (!sample_bilinear(image, ny, nx, y, x, s)) return false;
  value = s.value;
  return true;
}

}  // namespace ecm::registration
