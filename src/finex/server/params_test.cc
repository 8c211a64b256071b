#include "finex/server/params.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace finex::server {
namespace {

using testing::StatusIs;

constexpr Timestamp kNow = 1718409600;  // 2024-06-15

TEST(HistoryParams, DefaultsToOneYearOfDailyBars) {
  ASSERT_OK_AND_ASSIGN(auto p, ParseHistoryParams({{"symbols", "AAPL"}}, {}, kNow));
  EXPECT_EQ(p.options.interval, Interval::k1d);
  EXPECT_EQ(p.end, kNow);
  EXPECT_EQ(p.start, kNow - 365 * kSecondsPerDay);
  EXPECT_EQ(p.format, Format::kJson);
  EXPECT_EQ(p.estimated_rows, 366);
}

TEST(HistoryParams, AnUnescapedPlusZoneStillParses) {
  // curl '...&start=2024-01-02T09:30:00+01:00' sends '+', which decodes to ' '.
  ASSERT_OK_AND_ASSIGN(auto p, ParseHistoryParams({{"symbols", "AAPL"},
                                                   {"start", "2024-01-02T09:30:00 01:00"},
                                                   {"end", "2024-01-03T09:30:00 01:00"}},
                                                  {}, kNow));
  EXPECT_EQ(p.start, 1704153600 + 8 * 3600 + 30 * 60);
  EXPECT_EQ(p.end, p.start + kSecondsPerDay);
  EXPECT_THAT(ParseHistoryParams({{"symbols", "AAPL"}, {"start", "2024-01-02 09:30"}}, {}, kNow),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(HistoryParams, KeysAreEqualForEquivalentRequests) {
  ASSERT_OK_AND_ASSIGN(
      auto a, ParseHistoryParams(
                  {{"symbols", "AAPL"}, {"start", "2024-01-02"}, {"end", "2024-01-31"}}, {}, kNow));
  ASSERT_OK_AND_ASSIGN(auto b, ParseHistoryParams({{"end", "2024-01-31T23:59:59Z"},
                                                   {"start", "1704153600"},
                                                   {"symbols", " AAPL "},
                                                   {"interval", "1d"}},
                                                  {}, kNow));
  EXPECT_EQ(a.Key(), b.Key());
  ASSERT_OK_AND_ASSIGN(
      auto c,
      ParseHistoryParams(
          {{"symbols", "AAPL"}, {"start", "2024-01-02"}, {"end", "2024-01-31"}, {"format", "csv"}},
          {}, kNow));
  EXPECT_NE(a.Key(), c.Key());
}

TEST(HistoryParams, RowLimitIsAnUpperBoundOverTheRange) {
  ParamLimits l;
  l.max_rows = 1000;
  EXPECT_OK(ParseHistoryParams(
      {{"symbols", "AAPL"}, {"interval", "1h"}, {"start", "2024-01-01"}, {"end", "2024-01-31"}}, l,
      kNow));
  EXPECT_THAT(ParseHistoryParams({{"symbols", "AAPL,MSFT"},
                                  {"interval", "1h"},
                                  {"start", "2024-01-01"},
                                  {"end", "2024-01-31"}},
                                 l, kNow),
              StatusIs(StatusCode::kOutOfRange, "rows per answer"));
}

TEST(HistoryParams, SymbolCountLimit) {
  ParamLimits l;
  l.max_symbols = 2;
  EXPECT_THAT(ParseHistoryParams({{"symbols", "A,B,C"}}, l, kNow),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(QuoteParams, RejectsParquetAndUnknownParams) {
  EXPECT_OK(ParseQuoteParams({{"symbols", "AAPL"}, {"format", "csv"}}, {}));
  auto r = ParseQuoteParams({{"symbols", "AAPL"}, {"interval", "1d"}}, {});
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, "unknown parameter 'interval'"));
  EXPECT_EQ(r.status().details().param, "interval");
}

TEST(WarmBody, AcceptsDatesAndEpochs) {
  ASSERT_OK_AND_ASSIGN(auto w, ParseWarmBody(R"({"symbols":["AAPL"],"intervals":["1d","60m"],
      "ranges":[{"start":"2024-01-02","end":1704240000}],"provider":"yahoo"})",
                                             {}));
  EXPECT_EQ(w.symbols, std::vector<std::string>{"AAPL"});
  EXPECT_EQ(w.intervals, (std::vector<Interval>{Interval::k1d, Interval::k1h}));
  EXPECT_EQ(w.ranges[0].first, 1704153600);
  EXPECT_EQ(w.ranges[0].second, 1704240000);
  EXPECT_EQ(w.provider, "yahoo");
}

TEST(WarmBody, RejectsDeepOrHostileJson) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseWarmBody(deep, {}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseWarmBody("{\"symbols\":[\"\xff\"]}", {}),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::server
