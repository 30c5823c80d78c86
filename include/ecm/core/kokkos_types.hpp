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

// Kokkos 3.4 lacks Kokkos::sqrt/exp/log/fabs as device functions under those names;
// Kokkos 4 moved them into Kokkos::. This shim is usable in kernels on both.
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
KOKKOS_INLINE_FUNCTION double sqrt(double x) { return ::sqrt(x); }
KOKKOS_INLINE_FUNCTION double exp(double x) { return ::exp(x); }
KOKKOS_INLINE_FUNCTION double log(double x) { return ::log(x); }
KOKKOS_INLINE_FUNCTION double fabs(double x) { return ::fabs(x); }
KOKKOS_INLINE_FUNCTION double floor(double x) { return ::floor(x); }
KOKKOS_INLINE_FUNCTION double atan2(double y, double x) { return ::atan2(y, x); }
KOKKOS_INLINE_FUNCTION double cos(double x) { return ::cos(x); }
KOKKOS_INLINE_FUNCTION double sin(double x) { return ::sin(x); }
KOKKOS_INLINE_FUNCTION bool isfinite(double x) { return ::isfinite(x); }
#endif
template <class T>
KOKKOS_INLINE_FUNCTION T min(T a, T b) { return a < b ? a : b; }
template <class T>
KOKKOS_INLINE_FUNCTION T max(T a, T b) { return a < b ? b : a; }
template <class T>
KOKKOS_INLINE_FUNCTION T clamp(T x, T lo, T hi) { return x < lo ? lo : (x > hi ? hi : x); }
}  // namespace kmath

}  // namespace ecm
