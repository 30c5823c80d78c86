// series_stats::classify: which series are fitted, and why the others are not (issue 14,
// class 15: a series whose mean is NaN was labelled too_few_counts, one whose mean is Inf
// went on to an invalid_input fit; both are invalid_input now).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/series_stats.hpp"

using namespace ecm;

TEST_CASE("classify: masked, invalid_input for NaN or Inf, too_few_counts, fit", "[series-stats]") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // One row per series, 4 frames; two bins, the second with no detector area (masked).
  const std::vector<std::vector<float>> rows = {
      {2, 3, 2, 3},          // 0: fit
      {0, 0.1f, 0, 0},       // 1: mean 0.025 < 0.05: too_few_counts
      {inf, 2, 2, 2},        // 2: mean Inf: invalid_input
      {inf, -inf, 2, 2},     // 3: mean NaN: invalid_input (was too_few_counts)
      {nan, 2, 2, 2},        // 4: NaN: invalid_input (was too_few_counts)
      {-inf, 2, 2, 2},       // 5: mean -Inf: invalid_input (was too_few_counts)
  };
  const std::size_t n_series = rows.size() + 1, n_t = 4, n_bins = n_series;  // one position
  Kokkos::View<float**, Kokkos::LayoutRight, MemSpace> strip("strip", n_series, n_t);
  Kokkos::View<float*, MemSpace> area("area", n_bins), mean("mean", n_series);
  Kokkos::View<std::uint8_t*, MemSpace> status("status", n_series);
  auto hs = Kokkos::create_mirror_view(strip);
  auto ha = Kokkos::create_mirror_view(area);
  for (std::size_t s = 0; s < n_series; ++s) {
    ha(s) = s < rows.size() ? 1.0f : 0.0f;
    for (std::size_t t = 0; t < n_t; ++t) hs(s, t) = s < rows.size() ? rows[s][t] : nan;  // masked wins over NaN
  }
  Kokkos::deep_copy(strip, hs);
  Kokkos::deep_copy(area, ha);
  series_stats::classify(ExecSpace(), Kokkos::View<const float**, Kokkos::LayoutRight, MemSpace>(strip), area, n_bins,
                         0.05f, mean, status);
  auto st = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), status);
  using S = fit::Status;
  CHECK(st(0) == 0);
  CHECK(st(1) == std::uint8_t(S::too_few_counts));
  CHECK(st(2) == std::uint8_t(S::invalid_input));
  CHECK(st(3) == std::uint8_t(S::invalid_input));
  CHECK(st(4) == std::uint8_t(S::invalid_input));
  CHECK(st(5) == std::uint8_t(S::invalid_input));
  CHECK(st(6) == std::uint8_t(S::masked));
}
