// Internal: reading one column chunk of a Parquet file into the frame being
// built — page headers, decompression, dictionary and data pages, levels and
// the sinks that write values straight into the frame's columns. Used by
// parquet_reader.cc (DecodeParquet), which plans the columns and owns the
// frame; see docs/parquet.md for what is accepted.
//
// Thread-safety: functions are reentrant; ThreadScratch() is per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "finex/codec/parquet/detail/format.h"
#include "finex/codec/parquet/detail/schema.h"
#include "finex/core/status.h"

namespace finex::codec::pq {

inline uint32_t LoadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Interns strings into one frame dictionary; codes go straight into the
// frame's code column (`codes`, `cap` rows).
struct StringSink {
  std::vector<std::string> dict;
  std::unordered_map<std::string, uint32_t> index;
  uint32_t* codes = nullptr;
  size_t size = 0;  // codes written
  size_t cap = 0;
  uint32_t Intern(std::string_view s) {
    for (size_t k = 0; k < dict.size() && k < 8; ++k)
      if (dict[k] == s) return static_cast<uint32_t>(k);
    if (dict.size() <= 8) {
      dict.emplace_back(s);
      if (dict.size() > 8) index.reserve(64);
      if (dict.size() > 8)
        for (size_t k = 0; k < dict.size(); ++k) index.emplace(dict[k], static_cast<uint32_t>(k));
      return static_cast<uint32_t>(dict.size() - 1);
    }
    auto [it, inserted] = index.try_emplace(std::string(s), static_cast<uint32_t>(dict.size()));
    if (inserted) dict.emplace_back(s);
    return it->second;
  }
};

// Writes 8-byte values straight into the frame's column (`cap` rows at
// `values`) and, for nullable columns, one validity byte per row.
struct FixedSink {
  char* values = nullptr;
  uint8_t* valid = nullptr;  // null for timestamps (never null)
  size_t size = 0;           // rows written
  size_t cap = 0;
  // While no null has been seen, validity bytes are not written (the block
  // column is then marked all valid); the first null fills in the 1s before it.
  bool any_null = false;
};

// Decoded chunk dictionary.
struct Dict {
  bool present = false;
  std::vector<uint64_t> fixed;     // 8-byte types
  std::vector<uint32_t> str_code;  // strings: frame dictionary codes
};

// Per-thread scratch buffers: decoding reuses their capacity instead of
// allocating per page (DecodeParquet is not re-entered on one thread).
struct Scratch {
  Dict dict;
  FileMetaData md;
  std::vector<uint64_t> fixed;
  std::vector<uint32_t> codes;
  std::string buf;
  std::vector<uint8_t> levels;
};
inline Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

enum class Target { kString, kTimestamp, kDouble, kVolume };

struct ColumnPlan {
  int leaf = -1;  // index into leaves, -1 when absent
  Target target;
  std::string_view name;
  const SchemaElement* se = nullptr;
  bool optional = false;
  int64_t ts_divisor = 1;  // timestamp units per second
  StringSink* strings = nullptr;
  FixedSink* fixed = nullptr;
  bool null_is_error = false;  // symbol, timestamp
};

// A column error naming the column (DataLoss/Unimplemented/...).
Status ColumnError(const ColumnPlan& p, StatusCode code, const std::string& what);
// Reads the chunk `cc` of `file` (data before data_end) holding `rows` rows
// into p's sink; verify = check page CRCs.
Status ReadChunk(std::string_view file, size_t data_end, const ColumnPlan& p, const ColumnChunk& cc,
                 int64_t rows, bool verify);
// InvalidArgument/DataLoss when the file's physical/logical type of p's
// column does not match what finex reads it as.
Status CheckType(const ColumnPlan& p);

}  // namespace finex::codec::pq
