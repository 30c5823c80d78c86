#pragma once
// Per-series statistics that decide whether a series is fitted at all.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/core/kokkos_types.hpp"
#include "ecm/kernels/kww_fit.hpp"

namespace ecm::series_stats {

// mean(s) = mean counts per frame of series s. pre_status(s): masked if its bin covers no
// detector area (all its pixels are bad); invalid_input if the series holds a NaN or an Inf
// (float frames whose values overflow a float when a bin sums them: +Inf in one frame and
// -Inf in another make the mean NaN, and a NaN is not "too few counts"; a lone Inf made a
// g2 of NaN, already invalid_input in the fit, so both now say the same); too_few_counts
// if mean < min_counts; else 0 (fit).
template <class ExecSpace>
void classify(const ExecSpace& exec,
              Kokkos::View<const float**, Kokkos::LayoutRight, typename ExecSpace::memory_space> strip,
              Kokkos::View<float*, typename ExecSpace::memory_space> bin_area, std::size_t n_bins, float min_counts,
              Kokkos::View<float*, typename ExecSpace::memory_space> mean,
              Kokkos::View<std::uint8_t*, typename ExecSpace::memory_space> pre_status) {
  const std::size_t n_t = strip.extent(1);
  Kokkos::parallel_for(
      "ecm::series_stats::classify", Kokkos::RangePolicy<ExecSpace>(exec, 0, strip.extent(0)),
      KOKKOS_LAMBDA(const std::size_t s) {
        double sum = 0.0;
        for (std::size_t t = 0; t < n_t; ++t) sum += strip(s, t);
        const float m = float(sum / double(n_t));
        mean(s) = m;
        std::uint8_t status = 0;
        if (bin_area(s % n_bins) <= 0.0f)
          status = std::uint8_t(fit::Status::masked);
        else if (!kmath::isfinite(sum))
          status = std::uint8_t(fit::Status::invalid_input);
        else if (!(m >= min_counts))
          status = std::uint8_t(fit::Status::too_few_counts);
        pre_status(s) = status;
      });
}

}  // namespace ecm::series_stats
