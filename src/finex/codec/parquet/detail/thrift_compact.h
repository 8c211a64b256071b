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
  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

 private:
  void FieldHeader(int16_t id, CType type);
  std::string* out_;
  std::vector<int16_t> last_id_;
};

// Reads compact-protocol bytes. Every method returns DataLoss on truncated or
// malformed input ("thrift: ..." messages).
class CompactReader {
 public:
  explicit CompactReader(std::string_view in) : in_(in) {}

  // Enter/leave a struct (tracks the last field id for delta headers).
  Status BeginStruct();
  void EndStruct() {
    if (!last_id_.empty()) last_id_.pop_back();
  }
  // Reads the next field header. *type == kStop at the end of the struct.
  // For bool fields the value is in the type (kBoolTrue/kBoolFalse).
  Status FieldHeader(int16_t* id, CType* type);

  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadI16(int16_t* v);
  // A binary/string; the view points into the input.
  Status ReadBinary(std::string_view* v);
  // A list header. *size is capped by the bytes left (each element takes at
  // least one byte; bool/empty-struct elements included).
  Status ReadListHeader(CType* elem, uint32_t* size);
  // Reads a bool field value from its header type; InvalidArgument otherwise.
  static Status BoolFromType(CType type, bool* v);
  // Reads a bool list element (1 = true; 0 or 2 = false).
  Status ReadBoolElem(bool* v);

  // Skips a value of `type` (recursing into structs/lists/maps up to kMaxDepth).
  Status Skip(CType type) { return SkipDepth(type, static_cast<int>(last_id_.size())); }

  // Expects `type` for a known field; DataLoss naming `what` otherwise.
  static Status Expect(CType got, CType want, const char* what);

  size_t pos() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  std::string_view input() const { return in_; }

  Status Varint(uint64_t* v);

 private:
  Status SkipDepth(CType type, int depth);
  Status Byte(uint8_t* b);
  std::string_view in_;
  size_t pos_ = 0;
  std::vector<int16_t> last_id_;
};

}  // namespace finex::codec::thrift
