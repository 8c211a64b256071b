#include "finex/codec/parquet/detail/encoding.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "finex/core/status.h"

namespace finex::codec::pq {

int BitWidth(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

Status GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return DataLossError("truncated varint in encoded values");
    const uint8_t b = static_cast<uint8_t>(in[(*pos)++]);
    if (shift == 63 && (b & 0x7E) != 0)
      return DataLossError("varint overflows 64 bits in encoded values");
    r |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return OkStatus();
    }
  }
  return DataLossError("varint too long in encoded values");
}

int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Packs `count` values LSB-first at `bw` bits each.
void PackBits(const uint64_t* v, size_t count, int bw, std::string* out) {
  if (bw == 0) return;
  unsigned __int128 acc = 0;
  int bits = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<unsigned __int128>(bw == 64 ? v[i] : (v[i] & ((uint64_t{1} << bw) - 1)))
           << bits;
    bits += bw;
    while (bits >= 8) {
      out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(static_cast<uint8_t>(acc)));
}

// Reads the bw-bit value at bit offset `bit` of p[0..nbytes). REQUIRES the
// bits lie inside the buffer.
inline uint64_t ReadBits(const uint8_t* p, size_t nbytes, size_t bit, int bw) {
  if (bw == 0) return 0;
  const size_t byte = bit >> 3;
  const int shift = static_cast<int>(bit & 7);
  if (bw <= 56 && byte + 8 <= nbytes) {
    uint64_t w;
    std::memcpy(&w, p + byte, 8);
    return (w >> shift) & ((uint64_t{1} << bw) - 1);
  }
  unsigned __int128 acc = 0;
  const size_t last = (bit + bw + 7) >> 3;
  for (size_t b = byte, k = 0; b < last; ++b, ++k)
    acc |= static_cast<unsigned __int128>(p[b]) << (8 * k);
  acc >>= shift;
  return bw == 64 ? static_cast<uint64_t>(acc)
                  : static_cast<uint64_t>(acc) & ((uint64_t{1} << bw) - 1);
}

template <typename T>
void RleEncodeImpl(std::span<const T> values, int bw, std::string* out) {
  const size_t n = values.size();
  const size_t value_bytes = (bw + 7) / 8;
  std::vector<uint64_t> lit;  // pending bit-packed literals
  auto flush_literals = [&] {
    if (lit.empty()) return;
    const size_t groups = (lit.size() + 7) / 8;
    lit.resize(groups * 8, 0);
    PutVarint((groups << 1) | 1, out);
    PackBits(lit.data(), lit.size(), bw, out);
    lit.clear();
  };
  size_t i = 0;
  while (i < n) {
    size_t run = 1;
    while (i + run < n && values[i + run] == values[i]) ++run;
    // Fill the literal buffer up to a multiple of 8 from this run first, so a
    // literal group never needs padding in the middle of the stream.
    while (!lit.empty() && lit.size() % 8 != 0 && run > 0) {
      lit.push_back(values[i]);
      ++i;
      --run;
    }
    if (run >= 8) {
      flush_literals();
      PutVarint(static_cast<uint64_t>(run) << 1, out);
      const uint64_t v = values[i];
      for (size_t b = 0; b < value_bytes; ++b)
        out->push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
    } else {
      for (size_t k = 0; k < run; ++k) lit.push_back(values[i + k]);
    }
    i += run;
  }
  flush_literals();
}

template <typename T>
Status RleDecodeImpl(std::string_view in, int bw, size_t n, T* out) {
  if (bw < 0 || bw > 32)
    return DataLossError("RLE bit width " + std::to_string(bw) + " out of range");
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in.data());
  const size_t value_bytes = (bw + 7) / 8;
  const uint64_t max_value = bw == 0 ? 0 : (uint64_t{1} << bw) - 1;
  size_t pos = 0, done = 0;
  while (done < n) {
    uint64_t h;
    FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &h));
    if (h & 1) {
      const uint64_t groups = h >> 1;
      if (groups == 0) return DataLossError("empty bit-packed run in RLE data");
      // Compare before multiplying: a hostile header must not overflow.
      const size_t take = groups >= (n - done + 7) / 8 ? n - done : static_cast<size_t>(groups * 8);
      const size_t full_bytes =
          groups > in.size() ? in.size() + 1 : static_cast<size_t>(groups * bw);
      const size_t need_bytes = (take * bw + 7) / 8;
      if (pos + need_bytes > in.size())
        return DataLossError("truncated bit-packed run in RLE data");
      const uint8_t* base = p + pos;
      const size_t avail = in.size() - pos;
      for (size_t k = 0; k < take; ++k)
        out[done + k] = static_cast<T>(ReadBits(base, avail, k * bw, bw));
      done += take;
      pos += std::min(full_bytes, avail);
    } else {
      const uint64_t count = h >> 1;
      if (count == 0) return DataLossError("empty RLE run");
      if (pos + value_bytes > in.size()) return DataLossError("truncated RLE run value");
      uint64_t v = 0;
      for (size_t b = 0; b < value_bytes; ++b) v |= static_cast<uint64_t>(p[pos + b]) << (8 * b);
      pos += value_bytes;
      if (v > max_value) return DataLossError("RLE run value exceeds its bit width");
      const size_t take = static_cast<size_t>(std::min<uint64_t>(count, n - done));
      std::fill(out + done, out + done + take, static_cast<T>(v));
      done += take;
    }
  }
  return OkStatus();
}

}  // namespace

void RleEncode(std::span<const uint32_t> values, int bw, std::string* out) {
  RleEncodeImpl(values, bw, out);
}
void RleEncode(std::span<const uint8_t> values, int bw, std::string* out) {
  RleEncodeImpl(values, bw, out);
}

Status RleDecode(std::string_view in, int bw, size_t n, uint32_t* out) {
  return RleDecodeImpl(in, bw, n, out);
}
Status RleDecode(std::string_view in, int bw, size_t n, uint8_t* out) {
  if (bw > 8) return DataLossError("level bit width exceeds 8");
  return RleDecodeImpl(in, bw, n, out);
}

// --- DELTA_BINARY_PACKED -------------------------------------------------------

namespace {
constexpr size_t kBlock = 128;
constexpr size_t kMiniblocks = 4;
constexpr size_t kPerMiniblock = kBlock / kMiniblocks;
}  // namespace

void DeltaEncode(std::span<const int64_t> v, std::string* out) {
  PutVarint(kBlock, out);
  PutVarint(kMiniblocks, out);
  PutVarint(v.size(), out);
  PutVarint(ZigZag(v.empty() ? 0 : v[0]), out);
  uint64_t buf[kBlock];
  for (size_t start = 1; start < v.size(); start += kBlock) {
    const size_t cnt = std::min(kBlock, v.size() - start);
    int64_t min_delta = INT64_MAX;
    for (size_t k = 0; k < cnt; ++k) {
      const int64_t d = static_cast<int64_t>(static_cast<uint64_t>(v[start + k]) -
                                             static_cast<uint64_t>(v[start + k - 1]));
      buf[k] = static_cast<uint64_t>(d);
      min_delta = std::min(min_delta, d);
    }
    for (size_t k = 0; k < cnt; ++k) buf[k] -= static_cast<uint64_t>(min_delta);
    for (size_t k = cnt; k < kBlock; ++k) buf[k] = 0;
    PutVarint(ZigZag(min_delta), out);
    const size_t used = (cnt + kPerMiniblock - 1) / kPerMiniblock;
    int widths[kMiniblocks] = {0, 0, 0, 0};
    for (size_t m = 0; m < used; ++m) {
      uint64_t mx = 0;
      for (size_t k = 0; k < kPerMiniblock; ++k) mx |= buf[m * kPerMiniblock + k];
      widths[m] = BitWidth(mx);
    }
    for (size_t m = 0; m < kMiniblocks; ++m) out->push_back(static_cast<char>(widths[m]));
    for (size_t m = 0; m < used; ++m)
      PackBits(buf + m * kPerMiniblock, kPerMiniblock, widths[m], out);
  }
}

Status DeltaDecode(std::string_view in, size_t n, int64_t* out, size_t* consumed) {
  size_t pos = 0;
  uint64_t block, mbs, total, first;
  FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &block));
  FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &mbs));
  FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &total));
  FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &first));
  if (block == 0 || block % 128 != 0 || block > (1u << 16))
    return DataLossError("DELTA_BINARY_PACKED: bad block size");
  if (mbs == 0 || block % mbs != 0 || (block / mbs) % 32 != 0) {
    return DataLossError("DELTA_BINARY_PACKED: bad miniblock count");
  }
  if (total != n) {
    return DataLossError("DELTA_BINARY_PACKED: header holds " + std::to_string(total) +
                         " values, page expects " + std::to_string(n));
  }
  const uint8_t* p = reinterpret_cast<const uint8_t*>(in.data());
  const size_t per_mb = block / mbs;
  size_t done = 0;
  uint64_t prev = static_cast<uint64_t>(UnZigZag(first));
  if (n > 0) out[done++] = static_cast<int64_t>(prev);
  while (done < n) {
    uint64_t zmin;
    FINEX_RETURN_IF_ERROR(GetVarint(in, &pos, &zmin));
    const uint64_t min_delta = static_cast<uint64_t>(UnZigZag(zmin));
    if (pos + mbs > in.size()) return DataLossError("DELTA_BINARY_PACKED: truncated bit widths");
    const size_t widths_at = pos;
    pos += mbs;
    for (size_t m = 0; m < mbs && done < n; ++m) {
      const int w = p[widths_at + m];
      if (w > 64) return DataLossError("DELTA_BINARY_PACKED: bit width above 64");
      const size_t take = std::min(per_mb, n - done);
      const size_t full_bytes = per_mb * w / 8;
      const size_t need = (take * w + 7) / 8;
      if (pos + need > in.size()) return DataLossError("DELTA_BINARY_PACKED: truncated miniblock");
      const size_t avail = in.size() - pos;
      for (size_t k = 0; k < take; ++k) {
        prev += min_delta + ReadBits(p + pos, avail, k * w, w);
        out[done++] = static_cast<int64_t>(prev);
      }
      pos += std::min(full_bytes, avail);
    }
  }
  *consumed = pos;
  return OkStatus();
}

// --- BYTE_STREAM_SPLIT -----------------------------------------------------------

void ByteStreamSplitEncode(const void* values, size_t n, std::string* out) {
  const uint8_t* src = static_cast<const uint8_t*>(values);
  const size_t base = out->size();
  out->resize(base + 8 * n);
  char* dst = out->data() + base;
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < 8; ++k) dst[k * n + i] = static_cast<char>(src[8 * i + k]);
}

Status ByteStreamSplitDecode(std::string_view in, size_t n, void* out) {
  if (in.size() != 8 * n) {
    return DataLossError("BYTE_STREAM_SPLIT: " + std::to_string(in.size()) + " bytes for " +
                         std::to_string(n) + " values");
  }
  uint8_t* dst = static_cast<uint8_t*>(out);
  const uint8_t* src = reinterpret_cast<const uint8_t*>(in.data());
  for (size_t k = 0; k < 8; ++k) {
    const uint8_t* s = src + k * n;
    for (size_t i = 0; i < n; ++i) dst[8 * i + k] = s[i];
  }
  return OkStatus();
}

}  // namespace finex::codec::pq
