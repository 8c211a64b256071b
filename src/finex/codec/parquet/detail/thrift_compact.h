// Thrift compact protocol: the encoding of Parquet's footer (FileMetaData)
// and page headers.
//
// finex carries its own small encoder/decoder instead of Debian's libthrift:
// libthrift is not in finex's package list, its generated Parquet classes
// throw exceptions (which STYLE.md forbids across modules) and allocate
// freely while parsing, and Parquet needs only a handful of wire types. The
// decoder here never throws, bounds-checks every read against the input,
// caps struct nesting (kMaxDepth) and rejects list/string sizes that the
// remaining input cannot hold, so hostile bytes cannot drive a large
// allocation, a deep recursion or a hang.
//
// Wire format (Thrift compact protocol spec): field headers carry a 4-bit id
// delta and a 4-bit type (or a type byte followed by a zigzag i16 id); ints
// are zigzag ULEB128 varints; binary is a varint length plus bytes; lists are a
// size/type byte (size >= 15 spills into a varint); bool fields carry their
// value in the type nibble.
//
// Thread-safety: writer and reader objects are single-threaded values.
// Ownership: the writer appends to a caller-owned std::string; the reader
// borrows its input, which must outlive it and every view it returns.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/status.h"

namespace finex::codec::thrift {

// Compact protocol type ids.
enum class CType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

inline constexpr int kMaxDepth = 32;

// Appends compact-protocol bytes to *out. Usage mirrors the wire: Begin a
// struct, write fields in increasing id order, End it.
class CompactWriter {
 public:
  explicit CompactWriter(std::string* out) : out_(out) {}

  void BeginStruct() { last_id_.push_back(0); }
  void EndStruct();  // writes STOP. REQUIRES: a matching BeginStruct.

  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBool(int16_t id, bool v);
  void FieldBinary(int16_t id, std::string_view v);
  // Starts a nested struct field; close it with EndStruct().
  void FieldStructBegin(int16_t id);
  // A list field header; then write `size` elements with the element writers.
  void FieldListBegin(int16_t id, CType elem, uint32_t size);

  // Element writers (list elements, no field header).
  void ElemI32(int32_t v) { Varint(ZigZag(v)); }
  void ElemBinary(std::string_view v);
  void ElemStructBegin() { BeginStruct(); }

  // Offset of the next byte to be written in *out.
  size_t pos() const { return out_->size(); }

  void Varint(uint64_t v);
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }

 private:
  void FieldHeader(int16_t id, CType type);
  std::string* out_;
  std::vector<int16_t> last_id_;
};

// Reads compact-protocol bytes with a sticky error: the first malformed or
// truncated read records a message, moves the cursor to the end of the input
// and makes every later read return zero/empty, so parsers check ok() once
// per struct instead of after every value (Parquet footers are parsed on every
// cache hit that decodes; this keeps a small footer in the low microseconds).
class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : in_(in) {}

  bool ok() const { return error_ == nullptr; }
  // The first error ("thrift: ..."), "" when ok().
  std::string error() const { return error_ ? std::string("thrift: ") + error_ : std::string(); }
  // DataLoss carrying error(); OK when ok().
  Status status() const { return ok() ? Status() : ErrorStatus(); }
  // Records an error (the first one wins) and stops reading.
  void Fail(const char* what) {
    if (!error_) error_ = what;
    pos_ = in_.size();
  }

  // Enter/leave a struct (tracks the last field id for delta headers).
  void BeginStruct() {
    if (depth_ >= kMaxDepth) return Fail("structs nested too deeply");
    last_id_[depth_++] = 0;
  }
  void EndStruct() {
    if (depth_ > 0) --depth_;
  }
  // Reads the next field header; false at the struct's STOP or on error. For
  // bool fields the value is in the type (kBoolTrue/kBoolFalse).
  bool NextField(int16_t* id, CType* type);

  int16_t I16();
  int32_t I32();
  int64_t I64();
  // A binary/string; the view points into the input.
  std::string_view Binary();
  // A list header; the size is checked against the bytes left (every element
  // takes at least one byte), so it bounds any allocation sized from it.
  uint32_t ListHeader(CType* elem);
  // A bool field's value from its header type.
  bool BoolField(CType type);
  // A bool list element (1 = true; 0 or 2 = false).
  bool BoolElem();
  // Expects `got` == `want` for a known field; Fail(what) otherwise.
  bool Expect(CType got, CType want, const char* what) {
    if (got == want) return true;
    Fail(what);
    return false;
  }

  // Skips a value of `type` (recursing up to kMaxDepth). Scalars are
  // skipped inline: readers skip many fields they do not use.
  void Skip(CType type) {
    switch (type) {
      case CType::kBoolTrue:
      case CType::kBoolFalse:
        return;  // the value lives in the field header
      case CType::kI16:
      case CType::kI32:
      case CType::kI64:
        Varint();
        return;
      case CType::kBinary:
        Binary();
        return;
      default:
        SkipDepth(type, depth_);
    }
  }

  size_t pos() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  std::string_view input() const { return in_; }

  uint64_t Varint();

 private:
  uint64_t VarintSlow();  // the multi-byte (and error) cases of Varint()
  Status ErrorStatus() const;
  void SkipDepth(CType type, int depth);
  uint8_t Byte() {
    if (pos_ >= in_.size()) {
      Fail("unexpected end of input");
      return 0;
    }
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string_view in_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  int depth_ = 0;
  // Last field id per open struct (no heap use); BeginStruct sets an entry
  // before NextField reads it, so the array needs no zeroing per reader.
  int16_t last_id_[kMaxDepth];
};

// --- hot paths, inline (footers and page headers are parsed per decode) ---

inline int64_t UnZigZag64(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline uint64_t CompactReader::Varint() {
  // Most footer and page-header varints (field values, lengths, small ids)
  // are one byte; offsets and sizes of small files two.
  if (pos_ < in_.size()) {
    const uint8_t b = static_cast<uint8_t>(in_[pos_]);
    if (b < 0x80) {
      ++pos_;
      return b;
    }
    if (pos_ + 1 < in_.size()) {
      const uint8_t b1 = static_cast<uint8_t>(in_[pos_ + 1]);
      if (b1 < 0x80) {
        pos_ += 2;
        return (b & 0x7Fu) | (static_cast<uint64_t>(b1) << 7);
      }
    }
  }
  return VarintSlow();
}

inline bool CompactReader::NextField(int16_t* id, CType* type) {
  // After an error pos_ == in_.size(), so this one test also stops reads
  // once the error is recorded (Fail keeps the first message).
  if (pos_ >= in_.size()) {
    Fail("unexpected end of input");
    return false;
  }
  if (depth_ == 0) {
    Fail("field outside a struct");
    return false;
  }
  const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
  const uint8_t t = b & 0x0F;
  if (t == static_cast<uint8_t>(CType::kStop)) {
    if (b != 0) Fail("malformed stop byte");
    return false;
  }
  if (t > static_cast<uint8_t>(CType::kStruct)) {
    Fail("unknown type id");
    return false;
  }
  *type = static_cast<CType>(t);
  int16_t& last = last_id_[depth_ - 1];
  const int delta = b >> 4;
  if (delta != 0) {
    const int next = last + delta;
    if (next > 32767) {
      Fail("field id overflows");
      return false;
    }
    *id = static_cast<int16_t>(next);
  } else {
    *id = I16();
    if (!ok()) return false;
  }
  last = *id;
  return true;
}

inline int16_t CompactReader::I16() {
  const int64_t x = UnZigZag64(Varint());
  if (x < INT16_MIN || x > INT16_MAX) {
    Fail("i16 out of range");
    return 0;
  }
  return static_cast<int16_t>(x);
}

inline int32_t CompactReader::I32() {
  const int64_t x = UnZigZag64(Varint());
  if (x < INT32_MIN || x > INT32_MAX) {
    Fail("i32 out of range");
    return 0;
  }
  return static_cast<int32_t>(x);
}

inline int64_t CompactReader::I64() { return UnZigZag64(Varint()); }

inline std::string_view CompactReader::Binary() {
  const uint64_t len = Varint();
  if (len > remaining()) {
    Fail("binary length exceeds input");
    return {};
  }
  const std::string_view v = in_.substr(pos_, len);
  pos_ += len;
  return v;
}

}  // namespace finex::codec::thrift
