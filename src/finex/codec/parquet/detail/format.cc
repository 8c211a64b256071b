#include "finex/codec/parquet/detail/format.h"

#include <string>

namespace finex::codec::pq {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

std::string EncodingName(int32_t e) {
  switch (e) {
    case kPlain: return "PLAIN";
    case kPlainDictionary: return "PLAIN_DICTIONARY";
    case kRle: return "RLE";
    case kBitPacked: return "BIT_PACKED";
    case kDeltaBinaryPacked: return "DELTA_BINARY_PACKED";
    case kDeltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY";
    case kDeltaByteArray: return "DELTA_BYTE_ARRAY";
    case kRleDictionary: return "RLE_DICTIONARY";
    case kByteStreamSplit: return "BYTE_STREAM_SPLIT";
  }
  return "encoding #" + std::to_string(e);
}

std::string CodecName(int32_t c) {
  switch (c) {
    case kUncompressed: return "UNCOMPRESSED";
    case kSnappy: return "SNAPPY";
    case kGzip: return "GZIP";
    case kLzo: return "LZO";
    case kBrotli: return "BROTLI";
    case kLz4: return "LZ4";
    case kZstd: return "ZSTD";
    case kLz4Raw: return "LZ4_RAW";
  }
  return "codec #" + std::to_string(c);
}

namespace {

// Iterates the fields of one struct: fn(id, type) handles known fields and
// returns true when it consumed the value; unknown ones are skipped.
template <typename Fn>
Status ForEachField(CompactReader& r, Fn&& fn) {
  FINEX_RETURN_IF_ERROR(r.BeginStruct());
  for (;;) {
    int16_t id;
    CType t;
    FINEX_RETURN_IF_ERROR(r.FieldHeader(&id, &t));
    if (t == CType::kStop) break;
    bool handled = false;
    FINEX_RETURN_IF_ERROR(fn(id, t, &handled));
    if (!handled) FINEX_RETURN_IF_ERROR(r.Skip(t));
  }
  r.EndStruct();
  return OkStatus();
}

Status I32(CompactReader& r, CType t, const char* what, int32_t* v) {
  FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kI32, what));
  return r.ReadI32(v);
}
Status I64(CompactReader& r, CType t, const char* what, int64_t* v) {
  FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kI64, what));
  return r.ReadI64(v);
}
Status Bin(CompactReader& r, CType t, const char* what, std::string_view* v) {
  FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kBinary, what));
  return r.ReadBinary(v);
}
template <typename Fn>
Status List(CompactReader& r, CType t, CType elem_want, const char* what, Fn&& each) {
  FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kList, what));
  CType elem;
  uint32_t n;
  FINEX_RETURN_IF_ERROR(r.ReadListHeader(&elem, &n));
  FINEX_RETURN_IF_ERROR(CompactReader::Expect(elem, elem_want, what));
  for (uint32_t i = 0; i < n; ++i) FINEX_RETURN_IF_ERROR(each(n));
  return OkStatus();
}

Status ParseLogicalType(CompactReader& r, SchemaElement* e) {
  return ForEachField(r, [&](int16_t id, CType t, bool* handled) -> Status {
    if (t != CType::kStruct) return OkStatus();
    e->logical = id;
    *handled = true;
    if (id != 8) return r.Skip(t);  // only TIMESTAMP's members matter
    return ForEachField(r, [&](int16_t tid, CType tt, bool* h2) -> Status {
      if (tid == 1) {
        *h2 = true;
        return CompactReader::BoolFromType(tt, &e->ts_adjusted_to_utc);
      }
      if (tid == 2 && tt == CType::kStruct) {
        *h2 = true;
        return ForEachField(r, [&](int16_t uid, CType ut, bool* h3) -> Status {
          if (ut == CType::kStruct && uid >= 1 && uid <= 3) e->ts_unit = static_cast<TimeUnit>(uid);
          return OkStatus();  // the member struct is empty; skipped by the caller
        });
      }
      return OkStatus();
    });
  });
}

Status ParseSchemaElement(CompactReader& r, SchemaElement* e) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    int32_t v;
    switch (id) {
      case 1: *h = true; FINEX_RETURN_IF_ERROR(I32(r, t, "SchemaElement.type", &v)); e->type = v; break;
      case 3: *h = true; FINEX_RETURN_IF_ERROR(I32(r, t, "SchemaElement.repetition_type", &v)); e->repetition = v; break;
      case 4: *h = true; return Bin(r, t, "SchemaElement.name", &e->name);
      case 5: *h = true; return I32(r, t, "SchemaElement.num_children", &e->num_children);
      case 6: *h = true; FINEX_RETURN_IF_ERROR(I32(r, t, "SchemaElement.converted_type", &v)); e->converted_type = v; break;
      case 10:
        *h = true;
        FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "SchemaElement.logicalType"));
        return ParseLogicalType(r, e);
    }
    return OkStatus();
  });
}

Status ParseStatistics(CompactReader& r, Statistics* s) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    std::string_view v;
    int64_t n;
    switch (id) {
      case 3: *h = true; FINEX_RETURN_IF_ERROR(I64(r, t, "Statistics.null_count", &n)); s->null_count = n; break;
      case 5: *h = true; FINEX_RETURN_IF_ERROR(Bin(r, t, "Statistics.max_value", &v)); s->max_value = v; break;
      case 6: *h = true; FINEX_RETURN_IF_ERROR(Bin(r, t, "Statistics.min_value", &v)); s->min_value = v; break;
    }
    return OkStatus();
  });
}

Status ParseColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    switch (id) {
      case 1: *h = true; return I32(r, t, "ColumnMetaData.type", &m->type);
      case 2:
        *h = true;
        return List(r, t, CType::kI32, "ColumnMetaData.encodings", [&](uint32_t n) -> Status {
          int32_t e;
          FINEX_RETURN_IF_ERROR(r.ReadI32(&e));
          m->encodings.push_back(e);
          return OkStatus();
        });
      case 3:
        *h = true;
        return List(r, t, CType::kBinary, "ColumnMetaData.path_in_schema", [&](uint32_t n) -> Status {
          std::string_view p;
          FINEX_RETURN_IF_ERROR(r.ReadBinary(&p));
          m->path.push_back(p);
          return OkStatus();
        });
      case 4: *h = true; return I32(r, t, "ColumnMetaData.codec", &m->codec);
      case 5: *h = true; return I64(r, t, "ColumnMetaData.num_values", &m->num_values);
      case 6: *h = true; return I64(r, t, "ColumnMetaData.total_uncompressed_size", &m->total_uncompressed_size);
      case 7: *h = true; return I64(r, t, "ColumnMetaData.total_compressed_size", &m->total_compressed_size);
      case 9: *h = true; return I64(r, t, "ColumnMetaData.data_page_offset", &m->data_page_offset);
      case 11: {
        *h = true;
        int64_t v;
        FINEX_RETURN_IF_ERROR(I64(r, t, "ColumnMetaData.dictionary_page_offset", &v));
        m->dictionary_page_offset = v;
        return OkStatus();
      }
      case 12:
        *h = true;
        FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "ColumnMetaData.statistics"));
        return ParseStatistics(r, &m->stats);
    }
    return OkStatus();
  });
}

Status ParseColumnChunk(CompactReader& r, ColumnChunk* c) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    if (id == 1) c->has_file_path = true;
    if (id == 8 || id == 9) c->encrypted = true;
    if (id == 3) {
      *h = true;
      c->has_meta = true;
      FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "ColumnChunk.meta_data"));
      return ParseColumnMetaData(r, &c->meta);
    }
    return OkStatus();
  });
}

Status ParseRowGroup(CompactReader& r, RowGroup* g) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    if (id == 1) {
      *h = true;
      return List(r, t, CType::kStruct, "RowGroup.columns", [&](uint32_t n) -> Status {
        if (g->columns.capacity() == 0) g->columns.reserve(n);
        g->columns.emplace_back();
        return ParseColumnChunk(r, &g->columns.back());
      });
    }
    if (id == 3) {
      *h = true;
      return I64(r, t, "RowGroup.num_rows", &g->num_rows);
    }
    return OkStatus();
  });
}

Status ParseKeyValue(CompactReader& r, KeyValue* kv) {
  return ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    if (id == 1) {
      *h = true;
      return Bin(r, t, "KeyValue.key", &kv->key);
    }
    if (id == 2) {
      *h = true;
      return Bin(r, t, "KeyValue.value", &kv->value);
    }
    return OkStatus();
  });
}

}  // namespace

Status ParseFileMetaData(std::string_view in, FileMetaData* out) {
  CompactReader r(in);
  FINEX_RETURN_IF_ERROR(ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    switch (id) {
      case 1: *h = true; return I32(r, t, "FileMetaData.version", &out->version);
      case 2:
        *h = true;
        return List(r, t, CType::kStruct, "FileMetaData.schema", [&](uint32_t n) -> Status {
          if (out->schema.capacity() == 0) out->schema.reserve(n);
          out->schema.emplace_back();
          return ParseSchemaElement(r, &out->schema.back());
        });
      case 3: *h = true; return I64(r, t, "FileMetaData.num_rows", &out->num_rows);
      case 4:
        *h = true;
        return List(r, t, CType::kStruct, "FileMetaData.row_groups", [&](uint32_t n) -> Status {
          if (out->row_groups.capacity() == 0) out->row_groups.reserve(n);
          out->row_groups.emplace_back();
          return ParseRowGroup(r, &out->row_groups.back());
        });
      case 5:
        *h = true;
        return List(r, t, CType::kStruct, "FileMetaData.key_value_metadata", [&](uint32_t n) -> Status {
          if (out->kv.capacity() == 0) out->kv.reserve(n);
          out->kv.emplace_back();
          return ParseKeyValue(r, &out->kv.back());
        });
      case 6: *h = true; return Bin(r, t, "FileMetaData.created_by", &out->created_by);
      case 8: out->encrypted = true; return OkStatus();
    }
    return OkStatus();
  }));
  if (r.remaining() != 0) return DataLossError("parquet footer has trailing bytes after FileMetaData");
  return OkStatus();
}

Status ParsePageHeader(std::string_view in, PageHeader* p, size_t* consumed) {
  CompactReader r(in);
  FINEX_RETURN_IF_ERROR(ForEachField(r, [&](int16_t id, CType t, bool* h) -> Status {
    switch (id) {
      case 1: *h = true; return I32(r, t, "PageHeader.type", &p->type);
      case 2: *h = true; return I32(r, t, "PageHeader.uncompressed_page_size", &p->uncompressed_size);
      case 3: *h = true; return I32(r, t, "PageHeader.compressed_page_size", &p->compressed_size);
      case 4: {
        *h = true;
        int32_t crc;
        FINEX_RETURN_IF_ERROR(I32(r, t, "PageHeader.crc", &crc));
        p->crc = crc;
        return OkStatus();
      }
      case 5:  // DataPageHeader
        *h = true;
        p->has_body = true;
        FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "PageHeader.data_page_header"));
        return ForEachField(r, [&](int16_t fid, CType ft, bool* fh) -> Status {
          switch (fid) {
            case 1: *fh = true; return I32(r, ft, "DataPageHeader.num_values", &p->num_values);
            case 2: *fh = true; return I32(r, ft, "DataPageHeader.encoding", &p->encoding);
            case 3: *fh = true; return I32(r, ft, "DataPageHeader.definition_level_encoding", &p->def_encoding);
          }
          return OkStatus();
        });
      case 7:  // DictionaryPageHeader
        *h = true;
        p->has_body = true;
        FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "PageHeader.dictionary_page_header"));
        return ForEachField(r, [&](int16_t fid, CType ft, bool* fh) -> Status {
          switch (fid) {
            case 1: *fh = true; return I32(r, ft, "DictionaryPageHeader.num_values", &p->num_values);
            case 2: *fh = true; return I32(r, ft, "DictionaryPageHeader.encoding", &p->encoding);
          }
          return OkStatus();
        });
      case 8:  // DataPageHeaderV2
        *h = true;
        p->has_body = true;
        FINEX_RETURN_IF_ERROR(CompactReader::Expect(t, CType::kStruct, "PageHeader.data_page_header_v2"));
        return ForEachField(r, [&](int16_t fid, CType ft, bool* fh) -> Status {
          switch (fid) {
            case 1: *fh = true; return I32(r, ft, "DataPageHeaderV2.num_values", &p->num_values);
            case 2: *fh = true; return I32(r, ft, "DataPageHeaderV2.num_nulls", &p->num_nulls);
            case 3: *fh = true; return I32(r, ft, "DataPageHeaderV2.num_rows", &p->num_rows);
            case 4: *fh = true; return I32(r, ft, "DataPageHeaderV2.encoding", &p->encoding);
            case 5: *fh = true; return I32(r, ft, "DataPageHeaderV2.definition_levels_byte_length", &p->def_levels_len);
            case 6: *fh = true; return I32(r, ft, "DataPageHeaderV2.repetition_levels_byte_length", &p->rep_levels_len);
            case 7: *fh = true; return CompactReader::BoolFromType(ft, &p->is_compressed);
          }
          return OkStatus();
        });
    }
    return OkStatus();
  }));
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
                       const std::vector<std::pair<std::string, std::string>>& kv, std::string_view created_by,
                       std::string* out, std::vector<size_t>* value_offsets) {
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
      value_offsets->push_back(out->size() - base - v.size());  // the value is the last bytes written
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
