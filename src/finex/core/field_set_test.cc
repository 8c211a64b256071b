#include "finex/core/field_set.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

TEST(FieldSetTest, NamesAreCanonical) {
  EXPECT_EQ(FieldSet().Name(), "");
  EXPECT_EQ(FieldSet::Ohlcv().Name(), "ohlcv");
  EXPECT_EQ(FieldSet::All().Name(), "ohlcv+adj_close+market_cap");
  EXPECT_EQ(FieldSet(FieldSet::kMarketCap | FieldSet::kAdjClose).Name(), "adj_close+market_cap");
  EXPECT_EQ(FieldSet(0xff), FieldSet::All());  // stray bits are dropped
}

TEST(FieldSetTest, ParseAcceptsSeparatorsAndAnyOrder) {
  EXPECT_EQ(*FieldSet::Parse("ohlcv"), FieldSet::Ohlcv());
  EXPECT_EQ(*FieldSet::Parse("adj_close,ohlcv"), FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose));
  EXPECT_EQ(*FieldSet::Parse("market_cap+adj_close"),
            FieldSet(FieldSet::kMarketCap | FieldSet::kAdjClose));
  EXPECT_EQ(*FieldSet::Parse("ohlcv, adj_close , market_cap"), FieldSet::All());
}

TEST(FieldSetTest, EveryNonEmptySetRoundTrips) {
  for (uint8_t bits = 1; bits <= FieldSet::kAllBits; ++bits) {
    const FieldSet f(bits);
    ASSERT_OK_AND_ASSIGN(FieldSet back, FieldSet::Parse(f.Name()));
    EXPECT_EQ(back, f);
  }
}

TEST(FieldSetTest, ParseRejects) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "fields is empty"},        {"volume", "'volume' is not one of"},
      {"ohlcv,", "'' is not one of"}, {"ohlcv,ohlcv", "listed twice"},
      {"OHLCV", "not one of"},        {"ohlcv;adj_close", "not one of"},
  };
  for (const auto& [text, why] : cases) {
    auto r = FieldSet::Parse(text);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, why)) << text;
    if (!r.ok()) EXPECT_EQ(r.status().details().param, "fields");
  }
}

TEST(FieldSetTest, SetAlgebra) {
  const FieldSet o = FieldSet::Ohlcv(), a(FieldSet::kAdjClose), all = FieldSet::All();
  EXPECT_TRUE(all.Contains(o));
  EXPECT_FALSE(o.Contains(a));  // an ohlcv fragment does not answer adj_close
  EXPECT_TRUE(o.Contains(FieldSet()));
  EXPECT_EQ(o.Union(a).bits(), FieldSet::kOhlcv | FieldSet::kAdjClose);
  EXPECT_EQ(all.Minus(o), FieldSet(FieldSet::kAdjClose | FieldSet::kMarketCap));
  EXPECT_EQ(all.Intersect(a), a);
  EXPECT_TRUE(FieldSet().empty());
  EXPECT_TRUE(o.Has(FieldSet::kOhlcv));
  EXPECT_FALSE(o.Has(FieldSet::kMarketCap));
  for (uint8_t x = 0; x <= 7; ++x) {
    for (uint8_t y = 0; y <= 7; ++y) {
      const FieldSet fx(x), fy(y);
      EXPECT_EQ(fx.Contains(fy), (x & y) == y);
      EXPECT_EQ(fx.Minus(fy).Union(fx.Intersect(fy)), fx);
    }
  }
}

}  // namespace
}  // namespace finex
