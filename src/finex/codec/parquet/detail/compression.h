// Page compression for the Parquet codec: UNCOMPRESSED, SNAPPY, GZIP, ZSTD
// (libsnappy, zlib, libzstd), plus the page CRC-32 (zlib's crc32, the CRC the
// Parquet spec names for PageHeader.crc).
//
// Decompression is bounded: the caller passes the exact uncompressed size
// from the page header (already capped by the reader), and any mismatch is
// DataLoss.
//
// Thread-safety: functions are thread-safe (zstd contexts are thread_local).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex::codec::pq {

// Appends the compressed form of `in` to *out. `codec` is a Parquet
// CompressionCodec id among UNCOMPRESSED/SNAPPY/GZIP/ZSTD; `level` applies to
// zstd (1..22) and gzip (1..9).
Status Compress(int32_t codec, int level, std::string_view in, std::string* out);

// Decompresses `in` into out[0..size); DataLoss unless exactly `size` bytes
// result. Unimplemented for codecs outside the subset (named).
Status Decompress(int32_t codec, std::string_view in, char* out, size_t size);

// CRC-32 (ISO-HDLC, the zlib polynomial), as a signed i32 like the Thrift field.
int32_t PageCrc(std::string_view a, std::string_view b = {});

}  // namespace finex::codec::pq
