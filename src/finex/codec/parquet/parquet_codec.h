// finex's own Parquet codec: Frame <-> one standard Parquet file.
//
// Written files hold the 12 columns of finex's history schema in a flat
// schema, readable by DuckDB, pandas/pyarrow and Spark:
//   symbol, provider, currency, timezone: BYTE_ARRAY STRING, REQUIRED,
//                                         dictionary-encoded
//   timestamp: INT64 TIMESTAMP(MILLIS, isAdjustedToUTC=true), REQUIRED
//   open, high, low, close, adj_close, market_cap: DOUBLE, OPTIONAL
//   volume: INT64, OPTIONAL
// Encodings are chosen per column chunk by measured size (PLAIN,
// RLE_DICTIONARY, DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT); each chunk is
// compressed with the configured codec unless that would not make it smaller.
// Every page carries a CRC-32; the footer's key-value metadata carries the
// frame's FieldSet and an xxh3-64 envelope over the whole file. The byte-level
// description (schema, encodings, metadata keys, checksums) is
// docs/parquet.md.
//
// The reader accepts those files and standard files from other writers in
// this subset: flat schemas with columns mapped by name (unknown columns are
// ignored), data page v1 and v2, PLAIN / RLE_DICTIONARY / PLAIN_DICTIONARY /
// DELTA_BINARY_PACKED / BYTE_STREAM_SPLIT, UNCOMPRESSED / SNAPPY / ZSTD /
// GZIP, REQUIRED and OPTIONAL columns. Anything else is Unimplemented, naming
// the feature. Damaged input yields DataLoss or InvalidArgument: every read
// is bounds-checked, page CRCs and the envelope are verified, allocations are
// capped by the input's size (see ParquetOptions::max_rows).
//
// Thread-safety: codecs hold only their options; Encode/Decode are
// thread-safe. Ownership: Decode copies what it needs; the returned frame
// does not reference the input bytes.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "finex/codec/frame_codec.h"
#include "finex/core/bytes.h"
#include "finex/core/frame.h"
#include "finex/core/status.h"

namespace finex::codec {

enum class ParquetCompression { kNone, kSnappy, kZstd, kGzip };

// "none", "snappy", "zstd", "gzip".
std::string_view ParquetCompressionName(ParquetCompression c);
// Parses the names above; InvalidArgument (param "compression") otherwise.
Result<ParquetCompression> ParseParquetCompression(std::string_view name);

struct ParquetOptions {
  // --- writing ---
  // Page compression. Default: zstd.
  ParquetCompression compression = ParquetCompression::kZstd;
  // zstd level, 1..22. Default: 3.
  int zstd_level = 3;
  // gzip (deflate) level, 1..9. Default: 6.
  int gzip_level = 6;
  // Rows per row group (>= 1). Default: 131072 (1 << 17).
  size_t row_group_rows = size_t{1} << 17;
  // Dictionary-encode string columns, and price columns where it is smaller.
  // Off: strings are PLAIN. Default: true.
  bool dictionary = true;
  // Write PageHeader.crc (CRC-32 of the stored page bytes). Default: true.
  bool page_crc = true;
  // Data page format: 1 (DATA_PAGE, most compatible) or 2 (DATA_PAGE_V2).
  // Default: 1.
  int data_page_version = 1;
  // Add the finex.parquet.xxh3 envelope checksum. Default: true.
  bool envelope_checksum = true;

  // --- reading ---
  // Verify page CRCs and the envelope checksum when present. Default: true.
  bool verify_checksums = true;
  // Upper bound on rows in one decoded file. Files declaring more rows, or
  // more than 64 rows per input byte beyond the first 65536 rows, are
  // rejected (InvalidArgument) before anything is allocated. Default: 2^27.
  size_t max_rows = size_t{1} << 27;
};

// Reserved metadata keys (Encode rejects them in caller metadata; Decode
// strips them from DecodedFrame::metadata).
inline constexpr std::string_view kParquetFieldsKey = "finex.parquet.fields";
inline constexpr std::string_view kParquetChecksumKey = "finex.parquet.xxh3";

// The codec behind FrameCodec (name() == "parquet"). Invalid options surface
// as InvalidArgument from Encode.
std::unique_ptr<FrameCodec> NewParquetCodec(const ParquetOptions& options = {});

// Frame + key-value metadata -> Parquet bytes. Metadata pairs round-trip
// exactly and in order. InvalidArgument for invalid options, reserved keys,
// or timestamps outside the MILLIS range (|ts| > 9.2e15 s).
Result<Bytes> EncodeParquet(const Frame& frame, const KeyValueMetadata& metadata,
                            const ParquetOptions& options = {});

// Parquet bytes -> frame + metadata. See the header comment for the subset
// and the error contract.
Result<DecodedFrame> DecodeParquet(ByteView bytes, const ParquetOptions& options = {});

}  // namespace finex::codec
