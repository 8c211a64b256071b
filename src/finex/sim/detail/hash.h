// Internal: the deterministic hashing every generated number comes from
// (splitmix64 mixing of symbol hash, seed and position), plus the ASCII case
// helpers the generator's parts share. Changing any of these changes every
// generated series: simulator tests compare exact values.
//
// Thread-safety: pure functions.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace finex::sim::detail {

inline uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
inline uint64_t Mix(uint64_t a, uint64_t b) { return Mix(a ^ Mix(b)); }
inline uint64_t Mix(uint64_t a, uint64_t b, uint64_t c) { return Mix(Mix(a, b), c); }
// A uniform double in [0, 1) from a hash.
inline double U01(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// FNV-1a of the bytes, mixed.
inline uint64_t HashString(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return Mix(h);
}

inline std::string AsciiUpper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}
inline std::string AsciiLower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace finex::sim::detail
