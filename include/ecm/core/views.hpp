#pragma once
// Copies between host vectors and Kokkos Views: small, one-off data (maps, references,
// results), never the frames of the hot path.
#include <Kokkos_Core.hpp>

#include <string>
#include <vector>

namespace ecm {

// A new View in MemSpace holding `host`, labelled `label`.
template <class MemSpace, class T>
Kokkos::View<T*, MemSpace> to_device(const std::vector<T>& host, const std::string& label) {
  Kokkos::View<T*, MemSpace> v(label, host.size());
  auto h = Kokkos::create_mirror_view(v);
  for (std::size_t i = 0; i < host.size(); ++i) h(i) = host[i];
  Kokkos::deep_copy(v, h);
  return v;
}

// The contents of a rank-1 View, as a host vector.
template <class View>
std::vector<typename View::non_const_value_type> to_host(const View& view) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
  return std::vector<typename View::non_const_value_type>(h.data(), h.data() + h.extent(0));
}

}  // namespace ecm
