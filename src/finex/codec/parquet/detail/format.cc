#include "finex/codec/parquet/detail/format.h"

#include <string>

namespace finex::codec::pq {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

std::string EncodingName(int32_t e) {
  switch (e) {
    case kPlain:
      return "PLAIN";
    case kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case kRle:
      return "RLE";
    case kBitPacked:
      return "BIT_PACKED";
    case kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case kRleDictionary:
      return "RLE_DICTIONARY";
    case kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "encoding #" + std::to_string(e);
}

std::string CodecName(int32_t c) {
  switch (c) {
    case kUncompressed:
      return "UNCOMPRESSED";
    case kSnappy:
      return "SNAPPY";
    case kGzip:
      return "GZIP";
    case kLzo:
      return "LZO";
    case kBrotli:
      return "BROTLI";
    case kLz4:
      return "LZ4";
    case kZstd:
      return "ZSTD";
    case kLz4Raw:
      return "LZ4_RAW";
  }
  return "codec #" + std::to_string(c);
}

namespace {

// Iterates the fields of one struct: fn(id, type) returns true when it
// consumed the value; unknown fields are skipped. Errors are sticky in `r`.
template <typename Fn>
void Fields(CompactReader& r, Fn&& fn) {
  r.BeginStruct();
  int16_t id;
  CType t;
  while (r.NextField(&id, &t)) {
    if (!fn(id, t)) r.Skip(t);
  }
  r.EndStruct();
}

// Typed field values (inlined: the footer has hundreds of fields).
[[gnu::always_inline]] inline int32_t I32(CompactReader& r, CType t, const char* what) {
  return r.Expect(t, CType::kI32, what) ? r.I32() : 0;
}
[[gnu::always_inline]] inline int64_t I64(CompactReader& r, CType t, const char* what) {
  return r.Expect(t, CType::kI64, what) ? r.I64() : 0;
}
[[gnu::always_inline]] inline std::string_view Bin(CompactReader& r, CType t, const char* what) {
  return r.Expect(t, CType::kBinary, what) ? r.Binary() : std::string_view();
}
// A list of structs: each(i) parses one element.
template <typename Fn>
void StructList(CompactReader& r, CType t, const char* what, Fn&& each) {
  if (!r.Expect(t, CType::kList, what)) return;
  CType elem = CType::kStop;
  const uint32_t n = r.ListHeader(&elem);
  if (n > 0 && !r.Expect(elem, CType::kStruct, what)) return;
  for (uint32_t i = 0; i < n && r.ok(); ++i) each(n);
}

void ParseLogicalType(CompactReader& r, SchemaElement* e) {
  Fields(r, [&](int16_t id, CType t) {
    if (t != CType::kStruct) return false;
    e->logical = id;
    if (id != 8) return false;  // only TIMESTAMP's members matter; others are skipped
    Fields(r, [&](int16_t tid, CType tt) {
      if (tid == 1) {
        e->ts_adjusted_to_utc = r.BoolField(tt);
        return true;
      }
      if (tid == 2 && tt == CType::kStruct) {
        Fields(r, [&](int16_t uid, CType ut) {
          if (ut == CType::kStruct && uid >= 1 && uid <= 3) e->ts_unit = static_cast<TimeUnit>(uid);
          return false;  // the member struct is empty; skip it
        });
        return true;
      }
      return false;
    });
    return true;
  });
}

void ParseSchemaElement(CompactReader& r, SchemaElement* e) {
  Fields(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        e->type = I32(r, t, "SchemaElement.type has the wrong wire type");
        return true;
      case 3:
        e->repetition = I32(r, t, "SchemaElement.repetition_type has the wrong wire type");
        return true;
      case 4:
        e->name = Bin(r, t, "SchemaElement.name has the wrong wire type");
        return true;
      case 5:
        e->num_children = I32(r, t, "SchemaElement.num_children has the wrong wire type");
        return true;
      case 6:
        e->converted_type = I32(r, t, "SchemaElement.converted_type has the wrong wire type");
        return true;
      case 10:
        if (r.Expect(t, CType::kStruct, "SchemaElement.logicalType has the wrong wire type"))
          ParseLogicalType(r, e);
        return true;
    }
    return false;
  });
}

void ParseStatistics(CompactReader& r, Statistics* s) {
  Fields(r, [&](int16_t id, CType t) {
    switch (id) {
      case 3:
        s->null_count = I64(r, t, "Statistics.null_count has the wrong wire type");
        return true;
      case 5:
        s->max_value = Bin(r, t, "Statistics.max_value has the wrong wire type");
        return true;
      case 6:
        s->min_value = Bin(r, t, "Statistics.min_value has the wrong wire type");
        return true;
    }
    return false;
  });
}

// `stats` (may be null: skip Statistics) receives this chunk's Statistics.
void ParseColumnMetaData(CompactReader& r, ColumnMetaData* m, Statistics* stats) {
  Fields(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        m->type = I32(r, t, "ColumnMetaData.type has the wrong wire type");
        return true;
      case 4:
        m->codec = I32(r, t, "ColumnMetaData.codec has the wrong wire type");
        return true;
      case 5:
        m->num_values = I64(r, t, "ColumnMetaData.num_values has the wrong wire type");
        return true;
      case 6:
        m->total_uncompressed_size =
            I64(r, t, "ColumnMetaData.total_uncompressed_size has the wrong wire type");
        return true;
      case 7:
        m->total_compressed_size =
            I64(r, t, "ColumnMetaData.total_compressed_size has the wrong wire type");
        return true;
      case 9:
        m->data_page_offset = I64(r, t, "ColumnMetaData.data_page_offset has the wrong wire type");
        return true;
      case 11:
        m->dictionary_page_offset =
            I64(r, t, "ColumnMetaData.dictionary_page_offset has the wrong wire type");
        return true;
      case 12:
        if (r.Expect(t, CType::kStruct, "ColumnMetaData.statistics has the wrong wire type")) {
          if (stats == nullptr) return false;  // skipped
          ParseStatistics(r, stats);
        }
        return true;
    }
    return false;  // encodings, path_in_schema (columns are mapped by schema order), ...
  });
}

void ParseColumnChunk(CompactReader& r, ColumnChunk* c, std::vector<Statistics>* stats) {
  Statistics* st = nullptr;
  if (stats) st = &stats->emplace_back();
  Fields(r, [&](int16_t id, CType t) {
    if (id == 1) c->has_file_path = true;
    if (id == 8 || id == 9) c->encrypted = true;
    if (id != 3) return false;
    c->has_meta = true;
    if (r.Expect(t, CType::kStruct, "ColumnChunk.meta_data has the wrong wire type"))
      ParseColumnMetaData(r, &c->meta, st);
    return true;
  });
}

void ParseRowGroup(CompactReader& r, RowGroup* g, std::vector<Statistics>* stats) {
  Fields(r, [&](int16_t id, CType t) {
    if (id == 1) {
      StructList(r, t, "RowGroup.columns is not a list of structs", [&](uint32_t n) {
        if (g->columns.capacity() == 0) g->columns.reserve(n);
        g->columns.emplace_back();
        ParseColumnChunk(r, &g->columns.back(), stats);
      });
      return true;
    }
    if (id == 3) {
      g->num_rows = I64(r, t, "RowGroup.num_rows has the wrong wire type");
      return true;
    }
    return false;
  });
}

void ParseKeyValue(CompactReader& r, KeyValue* kv) {
  Fields(r, [&](int16_t id, CType t) {
    if (id == 1) {
      kv->key = Bin(r, t, "KeyValue.key has the wrong wire type");
      return true;
    }
    if (id == 2) {
      kv->value = Bin(r, t, "KeyValue.value has the wrong wire type");
      return true;
    }
    return false;
  });
}

}  // namespace

Status ParseFileMetaData(std::string_view in, FileMetaData* out, bool statistics) {
  std::vector<Statistics>* stats = statistics ? &out->stats : nullptr;
  CompactReader r(in);
  Fields(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        out->version = I32(r, t, "FileMetaData.version has the wrong wire type");
        return true;
      case 2:
        StructList(r, t, "FileMetaData.schema is not a list of structs", [&](uint32_t n) {
          if (out->schema.capacity() == 0) out->schema.reserve(n);
          out->schema.emplace_back();
          ParseSchemaElement(r, &out->schema.back());
        });
        return true;
      case 3:
        out->num_rows = I64(r, t, "FileMetaData.num_rows has the wrong wire type");
        return true;
      case 4:
        StructList(r, t, "FileMetaData.row_groups is not a list of structs", [&](uint32_t n) {
          if (out->row_groups.capacity() == 0) out->row_groups.reserve(n);
          out->row_groups.emplace_back();
          ParseRowGroup(r, &out->row_groups.back(), stats);
        });
        return true;
      case 5:
        StructList(r, t, "FileMetaData.key_value_metadata is not a list of structs",
                   [&](uint32_t n) {
                     if (out->kv.capacity() == 0) out->kv.reserve(n);
                     out->kv.emplace_back();
                     ParseKeyValue(r, &out->kv.back());
                   });
        return true;
      case 6:
        out->created_by = Bin(r, t, "FileMetaData.created_by has the wrong wire type");
        return true;
      case 8:
        out->encrypted = true;
        return false;
    }
    return false;
  });
  FINEX_RETURN_IF_ERROR(r.status());
  if (r.remaining() != 0)
    return DataLossError("parquet footer has trailing bytes after FileMetaData");
  return OkStatus();
}

Status ParsePageHeader(std::string_view in, PageHeader* p, size_t* consumed) {
  CompactReader r(in);
  Fields(r, [&](int16_t id, CType t) {
    switch (id) {
      case 1:
        p->type = I32(r, t, "PageHeader.type has the wrong wire type");
        return true;
      case 2:
        p->uncompressed_size =
            I32(r, t, "PageHeader.uncompressed_page_size has the wrong wire type");
        return true;
      case 3:
        p->compressed_size = I32(r, t, "PageHeader.compressed_page_size has the wrong wire type");
        return true;
      case 4:
        p->crc = I32(r, t, "PageHeader.crc has the wrong wire type");
        return true;
      case 5:  // DataPageHeader
        p->has_body = true;
        if (!r.Expect(t, CType::kStruct, "PageHeader.data_page_header has the wrong wire type"))
          return true;
        Fields(r, [&](int16_t fid, CType ft) {
          switch (fid) {
            case 1:
              p->num_values = I32(r, ft, "DataPageHeader.num_values has the wrong wire type");
              return true;
            case 2:
              p->encoding = I32(r, ft, "DataPageHeader.encoding has the wrong wire type");
              return true;
            case 3:
              p->def_encoding =
                  I32(r, ft, "DataPageHeader.definition_level_encoding has the wrong wire type");
              return true;
          }
          return false;
        });
        return true;
      case 7:  // DictionaryPageHeader
        p->has_body = true;
        if (!r.Expect(t, CType::kStruct,
                      "PageHeader.dictionary_page_header has the wrong wire type"))
          return true;
        Fields(r, [&](int16_t fid, CType ft) {
          switch (fid) {
            case 1:
              p->num_values = I32(r, ft, "DictionaryPageHeader.num_values has the wrong wire type");
              return true;
            case 2:
              p->encoding = I32(r, ft, "DictionaryPageHeader.encoding has the wrong wire type");
              return true;
          }
          return false;
        });
        return true;
      case 8:  // DataPageHeaderV2
        p->has_body = true;
        if (!r.Expect(t, CType::kStruct, "PageHeader.data_page_header_v2 has the wrong wire type"))
          return true;
        Fields(r, [&](int16_t fid, CType ft) {
          switch (fid) {
            case 1:
              p->num_values = I32(r, ft, "DataPageHeaderV2.num_values has the wrong wire type");
              return true;
            case 2:
              p->num_nulls = I32(r, ft, "DataPageHeaderV2.num_nulls has the wrong wire type");
              return true;
            case 3:
              p->num_rows = I32(r, ft, "DataPageHeaderV2.num_rows has the wrong wire type");
              return true;
            case 4:
              p->encoding = I32(r, ft, "DataPageHeaderV2.encoding has the wrong wire type");
              return true;
            case 5:
              p->def_levels_len = I32(
                  r, ft, "DataPageHeaderV2.definition_levels_byte_length has the wrong wire type");
              return true;
            case 6:
              p->rep_levels_len = I32(
                  r, ft, "DataPageHeaderV2.repetition_levels_byte_length has the wrong wire type");
              return true;
            case 7:
              p->is_compressed = r.BoolField(ft);
              return true;
          }
          return false;
        });
        return true;
    }
    return false;
  });
  FINEX_RETURN_IF_ERROR(r.status());
  *consumed = r.pos();
  return OkStatus();
}

// --- writing -----------------------------------------------------------------

namespace {

void WriteStatistics(CompactWriter& w, const WriteStats& s) {
  w.FieldStructBegin(12);
  w.FieldI64(3, s.null_count);
  if (s.has_minmax) {
    w.FieldBinary(5, s.max_value);
    w.FieldBinary(6, s.min_value);
  }
  w.EndStruct();
}

}  // namespace

void WriteFileMetaData(const std::vector<WriteSchemaLeaf>& leaves, int64_t num_rows,
                       const std::vector<WriteRowGroup>& row_groups,
                       const std::vector<std::pair<std::string, std::string>>& kv,
                       std::string_view created_by, std::string* out,
                       std::vector<size_t>* value_offsets) {
  const size_t base = out->size();
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, 2);  // format version 2 (logical types, v2 pages allowed)
  w.FieldListBegin(2, CType::kStruct, static_cast<uint32_t>(leaves.size() + 1));
  w.ElemStructBegin();
  w.FieldBinary(4, "schema");
  w.FieldI32(5, static_cast<int32_t>(leaves.size()));
  w.EndStruct();
  for (const WriteSchemaLeaf& l : leaves) {
    w.ElemStructBegin();
    w.FieldI32(1, l.type);
    w.FieldI32(3, l.repetition);
    w.FieldBinary(4, l.name);
    if (l.converted_type) w.FieldI32(6, *l.converted_type);
    if (l.logical != 0) {
      w.FieldStructBegin(10);
      w.FieldStructBegin(l.logical);
      if (l.logical == 8) {
        w.FieldBool(1, true);
        w.FieldStructBegin(2);
        w.FieldStructBegin(static_cast<int16_t>(l.ts_unit));
        w.EndStruct();
        w.EndStruct();
      }
      w.EndStruct();
      w.EndStruct();
    }
    w.EndStruct();
  }
  w.FieldI64(3, num_rows);
  w.FieldListBegin(4, CType::kStruct, static_cast<uint32_t>(row_groups.size()));
  for (const WriteRowGroup& g : row_groups) {
    w.ElemStructBegin();
    w.FieldListBegin(1, CType::kStruct, static_cast<uint32_t>(g.columns.size()));
    for (const WriteColumnChunk& c : g.columns) {
      w.ElemStructBegin();
      w.FieldI64(2, c.dictionary_page_offset.value_or(c.data_page_offset));
      w.FieldStructBegin(3);
      w.FieldI32(1, c.type);
      w.FieldListBegin(2, CType::kI32, static_cast<uint32_t>(c.encodings.size()));
      for (int32_t e : c.encodings) w.ElemI32(e);
      w.FieldListBegin(3, CType::kBinary, 1);
      w.ElemBinary(c.name);
      w.FieldI32(4, c.codec);
      w.FieldI64(5, c.num_values);
      w.FieldI64(6, c.total_uncompressed_size);
      w.FieldI64(7, c.total_compressed_size);
      w.FieldI64(9, c.data_page_offset);
      if (c.dictionary_page_offset) w.FieldI64(11, *c.dictionary_page_offset);
      if (c.stats.present) WriteStatistics(w, c.stats);
      w.EndStruct();
      w.EndStruct();
    }
    w.FieldI64(2, g.total_byte_size);
    w.FieldI64(3, g.num_rows);
    w.FieldI64(5, g.file_offset);
    w.FieldI64(6, g.total_compressed_size);
    w.EndStruct();
  }
  if (!kv.empty()) {
    w.FieldListBegin(5, CType::kStruct, static_cast<uint32_t>(kv.size()));
    for (const auto& [k, v] : kv) {
      w.ElemStructBegin();
      w.FieldBinary(1, k);
      w.FieldBinary(2, v);
      value_offsets->push_back(out->size() - base -
                               v.size());  // the value is the last bytes written
      w.EndStruct();
    }
  }
  w.FieldBinary(6, created_by);
  // column_orders: TypeDefinedOrder for every leaf (min_value/max_value use it).
  w.FieldListBegin(7, CType::kStruct, static_cast<uint32_t>(leaves.size()));
  for (size_t i = 0; i < leaves.size(); ++i) {
    w.ElemStructBegin();
    w.FieldStructBegin(1);
    w.EndStruct();
    w.EndStruct();
  }
  w.EndStruct();
}

void WritePageHeader(const struct WritePageHeader& h, std::string* out) {
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, h.type);
  w.FieldI32(2, h.uncompressed_size);
  w.FieldI32(3, h.compressed_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.type == kDataPage) {
    w.FieldStructBegin(5);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, h.encoding);
    w.FieldI32(3, kRle);
    w.FieldI32(4, kRle);
    w.EndStruct();
  } else if (h.type == kDictionaryPage) {
    w.FieldStructBegin(7);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, h.encoding);
    w.EndStruct();
  } else {
    w.FieldStructBegin(8);
    w.FieldI32(1, h.num_values);
    w.FieldI32(2, h.num_nulls);
    w.FieldI32(3, h.num_rows);
    w.FieldI32(4, h.encoding);
    w.FieldI32(5, h.def_levels_len);
    w.FieldI32(6, 0);
    w.FieldBool(7, h.is_compressed);
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace finex::codec::pq
