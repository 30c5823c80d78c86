#pragma once
// Stored detector values (uint8/16/32, float32) to float, on the execution space.
//
// Frames travel from the file to the kernels in their stored type: HDF5 copies them without
// conversion, a GPU receives half the bytes of float for uint16 data, and the conversion is a
// trivially parallel kernel instead of a serial step inside H5Dread.
#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

#include "ecm/core/error.hpp"
#include "ecm/io/hdf5.hpp"

namespace ecm::convert {

// Calls f(T{}) with T the C++ type of values stored as `dtype` (uint8/16/32, float32): the
// one place that maps a stored type to the kernel instantiation that reads it. `what` names
// the caller in the error for any other type.
template <class F>
void with_stored_type(h5::DType dtype, const char* what, F&& f) {
  switch (dtype) {
    case h5::DType::u8: f(std::uint8_t{}); break;
    case h5::DType::u16: f(std::uint16_t{}); break;
    case h5::DType::u32: f(std::uint32_t{}); break;
    case h5::DType::f32: f(float{}); break;
    default: throw Error(std::string("internal: no ") + what + " of " + h5::dtype_name(dtype) + " values");
  }
}

namespace detail {
// A named function, not a generic lambda: CUDA allows no device lambda inside one.
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
  with_stored_type(dtype, "conversion to float",
                   [&](auto tag) { detail::to_float<decltype(tag)>(exec, raw, out, n); });
}

}  // namespace ecm::convert
