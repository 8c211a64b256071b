#include "finex/cache/currency.h"

#include <gtest/gtest.h>

#include "finex/core/time.h"
#include "tests/testutil/bars.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

constexpr Timestamp kDay = kSecondsPerDay;
// 2024-01-02 (Tuesday) 00:00 UTC.
constexpr Timestamp kJan2 = 1704153600;

Bar MakeBar(std::string symbol, Timestamp ts, double close, std::string currency) {
  Bar b = testing::TestBar(std::move(symbol), ts, close);
  b.currency = std::move(currency);
  return b;
}

FramePtr MakeFrame(const std::vector<Bar>& bars,
                   FieldSet fields = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose))) {
  return testing::FrameOf(bars, fields);
}

TEST(FxRoute, MajorsNeedAnFxSeriesNamedTheYahooWay) {
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  EXPECT_EQ(r.fx_symbol, "USDEUR=X");
  EXPECT_DOUBLE_EQ(r.scale, 1);
  EXPECT_EQ(r.major_from, "usd");
  EXPECT_EQ(r.major_to, "eur");
}

TEST(FxRoute, MinorUnitsScaleAndJoinTheirMajor) {
  ASSERT_OK_AND_ASSIGN(FxRoute pence, FxRouteFor("gbx", "gbp"));
  EXPECT_EQ(pence.fx_symbol, "");  // a factor alone
  EXPECT_DOUBLE_EQ(pence.scale, 0.01);
  ASSERT_OK_AND_ASSIGN(FxRoute to_pence, FxRouteFor("gbp", "gbx"));
  EXPECT_DOUBLE_EQ(to_pence.scale, 100);
  ASSERT_OK_AND_ASSIGN(FxRoute pence_usd, FxRouteFor("gbx", "usd"));
  EXPECT_EQ(pence_usd.fx_symbol, "GBPUSD=X");
  EXPECT_DOUBLE_EQ(pence_usd.scale, 0.01);
  ASSERT_OK_AND_ASSIGN(FxRoute cents, FxRouteFor("zac", "usd"));
  EXPECT_EQ(cents.fx_symbol, "ZARUSD=X");
}

TEST(FxRoute, RejectsWhatIsNotACode) {
  for (const char* bad : {"", "us", "usdt", "u$d", "12a"}) {
    auto r = FxRouteFor(bad, "eur");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().details().param, "currency");
  }
}

TEST(ConvertFrame, DailyBarsTakeThatDaysCloseAndVolumeStays) {
  auto native =
      MakeFrame({MakeBar("AAPL", kJan2, 100, "usd"), MakeBar("AAPL", kJan2 + kDay, 110, "usd")});
  auto fx = MakeFrame({MakeBar("USDEUR=X", kJan2 - kDay, 0.5, "eur"),
                       MakeBar("USDEUR=X", kJan2, 0.9, "eur"),
                       MakeBar("USDEUR=X", kJan2 + kDay, 0.8, "eur")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k1d, 7 * kDay));
  ASSERT_EQ(out->rows(), 2u);
  const Bar a = out->row(0), b = out->row(1);
  EXPECT_DOUBLE_EQ(*a.close, 100 * 0.9);
  EXPECT_DOUBLE_EQ(*a.open, 99 * 0.9);
  EXPECT_DOUBLE_EQ(*a.high, 102 * 0.9);
  EXPECT_DOUBLE_EQ(*a.low, 98 * 0.9);
  EXPECT_DOUBLE_EQ(*a.adj_close, 50 * 0.9);
  EXPECT_DOUBLE_EQ(*b.close, 110 * 0.8);
  EXPECT_EQ(*a.volume, 1000);
  EXPECT_EQ(a.currency, "eur");
  EXPECT_EQ(a.provider, "yahoo");
  EXPECT_EQ(a.timezone, "America/New_York");
}

TEST(ConvertFrame, AHolidayTakesTheLatestRateBeforeIt) {
  auto native = MakeFrame({MakeBar("AAPL", kJan2 + 3 * kDay, 100, "usd")});
  auto fx = MakeFrame({MakeBar("USDEUR=X", kJan2, 0.9, "eur")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k1d, 7 * kDay));
  EXPECT_DOUBLE_EQ(*out->row(0).close, 90);
}

TEST(ConvertFrame, AMonthlyBarTakesTheLastRateOfItsMonth) {
  // January 2024's monthly bar opens Jan 2; the last FX close of January wins,
  // February's first does not.
  auto native = MakeFrame({MakeBar("AAPL", kJan2, 100, "usd")});
  const Timestamp jan31 = kJan2 + 29 * kDay, feb1 = kJan2 + 30 * kDay;
  auto fx =
      MakeFrame({MakeBar("USDEUR=X", kJan2, 0.9, "eur"), MakeBar("USDEUR=X", jan31, 0.7, "eur"),
                 MakeBar("USDEUR=X", feb1, 0.1, "eur")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k1mo, 7 * kDay));
  EXPECT_DOUBLE_EQ(*out->row(0).close, 70);
}

TEST(ConvertFrame, NoRateNearABarIsAnErrorNamingTheBarAndTheSeries) {
  auto native = MakeFrame({MakeBar("AAPL", kJan2, 100, "usd")});
  auto fx = MakeFrame({MakeBar("USDEUR=X", kJan2 - 30 * kDay, 0.9, "eur"),
                       MakeBar("USDEUR=X", kJan2 + 5 * kDay, 0.9, "eur")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  auto out = ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k1d, 7 * kDay);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(out.status().details().param, "currency");
  EXPECT_NE(out.status().message().find("USDEUR=X"), std::string::npos) << out.status();
  EXPECT_NE(out.status().message().find("2024-01-02"), std::string::npos) << out.status();
}

TEST(ConvertFrame, NullsStayNullAndNonPositiveRatesAreNotRates) {
  Bar b = MakeBar("AAPL", kJan2, 100, "usd");
  b.open.reset();
  auto native = MakeFrame({b});
  Bar zero = MakeBar("USDEUR=X", kJan2, 0, "eur");
  auto fx = MakeFrame({MakeBar("USDEUR=X", kJan2 - kDay, 0.5, "eur"), zero});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k1d, 7 * kDay));
  EXPECT_FALSE(out->row(0).open.has_value());
  EXPECT_DOUBLE_EQ(*out->row(0).close, 50);  // the day before's 0.5, not the 0
}

TEST(ConvertFrame, MinorUnitsNeedNoRatesAndOtherCurrenciesPassThrough) {
  auto native = MakeFrame(
      {MakeBar("OCDO.L", kJan2, 750, "gbx"), MakeBar("OCDO.L", kJan2 + kDay, 7.6, "gbp")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("gbx", "gbp"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "gbx", "gbp", r, nullptr, Interval::k1d, 0));
  EXPECT_DOUBLE_EQ(*out->row(0).close, 7.5);
  EXPECT_EQ(out->row(0).currency, "gbp");
  EXPECT_DOUBLE_EQ(*out->row(1).close, 7.6);  // already gbp: untouched
}

TEST(ConvertFrame, IntradayBarsTakeTheFxBarOfTheSameTime) {
  const Timestamp t = kJan2 + 14 * 3600 + 30 * 60;
  auto native = MakeFrame({MakeBar("AAPL", t, 100, "usd"), MakeBar("AAPL", t + 300, 100, "usd")});
  auto fx = MakeFrame({MakeBar("USDEUR=X", t - 300, 0.1, "eur"), MakeBar("USDEUR=X", t, 0.9, "eur"),
                       MakeBar("USDEUR=X", t + 300, 0.8, "eur")});
  ASSERT_OK_AND_ASSIGN(FxRoute r, FxRouteFor("usd", "eur"));
  ASSERT_OK_AND_ASSIGN(FramePtr out,
                       ConvertFrame(*native, "usd", "eur", r, fx.get(), Interval::k5m, 4 * kDay));
  EXPECT_DOUBLE_EQ(*out->row(0).close, 90);
  EXPECT_DOUBLE_EQ(*out->row(1).close, 80);
}

}  // namespace
}  // namespace finex::cache
