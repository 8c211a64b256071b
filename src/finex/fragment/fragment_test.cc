#include "finex/fragment/fragment.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace finex::fragment {
namespace {

using finex::testing::StatusIs;

TEST(Fragment, FromKeyReadsRangesAndIsConservative) {
  ASSERT_OK_AND_ASSIGN(std::string k, MakeFragmentKey("AAPL", Interval::k1d, 1704153600, 1706659200,
                                                      "yahoo", "usd", FieldSet::Ohlcv()));
  EXPECT_EQ(k, "finex:AAPL:1d:1704153600:1706659200:yahoo:usd:ohlcv_v1");
  ASSERT_OK_AND_ASSIGN(Fragment f, FragmentFromKey(k, 99));
  EXPECT_EQ(f.actual, (TimeRange{1704153600, 1706659200 + kSecondsPerDay}));
  EXPECT_EQ(f.vouched, f.actual);
  EXPECT_FALSE(f.details_loaded);
  EXPECT_EQ(f.expires_at, 99);
  EXPECT_EQ(f.provider(), "yahoo");
  EXPECT_TRUE(f.Answers(FieldSet::Ohlcv()));
  EXPECT_FALSE(f.Answers(FieldSet(FieldSet::kAdjClose)));
}

TEST(Fragment, KnownEmptyKeyVouchesForItsRange) {
  ASSERT_OK_AND_ASSIGN(std::string k, MakeFragmentKey("ZZZ", Interval::k1d, 1000 * 86400,
                                                      1010 * 86400 - 1, "yahoo", "", FieldSet()));
  EXPECT_EQ(k, "finex:ZZZ:1d:86400000:87263999:yahoo:xxx:empty_v1");
  ASSERT_OK_AND_ASSIGN(Fragment f, FragmentFromKey(k, 0));
  EXPECT_TRUE(f.is_empty_answer());
  EXPECT_TRUE(f.actual.empty());
  EXPECT_EQ(f.vouched, (TimeRange{1000 * 86400, 1010 * 86400}));
  EXPECT_TRUE(f.Answers(FieldSet::All()));
}

TEST(Fragment, MetadataRoundTrips) {
  ASSERT_OK_AND_ASSIGN(std::string k, MakeFragmentKey("AAPL", Interval::k1d, 1704153600, 1704240000,
                                                      "yahoo", "usd", FieldSet::Ohlcv()));
  ASSERT_OK_AND_ASSIGN(Fragment f, FragmentFromKey(k, 0));
  Fragment g = f;
  g.vouched = {1704067200, 1704326400};
  g.fetched_at = 1704400000;
  g.expires_at = 1704500000;
  g.final = true;
  g.rows = 2;
  ASSERT_OK(ApplyMetadata(ToMetadata(g), &f));
  EXPECT_EQ(f.vouched, g.vouched);
  EXPECT_EQ(f.fetched_at, g.fetched_at);
  EXPECT_EQ(f.expires_at, g.expires_at);
  EXPECT_TRUE(f.final);
  EXPECT_EQ(f.rows, 2u);
  EXPECT_TRUE(f.details_loaded);
}

TEST(Fragment, BadMetadataIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(
      Fragment f, FragmentFromKey("finex:AAPL:1d:1704153600:1704240000:yahoo:usd:ohlcv_v1", 0));
  Metadata md = ToMetadata(f);
  for (auto& [k, v] : md)
    if (k == "finex.vouched_start") v = "12x";
  EXPECT_THAT(ApplyMetadata(md, &f), StatusIs(StatusCode::kDataLoss, "finex.vouched_start"));
  md = ToMetadata(f);
  md.erase(md.begin() + 3);
  EXPECT_THAT(ApplyMetadata(md, &f), StatusIs(StatusCode::kDataLoss));
  // A vouched range that does not contain the bars is a lie.
  Fragment g = f;
  g.vouched = {1704240000 + 86400, 1704240000 + 2 * 86400};
  EXPECT_THAT(ApplyMetadata(ToMetadata(g), &f),
              StatusIs(StatusCode::kDataLoss, "does not contain"));
  EXPECT_THAT(FragmentFromKey("finex:AAPL:*", 0), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::fragment
