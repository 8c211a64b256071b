// The subset of Parquet's Thrift metadata (parquet.thrift) that finex writes
// and reads: FileMetaData, SchemaElement, RowGroup, ColumnChunk,
// ColumnMetaData, Statistics, KeyValue and PageHeader with its data page v1,
// v2 and dictionary headers. Fields outside this subset are skipped when
// read; features finex cannot honour (encryption, nested schemas, external
// column chunks) are recorded so the reader can name them in Unimplemented.
//
// Thread-safety: plain values. Ownership: parsed string_views point into the
// input buffer, which must outlive the parsed struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/codec/parquet/detail/thrift_compact.h"
#include "finex/core/status.h"

namespace finex::codec::pq {

enum PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};
enum Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };
enum Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};
enum CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};
enum PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };
enum ConvertedType : int32_t { kUtf8 = 0, kTimestampMillis = 9, kTimestampMicros = 10 };
enum TimeUnit : int32_t { kUnitNone = 0, kMillis = 1, kMicros = 2, kNanos = 3 };

std::string EncodingName(int32_t e);
std::string CodecName(int32_t c);

struct SchemaElement {
  std::optional<int32_t> type;
  std::optional<int32_t> repetition;
  std::string_view name;
  int32_t num_children = 0;
  std::optional<int32_t> converted_type;
  // Logical type (a union): which member was set, 0 if none.
  int16_t logical = 0;              // 1 STRING, 8 TIMESTAMP, others recorded by id
  bool ts_adjusted_to_utc = false;  // TIMESTAMP only
  TimeUnit ts_unit = kUnitNone;     // TIMESTAMP only
};

struct Statistics {
  std::optional<std::string_view> min_value, max_value;
  std::optional<int64_t> null_count;
};

struct ColumnMetaData {
  int32_t type = -1;  // encodings and path_in_schema are not kept: columns map by schema order
  int32_t codec = -1;
  int64_t num_values = -1;
  int64_t total_uncompressed_size = -1;
  int64_t total_compressed_size = -1;
  int64_t data_page_offset = -1;
  std::optional<int64_t> dictionary_page_offset;
  // Statistics are kept apart (FileMetaData::stats), so this struct stays
  // small: the reader builds one per column chunk on every decode.
};

struct ColumnChunk {
  bool has_file_path = false;
  bool encrypted = false;
  bool has_meta = false;
  ColumnMetaData meta;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t num_rows = -1;
};

struct KeyValue {
  std::string_view key;
  std::string_view value;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = -1;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> kv;
  std::string_view created_by;
  bool encrypted = false;  // encryption_algorithm present
  // Each column chunk's Statistics in file order (row group by row group),
  // default-constructed where a chunk has none; filled only when parsed with
  // `statistics` (the reader does not use them).
  std::vector<Statistics> stats;
};

// Parses a FileMetaData struct from `in` (exactly the footer bytes). With
// `statistics` false, column chunk Statistics are skipped, not kept.
Status ParseFileMetaData(std::string_view in, FileMetaData* out, bool statistics = false);

struct PageHeader {
  int32_t type = -1;
  int32_t uncompressed_size = -1;
  int32_t compressed_size = -1;
  std::optional<int32_t> crc;
  // Data page v1 / v2 / dictionary page fields (whichever applies).
  int32_t num_values = -1;
  int32_t encoding = -1;
  int32_t def_encoding = kRle;  // v1 only
  int32_t num_nulls = 0;        // v2
  int32_t num_rows = -1;        // v2
  int32_t def_levels_len = 0;   // v2
  int32_t rep_levels_len = 0;   // v2
  bool is_compressed = true;    // v2
  bool has_body = false;        // a data/dictionary header was present
};

// Parses a PageHeader from the front of `in`; *consumed = its length.
Status ParsePageHeader(std::string_view in, PageHeader* out, size_t* consumed);

// --- writing ---------------------------------------------------------------

struct WriteStats {
  bool present = false;     // write a Statistics struct (null_count)
  bool has_minmax = false;  // ... with min_value/max_value
  std::string min_value, max_value;
  int64_t null_count = 0;
};

struct WriteColumnChunk {
  int32_t type;
  std::vector<int32_t> encodings;
  std::string name;
  int32_t codec;
  int64_t num_values;
  int64_t total_uncompressed_size;
  int64_t total_compressed_size;
  int64_t data_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  WriteStats stats;
};

struct WriteRowGroup {
  std::vector<WriteColumnChunk> columns;
  int64_t num_rows;
  int64_t total_byte_size;
  int64_t file_offset;
  int64_t total_compressed_size;
};

struct WriteSchemaLeaf {
  std::string name;
  int32_t type;
  int32_t repetition;
  std::optional<int32_t> converted_type;
  int16_t logical;  // 0 none, 1 STRING, 8 TIMESTAMP (UTC, ts_unit)
  TimeUnit ts_unit = kUnitNone;
};

// Serializes FileMetaData. *value_offsets receives, for each kv entry, the
// offset in *out (relative to the start of this footer) of its value bytes.
void WriteFileMetaData(const std::vector<WriteSchemaLeaf>& leaves, int64_t num_rows,
                       const std::vector<WriteRowGroup>& row_groups,
                       const std::vector<std::pair<std::string, std::string>>& kv,
                       std::string_view created_by, std::string* out,
                       std::vector<size_t>* value_offsets);

struct WritePageHeader {
  int32_t type;
  int32_t uncompressed_size;
  int32_t compressed_size;
  std::optional<int32_t> crc;
  int32_t num_values;
  int32_t encoding;
  // v2 only
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  int32_t def_levels_len = 0;
  bool is_compressed = true;
};
void WritePageHeader(const WritePageHeader& h, std::string* out);

}  // namespace finex::codec::pq
