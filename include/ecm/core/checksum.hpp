#pragma once
// A 64-bit checksum of bytes, stable across builds and (little-endian) hosts: what the tile
// ledger records of each tile's input and results, so that a resumed run can tell whether
// the checkpoint still holds what was written and the input is still what was read
// (docs/checkpointing.md). Not cryptographic: it guards against accidents (a replaced file,
// a lost or torn write), not against an adversary.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace ecm {

class Checksum {
 public:
  // Adds `n` bytes; eight at a time (FNV-1a on 64-bit words, then the tail bytewise), fast
  // enough for a tile's results (megabytes) without showing in the run time.
  Checksum& add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      mix(word);
    }
    for (; i < n; ++i) mix(p[i]);
    mix(n);  // lengths count: "ab"+"c" and "a"+"bc" differ
    return *this;
  }
  template <class Vector>
  Checksum& add_vector(const Vector& v) {
    return add(v.data(), v.size() * sizeof(*v.data()));
  }
  std::uint64_t value() const { return h_; }
  // 16 lowercase hex digits.
  std::string hex() const { return to_hex(h_); }

  static std::string to_hex(std::uint64_t v) {
    static const char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[std::size_t(i)] = digits[v & 15];
    return s;
  }

 private:
  void mix(std::uint64_t word) {
    h_ ^= word;
    h_ *= 1099511628211ull;
    h_ ^= h_ >> 29;  // spreads the high bits of a word into the low ones FNV keeps apart
  }
  std::uint64_t h_ = 1469598103934665603ull;
};

}  // namespace ecm
