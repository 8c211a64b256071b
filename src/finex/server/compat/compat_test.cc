// InferActions: dividends and splits read back from adj_close / close.
#include "finex/server/compat/compat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace finex::server::compat {
namespace {

struct Truth {
  double dividend = 0;  // in the units of the previous close
  double split = 1;
};

// Ten daily bars around 100 (split-adjusted level p_i); `events` by ex-date
// row. as_traded: close = p_i times the splits after row i (Alpha Vantage),
// else close = p_i (Yahoo). adj_close = p_i times the dividend factors
// 1 - D / close(k-1) of the ex-dates after row i. `decimals` rounds prices.
FramePtr Series(const std::map<size_t, Truth>& events, bool as_traded, int decimals = -1,
                bool with_adj = true) {
  constexpr size_t kRows = 10;
  double p[kRows], close[kRows];
  for (size_t i = 0; i < kRows; ++i) p[i] = 100 + 3 * std::sin(static_cast<double>(i));
  for (size_t i = 0; i < kRows; ++i) {
    double later_splits = 1;
    for (const auto& [k, e] : events)
      if (k > i) later_splits *= e.split;
    close[i] = as_traded ? p[i] * later_splits : p[i];
  }
  auto round = [&](double v) {
    if (decimals < 0) return v;
    const double m = std::pow(10.0, decimals);
    return std::round(v * m) / m;
  };
  FrameBuilder b(with_adj ? FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose))
                          : FieldSet::Ohlcv());
  for (size_t i = 0; i < kRows; ++i) {
    double f = 1;
    for (const auto& [k, e] : events)
      if (k > i) f *= 1 - e.dividend / close[k - 1];
    Bar bar;
    bar.symbol = "X";
    bar.timestamp = 1704153600 + static_cast<Timestamp>(i) * 86400;
    bar.open = bar.high = bar.low = bar.close = round(close[i]);
    bar.volume = 1000;
    bar.adj_close = round(p[i] * f);
    b.Add(bar);
  }
  return std::move(b).Finish().value();
}

TEST(InferActionsTest, AsTradedClosesGiveDividendsAndSplits) {
  const std::map<size_t, Truth> events = {
      {2, {0.5, 1}}, {5, {0, 4}}, {7, {0.24, 2}}, {9, {0, 0.5}}};  // 0.5: a 1:2 reverse split
  const auto got = InferActions(*Series(events, true), /*close_as_traded=*/true);
  ASSERT_EQ(got.size(), 10u);
  for (size_t i = 0; i < got.size(); ++i) {
    const Truth want = events.contains(i) ? events.at(i) : Truth{};
    EXPECT_NEAR(got[i].dividend, want.dividend, 1e-9) << i;
    EXPECT_DOUBLE_EQ(got[i].split, want.split) << i;
  }
}

TEST(InferActionsTest, FourDecimalPricesStayWithinTheirPrecisionAndMakeNoFalseEvents) {
  const std::map<size_t, Truth> events = {{3, {0.37, 1}}, {6, {0, 3}}};
  const auto got = InferActions(*Series(events, true, 4), true);
  for (size_t i = 0; i < got.size(); ++i) {
    const Truth want = events.contains(i) ? events.at(i) : Truth{};
    EXPECT_NEAR(got[i].dividend, want.dividend, 5e-3) << i;
    EXPECT_DOUBLE_EQ(got[i].split, want.split) << i;
  }
  // No event at all: rounding alone finds nothing.
  for (const InferredAction& a : InferActions(*Series({}, true, 4), true)) {
    EXPECT_EQ(a.dividend, 0);
    EXPECT_EQ(a.split, 1);
  }
}

TEST(InferActionsTest, SplitAdjustedClosesShowDividendsOnly) {
  // Yahoo: closes are split-adjusted, so the split leaves the factor alone.
  const std::map<size_t, Truth> events = {{4, {0.8, 1}}, {6, {0, 4}}};
  const auto got = InferActions(*Series(events, false), /*close_as_traded=*/false);
  EXPECT_NEAR(got[4].dividend, 0.8, 1e-9);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].split, 1) << i;
    if (i != 4) EXPECT_EQ(got[i].dividend, 0) << i;
  }
  // A factor jump no dividend explains (0.5) is no event on such a series.
  const auto jump = InferActions(*Series({{3, {0, 2}}}, true), /*close_as_traded=*/false);
  for (const InferredAction& a : jump) {
    EXPECT_EQ(a.dividend, 0);
    EXPECT_EQ(a.split, 1);
  }
}

TEST(InferActionsTest, WithoutAdjCloseNothingIsFound) {
  const auto got = InferActions(*Series({{2, {0.5, 1}}}, true, -1, /*with_adj=*/false), true);
  ASSERT_EQ(got.size(), 10u);
  for (const InferredAction& a : got) {
    EXPECT_EQ(a.dividend, 0);
    EXPECT_EQ(a.split, 1);
  }
  EXPECT_TRUE(InferActions(*Frame::Empty(), true).empty());
}

}  // namespace
}  // namespace finex::server::compat
