#include "finex/core/frame.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/testutil/bars.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

Bar MakeBar(std::string sym, Timestamp ts, double close, std::string provider = "yahoo") {
  Bar b = testing::TestBar(std::move(sym), ts, close);
  b.provider = std::move(provider);
  b.adj_close.reset();  // the frames here hold OHLCV; tests that want it set it
  return b;
}

FramePtr Build(const std::vector<Bar>& bars, FieldSet fields = FieldSet::Ohlcv()) {
  return testing::FrameOf(bars, fields);
}

TEST(FrameTest, BuildSortsBySymbolThenTimestamp) {
  FramePtr f = Build({MakeBar("MSFT", 100, 5), MakeBar("AAPL", 300, 3), MakeBar("AAPL", 100, 1),
                      MakeBar("AAPL", 200, 2)});
  ASSERT_EQ(f->rows(), 4u);
  EXPECT_EQ(f->symbol()[0], "AAPL");
  EXPECT_EQ(f->timestamps()[0], 100);
  EXPECT_EQ(f->timestamps()[2], 300);
  EXPECT_EQ(f->symbol()[3], "MSFT");
  EXPECT_EQ(f->close()[2], 3);
  EXPECT_EQ(f->first_timestamp(), 100);
  EXPECT_EQ(f->row(3), MakeBar("MSFT", 100, 5));
}

TEST(FrameTest, DuplicateRowsAreRejected) {
  FrameBuilder b;
  b.Add(MakeBar("AAPL", 200, 2));
  b.Add(MakeBar("AAPL", 100, 1));
  b.Add(MakeBar("AAPL", 200, 3));
  EXPECT_THAT(std::move(b).Finish(),
              StatusIs(StatusCode::kInvalidArgument, "duplicate bar for AAPL"));
}

TEST(FrameTest, FieldsOutsideTheSetAreNull) {
  Bar bar = MakeBar("AAPL", 100, 1);
  bar.adj_close = 0.5;
  bar.market_cap = 1e12;
  FramePtr f = Build({bar});
  EXPECT_FALSE(f->adj_close().IsValid(0));
  EXPECT_FALSE(f->market_cap().Get(0).has_value());
  EXPECT_EQ(f->adj_close()[0], 0.0);
  FramePtr adj = Build({bar}, FieldSet(FieldSet::kAdjClose));
  EXPECT_EQ(adj->adj_close().Get(0), 0.5);
  EXPECT_FALSE(adj->close().IsValid(0));
  EXPECT_FALSE(adj->volume().IsValid(0));
}

TEST(FrameTest, NullableValues) {
  Bar bar = MakeBar("AAPL", 100, 1);
  bar.open.reset();
  bar.volume.reset();
  FramePtr f = Build({bar, MakeBar("AAPL", 200, 2)});
  EXPECT_FALSE(f->open().IsValid(0));
  EXPECT_TRUE(f->open().IsValid(1));
  EXPECT_EQ(f->open().null_count(), 1u);
  EXPECT_FALSE(f->volume().Get(0).has_value());
  EXPECT_EQ(f->volume().Get(1), MakeBar("AAPL", 200, 2).volume);
  EXPECT_FALSE(f->open().all_null());
  EXPECT_TRUE(f->market_cap().all_null());
}

TEST(FrameTest, SliceIsZeroCopyAndHalfOpen) {
  FramePtr f = Build({MakeBar("AAPL", 100, 1), MakeBar("AAPL", 200, 2), MakeBar("AAPL", 300, 3)});
  FramePtr s = f->Slice(TimeRange{150, 300});
  ASSERT_EQ(s->rows(), 1u);
  EXPECT_EQ(s->timestamps()[0], 200);
  EXPECT_EQ(s->close().values().data(), f->close().values().data() + 1);  // shares the buffer
  EXPECT_EQ(f->Slice(TimeRange{100, 301})->rows(), 3u);
  EXPECT_EQ(f->Slice(TimeRange{400, 500})->rows(), 0u);
  EXPECT_EQ(f->Slice(TimeRange{300, 100})->rows(), 0u);
  FramePtr rows = f->SliceRows(1, 2);
  EXPECT_EQ(rows->rows(), 2u);
  EXPECT_EQ(rows->timestamps()[1], 300);
  EXPECT_EQ(rows->row(0), f->row(1));
}

TEST(FrameTest, SliceSymbolAndMultiSymbolSlice) {
  FramePtr f = Build({MakeBar("AAPL", 100, 1), MakeBar("AAPL", 200, 2), MakeBar("MSFT", 100, 3),
                      MakeBar("MSFT", 300, 4), MakeBar("ZZ", 200, 5)});
  FramePtr m = f->SliceSymbol("MSFT");
  ASSERT_EQ(m->rows(), 2u);
  EXPECT_EQ(m->close()[1], 4);
  EXPECT_EQ(f->SliceSymbol("NOPE")->rows(), 0u);
  FramePtr s = f->Slice(TimeRange{150, 250});
  ASSERT_EQ(s->rows(), 2u);
  EXPECT_EQ(s->row(0), MakeBar("AAPL", 200, 2));
  EXPECT_EQ(s->row(1), MakeBar("ZZ", 200, 5));
}

TEST(FrameTest, ProjectKeepsOnlyRequestedFields) {
  Bar bar = MakeBar("AAPL", 100, 1);
  bar.adj_close = 0.9;
  FramePtr f = Build({bar}, FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose));
  FramePtr p = f->Project(FieldSet(FieldSet::kAdjClose | FieldSet::kMarketCap));
  EXPECT_EQ(p->fields(), FieldSet(FieldSet::kAdjClose));
  EXPECT_EQ(p->adj_close().Get(0), 0.9);
  EXPECT_FALSE(p->close().IsValid(0));
  EXPECT_FALSE(p->volume().IsValid(0));
  EXPECT_EQ(p->timestamps()[0], 100);
}

TEST(FrameTest, MergeLaterWinsAndFieldsUnion) {
  FramePtr old = Build({MakeBar("AAPL", 100, 1, "yahoo"), MakeBar("AAPL", 200, 2, "yahoo")});
  Bar adj = MakeBar("AAPL", 200, 0, "alpha_vantage");
  adj.adj_close = 1.9;
  FramePtr adj_frame = Build({adj}, FieldSet(FieldSet::kAdjClose));
  FramePtr newer =
      Build({MakeBar("AAPL", 200, 2.5, "twelve_data"), MakeBar("AAPL", 300, 3, "twelve_data")});
  const FramePtr frames[] = {old, adj_frame, nullptr, newer};
  FramePtr m = Frame::Merge(frames);
  EXPECT_EQ(m->fields(), FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose));
  ASSERT_EQ(m->rows(), 3u);
  EXPECT_EQ(m->close()[1], 2.5);               // later frame wins
  EXPECT_EQ(m->adj_close().Get(1), 1.9);       // only the adj frame had it
  EXPECT_FALSE(m->adj_close().IsValid(0));     // never invented
  EXPECT_EQ(m->provider()[1], "twelve_data");  // strings from the last frame holding the row
  EXPECT_EQ(m->provider()[0], "yahoo");
}

TEST(FrameTest, ConcatRequiresOrderedDisjointFrames) {
  FramePtr a = Build({MakeBar("AAPL", 100, 1)});
  FramePtr b = Build({MakeBar("AAPL", 200, 2)});
  const FramePtr ok[] = {a, b};
  ASSERT_OK_AND_ASSIGN(FramePtr c, Frame::Concat(ok));
  EXPECT_EQ(c->rows(), 2u);
  const FramePtr bad[] = {b, a};
  EXPECT_THAT(Frame::Concat(bad),
              StatusIs(StatusCode::kInvalidArgument, "overlap or are out of order"));
  const FramePtr dup[] = {a, a};
  EXPECT_THAT(Frame::Concat(dup), StatusIs(StatusCode::kInvalidArgument));
}

TEST(FrameTest, EmptyFrames) {
  FramePtr e = Frame::Empty(FieldSet::All());
  EXPECT_TRUE(e->empty());
  EXPECT_EQ(e->fields(), FieldSet::All());
  EXPECT_EQ(e->Slice(TimeRange{0, 100})->rows(), 0u);
  const FramePtr none[] = {nullptr, e};
  EXPECT_TRUE(Frame::Merge(none)->empty());
  EXPECT_EQ(Frame::Merge(none)->fields(), FieldSet::All());
  EXPECT_TRUE(Frame::Merge({})->empty());
  EXPECT_GT(e->ByteSize(), 0u);
}

TEST(FrameTest, FromColumnsValidates) {
  FrameBuilder::RawColumns c;
  c.fields = FieldSet::Ohlcv();
  c.timestamps = {200, 100};
  c.symbol_dict = {"A"};
  c.symbol_codes = {0, 0};
  c.provider_dict = c.currency_dict = c.timezone_dict = {""};
  c.provider_codes = c.currency_codes = c.timezone_codes = {0, 0};
  EXPECT_THAT(FrameBuilder::FromColumns(c), StatusIs(StatusCode::kInvalidArgument, "not sorted"));
  c.timestamps = {100, 200};
  EXPECT_OK(FrameBuilder::FromColumns(c));
  c.symbol_codes = {0, 5};
  EXPECT_THAT(FrameBuilder::FromColumns(c),
              StatusIs(StatusCode::kDataLoss, "symbol dictionary code"));
  c.symbol_codes = {0};
  EXPECT_THAT(FrameBuilder::FromColumns(c),
              StatusIs(StatusCode::kDataLoss, "symbol column has the wrong length"));
  c.symbol_codes = {0, 0};
  c.doubles[0] = {1.0};
  EXPECT_THAT(FrameBuilder::FromColumns(c), StatusIs(StatusCode::kDataLoss, "open column"));
}

TEST(FrameTest, EqualsComparesValuesAndNulls) {
  FramePtr a = Build({MakeBar("AAPL", 100, 1)});
  FramePtr b = Build({MakeBar("AAPL", 100, 1)});
  EXPECT_TRUE(a->Equals(*b));
  Bar nulled = MakeBar("AAPL", 100, 1);
  nulled.high.reset();
  EXPECT_FALSE(a->Equals(*Build({nulled})));
  EXPECT_FALSE(a->Equals(*Build({MakeBar("AAPL", 100, 1.0000001)})));
  EXPECT_FALSE(a->Equals(*Build({MakeBar("AAPL", 100, 1, "binance")})));
  EXPECT_NE(a->DebugString().find("AAPL 1970-01-01T00:01:40Z"), std::string::npos);
}

// ---- property tests ---------------------------------------------------------

using RowKey = std::pair<std::string, Timestamp>;

Bar RandomBar(std::mt19937_64& rng, int frame_index) {
  static const char* kSyms[] = {"AAPL", "MSFT", "^GSPC", "BTC/USDT"};
  Bar b;
  b.symbol = kSyms[rng() % 4];
  b.timestamp = static_cast<Timestamp>(rng() % 40) * 60 - 600;  // includes pre-epoch
  auto maybe = [&](double base) -> std::optional<double> {
    if (rng() % 5 == 0) return std::nullopt;
    return base + frame_index * 1000 + static_cast<double>(rng() % 100);
  };
  b.open = maybe(1);
  b.high = maybe(2);
  b.low = maybe(3);
  b.close = maybe(4);
  if (rng() % 5) b.volume = static_cast<int64_t>(rng() % 1000000);
  b.adj_close = maybe(5);
  b.market_cap = maybe(6);
  b.provider = "p" + std::to_string(frame_index);
  b.currency = rng() % 2 ? "usd" : "eur";
  b.timezone = "UTC";
  return b;
}

TEST(FramePropertyTest, MergeInvariants) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int iter = 0; iter < 400; ++iter) {
    const int nframes = 1 + rng() % 4;
    std::vector<FramePtr> frames;
    // Model: per row key, per frame, the bar as stored (fields outside the
    // frame's set are null).
    std::map<RowKey, std::vector<std::pair<int, Bar>>> model;
    FieldSet all_fields;
    for (int k = 0; k < nframes; ++k) {
      const FieldSet fields(static_cast<uint8_t>(1 + rng() % 7));
      all_fields = all_fields.Union(fields);
      FrameBuilder b(fields);
      std::map<RowKey, Bar> rows;
      const int n = rng() % 30;
      for (int i = 0; i < n; ++i) {
        Bar bar = RandomBar(rng, k);
        rows[{bar.symbol, bar.timestamp}] = bar;  // unique per frame
      }
      for (auto& [key, bar] : rows) {
        b.Add(bar);
        Bar stored = bar;
        if (!fields.Has(FieldSet::kOhlcv))
          stored.open = stored.high = stored.low = stored.close = std::nullopt;
        if (!fields.Has(FieldSet::kOhlcv)) stored.volume = std::nullopt;
        if (!fields.Has(FieldSet::kAdjClose)) stored.adj_close = std::nullopt;
        if (!fields.Has(FieldSet::kMarketCap)) stored.market_cap = std::nullopt;
        model[key].push_back({k, stored});
      }
      ASSERT_OK_AND_ASSIGN(FramePtr f, std::move(b).Finish());
      frames.push_back(f);
    }
    const FramePtr m = Frame::Merge(frames);
    ASSERT_EQ(m->fields(), all_fields);
    ASSERT_EQ(m->rows(), model.size());  // union of row keys, no duplicates
    size_t i = 0;
    for (const auto& [key, versions] : model) {
      const Bar got = m->row(i);
      ASSERT_EQ(got.symbol, key.first);
      ASSERT_EQ(got.timestamp, key.second);
      if (i > 0) {
        const Bar prev = m->row(i - 1);
        ASSERT_TRUE(std::tie(prev.symbol, prev.timestamp) <
                    std::tie(got.symbol, got.timestamp));  // sorted, unique
      }
      // Later wins per field; null only when null everywhere (nothing invented).
      for (int f = 0; f < kNumDoubleFields; ++f) {
        std::optional<double> expect;
        for (const auto& [k, bar] : versions)
          if (bar.Get(static_cast<DoubleField>(f))) expect = bar.Get(static_cast<DoubleField>(f));
        ASSERT_EQ(got.Get(static_cast<DoubleField>(f)), expect)
            << DoubleFieldName(static_cast<DoubleField>(f)) << " at " << key.first << " "
            << key.second;
      }
      std::optional<int64_t> vol;
      for (const auto& [k, bar] : versions)
        if (bar.volume) vol = bar.volume;
      ASSERT_EQ(got.volume, vol);
      ASSERT_EQ(got.provider, versions.back().second.provider);
      ASSERT_EQ(got.currency, versions.back().second.currency);
      ++i;
    }
    // Idempotence and identity.
    const FramePtr again[] = {m, m};
    ASSERT_TRUE(Frame::Merge(again)->Equals(*m));
    const FramePtr one[] = {m};
    ASSERT_TRUE(Frame::Merge(one)->Equals(*m));
  }
}

TEST(FramePropertyTest, SliceEqualsFilterAndConcatOfSlicesRestores) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int iter = 0; iter < 400; ++iter) {
    std::map<RowKey, Bar> rows;
    const int n = rng() % 60;
    for (int i = 0; i < n; ++i) {
      Bar bar = RandomBar(rng, 0);
      rows[{bar.symbol, bar.timestamp}] = bar;
    }
    FrameBuilder b(FieldSet::All());
    for (auto& [k, bar] : rows) b.Add(bar);
    ASSERT_OK_AND_ASSIGN(FramePtr f, std::move(b).Finish());
    const Timestamp s = static_cast<Timestamp>(rng() % 50) * 60 - 900;
    const Timestamp e = s + static_cast<Timestamp>(rng() % 30) * 60 - 120;
    const FramePtr sl = f->Slice(TimeRange{s, e});
    std::vector<Bar> expect;
    for (auto& [k, bar] : rows)
      if (bar.timestamp >= s && bar.timestamp < e) expect.push_back(bar);
    ASSERT_EQ(sl->rows(), expect.size()) << "[" << s << "," << e << ")";
    for (size_t i = 0; i < expect.size(); ++i) ASSERT_EQ(sl->row(i), expect[i]);
    // Splitting at a timestamp and merging the halves restores the frame.
    const Timestamp cut = static_cast<Timestamp>(rng() % 40) * 60 - 600;
    const FramePtr lo = f->Slice(TimeRange{INT64_MIN / 2, cut});
    const FramePtr hi = f->Slice(TimeRange{cut, INT64_MAX / 2});
    ASSERT_EQ(lo->rows() + hi->rows(), f->rows());
    const FramePtr halves[] = {hi, lo};
    ASSERT_TRUE(Frame::Merge(halves)->Equals(*f));
    // Row slices concatenate back in order.
    const size_t at = f->rows() ? rng() % (f->rows() + 1) : 0;
    const FramePtr parts[] = {f->SliceRows(0, at), f->SliceRows(at, f->rows() - at)};
    ASSERT_OK_AND_ASSIGN(FramePtr joined, Frame::Concat(parts));
    ASSERT_TRUE(joined->Equals(*f));
  }
}

}  // namespace
}  // namespace finex
