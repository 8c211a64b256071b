// Parquet bytes -> Frame. See parquet_codec.h and docs/parquet.md.
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "finex/codec/parquet/detail/compression.h"
#include "finex/codec/parquet/detail/encoding.h"
#include "finex/codec/parquet/detail/format.h"
#include "finex/codec/parquet/detail/schema.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/status.h"
#include "finex/core/symbol.h"

namespace finex::codec {

namespace {

using namespace pq;  // NOLINT: detail namespace of this module

// No page may claim more than this many bytes once decompressed.
constexpr int64_t kMaxPageBytes = int64_t{64} << 20;
// Rows allowed beyond the per-byte allowance (small files).
constexpr size_t kFreeRows = 65536;
constexpr size_t kRowsPerInputByte = 64;

uint32_t LoadU32(const char* p) {
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
Scratch& ThreadScratch() {
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

Status ColumnError(const ColumnPlan& p, StatusCode code, const std::string& what) {
  return Status(code, "parquet column '" + std::string(p.name) + "': " + what);
}


// Decodes `k` non-null values of the page's value section and appends them
// (scattered by `valid`, null rows appended as 0 / "") to the plan's sink.
Status DecodeValues(const ColumnPlan& p, const Dict& dict, int32_t encoding, std::string_view in, size_t n,
                    const uint8_t* valid, size_t k) {
  const int32_t type = *p.se->type;
  std::vector<uint64_t>& fixed = ThreadScratch().fixed;
  std::vector<uint32_t>& codes = ThreadScratch().codes;
  const bool is_string = type == kByteArray;
  switch (encoding) {
    case kPlain:
      if (is_string) {
        codes.resize(k);
        size_t pos = 0;
        for (size_t i = 0; i < k; ++i) {
          if (pos + 4 > in.size()) return ColumnError(p, StatusCode::kDataLoss, "truncated PLAIN string");
          const uint32_t len = LoadU32(in.data() + pos);
          pos += 4;
          if (len > in.size() - pos) return ColumnError(p, StatusCode::kDataLoss, "PLAIN string overruns its page");
          codes[i] = p.strings->Intern(in.substr(pos, len));
          pos += len;
        }
        if (pos != in.size()) return ColumnError(p, StatusCode::kDataLoss, "trailing bytes after PLAIN strings");
      } else {
        if (in.size() != 8 * k) {
          return ColumnError(p, StatusCode::kDataLoss,
                             "PLAIN page holds " + std::to_string(in.size()) + " bytes for " + std::to_string(k) +
                                 " values");
        }
        fixed.resize(k);
        if (k) std::memcpy(fixed.data(), in.data(), 8 * k);
      }
      break;
    case kPlainDictionary:
    case kRleDictionary: {
      if (!dict.present) return ColumnError(p, StatusCode::kDataLoss, "dictionary-encoded page without a dictionary");
      if (k > 0) {
        if (in.empty()) return ColumnError(p, StatusCode::kDataLoss, "missing dictionary index bit width");
        const int bw = static_cast<uint8_t>(in[0]);
        if (bw > 32) return ColumnError(p, StatusCode::kDataLoss, "dictionary index bit width above 32");
        codes.resize(k);
        FINEX_RETURN_IF_ERROR(RleDecode(in.substr(1), bw, k, codes.data()));
        const size_t dsize = is_string ? dict.str_code.size() : dict.fixed.size();
        for (uint32_t& c : codes) {
          if (c >= dsize) return ColumnError(p, StatusCode::kDataLoss, "dictionary index out of range");
        }
        if (is_string) {
          for (uint32_t& c : codes) c = dict.str_code[c];
        } else {
          fixed.resize(k);
          for (size_t i = 0; i < k; ++i) fixed[i] = dict.fixed[codes[i]];
        }
      }
      break;
    }
    case kDeltaBinaryPacked: {
      if (type != kInt64) {
        return ColumnError(p, StatusCode::kUnimplemented, "DELTA_BINARY_PACKED is supported for INT64 columns only");
      }
      fixed.resize(k);
      size_t consumed = 0;
      Status s = DeltaDecode(in, k, reinterpret_cast<int64_t*>(fixed.data()), &consumed);
      if (!s.ok()) return ColumnError(p, s.code(), s.message());
      break;
    }
    case kByteStreamSplit: {
      if (is_string) {
        return ColumnError(p, StatusCode::kUnimplemented, "BYTE_STREAM_SPLIT is supported for 8-byte columns only");
      }
      fixed.resize(k);
      Status s = ByteStreamSplitDecode(in, k, fixed.data());
      if (!s.ok()) return ColumnError(p, s.code(), s.message());
      break;
    }
    default:
      return ColumnError(p, StatusCode::kUnimplemented,
                         "encoding " + EncodingName(encoding) +
                             " is not supported (finex reads PLAIN, RLE_DICTIONARY, PLAIN_DICTIONARY, "
                             "DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT)");
  }

  // Scatter into the sink (bounded by the column's row count).
  if (is_string) {
    StringSink& out = *p.strings;
    if (n > out.cap - out.size) return ColumnError(p, StatusCode::kDataLoss, "more values than the file's rows");
    uint32_t* dst = out.codes + out.size;
    if (valid == nullptr || k == n) {
      if (k) std::memcpy(dst, codes.data(), 4 * k);
    } else {
      if (p.null_is_error) return ColumnError(p, StatusCode::kInvalidArgument, "holds nulls");
      const uint32_t empty = out.Intern("");
      size_t j = 0;
      for (size_t i = 0; i < n; ++i) dst[i] = valid[i] ? codes[j++] : empty;
    }
    out.size += n;
    return OkStatus();
  }
  if (p.target == Target::kTimestamp) {
    if (valid != nullptr && k != n) return ColumnError(p, StatusCode::kInvalidArgument, "holds nulls");
    for (uint64_t& v : fixed) {
      const int64_t t = static_cast<int64_t>(v);
      if (t % p.ts_divisor != 0) {
        return ColumnError(p, StatusCode::kInvalidArgument,
                           "timestamp " + std::to_string(t) + " is not a whole second (finex bars are whole seconds)");
      }
      v = static_cast<uint64_t>(t / p.ts_divisor);
    }
  }
  FixedSink* s = p.fixed;
  if (n > s->cap - s->size) return ColumnError(p, StatusCode::kDataLoss, "more values than the file's rows");
  char* base = s->values + 8 * s->size;
  if (valid == nullptr || k == n) {
    if (k) std::memcpy(base, fixed.data(), 8 * k);
    if (s->any_null) std::memset(s->valid + s->size, 1, n);
  } else {
    if (!s->any_null) std::memset(s->valid, 1, s->size);  // rows before the first null
    s->any_null = true;
    uint8_t* vout = s->valid + s->size;
    size_t j = 0;
    for (size_t i = 0; i < n; ++i) {
      if (valid[i]) {
        std::memcpy(base + 8 * i, &fixed[j++], 8);
      } else {
        std::memset(base + 8 * i, 0, 8);  // null rows hold 0
      }
      vout[i] = valid[i] ? 1 : 0;
    }
  }
  s->size += n;
  return OkStatus();
}

Status DecodeDictionary(const ColumnPlan& p, std::string_view in, int32_t count, Dict* dict) {
  const bool is_string = *p.se->type == kByteArray;
  if (count < 0) return ColumnError(p, StatusCode::kDataLoss, "negative dictionary size");
  if (is_string) {
    size_t pos = 0;
    dict->str_code.reserve(std::min<size_t>(count, in.size() / 4 + 1));
    for (int32_t i = 0; i < count; ++i) {
      if (pos + 4 > in.size()) return ColumnError(p, StatusCode::kDataLoss, "truncated dictionary page");
      const uint32_t len = LoadU32(in.data() + pos);
      pos += 4;
      if (len > in.size() - pos) return ColumnError(p, StatusCode::kDataLoss, "dictionary entry overruns its page");
      dict->str_code.push_back(p.strings->Intern(in.substr(pos, len)));
      pos += len;
    }
    if (pos != in.size()) return ColumnError(p, StatusCode::kDataLoss, "trailing bytes in dictionary page");
  } else {
    if (in.size() != 8 * static_cast<size_t>(count)) {
      return ColumnError(p, StatusCode::kDataLoss, "dictionary page size does not match its entry count");
    }
    dict->fixed.resize(count);
    if (count) std::memcpy(dict->fixed.data(), in.data(), in.size());
    if (p.target == Target::kTimestamp) {
      // Values are converted when scattered; nothing to do here.
    }
  }
  dict->present = true;
  return OkStatus();
}

// Points *out at the page bytes after decompression: `z` itself when the
// page is stored uncompressed (no copy), else *buf, which receives the
// decompressed bytes. DataLoss when the size differs from the header's.
Status PageBytes(int32_t codec, std::string_view z, size_t size, std::string* buf, std::string_view* out) {
  if (codec == kUncompressed) {
    if (z.size() != size) return DataLossError("uncompressed page size does not match its header");
    *out = z;
    return OkStatus();
  }
  buf->resize(size);
  FINEX_RETURN_IF_ERROR(Decompress(codec, z, buf->data(), size));
  *out = *buf;
  return OkStatus();
}

// Reads every page of one column chunk.
Status ReadChunk(std::string_view file, size_t data_end, const ColumnPlan& p, const ColumnChunk& cc,
                 int64_t rows, bool verify) {
  if (cc.has_file_path) return ColumnError(p, StatusCode::kUnimplemented, "column chunks in external files");
  if (cc.encrypted) return ColumnError(p, StatusCode::kUnimplemented, "encrypted column chunks");
  if (!cc.has_meta) return ColumnError(p, StatusCode::kDataLoss, "column chunk has no metadata");
  const ColumnMetaData& m = cc.meta;
  if (m.type != *p.se->type) return ColumnError(p, StatusCode::kDataLoss, "chunk type differs from the schema");
  if (m.num_values != rows) {
    return ColumnError(p, StatusCode::kDataLoss, "chunk holds " + std::to_string(m.num_values) +
                                                      " values for a row group of " + std::to_string(rows));
  }
  if (m.codec != kUncompressed && m.codec != kSnappy && m.codec != kGzip && m.codec != kZstd) {
    return ColumnError(p, StatusCode::kUnimplemented,
                       "compression " + CodecName(m.codec) + " is not supported (finex reads UNCOMPRESSED, "
                                                             "SNAPPY, GZIP, ZSTD)");
  }
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start) {
    start = *m.dictionary_page_offset;
  }
  if (start < 4 || m.total_compressed_size < 0 || static_cast<uint64_t>(start) > data_end ||
      static_cast<uint64_t>(m.total_compressed_size) > data_end - static_cast<uint64_t>(start)) {
    return ColumnError(p, StatusCode::kDataLoss, "chunk byte range lies outside the file");
  }
  const std::string_view chunk = file.substr(start, m.total_compressed_size);
  size_t pos = 0;
  int64_t done = 0;
  Dict& dict = ThreadScratch().dict;
  dict.present = false;
  dict.fixed.clear();
  dict.str_code.clear();
  std::string& buf = ThreadScratch().buf;
  std::vector<uint8_t>& levels = ThreadScratch().levels;
  while (done < rows) {
    if (pos >= chunk.size()) return ColumnError(p, StatusCode::kDataLoss, "chunk ends before all its values");
    PageHeader h;
    size_t hdr = 0;
    Status s = ParsePageHeader(chunk.substr(pos), &h, &hdr);
    if (!s.ok()) return ColumnError(p, s.code(), "page header: " + s.message());
    pos += hdr;
    if (h.compressed_size < 0 || static_cast<size_t>(h.compressed_size) > chunk.size() - pos) {
      return ColumnError(p, StatusCode::kDataLoss, "page overruns its chunk");
    }
    if (h.uncompressed_size < 0 || h.uncompressed_size > kMaxPageBytes) {
      return ColumnError(p, StatusCode::kDataLoss, "page declares an implausible uncompressed size");
    }
    const std::string_view body = chunk.substr(pos, h.compressed_size);
    pos += h.compressed_size;
    if (h.type == kIndexPage) continue;
    if (h.type != kDataPage && h.type != kDataPageV2 && h.type != kDictionaryPage) {
      return ColumnError(p, StatusCode::kDataLoss, "unknown page type " + std::to_string(h.type));
    }
    if (!h.has_body) return ColumnError(p, StatusCode::kDataLoss, "page header lacks its type-specific header");
    if (verify && h.crc && PageCrc(body) != *h.crc) {
      return ColumnError(p, StatusCode::kDataLoss, "page CRC mismatch");
    }
    if (h.type == kDictionaryPage) {
      if (dict.present || done > 0) return ColumnError(p, StatusCode::kDataLoss, "misplaced dictionary page");
      if (h.encoding != kPlain && h.encoding != kPlainDictionary) {
        return ColumnError(p, StatusCode::kUnimplemented,
                           "dictionary page encoding " + EncodingName(h.encoding) + " is not supported");
      }
      std::string_view page;
      FINEX_RETURN_IF_ERROR(PageBytes(m.codec, body, static_cast<size_t>(h.uncompressed_size), &buf, &page));
      FINEX_RETURN_IF_ERROR(DecodeDictionary(p, page, h.num_values, &dict));
      continue;
    }
    if (h.num_values < 0 || h.num_values > rows - done) {
      return ColumnError(p, StatusCode::kDataLoss, "page holds more values than its row group");
    }
    const size_t n = static_cast<size_t>(h.num_values);
    std::string_view values;
    std::string_view level_bytes;
    if (h.type == kDataPage) {
      std::string_view rest;
      FINEX_RETURN_IF_ERROR(PageBytes(m.codec, body, static_cast<size_t>(h.uncompressed_size), &buf, &rest));
      if (p.optional) {
        if (h.def_encoding != kRle) {
          return ColumnError(p, StatusCode::kUnimplemented,
                             "definition level encoding " + EncodingName(h.def_encoding) + " is not supported");
        }
        if (rest.size() < 4) return ColumnError(p, StatusCode::kDataLoss, "truncated definition levels");
        const uint32_t len = LoadU32(rest.data());
        if (len > rest.size() - 4) return ColumnError(p, StatusCode::kDataLoss, "definition levels overrun the page");
        level_bytes = rest.substr(4, len);
        rest = rest.substr(4 + len);
      }
      values = rest;
    } else {
      if (h.rep_levels_len != 0) return ColumnError(p, StatusCode::kUnimplemented, "repeated (nested) columns");
      if (h.def_levels_len < 0 || h.def_levels_len > h.compressed_size ||
          h.def_levels_len > h.uncompressed_size) {
        return ColumnError(p, StatusCode::kDataLoss, "bad v2 level lengths");
      }
      if (!p.optional && h.def_levels_len != 0) {
        return ColumnError(p, StatusCode::kDataLoss, "definition levels in a required column");
      }
      if (h.num_rows != h.num_values) return ColumnError(p, StatusCode::kDataLoss, "v2 page row count mismatch");
      level_bytes = body.substr(0, h.def_levels_len);
      const std::string_view vz = body.substr(h.def_levels_len);
      const size_t vsize = static_cast<size_t>(h.uncompressed_size - h.def_levels_len);
      FINEX_RETURN_IF_ERROR(PageBytes(h.is_compressed ? m.codec : kUncompressed, vz, vsize, &buf, &values));
    }
    const uint8_t* valid = nullptr;
    size_t k = n;
    if (p.optional) {
      levels.resize(n);
      Status ls = RleDecode(level_bytes, 1, n, levels.data());
      if (!ls.ok()) return ColumnError(p, ls.code(), "definition levels: " + ls.message());
      k = 0;
      for (uint8_t l : levels) k += l;
      valid = levels.data();
      if (h.type == kDataPageV2 && static_cast<size_t>(h.num_nulls) != n - k) {
        return ColumnError(p, StatusCode::kDataLoss, "v2 page null count disagrees with its levels");
      }
    }
    FINEX_RETURN_IF_ERROR(DecodeValues(p, dict, h.encoding, values, n, valid, k));
    done += h.num_values;
  }
  return OkStatus();
}

Status CheckType(const ColumnPlan& p) {
  const SchemaElement& se = *p.se;
  if (!se.type) return ColumnError(p, StatusCode::kDataLoss, "leaf without a physical type");
  const int32_t t = *se.type;
  auto unsupported = [&](const char* want) {
    return ColumnError(p, StatusCode::kUnimplemented,
                       "physical type " + std::to_string(t) + " is not supported here (finex reads " + want + ")");
  };
  switch (p.target) {
    case Target::kString:
      if (t != kByteArray) return unsupported("BYTE_ARRAY strings");
      break;
    case Target::kDouble:
      if (t != kDouble) return unsupported("DOUBLE");
      break;
    case Target::kVolume:
    case Target::kTimestamp:
      if (t != kInt64) return unsupported("INT64");
      break;
  }
  return OkStatus();
}

// KeyValue{1: key, 2: value} for the checksum entry as finex writes it:
// field header 0x18 + length 18 + key, field header 0x18 + length 16.
const std::string_view kEnvelopePattern("\x18\x12" "finex.parquet.xxh3" "\x18\x10", 22);
constexpr std::string_view kCreatedByPrefixFull = "finex parquet codec";

// footer.rfind(kEnvelopePattern), testing the first two bytes before calling
// memcmp (the entry sits near the end of the footer).
size_t RFindEnvelope(std::string_view footer) {
  const size_t m = kEnvelopePattern.size();
  if (footer.size() < m) return std::string_view::npos;
  for (size_t i = footer.size() - m + 1; i-- > 0;) {
    if (footer[i] == '\x18' && footer[i + 1] == '\x12' &&
        std::memcmp(footer.data() + i, kEnvelopePattern.data(), m) == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Verifies the 16 hex digits at `at` against xxh3-64 of the rest of the file.
Status VerifyEnvelope(std::string_view in, size_t at) {
  if (at + 16 > in.size()) return DataLossError("parquet: malformed envelope checksum");
  uint64_t want = 0;
  for (char ch : in.substr(at, 16)) {
    const int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    if (d < 0) return DataLossError("parquet: malformed envelope checksum");
    want = (want << 4) | static_cast<uint64_t>(d);
  }
  const uint64_t head = XXH3_64bits(in.data(), at);
  const uint64_t got = XXH3_64bits_withSeed(in.data() + at + 16, in.size() - at - 16, head);
  if (got != want) return DataLossError("parquet: envelope checksum mismatch (file damaged)");
  return OkStatus();
}

Result<FieldSet> ParseFields(std::string_view s) {
  if (s.empty()) return FieldSet();
  return FieldSet::Parse(s);
}

}  // namespace

Result<DecodedFrame> DecodeParquet(ByteView in, const ParquetOptions& opt) {
  if (in.size() < 12) return DataLossError("parquet: file too short (" + std::to_string(in.size()) + " bytes)");
  if (in.substr(in.size() - 4) == "PARE") return UnimplementedError("parquet: encrypted footers are not supported");
  if (in.substr(0, 4) != "PAR1" || in.substr(in.size() - 4) != "PAR1") {
    return DataLossError("parquet: missing PAR1 magic");
  }
  const uint32_t footer_len = LoadU32(in.data() + in.size() - 8);
  if (footer_len > in.size() - 12) return DataLossError("parquet: footer length exceeds the file");
  const size_t footer_start = in.size() - 8 - footer_len;
  // The envelope is located by its exact bytes before the footer is parsed,
  // so damage to the footer's structure cannot hide it (see docs/parquet.md).
  size_t raw_checksum_at = std::string::npos;
  if (opt.verify_checksums) {
    const std::string_view footer = in.substr(footer_start, footer_len);
    const size_t p = RFindEnvelope(footer);
    if (p != std::string_view::npos && footer.size() - p - kEnvelopePattern.size() >= 16) {
      raw_checksum_at = footer_start + p + kEnvelopePattern.size();
      FINEX_RETURN_IF_ERROR(VerifyEnvelope(in, raw_checksum_at));
    } else if (footer.find(kCreatedByPrefixFull) != std::string_view::npos &&
               footer.find(kCreatedByNoEnvelope) == std::string_view::npos) {
      return DataLossError("parquet: finex file without its envelope checksum (damaged footer)");
    }
  }
  FileMetaData& md = ThreadScratch().md;
  md.schema.clear();
  md.row_groups.clear();
  md.kv.clear();
  md.stats.clear();
  md.version = 0;
  md.num_rows = -1;
  md.created_by = {};
  md.encrypted = false;
  {
    Status s = ParseFileMetaData(in.substr(footer_start, footer_len), &md);
    if (!s.ok()) return Status(s.code(), "parquet footer: " + s.message());
  }
  if (md.encrypted) return UnimplementedError("parquet: encrypted files are not supported");

  // Envelope checksum and reserved metadata.
  std::optional<std::string_view> fields_text, checksum;
  DecodedFrame out;
  for (const KeyValue& kv : md.kv) {
    if (kv.key == kParquetFieldsKey || kv.key == kParquetChecksumKey) {
      auto& slot = kv.key == kParquetFieldsKey ? fields_text : checksum;
      if (slot) return DataLossError("parquet: duplicate metadata key " + std::string(kv.key));
      slot = kv.value;
      continue;
    }
    out.metadata.emplace_back(std::string(kv.key), std::string(kv.value));
  }
  bool envelope_verified = raw_checksum_at != std::string::npos;
  if (opt.verify_checksums && checksum) {
    const size_t at = static_cast<size_t>(checksum->data() - in.data());
    if (at != raw_checksum_at) FINEX_RETURN_IF_ERROR(VerifyEnvelope(in, at));
    envelope_verified = true;
  }

  // Schema: a root and flat leaves.
  if (md.schema.empty()) return DataLossError("parquet: empty schema");
  const SchemaElement& root = md.schema[0];
  if (root.num_children < 0 || static_cast<size_t>(root.num_children) != md.schema.size() - 1) {
    for (size_t i = 1; i < md.schema.size(); ++i)
      if (md.schema[i].num_children > 0) return UnimplementedError("parquet: nested columns are not supported");
    return DataLossError("parquet: schema root child count does not match its elements");
  }
  ColumnPlan plans[kNumCols];
  StringSink strings[4];
  FixedSink fixed[8];  // 0-5 doubles, 6 volume, 7 timestamps
  for (int k = 0; k < kNumCols; ++k) {
    ColumnPlan& p = plans[k];
    p.name = kColNames[k];
    switch (static_cast<Col>(k)) {
      case Col::kSymbol: p.target = Target::kString, p.strings = &strings[0], p.null_is_error = true; break;
      case Col::kProvider: p.target = Target::kString, p.strings = &strings[1]; break;
      case Col::kCurrency: p.target = Target::kString, p.strings = &strings[2]; break;
      case Col::kTimezone: p.target = Target::kString, p.strings = &strings[3]; break;
      case Col::kTimestamp: p.target = Target::kTimestamp, p.fixed = &fixed[7], p.null_is_error = true; break;
      case Col::kVolume: p.target = Target::kVolume, p.fixed = &fixed[6]; break;
      case Col::kOpen: p.target = Target::kDouble, p.fixed = &fixed[0]; break;
      case Col::kHigh: p.target = Target::kDouble, p.fixed = &fixed[1]; break;
      case Col::kLow: p.target = Target::kDouble, p.fixed = &fixed[2]; break;
      case Col::kClose: p.target = Target::kDouble, p.fixed = &fixed[3]; break;
      case Col::kAdjClose: p.target = Target::kDouble, p.fixed = &fixed[4]; break;
      case Col::kMarketCap: p.target = Target::kDouble, p.fixed = &fixed[5]; break;
    }
  }
  const size_t num_leaves = md.schema.size() - 1;
  for (size_t i = 0; i < num_leaves; ++i) {
    const SchemaElement& se = md.schema[i + 1];
    if (se.num_children > 0) return UnimplementedError("parquet: nested columns are not supported");
    if (!se.repetition) return DataLossError("parquet: leaf '" + Printable(se.name) + "' has no repetition type");
    if (*se.repetition == kRepeated) {
      return UnimplementedError("parquet: repeated column '" + Printable(se.name) + "' is not supported");
    }
    // finex's own files hold the columns in kColNames order; try that first.
    int k = i < static_cast<size_t>(kNumCols) && se.name == kColNames[i] ? static_cast<int>(i) : -1;
    for (int c = 0; k < 0 && c < kNumCols; ++c)
      if (se.name == kColNames[c]) k = c;
    if (k < 0) continue;  // a column finex does not read
    if (plans[k].leaf >= 0) return InvalidArgumentError("parquet: duplicate column " + std::string(se.name));
    plans[k].leaf = static_cast<int>(i);
    plans[k].se = &se;
    plans[k].optional = *se.repetition == kOptional;
    FINEX_RETURN_IF_ERROR(CheckType(plans[k]));
  }
  for (Col need : {Col::kSymbol, Col::kTimestamp}) {
    if (plans[static_cast<int>(need)].leaf < 0) {
      return InvalidArgumentError("parquet: file has no '" + std::string(kColNames[static_cast<int>(need)]) +
                                  "' column");
    }
  }
  {
    ColumnPlan& ts = plans[static_cast<int>(Col::kTimestamp)];
    TimeUnit unit = ts.se->logical == 8 ? ts.se->ts_unit : kUnitNone;
    if (unit == kUnitNone && ts.se->converted_type) {
      if (*ts.se->converted_type == kTimestampMillis) unit = kMillis;
      if (*ts.se->converted_type == kTimestampMicros) unit = kMicros;
    }
    if (ts.se->logical != 0 && ts.se->logical != 8) {
      return UnimplementedError("parquet: timestamp column has a non-TIMESTAMP logical type");
    }
    ts.ts_divisor = unit == kMillis ? 1000 : unit == kMicros ? 1000000 : unit == kNanos ? 1000000000 : 1;
  }

  // Row counts, bounded before anything is sized from them.
  if (md.num_rows < 0) return DataLossError("parquet: negative row count");
  const size_t rows = static_cast<size_t>(md.num_rows);
  if (rows > opt.max_rows || (rows > kFreeRows && rows / kRowsPerInputByte > in.size())) {
    return InvalidArgumentError("parquet: file declares " + std::to_string(rows) +
                                " rows, more than this reader accepts for its size");
  }
  int64_t sum = 0;
  for (const RowGroup& g : md.row_groups) {
    if (g.num_rows < 0 || g.num_rows > md.num_rows - sum) return DataLossError("parquet: row group counts overflow");
    sum += g.num_rows;
    if (g.columns.size() != num_leaves) return DataLossError("parquet: row group column count differs from schema");
  }
  if (sum != md.num_rows) return DataLossError("parquet: row groups do not add up to the file's row count");
  // Every column of the frame lives in one block, filled in place.
  FrameBuilder::ColumnBlock block(rows);
  for (int d = 0; d < kNumDoubleFields; ++d) {
    fixed[d].values = reinterpret_cast<char*>(block.doubles(d).data());
    fixed[d].valid = block.doubles_valid(d).data();
  }
  fixed[6].values = reinterpret_cast<char*>(block.volume().data()), fixed[6].valid = block.volume_valid().data();
  fixed[7].values = reinterpret_cast<char*>(block.timestamps().data());
  for (int k = 0; k < 8; ++k) fixed[k].cap = rows;
  for (int k = 0; k < 4; ++k) strings[k].codes = block.codes(k).data(), strings[k].cap = rows;

  // A verified envelope covers every page byte, so page CRCs are checked only
  // for files without one (other writers, envelope_checksum=false).
  const bool verify_pages = opt.verify_checksums && !envelope_verified;
  for (const RowGroup& g : md.row_groups) {
    for (const ColumnPlan& p : plans) {
      if (p.leaf < 0) continue;
      FINEX_RETURN_IF_ERROR(ReadChunk(in, footer_start, p, g.columns[p.leaf], g.num_rows, verify_pages));
    }
  }

  // Fields: finex's own record, or inferred from the columns present.
  FieldSet fields;
  if (fields_text) {
    auto f = ParseFields(*fields_text);
    if (!f.ok()) return DataLossError("parquet: bad " + std::string(kParquetFieldsKey) + ": " + f.status().message());
    fields = *f;
  } else {
    uint8_t bits = 0;
    for (Col c : {Col::kOpen, Col::kHigh, Col::kLow, Col::kClose, Col::kVolume})
      if (plans[static_cast<int>(c)].leaf >= 0) bits |= FieldSet::kOhlcv;
    if (plans[static_cast<int>(Col::kAdjClose)].leaf >= 0) bits |= FieldSet::kAdjClose;
    if (plans[static_cast<int>(Col::kMarketCap)].leaf >= 0) bits |= FieldSet::kMarketCap;
    fields = FieldSet(bits);
  }

  // Columns absent from the file: null values, empty strings.
  for (int k = 0; k < 8; ++k) {
    FixedSink& f = fixed[k];
    if (f.size == rows) continue;
    if (f.size != 0) return DataLossError("parquet: a column holds fewer values than the file's rows");
    std::memset(f.values, 0, 8 * rows);
    if (f.valid) std::memset(f.valid, 0, rows);
    f.any_null = true;
  }
  for (int d = 0; d < kNumDoubleFields; ++d) block.doubles_all_valid[d] = !fixed[d].any_null;
  block.volume_all_valid = !fixed[6].any_null;
  std::vector<std::string>* dicts[4] = {&block.symbol_dict, &block.provider_dict, &block.currency_dict,
                                        &block.timezone_dict};
  for (int k = 0; k < 4; ++k) {
    StringSink& s = strings[k];
    if (s.size == rows) {
      *dicts[k] = std::move(s.dict);
      continue;
    }
    if (s.size != 0) return DataLossError("parquet: a column holds fewer values than the file's rows");
    if (rows > 0) {
      dicts[k]->assign(1, std::string());
      std::memset(s.codes, 0, 4 * rows);
    }
  }
  block.fields = fields;
  auto frame = FrameBuilder::FromBlock(std::move(block));
  if (!frame.ok()) return Status(frame.status().code(), "parquet: " + frame.status().message());
  out.frame = std::move(frame).value();
  return out;
}

}  // namespace finex::codec
