#include "finex/core/frame.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <unordered_map>

#include "finex/core/symbol.h"

namespace finex {

std::string_view DoubleFieldName(DoubleField f) {
  switch (f) {
    case DoubleField::kOpen:
      return "open";
    case DoubleField::kHigh:
      return "high";
    case DoubleField::kLow:
      return "low";
    case DoubleField::kClose:
      return "close";
    case DoubleField::kAdjClose:
      return "adj_close";
    case DoubleField::kMarketCap:
      return "market_cap";
  }
  return "?";
}

FieldSet::Bit FieldOf(DoubleField f) {
  switch (f) {
    case DoubleField::kAdjClose:
      return FieldSet::kAdjClose;
    case DoubleField::kMarketCap:
      return FieldSet::kMarketCap;
    default:
      return FieldSet::kOhlcv;
  }
}

std::optional<double> Bar::Get(DoubleField f) const {
  switch (f) {
    case DoubleField::kOpen:
      return open;
    case DoubleField::kHigh:
      return high;
    case DoubleField::kLow:
      return low;
    case DoubleField::kClose:
      return close;
    case DoubleField::kAdjClose:
      return adj_close;
    case DoubleField::kMarketCap:
      return market_cap;
  }
  return std::nullopt;
}

namespace {

// A column viewing `values` (and `valid` unless every row is valid), kept
// alive by `owner`. Null rows are set to 0 first, so equal frames are bitwise
// equal.
template <typename T>
Column<T> MakeColumn(const std::shared_ptr<const void>& owner, T* values, const uint8_t* valid,
                     size_t n) {
  bool all_valid = true;
  if (valid != nullptr) {
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) {
        values[i] = T{};
        all_valid = false;
      }
    }
  }
  return Column<T>(owner, values, all_valid ? nullptr : valid, n);
}

// The columns of a frame being frozen: mutable views of `rows` rows. Code
// vectors are views too; the dictionaries are shared.
struct ColumnViews {
  FieldSet fields;
  size_t rows = 0;
  int64_t* timestamps = nullptr;
  double* doubles[kNumDoubleFields] = {};
  uint8_t* doubles_valid[kNumDoubleFields] = {};  // null: all valid
  int64_t* volume = nullptr;
  uint8_t* volume_valid = nullptr;  // null: all valid
  const uint32_t* codes[4] = {};    // symbol, provider, currency, timezone
  std::shared_ptr<const std::vector<std::string>> dicts[4];
};

constexpr const char* kStringColumnNames[4] = {"symbol", "provider", "currency", "timezone"};

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

// Gives frame.cc helpers access to Frame's private constructor.
class FrameColumnsAccess {
 public:
  // One allocation for the Frame and its control block.
  static std::shared_ptr<Frame> New() {
    struct Made : Frame {};
    return std::make_shared<Made>();
  }
  static Frame& Mut(Frame& f) { return f; }

  // Checks the frame invariants, zeroes null rows and builds the frame;
  // `owner` keeps every view alive. REQUIRES: value columns outside `fields`
  // are already all null (valid bytes 0).
  static Result<FramePtr> Freeze(const ColumnViews& c, const std::shared_ptr<const void>& owner) {
    const size_t n = c.rows;
    for (int s = 0; s < 4; ++s) {
      const std::vector<std::string>& dict = *c.dicts[s];
      if (dict.empty() && n == 0) continue;
      for (size_t i = 0; i < n; ++i) {
        if (c.codes[s][i] >= dict.size()) {
          return DataLossError(std::string(kStringColumnNames[s]) +
                               " dictionary code out of range");
        }
      }
    }
    const uint32_t* sym = c.codes[0];
    const std::vector<std::string>& sym_dict = *c.dicts[0];
    for (size_t i = 1; i < n; ++i) {
      const int cmp = sym[i - 1] == sym[i] ? 0 : sym_dict[sym[i - 1]].compare(sym_dict[sym[i]]);
      if (cmp > 0 || (cmp == 0 && c.timestamps[i - 1] >= c.timestamps[i])) {
        return InvalidArgumentError(
            "rows are not sorted by (symbol, timestamp) with unique timestamps at row " +
            std::to_string(i));
      }
    }
    auto f = FrameColumnsAccess::New();
    f->fields_ = c.fields;
    f->timestamps_ = Int64Column(owner, c.timestamps, nullptr, n);
    for (int k = 0; k < kNumDoubleFields; ++k)
      f->doubles_[k] = MakeColumn(owner, c.doubles[k], c.doubles_valid[k], n);
    f->volume_ = MakeColumn(owner, c.volume, c.volume_valid, n);
    StringColumn* strings[4] = {&f->symbol_, &f->provider_, &f->currency_, &f->timezone_};
    for (int s = 0; s < 4; ++s) *strings[s] = StringColumn(c.dicts[s], owner, c.codes[s], n);
    return FramePtr(std::move(f));
  }
};

// FrameBuilder::ColumnBlock's storage: the string dictionaries and one raw
// buffer for every other column. The buffer comes from operator new, which
// implicitly creates the int64/double/uint32/uint8 arrays carved from it.
struct FrameBlockStorage {
  static constexpr int kRegions = 2 + kNumDoubleFields + 2;  // ts, volume, doubles, codes, validity
  std::vector<std::string> dicts[4];                         // symbol, provider, currency, timezone
  void* raw[kRegions] = {};  // one buffer (raw[0]) or one per region
  FrameBlockStorage() = default;
  FrameBlockStorage(const FrameBlockStorage&) = delete;
  FrameBlockStorage& operator=(const FrameBlockStorage&) = delete;
  ~FrameBlockStorage() {
    for (void* p : raw) ::operator delete(p);
  }
};

FramePtr Frame::Empty(FieldSet fields) {
  auto r = FrameBuilder(fields);
  return *std::move(r).Finish();
}

Bar Frame::row(size_t i) const {
  Bar b;
  b.symbol = std::string(symbol_[i]);
  b.timestamp = timestamps_[i];
  b.open = open().Get(i);
  b.high = high().Get(i);
  b.low = low().Get(i);
  b.close = close().Get(i);
  b.volume = volume_.Get(i);
  b.adj_close = adj_close().Get(i);
  b.market_cap = market_cap().Get(i);
  b.provider = std::string(provider_[i]);
  b.currency = std::string(currency_[i]);
  b.timezone = std::string(timezone_[i]);
  return b;
}

FramePtr Frame::SliceRows(size_t offset, size_t length) const {
  FINEX_CHECK(offset + length <= rows());
  auto f = FrameColumnsAccess::New();
  f->fields_ = fields_;
  f->symbol_ = symbol_.Slice(offset, length);
  f->timestamps_ = timestamps_.Slice(offset, length);
  for (int k = 0; k < kNumDoubleFields; ++k) f->doubles_[k] = doubles_[k].Slice(offset, length);
  f->volume_ = volume_.Slice(offset, length);
  f->provider_ = provider_.Slice(offset, length);
  f->currency_ = currency_.Slice(offset, length);
  f->timezone_ = timezone_.Slice(offset, length);
  return f;
}

FramePtr Frame::Slice(TimeRange r) const {
  const auto ts = timestamps_.values();
  std::vector<FramePtr> parts;
  size_t run = 0;
  while (run < rows()) {
    // [run, run_end) is one symbol's run.
    size_t run_end = run + 1;
    const uint32_t code = symbol_.code(run);
    if (symbol_.dictionary().size() > 1) {
      while (run_end < rows() && symbol_[run_end] == symbol_[run]) ++run_end;
    } else {
      run_end = rows();
    }
    (void)code;
    auto lo = std::lower_bound(ts.begin() + run, ts.begin() + run_end, r.start);
    auto hi = std::lower_bound(lo, ts.begin() + run_end, r.end);
    if (hi > lo) parts.push_back(SliceRows(lo - ts.begin(), hi - lo));
    run = run_end;
  }
  if (parts.empty()) return SliceRows(0, 0);
  if (parts.size() == 1) return parts[0];
  return *Concat(parts);
}

FramePtr Frame::SliceSymbol(std::string_view symbol) const {
  size_t lo = 0;
  while (lo < rows() && symbol_[lo] < symbol) ++lo;
  size_t hi = lo;
  while (hi < rows() && symbol_[hi] == symbol) ++hi;
  return SliceRows(lo, hi - lo);
}

FramePtr Frame::Project(FieldSet keep) const {
  auto f = FrameColumnsAccess::New();
  *f = *this;
  f->fields_ = fields_.Intersect(keep);
  for (int k = 0; k < kNumDoubleFields; ++k) {
    if (!f->fields_.Has(FieldOf(static_cast<DoubleField>(k))))
      f->doubles_[k] = DoubleColumn::Nulls(rows());
  }
  if (!f->fields_.Has(FieldSet::kOhlcv)) f->volume_ = Int64Column::Nulls(rows());
  return f;
}

FramePtr Frame::Merge(std::span<const FramePtr> frames) {
  std::vector<FramePtr> live;
  FieldSet fields;
  for (const FramePtr& f : frames) {
    if (!f) continue;
    fields = fields.Union(f->fields());
    if (!f->empty()) live.push_back(f);
  }
  if (live.empty()) return Empty(fields.empty() ? FieldSet::Ohlcv() : fields);
  if (live.size() == 1 && live[0]->fields() == fields) return live[0];
  // Fast path: already disjoint and ordered, same fields.
  bool same_fields = std::all_of(live.begin(), live.end(),
                                 [&](const FramePtr& f) { return f->fields() == fields; });
  if (same_fields) {
    auto c = Concat(live);
    if (c.ok()) return *c;
  }
  struct Ref {
    std::string_view sym;
    Timestamp ts;
    uint32_t frame;
    uint32_t row;
  };
  std::vector<Ref> refs;
  size_t total = 0;
  for (const FramePtr& f : live) total += f->rows();
  refs.reserve(total);
  for (uint32_t k = 0; k < live.size(); ++k)
    for (uint32_t i = 0; i < live[k]->rows(); ++i)
      refs.push_back({live[k]->symbol()[i], live[k]->timestamps()[i], k, i});
  std::stable_sort(refs.begin(), refs.end(), [](const Ref& a, const Ref& b) {
    if (a.sym != b.sym) return a.sym < b.sym;
    if (a.ts != b.ts) return a.ts < b.ts;
    return a.frame < b.frame;
  });
  FrameBuilder b(fields);
  b.Reserve(refs.size());
  size_t i = 0;
  while (i < refs.size()) {
    size_t j = i + 1;
    while (j < refs.size() && refs[j].sym == refs[i].sym && refs[j].ts == refs[i].ts) ++j;
    Bar out = live[refs[j - 1].frame]->row(refs[j - 1].row);  // strings from the last
    for (int k = 0; k < kNumDoubleFields; ++k) {
      std::optional<double> v;
      for (size_t g = i; g < j; ++g) {
        const auto got = live[refs[g].frame]->column(static_cast<DoubleField>(k)).Get(refs[g].row);
        if (got) v = got;
      }
      switch (static_cast<DoubleField>(k)) {
        case DoubleField::kOpen:
          out.open = v;
          break;
        case DoubleField::kHigh:
          out.high = v;
          break;
        case DoubleField::kLow:
          out.low = v;
          break;
        case DoubleField::kClose:
          out.close = v;
          break;
        case DoubleField::kAdjClose:
          out.adj_close = v;
          break;
        case DoubleField::kMarketCap:
          out.market_cap = v;
          break;
      }
    }
    std::optional<int64_t> vol;
    for (size_t g = i; g < j; ++g) {
      const auto got = live[refs[g].frame]->volume().Get(refs[g].row);
      if (got) vol = got;
    }
    out.volume = vol;
    b.Add(out);
    i = j;
  }
  return *std::move(b).Finish();
}

FramePtr Frame::Compact() const {
  FrameBuilder b(fields_);
  for (size_t i = 0; i < rows(); ++i) b.Add(row(i));
  return *std::move(b).Finish();
}

Result<FramePtr> Frame::Concat(std::span<const FramePtr> frames) {
  std::vector<FramePtr> live;
  FieldSet fields;
  for (const FramePtr& f : frames) {
    if (!f) continue;
    fields = fields.Union(f->fields());
    if (!f->empty()) live.push_back(f);
  }
  if (live.empty()) return Empty(fields.empty() ? FieldSet::Ohlcv() : fields);
  if (live.size() == 1) return live[0];
  for (size_t k = 1; k < live.size(); ++k) {
    const Frame& a = *live[k - 1];
    const Frame& b = *live[k];
    const std::string_view sa = a.symbol()[a.rows() - 1], sb = b.symbol()[0];
    if (sa > sb || (sa == sb && a.last_timestamp() >= b.first_timestamp())) {
      return InvalidArgumentError("Concat: frames overlap or are out of order at frame " +
                                  std::to_string(k));
    }
  }
  FrameBuilder::RawColumns c;
  c.fields = fields;
  size_t total = 0;
  for (const FramePtr& f : live) total += f->rows();
  c.timestamps.reserve(total);
  std::unordered_map<std::string, uint32_t> sym_idx, prov_idx, cur_idx, tz_idx;
  auto code = [](std::unordered_map<std::string, uint32_t>& idx, std::vector<std::string>& dict,
                 std::string_view s) {
    auto [it, inserted] = idx.try_emplace(std::string(s), static_cast<uint32_t>(dict.size()));
    if (inserted) dict.emplace_back(s);
    return it->second;
  };
  for (const FramePtr& f : live) {
    for (size_t i = 0; i < f->rows(); ++i) {
      c.symbol_codes.push_back(code(sym_idx, c.symbol_dict, f->symbol()[i]));
      c.provider_codes.push_back(code(prov_idx, c.provider_dict, f->provider()[i]));
      c.currency_codes.push_back(code(cur_idx, c.currency_dict, f->currency()[i]));
      c.timezone_codes.push_back(code(tz_idx, c.timezone_dict, f->timezone()[i]));
    }
    auto ts = f->timestamps().values();
    c.timestamps.insert(c.timestamps.end(), ts.begin(), ts.end());
    for (int k = 0; k < kNumDoubleFields; ++k) {
      const DoubleColumn& col = f->column(static_cast<DoubleField>(k));
      auto v = col.values();
      c.doubles[k].insert(c.doubles[k].end(), v.begin(), v.end());
      for (size_t i = 0; i < col.size(); ++i) c.doubles_valid[k].push_back(col.IsValid(i));
    }
    auto v = f->volume().values();
    c.volume.insert(c.volume.end(), v.begin(), v.end());
    for (size_t i = 0; i < f->rows(); ++i) c.volume_valid.push_back(f->volume().IsValid(i));
  }
  return FrameBuilder::FromColumns(std::move(c));
}

bool Frame::Equals(const Frame& o) const {
  if (rows() != o.rows() || fields_ != o.fields_) return false;
  for (size_t i = 0; i < rows(); ++i) {
    if (timestamps_[i] != o.timestamps_[i] || symbol_[i] != o.symbol_[i] ||
        provider_[i] != o.provider_[i] || currency_[i] != o.currency_[i] ||
        timezone_[i] != o.timezone_[i]) {
      return false;
    }
    for (int k = 0; k < kNumDoubleFields; ++k) {
      const bool va = doubles_[k].IsValid(i), vb = o.doubles_[k].IsValid(i);
      if (va != vb || (va && !SameBits(doubles_[k][i], o.doubles_[k][i]))) return false;
    }
    const bool va = volume_.IsValid(i), vb = o.volume_.IsValid(i);
    if (va != vb || (va && volume_[i] != o.volume_[i])) return false;
  }
  return true;
}

size_t Frame::ByteSize() const {
  // Per row: timestamp + 6 doubles + volume (8 bytes each) + 4 dictionary codes
  // + validity bytes, plus the dictionaries.
  size_t n = rows() * (8 * 8 + 4 * 4 + 7) + sizeof(Frame);
  for (const StringColumn* s : {&symbol_, &provider_, &currency_, &timezone_})
    for (const std::string& v : s->dictionary()) n += v.size() + sizeof(std::string);
  return n;
}

std::string Frame::DebugString(size_t max_rows) const {
  std::string out = "Frame rows=" + std::to_string(rows()) + " fields=" + fields_.Name() + "\n";
  for (size_t i = 0; i < rows() && i < max_rows; ++i) {
    const Bar b = row(i);
    auto num = [](std::optional<double> v) { return v ? std::to_string(*v) : std::string("null"); };
    out += "  " + b.symbol + " " + FormatIsoUtc(b.timestamp) + " o=" + num(b.open) +
           " h=" + num(b.high) + " l=" + num(b.low) + " c=" + num(b.close) +
           " v=" + (b.volume ? std::to_string(*b.volume) : std::string("null")) +
           " adj=" + num(b.adj_close) + " mcap=" + num(b.market_cap) + " " + b.provider + " " +
           b.currency + " " + b.timezone + "\n";
  }
  return out;
}

uint32_t FrameBuilder::Dict::Code(std::string_view s) {
  // Frames hold few distinct strings (usually one); a linear scan from the
  // most recent entry is faster than hashing.
  for (size_t k = values.size(); k-- > 0;)
    if (values[k] == s) return static_cast<uint32_t>(k);
  values.emplace_back(s);
  return static_cast<uint32_t>(values.size() - 1);
}

FrameBuilder::FrameBuilder(FieldSet fields) : fields_(fields) {}

void FrameBuilder::Reserve(size_t n) {
  ts_.reserve(n);
  symbol_.codes.reserve(n);
  provider_.codes.reserve(n);
  currency_.codes.reserve(n);
  timezone_.codes.reserve(n);
  for (int k = 0; k < kNumDoubleFields; ++k) {
    doubles_[k].reserve(n);
    doubles_valid_[k].reserve(n);
  }
  volume_.reserve(n);
  volume_valid_.reserve(n);
}

void FrameBuilder::Add(const Bar& bar) {
  ts_.push_back(bar.timestamp);
  symbol_.codes.push_back(symbol_.Code(bar.symbol));
  provider_.codes.push_back(provider_.Code(bar.provider));
  currency_.codes.push_back(currency_.Code(bar.currency));
  timezone_.codes.push_back(timezone_.Code(bar.timezone));
  for (int k = 0; k < kNumDoubleFields; ++k) {
    const DoubleField f = static_cast<DoubleField>(k);
    std::optional<double> v = fields_.Has(FieldOf(f)) ? bar.Get(f) : std::nullopt;
    doubles_[k].push_back(v.value_or(0.0));
    doubles_valid_[k].push_back(v.has_value());
  }
  std::optional<int64_t> vol = fields_.Has(FieldSet::kOhlcv) ? bar.volume : std::nullopt;
  volume_.push_back(vol.value_or(0));
  volume_valid_.push_back(vol.has_value());
}

Result<FramePtr> FrameBuilder::Finish() && {
  const size_t n = ts_.size();
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  auto less = [&](uint32_t a, uint32_t b) {
    const std::string& sa = symbol_.values[symbol_.codes[a]];
    const std::string& sb = symbol_.values[symbol_.codes[b]];
    if (symbol_.codes[a] != symbol_.codes[b] && sa != sb) return sa < sb;
    return ts_[a] < ts_[b];
  };
  bool sorted = true;
  for (size_t i = 1; i < n && sorted; ++i) sorted = less(perm[i - 1], perm[i]);
  if (!sorted) {
    std::stable_sort(perm.begin(), perm.end(), less);
    for (size_t i = 1; i < n; ++i) {
      if (!less(perm[i - 1], perm[i])) {
        return InvalidArgumentError("duplicate bar for " +
                                    Printable(symbol_.values[symbol_.codes[perm[i]]]) + " at " +
                                    FormatIsoUtc(ts_[perm[i]]));
      }
    }
  }
  RawColumns c;
  c.fields = fields_;
  auto permute = [&](auto& v) {
    using V = std::decay_t<decltype(v)>;
    if (sorted) return std::move(v);
    V out;
    out.reserve(n);
    for (uint32_t p : perm) out.push_back(v[p]);
    return out;
  };
  c.timestamps = permute(ts_);
  c.symbol_dict = std::move(symbol_.values);
  c.symbol_codes = permute(symbol_.codes);
  c.provider_dict = std::move(provider_.values);
  c.provider_codes = permute(provider_.codes);
  c.currency_dict = std::move(currency_.values);
  c.currency_codes = permute(currency_.codes);
  c.timezone_dict = std::move(timezone_.values);
  c.timezone_codes = permute(timezone_.codes);
  for (int k = 0; k < kNumDoubleFields; ++k) {
    c.doubles[k] = permute(doubles_[k]);
    c.doubles_valid[k] = permute(doubles_valid_[k]);
  }
  c.volume = permute(volume_);
  c.volume_valid = permute(volume_valid_);
  return FromColumns(std::move(c));
}

Result<FramePtr> FrameBuilder::FromColumns(RawColumns c) {
  const size_t n = c.timestamps.size();
  std::vector<uint32_t>* codes[4] = {&c.symbol_codes, &c.provider_codes, &c.currency_codes,
                                     &c.timezone_codes};
  for (int s = 0; s < 4; ++s) {
    if (codes[s]->size() != n)
      return DataLossError(std::string(kStringColumnNames[s]) + " column has the wrong length");
  }
  for (int k = 0; k < kNumDoubleFields; ++k) {
    if (c.doubles[k].empty() && n > 0) {
      c.doubles[k].assign(n, 0.0);
      c.doubles_valid[k].assign(n, 0);
    }
    if (c.doubles[k].size() != n ||
        (!c.doubles_valid[k].empty() && c.doubles_valid[k].size() != n)) {
      return DataLossError(std::string(DoubleFieldName(static_cast<DoubleField>(k))) +
                           " column has the wrong length");
    }
    // Fields outside the set must be null (the frame's contract).
    if (!c.fields.Has(FieldOf(static_cast<DoubleField>(k)))) c.doubles_valid[k].assign(n, 0);
  }
  if (c.volume.empty() && n > 0) {
    c.volume.assign(n, 0);
    c.volume_valid.assign(n, 0);
  }
  if (c.volume.size() != n || (!c.volume_valid.empty() && c.volume_valid.size() != n)) {
    return DataLossError("volume column has the wrong length");
  }
  if (!c.fields.Has(FieldSet::kOhlcv)) c.volume_valid.assign(n, 0);

  // One allocation owns every vector; the frame's columns view into it.
  auto held = std::make_shared<RawColumns>(std::move(c));
  ColumnViews v;
  v.fields = held->fields;
  v.rows = n;
  v.timestamps = held->timestamps.data();
  for (int k = 0; k < kNumDoubleFields; ++k) {
    v.doubles[k] = held->doubles[k].data();
    v.doubles_valid[k] = held->doubles_valid[k].empty() ? nullptr : held->doubles_valid[k].data();
  }
  v.volume = held->volume.data();
  v.volume_valid = held->volume_valid.empty() ? nullptr : held->volume_valid.data();
  std::vector<std::string>* dicts[4] = {&held->symbol_dict, &held->provider_dict,
                                        &held->currency_dict, &held->timezone_dict};
  std::vector<uint32_t>* held_codes[4] = {&held->symbol_codes, &held->provider_codes,
                                          &held->currency_codes, &held->timezone_codes};
  for (int s = 0; s < 4; ++s) {
    v.codes[s] = held_codes[s]->data();
    v.dicts[s] = std::shared_ptr<const std::vector<std::string>>(held, dicts[s]);
  }
  return FrameColumnsAccess::Freeze(v, held);
}

FrameBuilder::ColumnBlock::ColumnBlock(size_t rows) : rows_(rows) {
  constexpr int kRegions = FrameBlockStorage::kRegions;
  constexpr size_t kBytesPerRow = 8 * (2 + kNumDoubleFields) + 4 * 4 + (kNumDoubleFields + 1);
  // Small frames (every cached fragment of daily bars) take one buffer. Large
  // ones take one per region: a single buffer of tens of MB would exceed
  // malloc's mmap threshold ceiling (32 MiB) and be mapped, faulted in and
  // unmapped on every decode.
  constexpr size_t kOneBufferBytes = size_t{256} << 10;
  FINEX_CHECK(rows <= SIZE_MAX / kBytesPerRow);
  size_t sizes[kRegions];
  for (int r = 0; r < 2 + kNumDoubleFields; ++r) sizes[r] = 8 * rows;
  sizes[kRegions - 2] = 16 * rows;                      // four uint32 code columns
  sizes[kRegions - 1] = (kNumDoubleFields + 1) * rows;  // validity bytes
  storage_ = std::make_shared<FrameBlockStorage>();
  char* at[kRegions];
  if (rows * kBytesPerRow <= kOneBufferBytes) {
    char* p = static_cast<char*>(storage_->raw[0] = ::operator new(rows* kBytesPerRow));
    for (int r = 0; r < kRegions; p += sizes[r++])
      at[r] = p;  // each region's size keeps 8-byte alignment
  } else {
    for (int r = 0; r < kRegions; ++r)
      at[r] = static_cast<char*>(storage_->raw[r] = ::operator new(sizes[r]));
  }
  ts_ = reinterpret_cast<int64_t*>(at[0]);
  volume_ = reinterpret_cast<int64_t*>(at[1]);
  for (int k = 0; k < kNumDoubleFields; ++k) doubles_[k] = reinterpret_cast<double*>(at[2 + k]);
  codes_ = reinterpret_cast<uint32_t*>(at[kRegions - 2]);
  valid_ = reinterpret_cast<uint8_t*>(at[kRegions - 1]);
}

Result<FramePtr> FrameBuilder::FromBlock(ColumnBlock b) {
  FINEX_CHECK(b.storage_ != nullptr);
  const size_t n = b.rows_;
  std::shared_ptr<FrameBlockStorage> storage = std::move(b.storage_);
  std::vector<std::string>* dicts[4] = {&b.symbol_dict, &b.provider_dict, &b.currency_dict,
                                        &b.timezone_dict};
  ColumnViews v;
  v.fields = b.fields;
  v.rows = n;
  v.timestamps = b.ts_;
  for (int k = 0; k < kNumDoubleFields; ++k) {
    v.doubles[k] = b.doubles_[k];
    uint8_t* valid = b.valid_ + k * n;
    v.doubles_valid[k] = b.doubles_all_valid[k] ? nullptr : valid;
    // Fields outside the set must be null (the frame's contract).
    if (!b.fields.Has(FieldOf(static_cast<DoubleField>(k)))) {
      std::memset(valid, 0, n);
      v.doubles_valid[k] = valid;
    }
  }
  v.volume = b.volume_;
  uint8_t* volume_valid = b.valid_ + kNumDoubleFields * n;
  v.volume_valid = b.volume_all_valid ? nullptr : volume_valid;
  if (!b.fields.Has(FieldSet::kOhlcv)) {
    std::memset(volume_valid, 0, n);
    v.volume_valid = volume_valid;
  }
  for (int s = 0; s < 4; ++s) {
    storage->dicts[s] = std::move(*dicts[s]);
    v.codes[s] = b.codes_ + s * n;
    v.dicts[s] = std::shared_ptr<const std::vector<std::string>>(storage, &storage->dicts[s]);
  }
  return FrameColumnsAccess::Freeze(v, storage);
}

}  // namespace finex
