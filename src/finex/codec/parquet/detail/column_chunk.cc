#include "finex/codec/parquet/detail/column_chunk.h"

#include <xxhash.h>

#include <algorithm>

#include "finex/codec/parquet/detail/compression.h"
#include "finex/codec/parquet/detail/encoding.h"

namespace finex::codec::pq {
namespace {

// No page may claim more than this many bytes once decompressed.
constexpr int64_t kMaxPageBytes = int64_t{64} << 20;

}  // namespace

Status ColumnError(const ColumnPlan& p, StatusCode code, const std::string& what) {
  return Status(code, "parquet column '" + std::string(p.name) + "': " + what);
}

// Decodes `k` non-null values of the page's value section and appends them
// (scattered by `valid`, null rows appended as 0 / "") to the plan's sink.
Status DecodeValues(const ColumnPlan& p, const Dict& dict, int32_t encoding, std::string_view in,
                    size_t n, const uint8_t* valid, size_t k) {
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
          if (pos + 4 > in.size())
            return ColumnError(p, StatusCode::kDataLoss, "truncated PLAIN string");
          const uint32_t len = LoadU32(in.data() + pos);
          pos += 4;
          if (len > in.size() - pos)
            return ColumnError(p, StatusCode::kDataLoss, "PLAIN string overruns its page");
          codes[i] = p.strings->Intern(in.substr(pos, len));
          pos += len;
        }
        if (pos != in.size())
          return ColumnError(p, StatusCode::kDataLoss, "trailing bytes after PLAIN strings");
      } else {
        if (in.size() != 8 * k) {
          return ColumnError(p, StatusCode::kDataLoss,
                             "PLAIN page holds " + std::to_string(in.size()) + " bytes for " +
                                 std::to_string(k) + " values");
        }
        fixed.resize(k);
        if (k) std::memcpy(fixed.data(), in.data(), 8 * k);
      }
      break;
    case kPlainDictionary:
    case kRleDictionary: {
      if (!dict.present)
        return ColumnError(p, StatusCode::kDataLoss,
                           "dictionary-encoded page without a dictionary");
      if (k > 0) {
        if (in.empty())
          return ColumnError(p, StatusCode::kDataLoss, "missing dictionary index bit width");
        const int bw = static_cast<uint8_t>(in[0]);
        if (bw > 32)
          return ColumnError(p, StatusCode::kDataLoss, "dictionary index bit width above 32");
        codes.resize(k);
        FINEX_RETURN_IF_ERROR(RleDecode(in.substr(1), bw, k, codes.data()));
        const size_t dsize = is_string ? dict.str_code.size() : dict.fixed.size();
        for (uint32_t& c : codes) {
          if (c >= dsize)
            return ColumnError(p, StatusCode::kDataLoss, "dictionary index out of range");
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
        return ColumnError(p, StatusCode::kUnimplemented,
                           "DELTA_BINARY_PACKED is supported for INT64 columns only");
      }
      fixed.resize(k);
      size_t consumed = 0;
      Status s = DeltaDecode(in, k, reinterpret_cast<int64_t*>(fixed.data()), &consumed);
      if (!s.ok()) return ColumnError(p, s.code(), s.message());
      break;
    }
    case kByteStreamSplit: {
      if (is_string) {
        return ColumnError(p, StatusCode::kUnimplemented,
                           "BYTE_STREAM_SPLIT is supported for 8-byte columns only");
      }
      fixed.resize(k);
      Status s = ByteStreamSplitDecode(in, k, fixed.data());
      if (!s.ok()) return ColumnError(p, s.code(), s.message());
      break;
    }
    default:
      return ColumnError(
          p, StatusCode::kUnimplemented,
          "encoding " + EncodingName(encoding) +
              " is not supported (finex reads PLAIN, RLE_DICTIONARY, PLAIN_DICTIONARY, "
              "DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT)");
  }

  // Scatter into the sink (bounded by the column's row count).
  if (is_string) {
    StringSink& out = *p.strings;
    if (n > out.cap - out.size)
      return ColumnError(p, StatusCode::kDataLoss, "more values than the file's rows");
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
    if (valid != nullptr && k != n)
      return ColumnError(p, StatusCode::kInvalidArgument, "holds nulls");
    for (uint64_t& v : fixed) {
      const int64_t t = static_cast<int64_t>(v);
      if (t % p.ts_divisor != 0) {
        return ColumnError(p, StatusCode::kInvalidArgument,
                           "timestamp " + std::to_string(t) +
                               " is not a whole second (finex bars are whole seconds)");
      }
      v = static_cast<uint64_t>(t / p.ts_divisor);
    }
  }
  FixedSink* s = p.fixed;
  if (n > s->cap - s->size)
    return ColumnError(p, StatusCode::kDataLoss, "more values than the file's rows");
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
      if (pos + 4 > in.size())
        return ColumnError(p, StatusCode::kDataLoss, "truncated dictionary page");
      const uint32_t len = LoadU32(in.data() + pos);
      pos += 4;
      if (len > in.size() - pos)
        return ColumnError(p, StatusCode::kDataLoss, "dictionary entry overruns its page");
      dict->str_code.push_back(p.strings->Intern(in.substr(pos, len)));
      pos += len;
    }
    if (pos != in.size())
      return ColumnError(p, StatusCode::kDataLoss, "trailing bytes in dictionary page");
  } else {
    if (in.size() != 8 * static_cast<size_t>(count)) {
      return ColumnError(p, StatusCode::kDataLoss,
                         "dictionary page size does not match its entry count");
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
Status PageBytes(int32_t codec, std::string_view z, size_t size, std::string* buf,
                 std::string_view* out) {
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
  if (cc.has_file_path)
    return ColumnError(p, StatusCode::kUnimplemented, "column chunks in external files");
  if (cc.encrypted) return ColumnError(p, StatusCode::kUnimplemented, "encrypted column chunks");
  if (!cc.has_meta) return ColumnError(p, StatusCode::kDataLoss, "column chunk has no metadata");
  const ColumnMetaData& m = cc.meta;
  if (m.type != *p.se->type)
    return ColumnError(p, StatusCode::kDataLoss, "chunk type differs from the schema");
  if (m.num_values != rows) {
    return ColumnError(p, StatusCode::kDataLoss,
                       "chunk holds " + std::to_string(m.num_values) +
                           " values for a row group of " + std::to_string(rows));
  }
  if (m.codec != kUncompressed && m.codec != kSnappy && m.codec != kGzip && m.codec != kZstd) {
    return ColumnError(p, StatusCode::kUnimplemented,
                       "compression " + CodecName(m.codec) +
                           " is not supported (finex reads UNCOMPRESSED, "
                           "SNAPPY, GZIP, ZSTD)");
  }
  int64_t start = m.data_page_offset;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 &&
      *m.dictionary_page_offset < start) {
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
    if (pos >= chunk.size())
      return ColumnError(p, StatusCode::kDataLoss, "chunk ends before all its values");
    PageHeader h;
    size_t hdr = 0;
    Status s = ParsePageHeader(chunk.substr(pos), &h, &hdr);
    if (!s.ok()) return ColumnError(p, s.code(), "page header: " + s.message());
    pos += hdr;
    if (h.compressed_size < 0 || static_cast<size_t>(h.compressed_size) > chunk.size() - pos) {
      return ColumnError(p, StatusCode::kDataLoss, "page overruns its chunk");
    }
    if (h.uncompressed_size < 0 || h.uncompressed_size > kMaxPageBytes) {
      return ColumnError(p, StatusCode::kDataLoss,
                         "page declares an implausible uncompressed size");
    }
    const std::string_view body = chunk.substr(pos, h.compressed_size);
    pos += h.compressed_size;
    if (h.type == kIndexPage) continue;
    if (h.type != kDataPage && h.type != kDataPageV2 && h.type != kDictionaryPage) {
      return ColumnError(p, StatusCode::kDataLoss, "unknown page type " + std::to_string(h.type));
    }
    if (!h.has_body)
      return ColumnError(p, StatusCode::kDataLoss, "page header lacks its type-specific header");
    if (verify && h.crc && PageCrc(body) != *h.crc) {
      return ColumnError(p, StatusCode::kDataLoss, "page CRC mismatch");
    }
    if (h.type == kDictionaryPage) {
      if (dict.present || done > 0)
        return ColumnError(p, StatusCode::kDataLoss, "misplaced dictionary page");
      if (h.encoding != kPlain && h.encoding != kPlainDictionary) {
        return ColumnError(
            p, StatusCode::kUnimplemented,
            "dictionary page encoding " + EncodingName(h.encoding) + " is not supported");
      }
      std::string_view page;
      FINEX_RETURN_IF_ERROR(
          PageBytes(m.codec, body, static_cast<size_t>(h.uncompressed_size), &buf, &page));
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
      FINEX_RETURN_IF_ERROR(
          PageBytes(m.codec, body, static_cast<size_t>(h.uncompressed_size), &buf, &rest));
      if (p.optional) {
        if (h.def_encoding != kRle) {
          return ColumnError(
              p, StatusCode::kUnimplemented,
              "definition level encoding " + EncodingName(h.def_encoding) + " is not supported");
        }
        if (rest.size() < 4)
          return ColumnError(p, StatusCode::kDataLoss, "truncated definition levels");
        const uint32_t len = LoadU32(rest.data());
        if (len > rest.size() - 4)
          return ColumnError(p, StatusCode::kDataLoss, "definition levels overrun the page");
        level_bytes = rest.substr(4, len);
        rest = rest.substr(4 + len);
      }
      values = rest;
    } else {
      if (h.rep_levels_len != 0)
        return ColumnError(p, StatusCode::kUnimplemented, "repeated (nested) columns");
      if (h.def_levels_len < 0 || h.def_levels_len > h.compressed_size ||
          h.def_levels_len > h.uncompressed_size) {
        return ColumnError(p, StatusCode::kDataLoss, "bad v2 level lengths");
      }
      if (!p.optional && h.def_levels_len != 0) {
        return ColumnError(p, StatusCode::kDataLoss, "definition levels in a required column");
      }
      if (h.num_rows != h.num_values)
        return ColumnError(p, StatusCode::kDataLoss, "v2 page row count mismatch");
      level_bytes = body.substr(0, h.def_levels_len);
      const std::string_view vz = body.substr(h.def_levels_len);
      const size_t vsize = static_cast<size_t>(h.uncompressed_size - h.def_levels_len);
      FINEX_RETURN_IF_ERROR(
          PageBytes(h.is_compressed ? m.codec : kUncompressed, vz, vsize, &buf, &values));
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
        return ColumnError(p, StatusCode::kDataLoss,
                           "v2 page null count disagrees with its levels");
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
    return ColumnError(
        p, StatusCode::kUnimplemented,
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

}  // namespace finex::codec::pq
