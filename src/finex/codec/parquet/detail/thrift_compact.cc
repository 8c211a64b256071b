#include "finex/codec/parquet/detail/thrift_compact.h"

#include <string>

namespace finex::codec::thrift {

void CompactWriter::EndStruct() {
  out_->push_back(static_cast<char>(CType::kStop));
  last_id_.pop_back();
}

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, CType type) {
  int16_t& last = last_id_.back();
  const int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last = id;
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, CType::kI32);
  Varint(ZigZag(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, CType::kI64);
  Varint(ZigZag(v));
}

void CompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? CType::kBoolTrue : CType::kBoolFalse);
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, CType::kBinary);
  ElemBinary(v);
}

void CompactWriter::ElemBinary(std::string_view v) {
  Varint(v.size());
  out_->append(v.data(), v.size());
}

void CompactWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, CType::kStruct);
  BeginStruct();
}

void CompactWriter::FieldListBegin(int16_t id, CType elem, uint32_t size) {
  FieldHeader(id, CType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem)));
    Varint(size);
  }
}

// ---------------------------------------------------------------------------

uint64_t CompactReader::VarintSlow() {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= in_.size()) {
      Fail("unexpected end of input");
      return 0;
    }
    const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
    if (shift == 63 && (b & 0x7E) != 0) {
      Fail("varint overflows 64 bits");
      return 0;
    }
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return result;
  }
  Fail("varint longer than 10 bytes");
  return 0;
}

Status CompactReader::ErrorStatus() const { return DataLossError(error()); }

uint32_t CompactReader::ListHeader(CType* elem) {
  const uint8_t b = Byte();
  const uint8_t t = b & 0x0F;
  if (!ok()) return 0;
  if (t > static_cast<uint8_t>(CType::kStruct) || t == 0) {
    Fail("bad list element type");
    return 0;
  }
  *elem = static_cast<CType>(t);
  uint64_t n = b >> 4;
  if (n == 15) n = Varint();
  if (n > remaining()) {
    Fail("list size exceeds input");
    return 0;
  }
  return static_cast<uint32_t>(n);
}

bool CompactReader::BoolField(CType type) {
  if (type == CType::kBoolTrue) return true;
  if (type != CType::kBoolFalse) Fail("expected a bool field");
  return false;
}

bool CompactReader::BoolElem() {
  const uint8_t b = Byte();
  if (b > 2) Fail("bad bool element");
  return b == 1;
}

void CompactReader::SkipDepth(CType type, int depth) {
  if (depth > kMaxDepth) return Fail("values nested too deeply");
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse:
      return;  // the value lives in the field header
    case CType::kByte:
      Byte();
      return;
    case CType::kI16:
    case CType::kI32:
    case CType::kI64:
      Varint();
      return;
    case CType::kDouble:
      if (remaining() < 8) return Fail("truncated double");
      pos_ += 8;
      return;
    case CType::kBinary:
      Binary();
      return;
    case CType::kList:
    case CType::kSet: {
      CType elem = CType::kStop;
      const uint32_t n = ListHeader(&elem);
      if (elem == CType::kI16 || elem == CType::kI32 || elem == CType::kI64) {
        for (uint32_t i = 0; i < n && ok(); ++i) Varint();
        return;
      }
      if (elem == CType::kBinary) {
        for (uint32_t i = 0; i < n && ok(); ++i) Binary();
        return;
      }
      for (uint32_t i = 0; i < n && ok(); ++i) {
        if (elem == CType::kBoolTrue || elem == CType::kBoolFalse) {
          BoolElem();
        } else {
          SkipDepth(elem, depth + 1);
        }
      }
      return;
    }
    case CType::kMap: {
      const uint64_t n = Varint();
      if (n == 0 || !ok()) return;
      if (n > remaining()) return Fail("map size exceeds input");
      const uint8_t kv = Byte();
      const uint8_t kt = kv >> 4, vt = kv & 0x0F;
      if (kt == 0 || vt == 0 || kt > 12 || vt > 12) return Fail("bad map types");
      for (uint64_t i = 0; i < n && ok(); ++i) {
        for (uint8_t t : {kt, vt}) {
          if (t == 1 || t == 2) {
            BoolElem();
          } else {
            SkipDepth(static_cast<CType>(t), depth + 1);
          }
        }
      }
      return;
    }
    case CType::kStruct: {
      if (depth + 1 > kMaxDepth || depth_ >= kMaxDepth) return Fail("structs nested too deeply");
      BeginStruct();
      int16_t id;
      CType t;
      while (NextField(&id, &t)) {
        // Scalars inline (Statistics and the like are skipped on every decode).
        if (t == CType::kBoolTrue || t == CType::kBoolFalse) continue;
        if (t == CType::kI16 || t == CType::kI32 || t == CType::kI64) {
          Varint();
        } else if (t == CType::kBinary) {
          Binary();
        } else {
          SkipDepth(t, depth + 1);
        }
      }
      EndStruct();
      return;
    }
    case CType::kStop:
      break;
  }
  Fail("cannot skip a value of this type");
}

}  // namespace finex::codec::thrift
