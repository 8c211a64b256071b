#include "finex/codec/parquet/detail/thrift_compact.h"

#include <string>

namespace finex::codec::thrift {

namespace {
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
}  // namespace

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

void CompactWriter::FieldBool(int16_t id, bool v) { FieldHeader(id, v ? CType::kBoolTrue : CType::kBoolFalse); }

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

Status CompactReader::Byte(uint8_t* b) {
  if (pos_ >= in_.size()) return DataLossError("thrift: unexpected end of input");
  *b = static_cast<uint8_t>(in_[pos_++]);
  return OkStatus();
}

Status CompactReader::Varint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    uint8_t b;
    FINEX_RETURN_IF_ERROR(Byte(&b));
    if (shift == 63 && (b & 0x7E) != 0) return DataLossError("thrift: varint overflows 64 bits");
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return OkStatus();
    }
  }
  return DataLossError("thrift: varint longer than 10 bytes");
}

Status CompactReader::BeginStruct() {
  if (last_id_.size() >= static_cast<size_t>(kMaxDepth)) return DataLossError("thrift: structs nested too deeply");
  last_id_.push_back(0);
  return OkStatus();
}

Status CompactReader::FieldHeader(int16_t* id, CType* type) {
  if (last_id_.empty()) return DataLossError("thrift: field outside a struct");
  uint8_t b;
  FINEX_RETURN_IF_ERROR(Byte(&b));
  const uint8_t t = b & 0x0F;
  if (t > static_cast<uint8_t>(CType::kStruct)) return DataLossError("thrift: unknown type id " + std::to_string(t));
  *type = static_cast<CType>(t);
  if (*type == CType::kStop) {
    if ((b >> 4) != 0) return DataLossError("thrift: malformed stop byte");
    *id = 0;
    return OkStatus();
  }
  const int delta = b >> 4;
  if (delta != 0) {
    const int next = last_id_.back() + delta;
    if (next > 32767) return DataLossError("thrift: field id overflows");
    *id = static_cast<int16_t>(next);
  } else {
    FINEX_RETURN_IF_ERROR(ReadI16(id));
  }
  last_id_.back() = *id;
  return OkStatus();
}

Status CompactReader::ReadI16(int16_t* v) {
  uint64_t raw;
  FINEX_RETURN_IF_ERROR(Varint(&raw));
  const int64_t x = UnZigZag(raw);
  if (x < INT16_MIN || x > INT16_MAX) return DataLossError("thrift: i16 out of range");
  *v = static_cast<int16_t>(x);
  return OkStatus();
}

Status CompactReader::ReadI32(int32_t* v) {
  uint64_t raw;
  FINEX_RETURN_IF_ERROR(Varint(&raw));
  const int64_t x = UnZigZag(raw);
  if (x < INT32_MIN || x > INT32_MAX) return DataLossError("thrift: i32 out of range");
  *v = static_cast<int32_t>(x);
  return OkStatus();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t raw;
  FINEX_RETURN_IF_ERROR(Varint(&raw));
  *v = UnZigZag(raw);
  return OkStatus();
}

Status CompactReader::ReadBinary(std::string_view* v) {
  uint64_t len;
  FINEX_RETURN_IF_ERROR(Varint(&len));
  if (len > remaining()) return DataLossError("thrift: binary length exceeds input");
  *v = in_.substr(pos_, len);
  pos_ += len;
  return OkStatus();
}

Status CompactReader::ReadListHeader(CType* elem, uint32_t* size) {
  uint8_t b;
  FINEX_RETURN_IF_ERROR(Byte(&b));
  const uint8_t t = b & 0x0F;
  if (t > static_cast<uint8_t>(CType::kStruct) || t == 0) return DataLossError("thrift: bad list element type");
  *elem = static_cast<CType>(t);
  uint64_t n = b >> 4;
  if (n == 15) FINEX_RETURN_IF_ERROR(Varint(&n));
  // Every element occupies at least one byte, so a size beyond what is left is
  // corrupt; this also bounds any allocation sized from it.
  if (n > remaining()) return DataLossError("thrift: list size exceeds input");
  *size = static_cast<uint32_t>(n);
  return OkStatus();
}

Status CompactReader::BoolFromType(CType type, bool* v) {
  if (type == CType::kBoolTrue) {
    *v = true;
  } else if (type == CType::kBoolFalse) {
    *v = false;
  } else {
    return DataLossError("thrift: expected a bool field");
  }
  return OkStatus();
}

Status CompactReader::ReadBoolElem(bool* v) {
  uint8_t b;
  FINEX_RETURN_IF_ERROR(Byte(&b));
  if (b > 2) return DataLossError("thrift: bad bool element");
  *v = b == 1;
  return OkStatus();
}

Status CompactReader::Expect(CType got, CType want, const char* what) {
  if (got == want) return OkStatus();
  return DataLossError(std::string("thrift: field ") + what + " has wire type " +
                       std::to_string(static_cast<int>(got)) + ", expected " +
                       std::to_string(static_cast<int>(want)));
}

Status CompactReader::SkipDepth(CType type, int depth) {
  if (depth > kMaxDepth) return DataLossError("thrift: values nested too deeply");
  uint64_t ignored;
  switch (type) {
    case CType::kBoolTrue:
    case CType::kBoolFalse:
      return OkStatus();  // the value lives in the field header
    case CType::kByte: {
      uint8_t b;
      return Byte(&b);
    }
    case CType::kI16:
    case CType::kI32:
    case CType::kI64:
      return Varint(&ignored);
    case CType::kDouble:
      if (remaining() < 8) return DataLossError("thrift: truncated double");
      pos_ += 8;
      return OkStatus();
    case CType::kBinary: {
      std::string_view v;
      return ReadBinary(&v);
    }
    case CType::kList:
    case CType::kSet: {
      CType elem;
      uint32_t n;
      FINEX_RETURN_IF_ERROR(ReadListHeader(&elem, &n));
      for (uint32_t i = 0; i < n; ++i) {
        if (elem == CType::kBoolTrue || elem == CType::kBoolFalse) {
          bool b;
          FINEX_RETURN_IF_ERROR(ReadBoolElem(&b));
        } else {
          FINEX_RETURN_IF_ERROR(SkipDepth(elem, depth + 1));
        }
      }
      return OkStatus();
    }
    case CType::kMap: {
      uint64_t n;
      FINEX_RETURN_IF_ERROR(Varint(&n));
      if (n == 0) return OkStatus();
      if (n > remaining()) return DataLossError("thrift: map size exceeds input");
      uint8_t kv;
      FINEX_RETURN_IF_ERROR(Byte(&kv));
      const uint8_t kt = kv >> 4, vt = kv & 0x0F;
      if (kt == 0 || vt == 0 || kt > 12 || vt > 12) return DataLossError("thrift: bad map types");
      for (uint64_t i = 0; i < n; ++i) {
        for (uint8_t t : {kt, vt}) {
          if (t == 1 || t == 2) {
            bool b;
            FINEX_RETURN_IF_ERROR(ReadBoolElem(&b));
          } else {
            FINEX_RETURN_IF_ERROR(SkipDepth(static_cast<CType>(t), depth + 1));
          }
        }
      }
      return OkStatus();
    }
    case CType::kStruct: {
      if (depth + 1 > kMaxDepth) return DataLossError("thrift: structs nested too deeply");
      last_id_.push_back(0);
      for (;;) {
        int16_t id;
        CType t;
        Status s = FieldHeader(&id, &t);
        if (!s.ok()) {
          last_id_.pop_back();
          return s;
        }
        if (t == CType::kStop) break;
        s = SkipDepth(t, depth + 1);
        if (!s.ok()) {
          last_id_.pop_back();
          return s;
        }
      }
      last_id_.pop_back();
      return OkStatus();
    }
    case CType::kStop:
      break;
  }
  return DataLossError("thrift: cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

}  // namespace finex::codec::thrift
