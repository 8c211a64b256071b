#include "finex/provider/alpha_vantage/alpha_vantage_provider.h"

#include <gtest/gtest.h>

#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/detail/test_helpers.h"
#include "finex/provider/factory.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testhelp::Req;
using testhelp::Resp;
using testhelp::Shared;
using testing::StatusIs;
using AlphaVantageProvider = testhelp::AdapterTest<NewAlphaVantageProvider>;

constexpr Timestamp kFeb2024 = 1706745600;
const FieldSet kAdj = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));

TEST_F(AlphaVantageProvider, DailyAdjustedFixture) {
  clock.Set(kFeb2024);
  http.OnFile("function=TIME_SERIES_DAILY_ADJUSTED", 200,
              testhelp::Testdata("alpha_vantage/testdata/daily_adjusted.json"));
  auto p = Open({"http://sim/alpha_vantage", "SECRETKEY", 5000});
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX", Interval::k1d, 1704153600, 1704240000, kAdj)));
  EXPECT_EQ(http.last_url(),
            "http://sim/alpha_vantage/"
            "query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=FNX&outputsize=compact"
            "&apikey=SECRETKEY");
  // All three rows come back (bonus data), not only the day asked.
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_EQ(r.frame->timestamps()[0], 1704153600);
  EXPECT_EQ(r.frame->timestamps()[2], 1704326400);
  EXPECT_EQ(r.actual, (TimeRange{1704153600, 1704326401}));
  EXPECT_EQ(r.requested, (TimeRange{1704153600, 1704240000}));
  EXPECT_DOUBLE_EQ(r.frame->adj_close()[0], 50.38);
  EXPECT_EQ(r.frame->volume()[1], 900000);
  // Alpha Vantage never states an equity's currency: a US listing (no
  // exchange suffix) trades in USD.
  EXPECT_EQ(r.currency, "usd");
  EXPECT_EQ(r.timezone, "America/New_York");
  EXPECT_FALSE(r.last_bar_partial);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].kind, CorporateAction::Kind::kDividend);
  EXPECT_DOUBLE_EQ(r.actions[0].amount, 0.24);
  EXPECT_EQ(r.actions[1].kind, CorporateAction::Kind::kSplit);
  EXPECT_EQ(r.actions[1].timestamp, 1704326400);
  EXPECT_DOUBLE_EQ(r.actions[1].ratio, 2.0);
}

// A free key's "premium endpoint" answers to _ADJUSTED and outputsize=full
// are learned for a day: the call is asked again without them, Limits shrink
// to the compact window, and later calls go straight to what the key serves.
TEST_F(AlphaVantageProvider, PremiumAnswersTeachThePlan) {
  clock.Set(kFeb2024);
  const std::string premium =
      R"({"Information":"Thank you for using Alpha Vantage! This is a premium endpoint."})";
  http.On("function=TIME_SERIES_DAILY_ADJUSTED", 200, premium);
  http.On("outputsize=full", 200, premium);
  http.On(
      "function=TIME_SERIES_DAILY&", 200,
      R"j({"Meta Data":{"1. Information":"Daily Prices","2. Symbol":"FNX",)j"
      R"j("3. Last Refreshed":"2024-01-31","4. Output Size":"Compact","5. Time Zone":"US/Eastern"},)j"
      R"j("Time Series (Daily)":{"2024-01-31":{"1. open":"50.5","2. high":"51.25","3. low":"50.0",)j"
      R"j("4. close":"51.0","5. volume":"2500000"}}})j");
  auto p = Open({"http://sim/alpha_vantage", "K", 5000});
  EXPECT_TRUE(p->Limits(Interval::k1d).whole_history);
  const HistoryRequest old = Req("FNX", Interval::k1d, kFeb2024 - 400 * 86400, kFeb2024, kAdj);
  ASSERT_OK_AND_ASSIGN(HistoryResponse r, p->History(old));
  EXPECT_EQ(r.frame->rows(), 1u);
  EXPECT_EQ(http.calls(), 3u);  // adjusted+full, full, then compact
  EXPECT_EQ(http.last_url(),
            "http://sim/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=FNX"
            "&outputsize=compact&apikey=K");
  const CallLimits l = p->Limits(Interval::k1d);
  EXPECT_FALSE(l.whole_history);
  EXPECT_EQ(l.max_lookback_s, 130 * 86400);
  ASSERT_OK(p->History(old));
  EXPECT_EQ(http.calls(), 4u) << "the learned plan is asked directly";
  // A day later the premium forms are tried again.
  clock.Set(kFeb2024 + 86400 + 1);
  EXPECT_TRUE(p->Limits(Interval::k1d).whole_history);

  // plan = "free": never asked; plan = "premium": a refusal is an error.
  clock.Set(kFeb2024);
  auto free_key = Open({"http://sim/alpha_vantage", "K", 5000, "free"});
  ASSERT_OK(free_key->History(old));
  EXPECT_EQ(http.calls(), 5u);
  EXPECT_NE(http.last_url().find("TIME_SERIES_DAILY&symbol=FNX&outputsize=compact"),
            std::string::npos);
  auto paid = Open({"http://sim/alpha_vantage", "K", 5000, "premium"});
  EXPECT_THAT(paid->History(old), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(paid->Limits(Interval::k1d).whole_history);
}

TEST_F(AlphaVantageProvider, OutputsizeAndFunctionsPerInterval) {
  clock.Set(kFeb2024);
  auto url = [&](HistoryRequest req) {
    return alpha_vantage::SeriesUrls("B", "", req, clock.Now());
  };
  EXPECT_EQ(url(Req("IBM", Interval::k1d, kFeb2024 - 400 * 86400, kFeb2024))[0],
            "B/query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=full");
  EXPECT_EQ(url(Req("IBM", Interval::k1w, 0, kFeb2024))[0],
            "B/query?function=TIME_SERIES_WEEKLY&symbol=IBM");
  EXPECT_EQ(url(Req("IBM", Interval::k1mo, 0, kFeb2024, kAdj))[0],
            "B/query?function=TIME_SERIES_MONTHLY_ADJUSTED&symbol=IBM");
  EXPECT_EQ(url(Req("EUR/USD", Interval::k1d, kFeb2024 - 86400, kFeb2024))[0],
            "B/query?function=FX_DAILY&from_symbol=EUR&to_symbol=USD&outputsize=compact");
  // Intraday: one call per month of the range.
  std::vector<std::string> months =
      url(Req("IBM", Interval::k15m, 1718841600, 1720569600));  // 06-20 .. 07-10
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(
      months[0],
      "B/"
      "query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=15min&month=2024-06&outputsize=full"
      "&extended_hours=false");
  EXPECT_NE(months[1].find("month=2024-07"), std::string::npos);
  EXPECT_TRUE(alpha_vantage::AlphaVantageLimits(Interval::k1d).whole_history);
  EXPECT_EQ(alpha_vantage::AlphaVantageLimits(Interval::k1m).max_span_s, 31 * 86400);
}

TEST_F(AlphaVantageProvider, IntradayCloseStampsBecomeOpens) {
  clock.Set(1719900000);
  http.OnFile("month=2024-07", 200,
              testhelp::Testdata("alpha_vantage/testdata/intraday_5min.json"));
  http.On(
      "month=2024-06", 200,
      R"J({"Meta Data":{"1. Information":"x","6. Time Zone":"US/Eastern"},"Time Series (5min)":{}})J");
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX", Interval::k5m, 1719500000, 1719842400)));
  EXPECT_EQ(r.http_calls, 2);
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_EQ(r.frame->timestamps()[0], 1719840600);  // label 09:35 ET = bar 09:30 ET = 13:30Z
  EXPECT_EQ(r.frame->timestamps()[2], 1719841200);
  EXPECT_DOUBLE_EQ(r.frame->open()[0], 10.0);
  EXPECT_EQ(r.frame->volume()[0], 5000);
}

TEST_F(AlphaVantageProvider, ThrottleAndErrorBodies) {
  const Timestamp now = kFeb2024 + 3600;
  const HistoryRequest req = Req("FNX", Interval::k1d, kFeb2024 - 86400, kFeb2024);
  Result<HistoryResponse> daily = alpha_vantage::ParseSeries(
      Resp(200, testhelp::ReadTestdata("alpha_vantage/testdata/information_daily_limit.json")), req,
      now);
  EXPECT_THAT(daily, StatusIs(StatusCode::kResourceExhausted, "25 requests per day"));
  EXPECT_EQ(daily.status().details().retry_after_s, 86400 - 3600);  // next 00:00 UTC
  Result<HistoryResponse> note = alpha_vantage::ParseSeries(
      Resp(
          200,
          R"({"Note":"Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day."})"),
      req, now);
  EXPECT_THAT(note, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(note.status().details().retry_after_s, 60);
  EXPECT_THAT(alpha_vantage::ParseSeries(
                  Resp(200, R"({"Error Message":"Invalid API call. Please retry."})"), req, now),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(alpha_vantage::ParseSeries(
                  Resp(200, R"({"Information":"This is a premium endpoint."})"), req, now),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(alpha_vantage::ParseSeries(Resp(200, R"({"Meta Data":{}})"), req, now),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(alpha_vantage::ParseSeries(Resp(503, ""), req, now),
              StatusIs(StatusCode::kUnavailable));
}

TEST_F(AlphaVantageProvider, ApiKeyNeverInMessages) {
  clock.Set(kFeb2024);
  http.On("function=TIME_SERIES_DAILY&", 200,
          R"({"Error Message":"the parameter apikey SECRETKEY is invalid or missing."})");
  http.Fail(
      "function=GLOBAL_QUOTE",
      UnavailableError("connect to https://www.alphavantage.co/query?apikey=SECRETKEY failed"));
  auto p = Open({"", "SECRETKEY", 5000});
  Result<HistoryResponse> r = p->History(Req("FNX", Interval::k1d, kFeb2024 - 86400, kFeb2024));
  EXPECT_THAT(r, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(r.status().ToString().find("SECRETKEY"), std::string::npos) << r.status();
  const std::string syms[] = {"FNX"};
  Result<std::vector<finex::Quote>> q = p->Quote(syms);
  EXPECT_THAT(q, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(q.status().ToString().find("SECRETKEY"), std::string::npos) << q.status();
}

TEST(AlphaVantageProviderShared, CapturedSeries) {
  FINEX_REQUIRE_SHARED_DATA();
  const Timestamp now = 1767225600;
  auto parse = [&](const std::string& f, Interval iv, FieldSet fs = FieldSet::All()) {
    return alpha_vantage::ParseSeries(Shared("alphavantage/" + f), Req("X", iv, 0, now, fs), now);
  };
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse m1,
      parse("av-TIME_SERIES_INTRADAY-MSFT-1min-compact-2017-12-18.json", Interval::k1m));
  EXPECT_EQ(m1.frame->rows(), 100u);
  EXPECT_EQ(m1.frame->first_timestamp(), 1513620960);  // label 13:17 EST → open 13:16 = 18:16Z
  EXPECT_EQ(m1.frame->last_timestamp(), 1513626900);   // label 14:56 → 14:55 EST
  EXPECT_DOUBLE_EQ(m1.frame->close()[99], 86.5);
  EXPECT_EQ(m1.frame->volume()[99], 10494);
  EXPECT_EQ(m1.timezone, "America/New_York");
  EXPECT_EQ(m1.currency, "usd");

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse csv,
      parse("av-TIME_SERIES_INTRADAY_EXTENDED-MSFT-1min-year1month1-2020-11-23_2020-12-18.csv",
            Interval::k1m));
  EXPECT_EQ(csv.frame->rows(), 11190u);
  EXPECT_EQ(csv.frame->first_timestamp(), 1606122000);  // label 04:01 EST
  EXPECT_EQ(csv.frame->last_timestamp(), 1608339540);   // label 20:00 EST
  EXPECT_DOUBLE_EQ(csv.frame->close()[csv.frame->rows() - 1], 218.75);

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse d,
      parse("av-cg-TIME_SERIES_DAILY-IBM-full-2020-05-08-intraday-snapshot.json", Interval::k1d));
  ASSERT_EQ(d.frame->rows(), 2u);
  EXPECT_EQ(d.frame->last_timestamp(), 1588896000);
  EXPECT_DOUBLE_EQ(d.frame->close()[1], 121.79);
  EXPECT_TRUE(d.last_bar_partial);  // refreshed 14:07 during the session

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse da,
      parse("av-cg-TIME_SERIES_DAILY_ADJUSTED-IBM-full-2020-05-08.json", Interval::k1d));
  ASSERT_EQ(da.actions.size(), 1u);
  EXPECT_EQ(da.actions[0].timestamp, 1588809600);
  EXPECT_DOUBLE_EQ(da.actions[0].amount, 1.63);
  EXPECT_DOUBLE_EQ(da.frame->adj_close()[1], 121.805);

  ASSERT_OK_AND_ASSIGN(HistoryResponse w,
                       parse("av-cg-TIME_SERIES_WEEKLY-IBM-2020-05-08.json", Interval::k1w));
  ASSERT_EQ(w.frame->rows(), 2u);
  EXPECT_EQ(w.frame->first_timestamp(), 1587945600);  // "2020-05-01" → Monday 04-27
  EXPECT_EQ(w.frame->last_timestamp(), 1588550400);   // "2020-05-08" → Monday 05-04
  EXPECT_TRUE(w.last_bar_partial);

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse mo,
      parse("av-cg-TIME_SERIES_MONTHLY_ADJUSTED-IBM-2020-05-08.json", Interval::k1mo));
  EXPECT_EQ(mo.frame->first_timestamp(), 1585699200);  // 2020-04-01
  EXPECT_EQ(mo.frame->last_timestamp(), 1588291200);   // 2020-05-01
  ASSERT_EQ(mo.actions.size(), 1u);
  EXPECT_EQ(mo.actions[0].timestamp, 1588291200);

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse i5,
      parse("av-cg-TIME_SERIES_INTRADAY-IBM-5min-full-2020-05-08.json", Interval::k5m));
  EXPECT_EQ(i5.frame->last_timestamp(), 1588960800);  // label 14:05 EDT → 14:00 = 18:00Z

  ASSERT_OK_AND_ASSIGN(HistoryResponse fx, parse("av-cg-FX_DAILY.json", Interval::k1d));
  EXPECT_EQ(fx.frame->rows(), 2u);
  EXPECT_EQ(fx.currency, "usd");
  EXPECT_EQ(fx.timezone, "UTC");
  EXPECT_FALSE(fx.frame->volume().IsValid(0));  // FX has no volume: null, not 0
  ASSERT_OK_AND_ASSIGN(HistoryResponse fxi, parse("av-cg-FX_INTRADAY.json", Interval::k5m));
  EXPECT_EQ(fxi.frame->last_timestamp(), 1588801800);
}

TEST(AlphaVantageProviderShared, CapturedQuotesSearchAndErrors) {
  FINEX_REQUIRE_SHARED_DATA();
  const Timestamp now = 1767225600;
  ASSERT_OK_AND_ASSIGN(finex::Quote q,
                       alpha_vantage::ParseGlobalQuote(
                           Shared("alphavantage/av-cg-GLOBAL_QUOTE-IBM-2020-05-08.json"), now));
  EXPECT_EQ(q.symbol, "IBM");
  EXPECT_DOUBLE_EQ(q.price, 121.74);
  EXPECT_DOUBLE_EQ(*q.change_percent, 0.4207);
  EXPECT_EQ(q.timestamp, 1588896000);
  ASSERT_OK_AND_ASSIGN(finex::Quote m,
                       alpha_vantage::ParseGlobalQuote(
                           Shared("alphavantage/av-GLOBAL_QUOTE-MSFT-2018-10-05.json"), now));
  EXPECT_DOUBLE_EQ(m.price, 112.13);
  ASSERT_OK_AND_ASSIGN(auto s, alpha_vantage::ParseSymbolSearch(
                                   Shared("alphavantage/av-cg-SYMBOL_SEARCH.json"), now));
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].symbol, "TSCO.LON");
  EXPECT_EQ(s[0].currency, "gbx");
  EXPECT_DOUBLE_EQ(s[0].match_score, 0.7273);
  const HistoryRequest req = Req("X", Interval::k1d, 0, now);
  EXPECT_THAT(alpha_vantage::ParseSeries(
                  Shared("alphavantage/reconstructed/"
                         "av-error-ErrorMessage-invalid-call-TIME_SERIES_DAILY.json"),
                  req, now),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(
      alpha_vantage::ParseSeries(
          Shared("alphavantage/reconstructed/av-error-ErrorMessage-missing-apikey.json"), req, now),
      StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(
      alpha_vantage::ParseSeries(
          Shared("alphavantage/reconstructed/av-error-Note-throttle-5-per-min-500-per-day.json"),
          req, now),
      StatusIs(StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace finex::provider
