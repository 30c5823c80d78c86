#pragma once
// Stored detector values (uint8/16/32, float32) to float, on the execution space.
//
// Frames travel from the file to the kernels in their stored type: HDF5 copies them without
// conversion, a GPU receives half the bytes of float for uint16 data, and the conversion is a
// trivially parallel kernel instead of a serial step inside H5Dread.
#include <Kokkos_Core.hpp>

#include <cstdint>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::convert {

namespace detail {
template <class T, class ExecSpace>
void to_float(const ExecSpace& exec, const unsigned char* raw, float* out, std::size_t n) {
  using Mem = typename ExecSpace::memory_space;
  Kokkos::View<const T*, Mem, Kokkos::MemoryUnmanaged> in(reinterpret_cast<const T*>(raw), n);
  Kokkos::View<float*, Mem, Kokkos::MemoryUnmanaged> dst(out, n);
  Kokkos::parallel_for(
      "ecm::convert::to_float", Kokkos::RangePolicy<ExecSpace>(exec, 0, n),
      KOKKOS_LAMBDA(const std::size_t i) { dst(i) = static_cast<float>(in(i)); });
}
}  // namespace detail

// out[i] = float(value i of `raw`), n values stored as `dtype`; both buffers in ExecSpace's memory.
template <class ExecSpace>
void to_float(const ExecSpace& exec, h5::DType dtype, const unsigned char* raw, float* out, std::size_t n) {
  switch (dtype) {
    case h5::DType::u8: detail::to_float<std::uint8_t>(exec, raw, out, n); break;
    case h5::DType::u16: detail::to_float<std::uint16_t>(exec, raw, out, n); break;
    case h5::DType::u32: detail::to_float<std::uint32_t>(exec, raw, out, n); break;
    case h5::DType::f32: detail::to_float<float>(exec, raw, out, n); break;
    default: throw Error("internal: no conversion from " + h5::dtype_name(dtype));
  }
}

}  // namespace ecm::convert
