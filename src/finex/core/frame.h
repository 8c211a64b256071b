// Frame: an immutable, shared, columnar table in finex's standardized history
// schema:
//   symbol, timestamp (UTC epoch seconds, bar open time), open, high, low,
//   close, volume (int64), adj_close, market_cap, provider, currency, timezone
// Numeric value columns are nullable; symbol/timestamp/provider/currency/
// timezone are never null (strings may be empty). `fields()` says which value
// fields the frame carries; columns outside it are entirely null.
//
// Invariants (enforced by FrameBuilder::Finish and kept by every operation):
// rows are sorted by (symbol, timestamp) and (symbol, timestamp) is unique.
//
// Ownership: frames are built by FrameBuilder, frozen with
// std::move(b).Finish(), and shared as FramePtr (shared_ptr<const Frame>).
// Slices and projections share the column buffers and copy nothing.
// Thread-safety: a Frame is immutable, so any number of threads may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"

namespace finex {

// A nullable column over a shared buffer; Slice() shares the buffer.
template <typename T>
class Column {
 public:
  Column() = default;
  // Views `size` values at `values` and, unless `valid` is null (all rows
  // valid), `size` validity bytes at `valid` (0 = null). `owner` keeps both
  // buffers alive; they must not change afterwards.
  // REQUIRES: values != nullptr when size > 0.
  Column(std::shared_ptr<const void> owner, const T* values, const uint8_t* valid, size_t size)
      : owner_(std::move(owner)), values_(values), valid_(valid), size_(size) {}
  // An all-null column of n rows (one allocation: values, then validity bytes).
  static Column Nulls(size_t n) {
    std::shared_ptr<T[]> buf =
        std::make_shared<T[]>(n + (n + sizeof(T) - 1) / sizeof(T));  // zeroed
    const T* values = buf.get();
    return Column(std::move(buf), values, reinterpret_cast<const uint8_t*>(values + n), n);
  }

  size_t size() const { return size_; }
  bool IsValid(size_t i) const { return !valid_ || valid_[i] != 0; }
  // The stored value; T{} (0) where the row is null.
  T operator[](size_t i) const { return values_[i]; }
  std::optional<T> Get(size_t i) const {
    return IsValid(i) ? std::optional<T>(values_[i]) : std::nullopt;
  }
  // Contiguous values (null rows hold T{}). Empty span for an empty column.
  std::span<const T> values() const { return std::span<const T>(values_, size_); }
  size_t null_count() const {
    if (!valid_) return 0;
    size_t n = 0;
    for (size_t i = 0; i < size_; ++i) n += valid_[i] == 0;
    return n;
  }
  bool all_null() const { return size_ > 0 && null_count() == size_; }

  // REQUIRES: offset + length <= size().
  Column Slice(size_t offset, size_t length) const {
    Column c = *this;
    if (c.values_) c.values_ += offset;
    if (c.valid_) c.valid_ += offset;
    c.size_ = length;
    return c;
  }

 private:
  std::shared_ptr<const void> owner_;
  const T* values_ = nullptr;       // row 0 of this view
  const uint8_t* valid_ = nullptr;  // null: every row valid
  size_t size_ = 0;
};

using DoubleColumn = Column<double>;
using Int64Column = Column<int64_t>;

// A dictionary-encoded string column (never null).
class StringColumn {
 public:
  StringColumn() = default;
  // Views `size` codes at `codes` into `dict`; `codes_owner` keeps the codes
  // alive and they must not change afterwards.
  // REQUIRES: dict != nullptr; every code < dict->size().
  StringColumn(std::shared_ptr<const std::vector<std::string>> dict,
               std::shared_ptr<const void> codes_owner, const uint32_t* codes, size_t size)
      : dict_(std::move(dict)), codes_owner_(std::move(codes_owner)), codes_(codes), size_(size) {}

  size_t size() const { return size_; }
  std::string_view operator[](size_t i) const { return (*dict_)[codes_[i]]; }
  const std::vector<std::string>& dictionary() const { return *dict_; }
  uint32_t code(size_t i) const { return codes_[i]; }
  StringColumn Slice(size_t offset, size_t length) const {
    StringColumn c = *this;
    if (c.codes_) c.codes_ += offset;
    c.size_ = length;
    return c;
  }

 private:
  std::shared_ptr<const std::vector<std::string>> dict_;
  std::shared_ptr<const void> codes_owner_;
  const uint32_t* codes_ = nullptr;  // row 0 of this view
  size_t size_ = 0;
};

// The nullable double columns, in schema order.
enum class DoubleField : uint8_t { kOpen, kHigh, kLow, kClose, kAdjClose, kMarketCap };
inline constexpr int kNumDoubleFields = 6;
std::string_view DoubleFieldName(DoubleField f);  // "open", ..., "market_cap"
// The FieldSet bit a double column belongs to.
FieldSet::Bit FieldOf(DoubleField f);

// One row, materialized. Used to build frames and in tests; not on hot paths.
struct Bar {
  std::string symbol;
  Timestamp timestamp = 0;
  std::optional<double> open, high, low, close;
  std::optional<int64_t> volume;
  std::optional<double> adj_close, market_cap;
  std::string provider, currency, timezone;

  std::optional<double> Get(DoubleField f) const;
  friend bool operator==(const Bar&, const Bar&) = default;
};

class Frame;
using FramePtr = std::shared_ptr<const Frame>;
struct FrameBlockStorage;  // FrameBuilder::ColumnBlock's allocation (frame.cc)

class Frame {
 public:
  // An empty frame carrying `fields`.
  static FramePtr Empty(FieldSet fields = FieldSet::Ohlcv());

  size_t rows() const { return timestamps_.size(); }
  bool empty() const { return rows() == 0; }
  FieldSet fields() const { return fields_; }

  const StringColumn& symbol() const { return symbol_; }
  const Int64Column& timestamps() const { return timestamps_; }
  const DoubleColumn& column(DoubleField f) const { return doubles_[static_cast<int>(f)]; }
  const DoubleColumn& open() const { return column(DoubleField::kOpen); }
  const DoubleColumn& high() const { return column(DoubleField::kHigh); }
  const DoubleColumn& low() const { return column(DoubleField::kLow); }
  const DoubleColumn& close() const { return column(DoubleField::kClose); }
  const DoubleColumn& adj_close() const { return column(DoubleField::kAdjClose); }
  const DoubleColumn& market_cap() const { return column(DoubleField::kMarketCap); }
  const Int64Column& volume() const { return volume_; }
  const StringColumn& provider() const { return provider_; }
  const StringColumn& currency() const { return currency_; }
  const StringColumn& timezone() const { return timezone_; }

  // Materializes row i. REQUIRES: i < rows().
  Bar row(size_t i) const;
  // First/last timestamp. REQUIRES: !empty().
  Timestamp first_timestamp() const { return timestamps_[0]; }
  Timestamp last_timestamp() const { return timestamps_[rows() - 1]; }

  // Rows [offset, offset+length). Zero-copy. REQUIRES: offset+length <= rows().
  FramePtr SliceRows(size_t offset, size_t length) const;
  // Rows with r.start <= timestamp < r.end (for every symbol). Zero-copy when
  // the frame holds one symbol.
  FramePtr Slice(TimeRange r) const;
  // Keeps only the value fields in `keep` (others become all-null). Zero-copy.
  FramePtr Project(FieldSet keep) const;
  // Rows of one symbol. Zero-copy.
  FramePtr SliceSymbol(std::string_view symbol) const;

  // Unions frames by (symbol, timestamp). For a row present in several frames,
  // each value field comes from the LAST frame in `frames` in which it is
  // non-null (callers pass frames oldest first, so newer data wins); strings
  // (provider, currency, timezone) come from the last frame holding the row.
  // Values are never invented: a field null in every input stays null.
  // fields() of the result is the union. Null pointers are skipped.
  static FramePtr Merge(std::span<const FramePtr> frames);
  // Concatenates frames whose rows are disjoint and already ordered
  // (each frame's last (symbol, ts) < the next's first). Returns
  // InvalidArgument when they are not; use Merge then.
  static Result<FramePtr> Concat(std::span<const FramePtr> frames);
  // The same rows in buffers of their own: a slice or projection of a larger
  // frame shares that frame's buffers (ByteSize counts only the view), so
  // whatever HOLDS a piece for long (a cache tier) keeps a compact copy.
  FramePtr Compact() const;

  // Bitwise equality of every column, null masks included (NaN == NaN when the
  // bits match). Dictionaries may differ; the strings are compared.
  bool Equals(const Frame& o) const;
  // Approximate heap bytes referenced by this view (for memory accounting).
  size_t ByteSize() const;
  // Multi-line debug dump of at most max_rows rows.
  std::string DebugString(size_t max_rows = 20) const;

 private:
  friend class FrameBuilder;
  friend class FrameColumnsAccess;
  Frame() = default;

  FieldSet fields_;
  StringColumn symbol_;
  Int64Column timestamps_;
  DoubleColumn doubles_[kNumDoubleFields];
  Int64Column volume_;
  StringColumn provider_, currency_, timezone_;
};

// Builds a frame row by row. Not thread-safe; one builder per thread.
class FrameBuilder {
 public:
  explicit FrameBuilder(FieldSet fields = FieldSet::Ohlcv());
  void Reserve(size_t rows);
  // Appends a row; values of fields outside fields() are dropped (stored null).
  void Add(const Bar& bar);
  size_t rows() const { return ts_.size(); }
  FieldSet fields() const { return fields_; }

  // Sorts rows by (symbol, timestamp) and freezes them. InvalidArgument if two
  // rows share (symbol, timestamp), naming the row.
  Result<FramePtr> Finish() &&;

  // Builds a frame from raw columns (used by the codec). Lengths must match
  // and rows must already satisfy the frame invariants; InvalidArgument or
  // DataLoss otherwise. `valid` vectors may be empty (all valid).
  struct RawColumns {
    FieldSet fields;
    std::vector<std::string> symbol_dict;
    std::vector<uint32_t> symbol_codes;
    std::vector<int64_t> timestamps;
    std::vector<double> doubles[kNumDoubleFields];
    std::vector<uint8_t> doubles_valid[kNumDoubleFields];
    std::vector<int64_t> volume;
    std::vector<uint8_t> volume_valid;
    std::vector<std::string> provider_dict, currency_dict, timezone_dict;
    std::vector<uint32_t> provider_codes, currency_codes, timezone_codes;
  };
  static Result<FramePtr> FromColumns(RawColumns cols);

  // Column storage for a row count known up front, for decoders: ONE
  // allocation holds every numeric column, its validity bytes and the four
  // string code columns (FromColumns' vectors take ~20); above 256 KiB each
  // numeric column, the codes and the validity bytes get their own (so no
  // single buffer outgrows the allocator's reuse of freed memory). The storage starts
  // uninitialized (so a hostile declared row count commits no memory): the
  // caller writes every row of every span, validity bytes included (1 =
  // valid) unless the column is marked all valid, then freezes it with
  // FromBlock, which checks it as FromColumns does. Not thread-safe;
  // move-only.
  class ColumnBlock {
   public:
    // REQUIRES: rows * 87 bytes fits in memory (callers bound rows first).
    explicit ColumnBlock(size_t rows);
    ColumnBlock(ColumnBlock&&) = default;
    ColumnBlock& operator=(ColumnBlock&&) = default;
    size_t rows() const { return rows_; }
    FieldSet fields;
    std::vector<std::string> symbol_dict, provider_dict, currency_dict, timezone_dict;
    std::span<int64_t> timestamps() { return {ts_, rows_}; }
    std::span<double> doubles(int k) { return {doubles_[k], rows_}; }
    std::span<uint8_t> doubles_valid(int k) { return {valid_ + k * rows_, rows_}; }
    std::span<int64_t> volume() { return {volume_, rows_}; }
    std::span<uint8_t> volume_valid() { return {valid_ + kNumDoubleFields * rows_, rows_}; }
    // 0 symbol, 1 provider, 2 currency, 3 timezone.
    std::span<uint32_t> codes(int k) { return {codes_ + k * rows_, rows_}; }
    // Set when every row of the column is valid: its validity bytes are then
    // neither read nor need to be written.
    bool doubles_all_valid[kNumDoubleFields] = {};
    bool volume_all_valid = false;

   private:
    friend class FrameBuilder;
    size_t rows_ = 0;
    std::shared_ptr<FrameBlockStorage> storage_;  // the allocation; frame.cc
    int64_t* ts_ = nullptr;
    int64_t* volume_ = nullptr;
    double* doubles_[kNumDoubleFields] = {};
    uint32_t* codes_ = nullptr;
    uint8_t* valid_ = nullptr;
  };
  static Result<FramePtr> FromBlock(ColumnBlock block);

 private:
  struct Dict {
    std::vector<std::string> values;
    std::vector<uint32_t> codes;
    uint32_t Code(std::string_view s);
  };
  FieldSet fields_;
  Dict symbol_, provider_, currency_, timezone_;
  std::vector<int64_t> ts_;
  std::vector<double> doubles_[kNumDoubleFields];
  std::vector<uint8_t> doubles_valid_[kNumDoubleFields];
  std::vector<int64_t> volume_;
  std::vector<uint8_t> volume_valid_;
};

}  // namespace finex
