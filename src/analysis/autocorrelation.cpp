// Masked spatial autocorrelation by FFT (see autocorrelation.hpp, docs/domain-size.md).
#include "ecm/analysis/autocorrelation.hpp"

#include <fftw3-mpi.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <string>

#include "ecm/core/error.hpp"
#include "ecm/core/mpi_check.hpp"

namespace ecm::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// FFTW's planner (and fftw_mpi_init) are not thread-safe; execution is. The analysis runs
// after the engine, so a lock local to this file is enough.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

// The map's statistics and the geometry of the padded transform.
struct Plan {
  std::size_t ny = 0, nx = 0;
  std::size_t py = 0, px = 0;  // padded sizes, >= 2N per axis: no lag wraps around
  std::size_t stride = 0;      // doubles per padded row of the in-place r2c layout
  long ly = 0, lx = 0;         // lags kept
};

// What a transform pass puts into the padded grid: the centred values (holes 0), or the mask.
enum class Field { centred, mask };

Autocorrelation prepare(const std::vector<double>& map, std::size_t ny, std::size_t nx,
                        const AutocorrelationOptions& options, Plan& plan) {
  require(ny > 0 && nx > 0, "autocorrelation: the map is empty");
  require(map.size() == ny * nx, "autocorrelation: the map has " + std::to_string(map.size()) +
                                     " values, not " + std::to_string(ny) + " x " + std::to_string(nx));
  // FFTW takes int sizes; the padded grid is 4 times the map.
  require(ny <= std::size_t(std::numeric_limits<int>::max() / 4) && nx <= std::size_t(std::numeric_limits<int>::max() / 4),
          "autocorrelation: map too large for FFTW");
  plan.ny = ny;
  plan.nx = nx;
  plan.py = fft_size_at_least(2 * ny);
  plan.px = fft_size_at_least(2 * nx);
  plan.stride = 2 * (plan.px / 2 + 1);
  plan.ly = static_cast<long>(std::min(options.max_lag, ny - 1));
  plan.lx = static_cast<long>(std::min(options.max_lag, nx - 1));

  Autocorrelation a;
  a.ny = ny;
  a.nx = nx;
  a.max_lag_y = static_cast<std::size_t>(plan.ly);
  a.max_lag_x = static_cast<std::size_t>(plan.lx);
  const std::size_t cells = a.height() * a.width();
  a.c.assign(cells, kNaN);
  a.pairs.assign(cells, 0.0);
  double sum = 0.0;
  for (double v : map)
    if (std::isfinite(v)) {
      sum += v;
      ++a.n_valid;
    }
  if (a.n_valid == 0) return a;
  a.mean = sum / double(a.n_valid);
  double ss = 0.0;
  for (double v : map)
    if (std::isfinite(v)) ss += (v - a.mean) * (v - a.mean);
  a.variance = ss / double(a.n_valid);
  // A constant map leaves only the rounding of its mean: no variance to normalise by.
  if (a.variance <= 1e-24 * a.mean * a.mean) a.variance = 0.0;
  return a;
}

// Whether there is anything to transform (otherwise C stays NaN and the pairs 0).
bool has_variance(const Autocorrelation& a) { return a.n_valid >= 2 && a.variance > 0.0; }

// Writes padded rows [row0, row0 + rows) of `field` into buf (row stride plan.stride).
void fill(double* buf, std::size_t row0, std::size_t rows, const std::vector<double>& map, double mean,
          const Plan& plan, Field field) {
  for (std::size_t r = 0; r < rows; ++r) {
    double* row = buf + r * plan.stride;
    const std::size_t y = row0 + r;
    std::size_t x = 0;
    if (y < plan.ny)
      for (; x < plan.nx; ++x) {
        const double v = map[y * plan.nx + x];
        const bool ok = std::isfinite(v);
        row[x] = field == Field::mask ? (ok ? 1.0 : 0.0) : (ok ? v - mean : 0.0);
      }
    for (; x < plan.stride; ++x) row[x] = 0.0;  // zero padding: no wrap-around
  }
}

// |F|^2 in place over `n` complex values (Wiener-Khinchin: the autocorrelation's spectrum).
void power(double* buf, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double re = buf[2 * i], im = buf[2 * i + 1];
    buf[2 * i] = re * re + im * im;
    buf[2 * i + 1] = 0.0;
  }
}

// Copies the kept lags that lie in padded rows [row0, row0 + rows) into `out` (the lag grid),
// undoing FFTW's unnormalised transforms. Negative lags sit at the far end of each axis.
void extract(const double* buf, std::size_t row0, std::size_t rows, const Plan& plan, std::vector<double>& out) {
  const double scale = 1.0 / (double(plan.py) * double(plan.px));
  const std::size_t width = static_cast<std::size_t>(2 * plan.lx + 1);
  for (long dy = -plan.ly; dy <= plan.ly; ++dy) {
    const std::size_t row = static_cast<std::size_t>((dy + long(plan.py)) % long(plan.py));
    if (row < row0 || row >= row0 + rows) continue;
    const double* in = buf + (row - row0) * plan.stride;
    for (long dx = -plan.lx; dx <= plan.lx; ++dx) {
      const std::size_t col = static_cast<std::size_t>((dx + long(plan.px)) % long(plan.px));
      out[static_cast<std::size_t>(dy + plan.ly) * width + static_cast<std::size_t>(dx + plan.lx)] = in[col] * scale;
    }
  }
}

// C = S / (P var) where enough pairs overlap. Pair counts are integers; the FFT gives them
// to rounding, so they are rounded back.
void finish(Autocorrelation& a, const std::vector<double>& sums, const std::vector<double>& pairs,
            const AutocorrelationOptions& options) {
  for (std::size_t i = 0; i < a.c.size(); ++i) {
    const double p = std::max(0.0, std::round(pairs[i]));
    a.pairs[i] = p;
    a.c[i] = (p >= double(options.min_pairs) && p > 0) ? sums[i] / (p * a.variance) : kNaN;
  }
}

struct FftwBuffer {
  double* data = nullptr;
  explicit FftwBuffer(std::size_t n) : data(fftw_alloc_real(std::max<std::size_t>(n, 2))) {
    if (!data) throw std::bad_alloc();
  }
  ~FftwBuffer() { fftw_free(data); }
  FftwBuffer(const FftwBuffer&) = delete;
  FftwBuffer& operator=(const FftwBuffer&) = delete;
};

struct FftwPlans {
  fftw_plan r2c = nullptr, c2r = nullptr;
  FftwPlans() = default;
  FftwPlans(const FftwPlans&) = delete;
  FftwPlans& operator=(const FftwPlans&) = delete;
  ~FftwPlans() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (r2c) fftw_destroy_plan(r2c);
    if (c2r) fftw_destroy_plan(c2r);
  }
};

void init_fftw_mpi() {
  // fftw_mpi_init must follow MPI_Init and precede the first MPI plan; it is idempotent, but
  // not thread-safe.
  std::lock_guard<std::mutex> lock(planner_mutex());
  static bool done = false;
  if (!done) {
    fftw_mpi_init();
    done = true;
  }
}

}  // namespace

std::size_t fft_size_at_least(std::size_t min_n) {
  if (min_n <= 1) return 1;
  for (std::size_t n = min_n;; ++n) {
    std::size_t m = n;
    for (std::size_t p : {2u, 3u, 5u, 7u})
      while (m % p == 0) m /= p;
    if (m == 1) return n;
  }
}

Autocorrelation autocorrelation(const std::vector<double>& map, std::size_t ny, std::size_t nx,
                                const AutocorrelationOptions& options) {
  Plan plan;
  Autocorrelation a = prepare(map, ny, nx, options, plan);
  if (!has_variance(a)) return a;
  FftwBuffer buf(plan.py * plan.stride);
  FftwPlans plans;
  {
    std::lock_guard<std::mutex> lock(planner_mutex());
    // In place; FFTW_ESTIMATE plans do not depend on timing, so a map gives the same bits on
    // whichever rank computes it (what makes the result independent of the rank count).
    auto* spec = reinterpret_cast<fftw_complex*>(buf.data);
    plans.r2c = fftw_plan_dft_r2c_2d(int(plan.py), int(plan.px), buf.data, spec, FFTW_ESTIMATE);
    plans.c2r = fftw_plan_dft_c2r_2d(int(plan.py), int(plan.px), spec, buf.data, FFTW_ESTIMATE);
  }
  if (!plans.r2c || !plans.c2r)
    throw Error("autocorrelation: FFTW could not plan " + std::to_string(plan.py) + " x " + std::to_string(plan.px));
  std::vector<double> sums(a.c.size(), 0.0), pairs(a.c.size(), 0.0);
  for (Field field : {Field::centred, Field::mask}) {
    fill(buf.data, 0, plan.py, map, a.mean, plan, field);
    fftw_execute(plans.r2c);
    power(buf.data, plan.py * (plan.px / 2 + 1));
    fftw_execute(plans.c2r);
    extract(buf.data, 0, plan.py, plan, field == Field::centred ? sums : pairs);
  }
  finish(a, sums, pairs, options);
  return a;
}

Autocorrelation autocorrelation_distributed(const std::vector<double>& map, std::size_t ny, std::size_t nx,
                                            const AutocorrelationOptions& options, MPI_Comm comm) {
  Plan plan;
  std::exception_ptr bad_input;
  Autocorrelation a;
  try {
    a = prepare(map, ny, nx, options, plan);
  } catch (...) {
    bad_input = std::current_exception();
  }
  // A wrong map on one rank must not leave the others inside the FFTW-MPI collectives.
  mpi::agree_or_throw(comm, bad_input);
  if (!has_variance(a)) return a;  // same decision on every rank: they hold the same map

  init_fftw_mpi();
  ptrdiff_t local_n0 = 0, local_0_start = 0;
  const ptrdiff_t alloc_complex = fftw_mpi_local_size_2d(ptrdiff_t(plan.py), ptrdiff_t(plan.px / 2 + 1), comm,
                                                         &local_n0, &local_0_start);
  // Each rank holds only its slab of padded rows (the point of this path for large maps).
  FftwBuffer buf(2 * static_cast<std::size_t>(alloc_complex));
  FftwPlans plans;
  {
    std::lock_guard<std::mutex> lock(planner_mutex());
    auto* spec = reinterpret_cast<fftw_complex*>(buf.data);
    plans.r2c = fftw_mpi_plan_dft_r2c_2d(ptrdiff_t(plan.py), ptrdiff_t(plan.px), buf.data, spec, comm, FFTW_ESTIMATE);
    plans.c2r = fftw_mpi_plan_dft_c2r_2d(ptrdiff_t(plan.py), ptrdiff_t(plan.px), spec, buf.data, comm, FFTW_ESTIMATE);
  }
  std::exception_ptr no_plan;
  if (!plans.r2c || !plans.c2r)
    no_plan = std::make_exception_ptr(Error("autocorrelation: FFTW-MPI could not plan " + std::to_string(plan.py) +
                                            " x " + std::to_string(plan.px)));
  mpi::agree_or_throw(comm, no_plan);

  const auto row0 = static_cast<std::size_t>(local_0_start), rows = static_cast<std::size_t>(local_n0);
  // Both lag grids in one buffer so that one reduction assembles them. Every lag row belongs
  // to exactly one rank's slab and the others add exact zeros: the sum is the value itself.
  const std::size_t cells = a.c.size();
  require(2 * cells <= std::size_t(std::numeric_limits<int>::max()), "autocorrelation: too many lags (lower max_lag)");
  std::vector<double> local(2 * cells, 0.0), total(2 * cells, 0.0);
  std::vector<double> part(cells);
  for (Field field : {Field::centred, Field::mask}) {
    fill(buf.data, row0, rows, map, a.mean, plan, field);
    fftw_mpi_execute_dft_r2c(plans.r2c, buf.data, reinterpret_cast<fftw_complex*>(buf.data));
    power(buf.data, rows * (plan.px / 2 + 1));
    fftw_mpi_execute_dft_c2r(plans.c2r, reinterpret_cast<fftw_complex*>(buf.data), buf.data);
    std::fill(part.begin(), part.end(), 0.0);
    extract(buf.data, row0, rows, plan, part);
    std::copy(part.begin(), part.end(), local.begin() + (field == Field::centred ? 0 : std::ptrdiff_t(cells)));
  }
  mpi::check(MPI_Allreduce(local.data(), total.data(), int(2 * cells), MPI_DOUBLE, MPI_SUM, comm),
             "MPI_Allreduce (autocorrelation lags)");
  const std::vector<double> sums(total.begin(), total.begin() + std::ptrdiff_t(cells));
  const std::vector<double> pairs(total.begin() + std::ptrdiff_t(cells), total.end());
  finish(a, sums, pairs, options);
  return a;
}

}  // namespace ecm::analysis
