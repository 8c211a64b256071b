#include "finex/provider/twelve_data/twelve_data_provider.h"

#include <gtest/gtest.h>

#include "finex/provider/detail/test_helpers.h"
#include "finex/provider/factory.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testhelp::Req;
using testhelp::Resp;
using testhelp::Shared;
using testing::StatusIs;
using TwelveDataProvider = testhelp::AdapterTest<NewTwelveDataProvider>;

TEST_F(TwelveDataProvider, HourlyFixtureExchangeTimeParams) {
  clock.Set(1719900000);
  http.OnFile("/time_series?", 200, testhelp::Testdata("twelve_data/testdata/time_series_1h.json"));
  auto p = Open({"http://sim/twelve_data", "TDKEY", 5000});
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX", Interval::k1h, 1719840600, 1719851400)));
  const HttpRequest sent = http.requests()[0];
  // 13:30Z..16:30Z asked as New York wall time.
  EXPECT_EQ(sent.url,
            "http://sim/twelve_data/"
            "time_series?symbol=FNX&interval=1h&start_date=2024-07-01%2009%3A30%3A00"
            "&end_date=2024-07-01%2012%3A30%3A00&outputsize=5000&order=desc");
  ASSERT_EQ(sent.headers.size(), 1u);
  EXPECT_EQ(sent.headers[0].first, "Authorization");
  EXPECT_EQ(sent.url.find("TDKEY"), std::string::npos);
  ASSERT_EQ(r.frame->rows(), 3u);  // newest-first on the wire, sorted here
  EXPECT_EQ(r.frame->timestamps()[0], 1719840600);
  EXPECT_EQ(r.frame->timestamps()[2], 1719847800);
  EXPECT_DOUBLE_EQ(r.frame->open()[0], 10.0);
  EXPECT_EQ(r.frame->volume()[2], 3000);
  EXPECT_EQ(r.currency, "usd");
  EXPECT_EQ(r.timezone, "America/New_York");
  EXPECT_EQ(r.exchange, "NASDAQ");
  EXPECT_EQ(r.requested, (TimeRange{1719840600, 1719851400}));
  EXPECT_EQ(p->Limits(Interval::k1h).max_rows, 5000);
}

TEST_F(TwelveDataProvider, FxDailyCurrencyFromPair) {
  clock.Set(1704326400);
  http.OnFile("symbol=EUR%2FUSD", 200, testhelp::Testdata("twelve_data/testdata/fx_daily.json"));
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("EUR/USD", Interval::k1d, 1704153600, 1704326400)));
  EXPECT_NE(http.last_url().find("interval=1day&start_date=2024-01-02&end_date=2024-01-04"),
            std::string::npos)
      << http.last_url();
  ASSERT_EQ(r.frame->rows(), 2u);
  EXPECT_EQ(r.frame->first_timestamp(), 1704153600);
  EXPECT_EQ(r.currency, "usd");  // not "us dollar"
  EXPECT_FALSE(r.frame->volume().IsValid(0));
}

std::string Page(Timestamp newest, int n) {
  std::string s =
      R"({"meta":{"symbol":"FNX","interval":"1min","currency":"USD","exchange_timezone":"UTC"},"values":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",";
    s += R"({"datetime":")" + FormatIsoUtc(newest - 60 * i).substr(0, 10) + " " +
         FormatIsoUtc(newest - 60 * i).substr(11, 8) +
         R"(","open":"1","high":"2","low":"0.5","close":"1.5","volume":"7"})";
  }
  return s + R"(],"status":"ok"})";
}

TEST_F(TwelveDataProvider, PagesWhenFull) {
  clock.Set(1800000000);
  const Timestamp start = 1704067200,
                  end = start + 6000 * 60;  // 6000 minutes; UTC zone via "BTC/USD"
  http.On("end_date=2024-01-05%2004%3A00%3A00", 200, Page(end - 60, 5000));  // oldest: 16:40Z
  // The next page asks up to the oldest bar received (end_date may include it).
  http.On("end_date=2024-01-01%2016%3A40%3A00", 200, Page(start + 60000, 1001));
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r, p->History(Req("BTC/USD", Interval::k1m, start, end)));
  EXPECT_EQ(r.http_calls, 2);
  EXPECT_EQ(r.frame->rows(), 6000u);
  EXPECT_EQ(r.frame->first_timestamp(), start);
  EXPECT_EQ(r.frame->last_timestamp(), end - 60);
}

TEST_F(TwelveDataProvider, ErrorEnvelopes) {
  const Timestamp now = 1704067230;
  const HistoryRequest req = Req("FNX", Interval::k1d, 1704067200 - 86400, 1704067200);
  Result<HistoryResponse> r429 = twelve_data::ParseTimeSeries(
      Resp(200, testhelp::ReadTestdata("twelve_data/testdata/error_429.json")), req, now);
  EXPECT_THAT(r429, StatusIs(StatusCode::kResourceExhausted, "API credits"));  // throttle-as-200
  EXPECT_EQ(r429.status().details().retry_after_s, 30);                        // the next minute
  // The Basic plan's daily cap: until the next 00:00 UTC.
  Result<HistoryResponse> day = twelve_data::ParseTimeSeries(
      Resp(200, R"({"code":429,"message":"You have run out of API credits for the day. 801 API )"
                R"(credits were used, with the current limit being 800.","status":"error"})"),
      req, now);
  EXPECT_THAT(day, StatusIs(StatusCode::kResourceExhausted, "for the day"));
  EXPECT_EQ(day.status().details().retry_after_s, 86400 - 30);
  EXPECT_THAT(
      twelve_data::ParseTimeSeries(
          Resp(200, R"({"code":400,"message":"**symbol** not found: NOPE.","status":"error"})"),
          req, now),
      StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(
      twelve_data::ParseTimeSeries(
          Resp(401,
               R"({"code":401,"message":"**apikey** parameter is incorrect","status":"error"})"),
          req, now),
      StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse empty,
      twelve_data::ParseTimeSeries(
          Resp(
              200,
              R"({"code":400,"message":"No data is available on the specified dates. Try setting different start/end dates.","status":"error"})"),
          req, now));
  EXPECT_TRUE(empty.frame->empty());
  EXPECT_THAT(twelve_data::ParseTimeSeries(Resp(500, "oops"), req, now),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(twelve_data::ParseTimeSeries(Resp(200, R"({"values":[]})"), req, now),
              StatusIs(StatusCode::kDataLoss));
}

TEST(TwelveDataProviderShared, CapturedBodies) {
  FINEX_REQUIRE_SHARED_DATA();
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse r,
      twelve_data::ParseTimeSeries(Shared("twelvedata/td-time_series-AAPL-1min-2023-08-24.json"),
                                   Req("AAPL", Interval::k1m, 1692888000, 1692889800), 1767225600));
  ASSERT_EQ(r.frame->rows(), 30u);                    // default outputsize 30
  EXPECT_EQ(r.frame->first_timestamp(), 1692888000);  // 10:40 EDT
  EXPECT_EQ(r.frame->last_timestamp(), 1692889740);   // 11:09 EDT
  EXPECT_DOUBLE_EQ(r.frame->open()[29], 177.9101);
  EXPECT_DOUBLE_EQ(r.frame->close()[29], 178.00121);
  EXPECT_EQ(r.frame->volume()[29], 293189);
  EXPECT_EQ(r.currency, "usd");
  EXPECT_EQ(r.timezone, "America/New_York");
  EXPECT_EQ(r.exchange, "NASDAQ");
}

TEST_F(TwelveDataProvider, QuoteAndSearch) {
  clock.Set(1704153600);
  http.On(
      "/quote?symbol=AAPL", 200,
      R"({"symbol":"AAPL","name":"Apple Inc","exchange":"NASDAQ","currency":"USD","datetime":"2024-01-02",)"
      R"("timestamp":1704205800,"open":"187.15","high":"188.44","low":"183.89","close":"185.64","volume":"82488700",)"
      R"("previous_close":"192.53","change":"-6.89","percent_change":"-3.58","is_market_open":false})");
  http.On("/quote?symbol=NOPE", 200,
          R"({"code":404,"message":"**symbol** not found: NOPE","status":"error"})");
  http.On(
      "/symbol_search?symbol=apple", 200,
      R"({"data":[{"symbol":"AAPL","instrument_name":"Apple Inc","exchange":"NASDAQ","mic_code":"XNGS",)"
      R"("exchange_timezone":"America/New_York","instrument_type":"Common Stock","country":"United States","currency":"USD"},)"
      R"({"symbol":"APLE","instrument_name":"Apple Hospitality REIT Inc","exchange":"NYSE","instrument_type":"REIT",)"
      R"("country":"United States","currency":"USD"}],"status":"ok"})");
  auto p = Open({"http://td", "K", 5000});
  const std::string syms[] = {"AAPL", "NOPE"};
  ASSERT_OK_AND_ASSIGN(auto q, p->Quote(syms));
  ASSERT_EQ(q.size(), 1u);  // unknown symbols are omitted
  EXPECT_DOUBLE_EQ(q[0].price, 185.64);
  EXPECT_DOUBLE_EQ(*q[0].change_percent, -3.58);
  EXPECT_EQ(q[0].volume, 82488700);
  EXPECT_EQ(q[0].currency, "usd");
  EXPECT_EQ(q[0].market_state, "CLOSED");
  EXPECT_EQ(q[0].timestamp, 1704205800);
  ASSERT_OK_AND_ASSIGN(auto s, p->Search("apple"));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].symbol, "AAPL");
  EXPECT_EQ(s[0].type, "equity");
  EXPECT_GT(s[0].match_score, s[1].match_score);
  EXPECT_THAT(p->Search(""), testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::provider
