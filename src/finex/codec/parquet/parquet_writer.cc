// Frame -> Parquet bytes. See parquet_codec.h and docs/parquet.md.
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "finex/codec/parquet/detail/compression.h"
#include "finex/codec/parquet/detail/encoding.h"
#include "finex/codec/parquet/detail/format.h"
#include "finex/codec/parquet/detail/schema.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/status.h"

namespace finex::codec {

namespace {

using namespace pq;  // NOLINT: detail namespace of this module

// Candidate encodings are compared on at most this many values.
constexpr size_t kSampleValues = 65536;
// Chunks below this many bytes are compressed only when it saves >= 12.5%
// and at least kMinSmallSaving bytes: a decompressor call costs about as much
// as decoding the rest of a small fragment (~0.5 us each), which a few saved
// bytes do not pay for.
constexpr size_t kSmallChunk = 4096;
constexpr size_t kMinSmallSaving = 128;
constexpr int64_t kMaxSecondsForMillis = INT64_MAX / 1000;

struct Encoded {
  int32_t encoding = kPlain;
  bool has_dict = false;
  int32_t dict_count = 0;
  std::string dict;    // PLAIN dictionary page body
  std::string values;  // data page values section
};

struct WriterCtx {
  const ParquetOptions& opt;
  int32_t codec;
  int level;
  std::string* file;
};

// Whether a chunk of `raw` bytes is stored compressed when that yields `z` bytes.
bool WorthCompressing(size_t raw, size_t z) {
  if (z >= raw) return false;
  return raw >= kSmallChunk || (raw - z >= raw / 8 && raw - z >= kMinSmallSaving);
}

size_t Score(const WriterCtx& c, std::string_view body) {
  if (c.codec == kUncompressed || body.size() < 16) return body.size();
  std::string tmp;
  if (!Compress(c.codec, c.level, body, &tmp).ok()) return body.size();
  return WorthCompressing(body.size(), tmp.size()) ? tmp.size() : body.size();
}

void PutU32(uint32_t v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

std::string Fixed8(uint64_t bits) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &bits, 8);
  return s;
}

// ---- value encoders ------------------------------------------------------------

void PlainFixed(std::span<const uint64_t> v, std::string* out) {
  const size_t base = out->size();
  out->resize(base + 8 * v.size());
  if (!v.empty()) std::memcpy(out->data() + base, v.data(), 8 * v.size());
}

// Dictionary of 8-byte values keyed by bit pattern (so -0.0, 0.0 and NaN
// payloads stay distinct). Returns false when the dictionary would not pay
// off (more than half the values distinct).
bool DictFixed(std::span<const uint64_t> v, Encoded* e) {
  std::unordered_map<uint64_t, uint32_t> index;
  index.reserve(std::min<size_t>(v.size(), 4096));
  std::vector<uint32_t> codes(v.size());
  std::vector<uint64_t> dict;
  for (size_t i = 0; i < v.size(); ++i) {
    auto [it, inserted] = index.try_emplace(v[i], static_cast<uint32_t>(dict.size()));
    if (inserted) {
      dict.push_back(v[i]);
      if (dict.size() * 2 > v.size() + 1) return false;
    }
    codes[i] = it->second;
  }
  e->encoding = kRleDictionary;
  e->has_dict = true;
  e->dict_count = static_cast<int32_t>(dict.size());
  PlainFixed(dict, &e->dict);
  const int bw = std::max(1, BitWidth(dict.empty() ? 0 : dict.size() - 1));
  e->values.push_back(static_cast<char>(bw));
  RleEncode(std::span<const uint32_t>(codes), bw, &e->values);
  return true;
}

enum class Kind { kDouble, kInt64 };

Encoded EncodeFixed(const WriterCtx& c, Kind kind, std::span<const uint64_t> v) {
  const std::span<const uint64_t> sample = v.subspan(0, std::min(v.size(), kSampleValues));
  // Candidates on the sample.
  int32_t best = kPlain;
  size_t best_score;
  {
    std::string plain;
    PlainFixed(sample, &plain);
    best_score = Score(c, plain);
  }
  if (kind == Kind::kDouble) {
    std::string bss;
    ByteStreamSplitEncode(sample.data(), sample.size(), &bss);
    const size_t s = Score(c, bss);
    if (s < best_score) best = kByteStreamSplit, best_score = s;
  } else {
    std::string delta;
    DeltaEncode(
        std::span<const int64_t>(reinterpret_cast<const int64_t*>(sample.data()), sample.size()),
        &delta);
    const size_t s = Score(c, delta);
    if (s < best_score) best = kDeltaBinaryPacked, best_score = s;
  }
  if (c.opt.dictionary && kind == Kind::kDouble) {
    Encoded d;
    if (DictFixed(sample, &d)) {
      const size_t s = Score(c, d.dict) + Score(c, d.values);
      if (s < best_score) best = kRleDictionary, best_score = s;
    }
  }
  Encoded e;
  switch (best) {
    case kByteStreamSplit:
      e.encoding = kByteStreamSplit;
      ByteStreamSplitEncode(v.data(), v.size(), &e.values);
      return e;
    case kDeltaBinaryPacked:
      e.encoding = kDeltaBinaryPacked;
      DeltaEncode(std::span<const int64_t>(reinterpret_cast<const int64_t*>(v.data()), v.size()),
                  &e.values);
      return e;
    case kRleDictionary:
      if (DictFixed(v, &e)) return e;
      e = Encoded();
      break;
  }
  e.encoding = kPlain;
  PlainFixed(v, &e.values);
  return e;
}

// ---- statistics -------------------------------------------------------------------

WriteStats DoubleStats(std::span<const uint64_t> bits, int64_t nulls) {
  WriteStats s;
  s.null_count = nulls;
  bool any = false;
  double mn = 0, mx = 0;
  for (uint64_t b : bits) {
    double d;
    std::memcpy(&d, &b, 8);
    if (std::isnan(d)) continue;  // NaN never enters min/max (spec)
    if (!any) {
      mn = mx = d;
      any = true;
    } else {
      mn = std::min(mn, d);
      mx = std::max(mx, d);
    }
  }
  if (!any) return s;  // only nulls or NaNs: the null count alone
  // Zeros: min is written as -0.0 and max as +0.0 (spec, for sign-agnostic readers).
  if (mn == 0) mn = -0.0;
  if (mx == 0) mx = 0.0;
  uint64_t b;
  std::memcpy(&b, &mn, 8);
  s.min_value = Fixed8(b);
  std::memcpy(&b, &mx, 8);
  s.max_value = Fixed8(b);
  s.has_minmax = true;
  return s;
}

WriteStats Int64Stats(std::span<const uint64_t> bits, int64_t nulls) {
  WriteStats s;
  s.null_count = nulls;
  if (bits.empty()) return s;
  int64_t mn = INT64_MAX, mx = INT64_MIN;
  for (uint64_t b : bits) {
    mn = std::min(mn, static_cast<int64_t>(b));
    mx = std::max(mx, static_cast<int64_t>(b));
  }
  s.min_value = Fixed8(static_cast<uint64_t>(mn));
  s.max_value = Fixed8(static_cast<uint64_t>(mx));
  s.has_minmax = true;
  return s;
}

// ---- pages and chunks ----------------------------------------------------------------

// Writes one column chunk (optional dictionary page + one data page) at the
// end of c.file and fills *meta.
Status WriteChunk(const WriterCtx& c, const std::string& name, int32_t type, bool optional,
                  std::span<const uint8_t> valid, int64_t rows, Encoded enc,
                  WriteColumnChunk* meta) {
  int64_t nulls = 0;
  std::string levels;
  if (optional) {
    for (uint8_t v : valid) nulls += v == 0;
    RleEncode(valid, 1, &levels);
  }
  const bool v2 = c.opt.data_page_version == 2;
  // The page bodies as they would be uncompressed.
  std::string data_raw;  // v1: [len][levels] + values; v2: values only
  if (!v2 && optional) {
    PutU32(static_cast<uint32_t>(levels.size()), &data_raw);
    data_raw += levels;
  }
  data_raw += enc.values;

  // Compress; fall back to UNCOMPRESSED for the chunk when that is no larger.
  int32_t codec = c.codec;
  std::string dict_z, data_z;
  if (codec != kUncompressed) {
    if (enc.has_dict) FINEX_RETURN_IF_ERROR(Compress(codec, c.level, enc.dict, &dict_z));
    FINEX_RETURN_IF_ERROR(Compress(codec, c.level, data_raw, &data_z));
    // Small chunks stay uncompressed unless compression saves enough (see
    // kMinSmallSaving): a few saved bytes do not pay for a decompressor call
    // on every decode.
    const size_t raw = enc.dict.size() + data_raw.size(), z = dict_z.size() + data_z.size();
    if (!WorthCompressing(raw, z)) codec = kUncompressed;
  }
  if (codec == kUncompressed) {
    dict_z = enc.has_dict ? enc.dict : std::string();
    data_z = data_raw;
  }

  std::string* f = c.file;
  meta->type = type;
  meta->name = name;
  meta->codec = codec;
  meta->num_values = rows;
  meta->total_uncompressed_size = 0;
  meta->total_compressed_size = 0;
  if (enc.has_dict) {
    meta->dictionary_page_offset = static_cast<int64_t>(f->size());
    struct WritePageHeader h {};
    h.type = kDictionaryPage;
    h.uncompressed_size = static_cast<int32_t>(enc.dict.size());
    h.compressed_size = static_cast<int32_t>(dict_z.size());
    if (c.opt.page_crc) h.crc = PageCrc(dict_z);
    h.num_values = enc.dict_count;
    h.encoding = kPlain;  // PLAIN dictionary pages (format 2.0 spelling)
    const size_t before = f->size();
    WritePageHeader(h, f);
    const size_t hdr = f->size() - before;
    *f += dict_z;
    meta->total_uncompressed_size += static_cast<int64_t>(hdr + enc.dict.size());
    meta->total_compressed_size += static_cast<int64_t>(hdr + dict_z.size());
  }
  meta->data_page_offset = static_cast<int64_t>(f->size());
  {
    struct WritePageHeader h {};
    h.type = v2 ? kDataPageV2 : kDataPage;
    h.num_values = static_cast<int32_t>(rows);
    h.encoding = enc.encoding;
    std::string body;
    if (v2) {
      body = levels + data_z;
      h.uncompressed_size = static_cast<int32_t>(levels.size() + data_raw.size());
      h.num_nulls = static_cast<int32_t>(nulls);
      h.num_rows = static_cast<int32_t>(rows);
      h.def_levels_len = static_cast<int32_t>(levels.size());
      h.is_compressed = codec != kUncompressed;
    } else {
      body = std::move(data_z);
      h.uncompressed_size = static_cast<int32_t>(data_raw.size());
    }
    h.compressed_size = static_cast<int32_t>(body.size());
    if (c.opt.page_crc) h.crc = PageCrc(body);
    const size_t before = f->size();
    WritePageHeader(h, f);
    const size_t hdr = f->size() - before;
    *f += body;
    meta->total_uncompressed_size += static_cast<int64_t>(hdr) + h.uncompressed_size;
    meta->total_compressed_size += static_cast<int64_t>(hdr + body.size());
  }
  if (enc.has_dict) {
    meta->encodings = {kPlain, kRle, kRleDictionary};
  } else if (enc.encoding == kPlain) {
    meta->encodings = {kPlain, kRle};
  } else {
    meta->encodings = {enc.encoding, kRle};
  }
  return OkStatus();
}

Status WriteStringChunk(const WriterCtx& c, const std::string& name, const StringColumn& col,
                        size_t b, size_t e, WriteColumnChunk* meta) {
  const std::vector<std::string>& dict = col.dictionary();
  Encoded enc;
  std::vector<int32_t> remap(dict.size(), -1);
  std::vector<uint32_t> local_codes(e - b);
  std::vector<uint32_t> used;  // frame codes in first-seen order
  for (size_t i = b; i < e; ++i) {
    const uint32_t code = col.code(i);
    if (remap[code] < 0) {
      remap[code] = static_cast<int32_t>(used.size());
      used.push_back(code);
    }
    local_codes[i - b] = static_cast<uint32_t>(remap[code]);
  }
  if (c.opt.dictionary) {
    enc.encoding = kRleDictionary;
    enc.has_dict = true;
    enc.dict_count = static_cast<int32_t>(used.size());
    for (uint32_t code : used) {
      PutU32(static_cast<uint32_t>(dict[code].size()), &enc.dict);
      enc.dict += dict[code];
    }
    const int bw = std::max(1, BitWidth(used.empty() ? 0 : used.size() - 1));
    enc.values.push_back(static_cast<char>(bw));
    RleEncode(std::span<const uint32_t>(local_codes), bw, &enc.values);
  } else {
    enc.encoding = kPlain;
    for (size_t i = b; i < e; ++i) {
      const std::string_view s = col[i];
      PutU32(static_cast<uint32_t>(s.size()), &enc.values);
      enc.values += s;
    }
  }
  meta->stats.present = true;
  meta->stats.null_count = 0;
  if (!used.empty()) {
    std::string_view mn = dict[used[0]], mx = dict[used[0]];
    for (uint32_t code : used) {
      mn = std::min<std::string_view>(mn, dict[code]);
      mx = std::max<std::string_view>(mx, dict[code]);
    }
    meta->stats.present = true;
    meta->stats.has_minmax = true;
    meta->stats.min_value = std::string(mn);
    meta->stats.max_value = std::string(mx);
  }
  WriteStats stats = meta->stats;
  FINEX_RETURN_IF_ERROR(WriteChunk(c, name, kByteArray, false, {}, static_cast<int64_t>(e - b),
                                   std::move(enc), meta));
  meta->stats = std::move(stats);
  return OkStatus();
}

// A nullable 8-byte column: values of valid rows are encoded; nulls become
// definition level 0. `scale` multiplies int64 values (timestamps: s -> ms).
template <typename T>
Status WriteFixedChunk(const WriterCtx& c, const std::string& name, Kind kind, bool optional,
                       const Column<T>& col, size_t b, size_t e, WriteColumnChunk* meta,
                       int64_t scale = 1) {
  std::vector<uint8_t> valid;
  std::vector<uint64_t> bits;
  bits.reserve(e - b);
  if (optional) valid.resize(e - b);
  for (size_t i = b; i < e; ++i) {
    const bool ok = col.IsValid(i);
    if (optional) valid[i - b] = ok ? 1 : 0;
    if (!ok) continue;
    uint64_t x;
    if constexpr (std::is_same_v<T, double>) {
      const double d = col[i];
      std::memcpy(&x, &d, 8);
    } else {
      x = static_cast<uint64_t>(col[i] * scale);
    }
    bits.push_back(x);
  }
  const int64_t nulls = static_cast<int64_t>((e - b) - bits.size());
  const WriteStats stats =
      kind == Kind::kDouble ? DoubleStats(bits, nulls) : Int64Stats(bits, nulls);
  Encoded enc = EncodeFixed(c, kind, bits);
  FINEX_RETURN_IF_ERROR(WriteChunk(c, name, kind == Kind::kDouble ? kDouble : kInt64, optional,
                                   valid, static_cast<int64_t>(e - b), std::move(enc), meta));
  meta->stats = stats;
  meta->stats.present = true;  // null_count is always meaningful
  return OkStatus();
}

Status ValidateOptions(const ParquetOptions& o) {
  if (o.zstd_level < 1 || o.zstd_level > 22)
    return InvalidArgumentError("parquet: zstd_level must be 1..22");
  if (o.gzip_level < 1 || o.gzip_level > 9)
    return InvalidArgumentError("parquet: gzip_level must be 1..9");
  if (o.row_group_rows < 1) return InvalidArgumentError("parquet: row_group_rows must be >= 1");
  if (o.data_page_version != 1 && o.data_page_version != 2) {
    return InvalidArgumentError("parquet: data_page_version must be 1 or 2");
  }
  return OkStatus();
}

}  // namespace

Result<Bytes> EncodeParquet(const Frame& frame, const KeyValueMetadata& metadata,
                            const ParquetOptions& opt) {
  FINEX_RETURN_IF_ERROR(ValidateOptions(opt));
  for (const auto& [k, v] : metadata) {
    if (k == kParquetFieldsKey || k == kParquetChecksumKey) {
      return InvalidArgumentError("parquet: metadata key '" + k + "' is reserved by the codec");
    }
  }
  const size_t n = frame.rows();
  for (size_t i = 0; i < n; ++i) {
    const int64_t ts = frame.timestamps()[i];
    if (ts > kMaxSecondsForMillis || ts < -kMaxSecondsForMillis) {
      return InvalidArgumentError("parquet: timestamp " + std::to_string(ts) + " at row " +
                                  std::to_string(i) + " does not fit TIMESTAMP(MILLIS)");
    }
  }
  int32_t codec = kZstd;
  int level = opt.zstd_level;
  switch (opt.compression) {
    case ParquetCompression::kNone:
      codec = kUncompressed;
      break;
    case ParquetCompression::kSnappy:
      codec = kSnappy;
      break;
    case ParquetCompression::kZstd:
      codec = kZstd;
      break;
    case ParquetCompression::kGzip:
      codec = kGzip, level = opt.gzip_level;
      break;
  }

  Bytes file;
  file.reserve(64 + n * 24);
  file += "PAR1";
  WriterCtx c{opt, codec, level, &file};

  std::vector<WriteRowGroup> groups;
  for (size_t b = 0; b < n || (n == 0 && groups.empty()); b += opt.row_group_rows) {
    const size_t e = std::min(n, b + opt.row_group_rows);
    WriteRowGroup g;
    g.num_rows = static_cast<int64_t>(e - b);
    g.file_offset = static_cast<int64_t>(file.size());
    g.columns.resize(kNumCols);
    for (int k = 0; k < kNumCols; ++k) {
      const std::string name(kColNames[k]);
      WriteColumnChunk* m = &g.columns[k];
      switch (static_cast<Col>(k)) {
        case Col::kSymbol:
          FINEX_RETURN_IF_ERROR(WriteStringChunk(c, name, frame.symbol(), b, e, m));
          break;
        case Col::kProvider:
          FINEX_RETURN_IF_ERROR(WriteStringChunk(c, name, frame.provider(), b, e, m));
          break;
        case Col::kCurrency:
          FINEX_RETURN_IF_ERROR(WriteStringChunk(c, name, frame.currency(), b, e, m));
          break;
        case Col::kTimezone:
          FINEX_RETURN_IF_ERROR(WriteStringChunk(c, name, frame.timezone(), b, e, m));
          break;
        case Col::kTimestamp:
          FINEX_RETURN_IF_ERROR(
              WriteFixedChunk(c, name, Kind::kInt64, false, frame.timestamps(), b, e, m, 1000));
          break;
        case Col::kVolume:
          FINEX_RETURN_IF_ERROR(
              WriteFixedChunk(c, name, Kind::kInt64, true, frame.volume(), b, e, m));
          break;
        case Col::kOpen:
        case Col::kHigh:
        case Col::kLow:
        case Col::kClose:
        case Col::kAdjClose:
        case Col::kMarketCap: {
          static constexpr DoubleField kMap[] = {DoubleField::kOpen, DoubleField::kHigh,
                                                 DoubleField::kLow, DoubleField::kClose};
          const DoubleField f = k <= static_cast<int>(Col::kClose)
                                    ? kMap[k - static_cast<int>(Col::kOpen)]
                                : static_cast<Col>(k) == Col::kAdjClose ? DoubleField::kAdjClose
                                                                        : DoubleField::kMarketCap;
          FINEX_RETURN_IF_ERROR(
              WriteFixedChunk(c, name, Kind::kDouble, true, frame.column(f), b, e, m));
          break;
        }
      }
    }
    g.total_byte_size = 0;
    g.total_compressed_size = 0;
    for (const WriteColumnChunk& m : g.columns) {
      g.total_byte_size += m.total_uncompressed_size;
      g.total_compressed_size += m.total_compressed_size;
    }
    groups.push_back(std::move(g));
    if (n == 0) break;
  }

  std::vector<WriteSchemaLeaf> leaves;
  for (int k = 0; k < kNumCols; ++k) {
    WriteSchemaLeaf l;
    l.name = std::string(kColNames[k]);
    switch (static_cast<Col>(k)) {
      case Col::kSymbol:
      case Col::kProvider:
      case Col::kCurrency:
      case Col::kTimezone:
        l.type = kByteArray, l.repetition = kRequired, l.converted_type = kUtf8, l.logical = 1;
        break;
      case Col::kTimestamp:
        l.type = kInt64, l.repetition = kRequired, l.converted_type = kTimestampMillis,
        l.logical = 8;
        l.ts_unit = kMillis;
        break;
      case Col::kVolume:
        l.type = kInt64, l.repetition = kOptional, l.logical = 0;
        break;
      default:
        l.type = kDouble, l.repetition = kOptional, l.logical = 0;
        break;
    }
    leaves.push_back(std::move(l));
  }

  std::vector<std::pair<std::string, std::string>> kv;
  kv.reserve(metadata.size() + 2);
  kv.emplace_back(std::string(kParquetFieldsKey), frame.fields().Name());
  for (const auto& p : metadata) kv.push_back(p);
  if (opt.envelope_checksum)
    kv.emplace_back(std::string(kParquetChecksumKey), std::string(16, '0'));

  const size_t footer_start = file.size();
  std::vector<size_t> value_offsets;
  WriteFileMetaData(leaves, static_cast<int64_t>(n), groups, kv,
                    opt.envelope_checksum ? kCreatedBy : kCreatedByNoEnvelope, &file,
                    &value_offsets);
  const uint32_t footer_len = static_cast<uint32_t>(file.size() - footer_start);
  PutU32(footer_len, &file);
  file += "PAR1";

  if (opt.envelope_checksum) {
    // xxh3-64 over every byte of the file except the 16 hex digits themselves.
    const size_t at = footer_start + value_offsets.back();
    const uint64_t head = XXH3_64bits(file.data(), at);
    const uint64_t h = XXH3_64bits_withSeed(file.data() + at + 16, file.size() - at - 16, head);
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 16; ++i) file[at + i] = kHex[(h >> (60 - 4 * i)) & 0xF];
  }
  return file;
}

}  // namespace finex::codec
