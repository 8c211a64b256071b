// Parquet bytes -> Frame. See parquet_codec.h and docs/parquet.md.
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "finex/codec/parquet/detail/column_chunk.h"
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

// Rows allowed beyond the per-byte allowance (small files).
constexpr size_t kFreeRows = 65536;
constexpr size_t kRowsPerInputByte = 64;

// KeyValue{1: key, 2: value} for the checksum entry as finex writes it:
// field header 0x18 + length 18 + key, field header 0x18 + length 16.
const std::string_view kEnvelopePattern(
    "\x18\x12"
    "finex.parquet.xxh3"
    "\x18\x10",
    22);
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
  if (in.size() < 12)
    return DataLossError("parquet: file too short (" + std::to_string(in.size()) + " bytes)");
  if (in.substr(in.size() - 4) == "PARE")
    return UnimplementedError("parquet: encrypted footers are not supported");
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
      if (md.schema[i].num_children > 0)
        return UnimplementedError("parquet: nested columns are not supported");
    return DataLossError("parquet: schema root child count does not match its elements");
  }
  ColumnPlan plans[kNumCols];
  StringSink strings[4];
  FixedSink fixed[8];  // 0-5 doubles, 6 volume, 7 timestamps
  for (int k = 0; k < kNumCols; ++k) {
    ColumnPlan& p = plans[k];
    p.name = kColNames[k];
    switch (static_cast<Col>(k)) {
      case Col::kSymbol:
        p.target = Target::kString, p.strings = &strings[0], p.null_is_error = true;
        break;
      case Col::kProvider:
        p.target = Target::kString, p.strings = &strings[1];
        break;
      case Col::kCurrency:
        p.target = Target::kString, p.strings = &strings[2];
        break;
      case Col::kTimezone:
        p.target = Target::kString, p.strings = &strings[3];
        break;
      case Col::kTimestamp:
        p.target = Target::kTimestamp, p.fixed = &fixed[7], p.null_is_error = true;
        break;
      case Col::kVolume:
        p.target = Target::kVolume, p.fixed = &fixed[6];
        break;
      case Col::kOpen:
        p.target = Target::kDouble, p.fixed = &fixed[0];
        break;
      case Col::kHigh:
        p.target = Target::kDouble, p.fixed = &fixed[1];
        break;
      case Col::kLow:
        p.target = Target::kDouble, p.fixed = &fixed[2];
        break;
      case Col::kClose:
        p.target = Target::kDouble, p.fixed = &fixed[3];
        break;
      case Col::kAdjClose:
        p.target = Target::kDouble, p.fixed = &fixed[4];
        break;
      case Col::kMarketCap:
        p.target = Target::kDouble, p.fixed = &fixed[5];
        break;
    }
  }
  const size_t num_leaves = md.schema.size() - 1;
  for (size_t i = 0; i < num_leaves; ++i) {
    const SchemaElement& se = md.schema[i + 1];
    if (se.num_children > 0) return UnimplementedError("parquet: nested columns are not supported");
    if (!se.repetition)
      return DataLossError("parquet: leaf '" + Printable(se.name) + "' has no repetition type");
    if (*se.repetition == kRepeated) {
      return UnimplementedError("parquet: repeated column '" + Printable(se.name) +
                                "' is not supported");
    }
    // finex's own files hold the columns in kColNames order; try that first.
    int k = i < static_cast<size_t>(kNumCols) && se.name == kColNames[i] ? static_cast<int>(i) : -1;
    for (int c = 0; k < 0 && c < kNumCols; ++c)
      if (se.name == kColNames[c]) k = c;
    if (k < 0) continue;  // a column finex does not read
    if (plans[k].leaf >= 0)
      return InvalidArgumentError("parquet: duplicate column " + std::string(se.name));
    plans[k].leaf = static_cast<int>(i);
    plans[k].se = &se;
    plans[k].optional = *se.repetition == kOptional;
    FINEX_RETURN_IF_ERROR(CheckType(plans[k]));
  }
  for (Col need : {Col::kSymbol, Col::kTimestamp}) {
    if (plans[static_cast<int>(need)].leaf < 0) {
      return InvalidArgumentError("parquet: file has no '" +
                                  std::string(kColNames[static_cast<int>(need)]) + "' column");
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
    ts.ts_divisor = unit == kMillis   ? 1000
                    : unit == kMicros ? 1000000
                    : unit == kNanos  ? 1000000000
                                      : 1;
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
    if (g.num_rows < 0 || g.num_rows > md.num_rows - sum)
      return DataLossError("parquet: row group counts overflow");
    sum += g.num_rows;
    if (g.columns.size() != num_leaves)
      return DataLossError("parquet: row group column count differs from schema");
  }
  if (sum != md.num_rows)
    return DataLossError("parquet: row groups do not add up to the file's row count");
  // Every column of the frame lives in one block, filled in place.
  FrameBuilder::ColumnBlock block(rows);
  for (int d = 0; d < kNumDoubleFields; ++d) {
    fixed[d].values = reinterpret_cast<char*>(block.doubles(d).data());
    fixed[d].valid = block.doubles_valid(d).data();
  }
  fixed[6].values = reinterpret_cast<char*>(block.volume().data()),
  fixed[6].valid = block.volume_valid().data();
  fixed[7].values = reinterpret_cast<char*>(block.timestamps().data());
  for (int k = 0; k < 8; ++k) fixed[k].cap = rows;
  for (int k = 0; k < 4; ++k) strings[k].codes = block.codes(k).data(), strings[k].cap = rows;

  // A verified envelope covers every page byte, so page CRCs are checked only
  // for files without one (other writers, envelope_checksum=false).
  const bool verify_pages = opt.verify_checksums && !envelope_verified;
  for (const RowGroup& g : md.row_groups) {
    for (const ColumnPlan& p : plans) {
      if (p.leaf < 0) continue;
      FINEX_RETURN_IF_ERROR(
          ReadChunk(in, footer_start, p, g.columns[p.leaf], g.num_rows, verify_pages));
    }
  }

  // Fields: finex's own record, or inferred from the columns present.
  FieldSet fields;
  if (fields_text) {
    auto f = ParseFields(*fields_text);
    if (!f.ok())
      return DataLossError("parquet: bad " + std::string(kParquetFieldsKey) + ": " +
                           f.status().message());
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
    if (f.size != 0)
      return DataLossError("parquet: a column holds fewer values than the file's rows");
    std::memset(f.values, 0, 8 * rows);
    if (f.valid) std::memset(f.valid, 0, rows);
    f.any_null = true;
  }
  for (int d = 0; d < kNumDoubleFields; ++d) block.doubles_all_valid[d] = !fixed[d].any_null;
  block.volume_all_valid = !fixed[6].any_null;
  std::vector<std::string>* dicts[4] = {&block.symbol_dict, &block.provider_dict,
                                        &block.currency_dict, &block.timezone_dict};
  for (int k = 0; k < 4; ++k) {
    StringSink& s = strings[k];
    if (s.size == rows) {
      *dicts[k] = std::move(s.dict);
      continue;
    }
    if (s.size != 0)
      return DataLossError("parquet: a column holds fewer values than the file's rows");
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
