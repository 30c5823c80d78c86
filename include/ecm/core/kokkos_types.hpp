#pragma once
// The execution and memory spaces ecm's kernels run in, and the View aliases they use.
// Kernels are templated on the execution space; these are the defaults the engine uses.
#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace ecm {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;
using HostExec = Kokkos::DefaultHostExecutionSpace;

// Name of the Kokkos backend the kernels run on (recorded in output provenance).
inline std::string kokkos_backend_name() { return ExecSpace::name(); }

// Kokkos before 3.7 has no Kokkos::sqrt/exp/...; Kokkos 4 has them as device functions.
// This shim is usable in kernels on both (older Kokkos here is the host-only Debian 3.4).
namespace kmath {
#if defined(KOKKOS_VERSION) && KOKKOS_VERSION >= 30700
KOKKOS_INLINE_FUNCTION double sqrt(double x) { return Kokkos::sqrt(x); }
KOKKOS_INLINE_FUNCTION double exp(double x) { return Kokkos::exp(x); }
KOKKOS_INLINE_FUNCTION double log(double x) { return Kokkos::log(x); }
KOKKOS_INLINE_FUNCTION double fabs(double x) { return Kokkos::fabs(x); }
KOKKOS_INLINE_FUNCTION double floor(double x) { return Kokkos::floor(x); }
KOKKOS_INLINE_FUNCTION double atan2(double y, double x) { return Kokkos::atan2(y, x); }
KOKKOS_INLINE_FUNCTION double cos(double x) { return Kokkos::cos(x); }
KOKKOS_INLINE_FUNCTION double sin(double x) { return Kokkos::sin(x); }
KOKKOS_INLINE_FUNCTION bool isfinite(double x) { return Kokkos::isfinite(x); }
#else
KOKKOS_INLINE_FUNCTION double sqrt(double x) { return std::sqrt(x); }
KOKKOS_INLINE_FUNCTION double exp(double x) { return std::exp(x); }
KOKKOS_INLINE_FUNCTION double log(double x) { return std::log(x); }
KOKKOS_INLINE_FUNCTION double fabs(double x) { return std::fabs(x); }
KOKKOS_INLINE_FUNCTION double floor(double x) { return std::floor(x); }
KOKKOS_INLINE_FUNCTION double atan2(double y, double x) { return std::atan2(y, x); }
KOKKOS_INLINE_FUNCTION double cos(double x) { return std::cos(x); }
KOKKOS_INLINE_FUNCTION double sin(double x) { return std::sin(x); }
KOKKOS_INLINE_FUNCTION bool isfinite(double x) { return std::isfinite(x); }
#endif
template <class T>
KOKKOS_INLINE_FUNCTION T min(T a, T b) { return a < b ? a : b; }
template <class T>
KOKKOS_INLINE_FUNCTION T max(T a, T b) { return a < b ? b : a; }
template <class T>
KOKKOS_INLINE_FUNCTION T clamp(T x, T lo, T hi) { return x < lo ? lo : (x > hi ? hi : x); }
}  // namespace kmath

}  // namespace ecm
