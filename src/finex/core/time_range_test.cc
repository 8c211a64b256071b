#include "finex/core/time_range.h"

#include <gtest/gtest.h>

#include <bitset>
#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

TEST(TimeRangeTest, MakeValidates) {
  ASSERT_OK_AND_ASSIGN(TimeRange r, TimeRange::Make(10, 20));
  EXPECT_EQ(r.length(), 10);
  auto bad = TimeRange::Make(20, 20);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument, "must be before end"));
  EXPECT_EQ(bad.status().details().param, "start");
  EXPECT_THAT(TimeRange::Make(21, 20), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TimeRangeTest, FromInclusive) {
  ASSERT_OK_AND_ASSIGN(TimeRange r, TimeRange::FromInclusive(10, 10));
  EXPECT_EQ(r, (TimeRange{10, 11}));
  EXPECT_TRUE(r.Contains(10));
  EXPECT_FALSE(r.Contains(11));
  auto bad = TimeRange::FromInclusive(11, 10);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument, "is after end"));
  EXPECT_EQ(bad.status().details().param, "start");
  // end + 1 must not overflow.
  EXPECT_THAT(TimeRange::FromInclusive(0, INT64_MAX),
              StatusIs(StatusCode::kInvalidArgument, "out of range"));
}

TEST(TimeRangeTest, Predicates) {
  const TimeRange r{10, 20};
  EXPECT_TRUE(r.Contains(10));
  EXPECT_TRUE(r.Contains(19));
  EXPECT_FALSE(r.Contains(20));
  EXPECT_FALSE(r.Contains(9));
  EXPECT_TRUE(r.Contains(TimeRange{12, 20}));
  EXPECT_FALSE(r.Contains(TimeRange{12, 21}));
  EXPECT_TRUE(r.Contains(TimeRange{50, 50}));  // the empty range is in everything
  EXPECT_TRUE(r.Overlaps(TimeRange{19, 30}));
  EXPECT_FALSE(r.Overlaps(TimeRange{20, 30}));  // touching is not overlapping
  EXPECT_EQ(r.Intersect(TimeRange{15, 30}), (TimeRange{15, 20}));
  EXPECT_TRUE(r.Intersect(TimeRange{20, 30}).empty());
  EXPECT_TRUE((TimeRange{5, 5}).empty());
  EXPECT_EQ((TimeRange{5, 3}).length(), 0);
  EXPECT_EQ((TimeRange{1704153600, 1704240000}).ToString(),
            "[2024-01-02T00:00:00Z, 2024-01-03T00:00:00Z)");
}

TEST(TimeRangeSetTest, AddMergesOverlappingAndTouching) {
  TimeRangeSet s;
  s.Add({10, 20});
  s.Add({30, 40});
  s.Add({20, 25});  // touches [10,20)
  EXPECT_EQ(s.ranges(), (std::vector<TimeRange>{{10, 25}, {30, 40}}));
  s.Add({24, 31});
  EXPECT_EQ(s.ranges(), (std::vector<TimeRange>{{10, 40}}));
  s.Add({0, 0});
  s.Add({7, 3});
  EXPECT_EQ(s.ranges().size(), 1u);
  EXPECT_EQ(s.TotalLength(), 30);
  EXPECT_EQ(s.ToString(), "{[1970-01-01T00:00:10Z, 1970-01-01T00:00:40Z)}");
}

TEST(TimeRangeSetTest, RemoveSplits) {
  TimeRangeSet s(TimeRange{0, 100});
  s.Remove({40, 60});
  EXPECT_EQ(s.ranges(), (std::vector<TimeRange>{{0, 40}, {60, 100}}));
  s.Remove({0, 10});
  s.Remove({90, 200});
  EXPECT_EQ(s.ranges(), (std::vector<TimeRange>{{10, 40}, {60, 90}}));
  EXPECT_FALSE(s.Covers({30, 70}));
  EXPECT_TRUE(s.Covers({60, 90}));
  EXPECT_TRUE(s.Covers({70, 70}));
  EXPECT_TRUE(s.Contains(10));
  EXPECT_FALSE(s.Contains(40));
  EXPECT_FALSE(s.Contains(59));
}

TEST(TimeRangeSetTest, GapsOfARequest) {
  // The planner's use: requested - cached.
  TimeRangeSet cached(std::vector<TimeRange>{{100, 200}, {300, 400}});
  const TimeRangeSet gaps = TimeRangeSet(TimeRange{150, 350}).Subtract(cached);
  EXPECT_EQ(gaps.ranges(), (std::vector<TimeRange>{{200, 300}}));
  EXPECT_EQ(cached.Intersect(TimeRange{150, 350}).ranges(),
            (std::vector<TimeRange>{{150, 200}, {300, 350}}));
}

// ---- property tests against a bitmap model ---------------------------------

constexpr int kLo = -64, kHi = 192;  // universe [kLo, kHi)
using Bits = std::bitset<kHi - kLo>;

Bits ToBits(const TimeRangeSet& s) {
  Bits b;
  for (const TimeRange& r : s.ranges())
    for (Timestamp t = std::max<Timestamp>(r.start, kLo); t < std::min<Timestamp>(r.end, kHi); ++t)
      b.set(t - kLo);
  return b;
}

TimeRangeSet FromBits(const Bits& b) {
  TimeRangeSet s;
  for (int i = 0; i < kHi - kLo; ++i)
    if (b.test(i)) s.Add({i + kLo, i + kLo + 1});
  return s;
}

void ExpectNormalized(const TimeRangeSet& s) {
  const auto& r = s.ranges();
  for (size_t i = 0; i < r.size(); ++i) {
    ASSERT_LT(r[i].start, r[i].end) << s.ToString();
    if (i > 0) ASSERT_LT(r[i - 1].end, r[i].start) << "not disjoint/non-adjacent: " << s.ToString();
  }
}

TimeRangeSet RandomSet(std::mt19937_64& rng, Bits* model) {
  TimeRangeSet s;
  const int n = rng() % 7;
  for (int i = 0; i < n; ++i) {
    const Timestamp a = kLo + static_cast<Timestamp>(rng() % (kHi - kLo));
    const Timestamp len = static_cast<Timestamp>(rng() % 40) - 5;  // some empty/inverted
    const TimeRange r{a, std::min<Timestamp>(a + len, kHi)};
    if (rng() % 4 == 0) {
      s.Remove(r);
      for (Timestamp t = r.start; t < r.end; ++t) model->reset(t - kLo);
    } else {
      s.Add(r);
      for (Timestamp t = r.start; t < r.end; ++t) model->set(t - kLo);
    }
  }
  return s;
}

TEST(TimeRangeSetPropertyTest, AlgebraMatchesBitmapModelAndLawsHold) {
  std::mt19937_64 rng(testing::TestSeed());
  const TimeRangeSet universe(TimeRange{kLo, kHi});
  const TimeRangeSet empty;
  for (int iter = 0; iter < 3000; ++iter) {
    Bits ma, mb, mc;
    const TimeRangeSet a = RandomSet(rng, &ma), b = RandomSet(rng, &mb), c = RandomSet(rng, &mc);
    ExpectNormalized(a);
    ASSERT_EQ(ToBits(a), ma) << a.ToString();
    ASSERT_EQ(FromBits(ma), a);  // normalized form is canonical: equal sets compare equal

    const TimeRangeSet u = a.Union(b), i = a.Intersect(b), d = a.Subtract(b);
    ExpectNormalized(u);
    ExpectNormalized(i);
    ExpectNormalized(d);
    ASSERT_EQ(ToBits(u), ma | mb);
    ASSERT_EQ(ToBits(i), ma & mb);
    ASSERT_EQ(ToBits(d), ma & ~mb);
    ASSERT_EQ(a.TotalLength(), static_cast<Timestamp>(ma.count()));

    // Identities.
    ASSERT_EQ(a.Union(empty), a);
    ASSERT_EQ(a.Intersect(empty), empty);
    ASSERT_EQ(a.Subtract(empty), a);
    ASSERT_EQ(a.Subtract(a), empty);
    ASSERT_EQ(a.Union(a), a);
    ASSERT_EQ(a.Intersect(a), a);
    ASSERT_EQ(a.Intersect(universe), a);
    // Commutativity, associativity, distributivity.
    ASSERT_EQ(u, b.Union(a));
    ASSERT_EQ(i, b.Intersect(a));
    ASSERT_EQ(a.Union(b).Union(c), a.Union(b.Union(c)));
    ASSERT_EQ(a.Intersect(b).Intersect(c), a.Intersect(b.Intersect(c)));
    ASSERT_EQ(a.Intersect(b.Union(c)), i.Union(a.Intersect(c)));
    ASSERT_EQ(a.Union(b.Intersect(c)), u.Intersect(a.Union(c)));
    // Subtraction and De Morgan (complements taken within the universe).
    ASSERT_EQ(d, a.Intersect(universe.Subtract(b)));
    ASSERT_EQ(d.Union(i), a);
    ASSERT_EQ(d.Intersect(b), empty);
    ASSERT_EQ(universe.Subtract(u), universe.Subtract(a).Intersect(universe.Subtract(b)));
    ASSERT_EQ(universe.Subtract(i), universe.Subtract(a).Union(universe.Subtract(b)));
    ASSERT_EQ(a.Subtract(b.Union(c)), d.Subtract(c));
    // Absorption.
    ASSERT_EQ(a.Union(i), a);
    ASSERT_EQ(a.Intersect(u), a);

    // Point queries and coverage.
    for (int probe = 0; probe < 8; ++probe) {
      const Timestamp t = kLo + static_cast<Timestamp>(rng() % (kHi - kLo));
      ASSERT_EQ(a.Contains(t), ma.test(t - kLo)) << t << " in " << a.ToString();
      const Timestamp e = std::min<Timestamp>(kHi, t + static_cast<Timestamp>(rng() % 30));
      bool covered = true;
      for (Timestamp x = t; x < e; ++x) covered &= ma.test(x - kLo);
      ASSERT_EQ(a.Covers({t, e}), covered) << "[" << t << "," << e << ") in " << a.ToString();
      ASSERT_EQ(ToBits(a.Intersect(TimeRange{t, e})), ma & ToBits(TimeRangeSet(TimeRange{t, e})));
    }
    // The span constructor equals successive Adds.
    std::vector<TimeRange> spans(a.ranges().rbegin(), a.ranges().rend());
    ASSERT_EQ(TimeRangeSet(spans), a);
  }
}

}  // namespace
}  // namespace finex
