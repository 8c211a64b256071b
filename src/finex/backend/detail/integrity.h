// Integrity envelope used by the shared/durable backends (redis/, postgres/)
// so that a value damaged at rest or in transit is detected on read: it is
// then treated as a miss, deleted, counted (BackendStats::corrupt) and never
// served. Backends store opaque bytes and never depend on codec/, so the check
// lives here rather than relying on the Parquet page CRCs.
//
// Sealed format v1 (docs/backends.md "Integrity"):
//   bytes 0..3   "FXE1"                      magic + version
//   bytes 4..11  XXH64(payload, seed 0), little-endian
//   bytes 12..   payload
// PostgreSQL stores the checksum in its own column instead (same XXH64), and
// parquet_dir in a sidecar file, so that files stay plain Parquet.
//
// Thread-safety: pure functions. Header-only (xxhash inlined).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "finex/core/bytes.h"
#include "finex/core/status.h"

namespace finex::backend::detail {

inline constexpr std::string_view kEnvelopeMagic = "FXE1";
inline constexpr size_t kEnvelopeHeader = 12;

inline uint64_t Checksum64(ByteView payload) { return XXH64(payload.data(), payload.size(), 0); }

// magic + checksum + payload.
inline Bytes Seal(ByteView payload) {
  Bytes out;
  out.resize(kEnvelopeHeader + payload.size());
  std::memcpy(out.data(), kEnvelopeMagic.data(), 4);
  uint64_t h = Checksum64(payload);
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<char>((h >> (8 * i)) & 0xff);
  if (!payload.empty()) std::memcpy(out.data() + kEnvelopeHeader, payload.data(), payload.size());
  return out;
}

// The payload inside a sealed value (a view into `sealed`), or DataLoss when
// the magic, length or checksum does not match.
inline Result<ByteView> Unseal(ByteView sealed) {
  if (sealed.size() < kEnvelopeHeader || sealed.substr(0, 4) != kEnvelopeMagic)
    return DataLossError("stored value has no finex integrity envelope (" +
                         std::to_string(sealed.size()) + " bytes)");
  uint64_t want = 0;
  for (int i = 0; i < 8; ++i)
    want |= static_cast<uint64_t>(static_cast<unsigned char>(sealed[4 + i])) << (8 * i);
  ByteView payload = sealed.substr(kEnvelopeHeader);
  if (Checksum64(payload) != want)
    return DataLossError("stored value failed its XXH64 check (" + std::to_string(payload.size()) +
                         " bytes)");
  return payload;
}

}  // namespace finex::backend::detail
