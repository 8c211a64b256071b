// Parquet value and level encodings used by finex's codec:
//   - RLE / bit-packed hybrid (definition levels, dictionary indices),
//   - DELTA_BINARY_PACKED (INT64: timestamps, volume),
//   - BYTE_STREAM_SPLIT (8-byte values: prices),
//   - bit width helpers.
// PLAIN is a memcpy (fixed width) or length-prefixed bytes and lives in the
// codec itself.
//
// Every decoder is total: it reads only inside its input view, produces
// exactly the number of values the caller asks for (bounded by the caller,
// never by the input), and returns DataLoss when the input is short or
// malformed.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex::codec::pq {

// Bits needed to represent `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

// Appends the RLE/bit-packed hybrid encoding of `values` (each < 2^bit_width)
// to *out, without any length prefix. REQUIRES: 0 <= bit_width <= 32.
void RleEncode(std::span<const uint32_t> values, int bit_width, std::string* out);
void RleEncode(std::span<const uint8_t> values, int bit_width, std::string* out);

// Decodes exactly n values from `in`. Trailing input is ignored (pages may
// pad). DataLoss when `in` ends early or a run header is malformed.
Status RleDecode(std::string_view in, int bit_width, size_t n, uint32_t* out);
Status RleDecode(std::string_view in, int bit_width, size_t n, uint8_t* out);

// DELTA_BINARY_PACKED with 128-value blocks of 4 miniblocks.
void DeltaEncode(std::span<const int64_t> values, std::string* out);
// Decodes exactly n values; the header's value count must equal n.
// *consumed = bytes read.
Status DeltaDecode(std::string_view in, size_t n, int64_t* out, size_t* consumed);

// BYTE_STREAM_SPLIT of 8-byte values (stream k holds byte k of each value).
void ByteStreamSplitEncode(const void* values, size_t n, std::string* out);
// REQUIRES in.size() == 8 * n (DataLoss otherwise).
Status ByteStreamSplitDecode(std::string_view in, size_t n, void* out);

}  // namespace finex::codec::pq
