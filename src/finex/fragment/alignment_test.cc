#include "finex/fragment/alignment.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::fragment {
namespace {

Timestamp T(int y, int m, int d, int hh = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour;
}

TEST(Alignment, BucketUnitsFollowTheSizeProfile) {
  EXPECT_EQ(FragmentBucketUnit(Interval::k1m, FragmentSize::kSmall), BucketUnit::kHour);
  EXPECT_EQ(FragmentBucketUnit(Interval::k5m, FragmentSize::kOptimized), BucketUnit::kDay);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1h, FragmentSize::kOptimized), BucketUnit::kMonth);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1d, FragmentSize::kSmall), BucketUnit::kMonth);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1d, FragmentSize::kOptimized), BucketUnit::kYear);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1w, FragmentSize::kSmall), BucketUnit::kQuarter);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1w, FragmentSize::kOptimized), BucketUnit::kDecade);
  EXPECT_EQ(FragmentBucketUnit(Interval::k1mo, FragmentSize::kSmall), BucketUnit::kYear);
  EXPECT_EQ(WidenUnit(Interval::k1d), BucketUnit::kDecade);
  EXPECT_EQ(WidenUnit(Interval::k5m), BucketUnit::kDay);
  EXPECT_EQ(WidenUnit(Interval::k1h), BucketUnit::kMonth);
  EXPECT_EQ(WidenUnit(Interval::k1mo), BucketUnit::kDecade);
}

TEST(Alignment, ParsesSizes) {
  ASSERT_OK_AND_ASSIGN(FragmentSize s, ParseFragmentSize("small"));
  EXPECT_EQ(s, FragmentSize::kSmall);
  EXPECT_THAT(ParseFragmentSize("huge"),
              testing::StatusIs(StatusCode::kInvalidArgument, "small, optimized"));
}

TEST(Alignment, BucketsAreCalendarAligned) {
  EXPECT_EQ(BucketOf(T(2024, 2, 15, 13), BucketUnit::kHour),
            (TimeRange{T(2024, 2, 15, 13), T(2024, 2, 15, 14)}));
  EXPECT_EQ(BucketOf(T(2024, 2, 15, 13), BucketUnit::kDay),
            (TimeRange{T(2024, 2, 15), T(2024, 2, 16)}));
  EXPECT_EQ(BucketOf(T(2024, 2, 29, 23), BucketUnit::kMonth),
            (TimeRange{T(2024, 2, 1), T(2024, 3, 1)}));
  EXPECT_EQ(BucketOf(T(2024, 12, 31), BucketUnit::kMonth),
            (TimeRange{T(2024, 12, 1), T(2025, 1, 1)}));
  EXPECT_EQ(BucketOf(T(2024, 11, 5), BucketUnit::kQuarter),
            (TimeRange{T(2024, 10, 1), T(2025, 1, 1)}));
  EXPECT_EQ(BucketOf(T(2024, 5, 5), BucketUnit::kYear), (TimeRange{T(2024, 1, 1), T(2025, 1, 1)}));
  EXPECT_EQ(BucketOf(T(1969, 5, 5), BucketUnit::kDecade),
            (TimeRange{T(1960, 1, 1), T(1970, 1, 1)}));
  EXPECT_EQ(BucketOf(T(1969, 12, 31, 23), BucketUnit::kHour).start, T(1969, 12, 31, 23));
}

TEST(Alignment, SplitTilesTheRangeRandomized) {
  std::mt19937_64 rng(finex::testing::TestSeed());
  const BucketUnit units[] = {BucketUnit::kHour,    BucketUnit::kDay,  BucketUnit::kMonth,
                              BucketUnit::kQuarter, BucketUnit::kYear, BucketUnit::kDecade};
  for (int i = 0; i < 2000; ++i) {
    const BucketUnit u = units[rng() % 6];
    const Timestamp span = u <= BucketUnit::kDay ? 10 * kSecondsPerDay : 4000 * kSecondsPerDay;
    const Timestamp a =
        -500 * kSecondsPerDay + static_cast<Timestamp>(rng() % (20000 * kSecondsPerDay));
    const TimeRange r{a, a + 1 + static_cast<Timestamp>(rng() % span)};
    const auto pieces = SplitAlongBuckets(r, u);
    ASSERT_FALSE(pieces.empty());
    EXPECT_EQ(pieces.front().start, r.start);
    EXPECT_EQ(pieces.back().end, r.end);
    for (size_t k = 0; k < pieces.size(); ++k) {
      ASSERT_FALSE(pieces[k].empty());
      if (k) EXPECT_EQ(pieces[k - 1].end, pieces[k].start);
      // Each piece sits inside one bucket.
      EXPECT_TRUE(BucketOf(pieces[k].start, u).Contains(pieces[k]));
    }
    const TimeRange out = AlignOutward(r, u);
    EXPECT_TRUE(out.Contains(r));
    EXPECT_EQ(BucketOf(out.start, u).start, out.start);
  }
}

}  // namespace
}  // namespace finex::fragment
