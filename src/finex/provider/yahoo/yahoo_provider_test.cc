#include "finex/provider/yahoo/yahoo_provider.h"

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
using YahooProvider = testhelp::AdapterTest<NewYahooProvider>;

constexpr Timestamp kJun2024 = 1717200000;  // 2024-06-01

TEST_F(YahooProvider, DailyFixtureThroughFakeHttp) {
  clock.Set(kJun2024);
  http.OnFile("/v8/finance/chart/FNX?", 200,
              testhelp::Testdata("yahoo/testdata/chart_1d_events.json"));
  auto p = Open({"http://sim/yahoo/", "", 1234});
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX", Interval::k1d, 1704153600, 1704412800,
                                      FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose)))));
  ASSERT_EQ(http.calls(), 1u);
  const HttpRequest sent = http.requests()[0];
  // period1 = start - 1 day (early-opening exchanges), period2 = end (exclusive).
  EXPECT_EQ(
      sent.url,
      "http://sim/yahoo/v8/finance/chart/FNX?interval=1d&period1=1704067200&period2=1704412800"
      "&includePrePost=false&events=div%7Csplit");
  EXPECT_EQ(sent.timeout_ms, 1234);
  ASSERT_EQ(r.frame->rows(), 2u);                   // the all-null 2024-01-03 bar is skipped
  EXPECT_EQ(r.frame->timestamps()[0], 1704153600);  // 14:30Z → 2024-01-02 00:00 UTC
  EXPECT_EQ(r.frame->timestamps()[1], 1704326400);
  EXPECT_DOUBLE_EQ(r.frame->open()[0], 100.0);
  EXPECT_DOUBLE_EQ(r.frame->adj_close()[0], 100.76);
  EXPECT_EQ(r.frame->volume()[1], 2500000);
  EXPECT_TRUE(r.frame->fields().Has(FieldSet::kAdjClose));
  EXPECT_EQ(r.frame->row(0).provider, "yahoo");
  EXPECT_EQ(r.frame->row(0).currency, "usd");
  EXPECT_EQ(r.currency, "usd");
  EXPECT_EQ(r.timezone, "America/New_York");
  EXPECT_EQ(r.exchange, "NMS");
  EXPECT_EQ(r.actual, (TimeRange{1704153600, 1704326401}));
  EXPECT_EQ(r.requested, (TimeRange{1704153600, 1704412800}));
  EXPECT_FALSE(r.last_bar_partial);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].kind, CorporateAction::Kind::kDividend);
  EXPECT_EQ(r.actions[0].timestamp, 1704153600);
  EXPECT_DOUBLE_EQ(r.actions[0].amount, 0.24);
  EXPECT_EQ(r.actions[1].kind, CorporateAction::Kind::kSplit);
  EXPECT_EQ(r.actions[1].timestamp, 1704326400);
  EXPECT_DOUBLE_EQ(r.actions[1].ratio, 2.0);
  EXPECT_EQ(r.http_calls, 1);
}

TEST_F(YahooProvider, DailyBarOfTodayIsPartial) {
  clock.Set(1704378600 + 3600);  // 2024-01-04, session in progress
  http.OnFile("chart/FNX", 200, testhelp::Testdata("yahoo/testdata/chart_1d_events.json"));
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX", Interval::k1d, 1704153600, 1704412800)));
  EXPECT_TRUE(r.last_bar_partial);
  EXPECT_FALSE(r.frame->fields().Has(FieldSet::kAdjClose));  // not asked
  EXPECT_EQ(http.last_url().rfind("https://query2.finance.yahoo.com/v8/finance/chart/FNX?", 0), 0u);
}

TEST_F(YahooProvider, IntradayTrailingBarAfterTheRangeIsDropped) {
  // The body ends with Yahoo's extra bar at the latest trade time
  // (1704218400 = 18:00Z, after the close and on a 1m boundary), beyond
  // period2: it is not part of the answer, and the range's real last bar of a
  // past session is final.
  clock.Set(1704300000);
  http.OnFile("chart/FNX.L", 200, testhelp::Testdata("yahoo/testdata/chart_1m_live.json"));
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("FNX.L", Interval::k1m, 1704186000, 1704189600)));
  EXPECT_NE(http.last_url().find("interval=1m&period1=1704186000&period2=1704189600"),
            std::string::npos);
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_EQ(r.frame->last_timestamp(), 1704186120);
  EXPECT_EQ(r.actual, (TimeRange{1704186000, 1704186121}));
  EXPECT_FALSE(r.last_bar_partial);
  // Asked while that session is still running, the same range's last bar is
  // past too: final, not forming.
  clock.Set(1704200000);
  ASSERT_OK_AND_ASSIGN(r, p->History(Req("FNX.L", Interval::k1m, 1704186000, 1704189600)));
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_FALSE(r.last_bar_partial);
  // A range reaching now: its last bar is the forming one.
  clock.Set(1704186150);
  ASSERT_OK_AND_ASSIGN(r, p->History(Req("FNX.L", Interval::k1m, 1704186000, 1704186180)));
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_TRUE(r.last_bar_partial);
  EXPECT_EQ(r.currency, "gbx");  // GBp = pence, not pounds
  EXPECT_EQ(r.timezone, "Europe/London");
}

TEST_F(YahooProvider, IntradayReachIsOutOfRangeWithoutACall) {
  clock.Set(kJun2024);
  auto p = Open();
  EXPECT_THAT(p->History(Req("AAPL", Interval::k1m, kJun2024 - 40 * 86400, kJun2024 - 39 * 86400)),
              StatusIs(StatusCode::kOutOfRange, "last 30 days"));
  EXPECT_THAT(p->History(Req("AAPL", Interval::k1m, kJun2024 - 10 * 86400, kJun2024)),
              StatusIs(StatusCode::kOutOfRange, "7 days"));
  EXPECT_THAT(p->History(Req("AAPL", Interval::k5m, kJun2024 - 61 * 86400, kJun2024)),
              StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(
      p->History(Req("AAPL", Interval::k1h, kJun2024 - 731 * 86400, kJun2024 - 700 * 86400)),
      StatusIs(StatusCode::kOutOfRange));
  EXPECT_EQ(http.calls(), 0u);
  EXPECT_EQ(p->Limits(Interval::k1m).max_lookback_s, 30 * 86400);
  EXPECT_EQ(p->Limits(Interval::k1h).max_lookback_s, 730 * 86400);
  EXPECT_EQ(p->Limits(Interval::k1d).max_lookback_s, 0);
}

TEST_F(YahooProvider, ErrorsMapToTypedStatuses) {
  clock.Set(kJun2024);
  const HistoryRequest req = Req("FNX", Interval::k1d, 1704153600, 1704412800);
  auto run = [&](HttpResponse resp) {
    return yahoo::ParseChart(resp, req, req.range.end, clock.Now());
  };
  EXPECT_THAT(run(Resp(404, testhelp::ReadTestdata("yahoo/testdata/error_404.json"))),
              StatusIs(StatusCode::kNotFound, "delisted"));
  EXPECT_THAT(run(Resp(422, testhelp::ReadTestdata("yahoo/testdata/error_422.json"))),
              StatusIs(StatusCode::kOutOfRange, "30 days"));
  Result<HistoryResponse> limited =
      run(Resp(429, "Edge: Too Many Requests", {{"retry-after", "120"}}));
  EXPECT_THAT(limited, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(limited.status().details().retry_after_s, 120);
  EXPECT_EQ(limited.status().details().provider, "yahoo");
  EXPECT_EQ(limited.status().details().upstream_status, 429);
  EXPECT_THAT(run(Resp(503, "<html>down</html>")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(run(Resp(200, "{\"chart\":")), StatusIs(StatusCode::kDataLoss, "malformed JSON"));
  EXPECT_THAT(
      run(Resp(200, "{\"chart\":{\"result\":[{\"meta\":{\"currency\":\"USD\"}}],\"error\":null}}")),
      StatusIs(StatusCode::kDataLoss, "exchangeTimezoneName"));
  EXPECT_THAT(run(Resp(200,
                       "{\"chart\":{\"result\":[{\"meta\":{\"exchangeTimezoneName\":\"UTC\"},"
                       "\"timestamp\":[1,2],\"indicators\":{\"quote\":[{\"close\":[1.0]}]}}]}}")),
              StatusIs(StatusCode::kDataLoss, "length"));

  http.Fail("chart", DeadlineExceededError("HTTP GET https://x timed out"));
  auto p = Open();
  Result<HistoryResponse> r = p->History(req);
  EXPECT_THAT(r, StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(r.status().details().provider, "yahoo");
  EXPECT_THAT(p->History(Req("BAD SYMBOL", Interval::k1d, 0, 86400)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(YahooProvider, SymbolsPassThroughEncoded) {
  clock.Set(kJun2024);
  auto p = Open();
  (void)p->History(Req("^GSPC", Interval::k1d, 1704153600, 1704240000));
  EXPECT_NE(http.last_url().find("/chart/%5EGSPC?"), std::string::npos);
  (void)p->History(Req("EURUSD=X", Interval::k1d, 1704153600, 1704240000));
  EXPECT_NE(http.last_url().find("/chart/EURUSD%3DX?"), std::string::npos);
  EXPECT_TRUE(p->Handles("BTC-USD"));
  EXPECT_FALSE(p->Handles("a b"));
}

// --- Real captured bodies -------------------------------------------------

struct YahooCase {
  const char* file;
  Interval iv;
  Timestamp period2;
  size_t rows;
  Timestamp first, last;
  const char* currency;
  const char* tz;
  bool partial;
};

TEST(YahooProviderShared, ParsesEveryCapturedChart) {
  FINEX_REQUIRE_SHARED_DATA();
  const YahooCase cases[] = {
      {"yahoo-chart-AAPL-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 1, 1577923200,
       1577923200, "usd", "America/New_York", false},
      {"yahoo-chart-AAPL-1d-2020-08-31_2020-11-07-split-div.json", Interval::k1d, 1604707200, 49,
       1598832000, 1604620800, "usd", "America/New_York", false},
      // Ends with Yahoo's extra bar at 2024-10-03T20:00Z, after period2: dropped.
      {"yahoo-chart-AAPL-1m-2024-10-02-regular.json", Interval::k1m, 1727913600, 389, 1727875800,
       1727899140, "usd", "America/New_York", false},
      {"yahoo-chart-AAPL-1m-2025-02-01-weekend-empty.json", Interval::k1m, 1738454400, 0, 0, 0,
       "usd", "America/New_York", false},
      {"yahoo-chart-APS.AX-1d-2020-01-01_2020-01-03-empty-indicators.json", Interval::k1d,
       1578009600, 0, 0, 0, "aud", "Australia/Sydney", false},
      // Crypto/FX days start at 00:00Z: the 01-03 bar starts at period2 (exclusive), not asked.
      {"yahoo-chart-BTC-USD-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 2,
       1577836800, 1577923200, "usd", "UTC", false},
      {"yahoo-chart-EURUSD-X-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 2,
       1577836800, 1577923200, "usd", "Europe/London", false},
      {"yahoo-chart-GC-F-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 1, 1577923200,
       1577923200, "usd", "America/New_York", false},
      {"yahoo-chart-MSFT-1d-2021-02-01_2022-01-31-div.json", Interval::k1d, 1643587200, 252,
       1612137600, 1643328000, "usd", "America/New_York", false},
      {"yahoo-chart-NVDA-1d-2021-02-01_2022-01-31-split.json", Interval::k1d, 1643587200, 252,
       1612137600, 1643328000, "usd", "America/New_York", false},
      {"yahoo-chart-OCDO.L-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 1, 1577923200,
       1577923200, "gbx", "Europe/London", false},
      {"yahoo-chart-TSLA-1d-period1-0_2023-08-12-full-history.json", Interval::k1d, 1691798400,
       3303, 1277769600, 1691712000, "usd", "America/New_York", false},
      {"yahoo-chart-TSLA-1h-period1-equals-period2-empty.json", Interval::k1h, 1637625600, 0, 0, 0,
       "usd", "America/New_York", false},
      {"yahoo-chart-TSLA-30m-2021-11-22-prepost.json", Interval::k30m, 1637625600, 30, 1637571600,
       1637623800, "usd", "America/New_York", false},
      {"yahoo-chart-WSKT.JK-1d-2020-01-01_2020-01-03.json", Interval::k1d, 1578009600, 1,
       1577923200, 1577923200, "idr", "Asia/Jakarta", false},
      {"yahoo-chart-WSU.DE-1d-2023-08-04_2023-08-09.json", Interval::k1d, 1691539200, 2, 1691107200,
       1691452800, "eur", "Europe/Berlin", false},
      {"yahoo-chart-idx-VXAPL-1d-2020-01-01_2020-01-03-nodata.json", Interval::k1d, 1578009600, 0,
       0, 0, "usd", "America/New_York", false},
      {"yahoo-chart-0P0000XTS7-1d-2024-09-12_2024-09-16-mutualfund.json", Interval::k1d, 1726444800,
       1, 1726099200, 1726099200, "usd", "America/New_York", false},
  };
  for (const YahooCase& c : cases) {
    SCOPED_TRACE(c.file);
    const HttpResponse resp = Shared(std::string("yahoo/") + c.file);
    ASSERT_FALSE(resp.body.empty());
    Result<HistoryResponse> r = yahoo::ParseChart(
        resp, Req("X", c.iv, c.period2 - 86400, c.period2), c.period2, 1767225600);
    ASSERT_OK(r);
    EXPECT_EQ(r->frame->rows(), c.rows);
    EXPECT_EQ(r->currency, c.currency);
    EXPECT_EQ(r->timezone, c.tz);
    EXPECT_EQ(r->last_bar_partial, c.partial);
    if (c.rows > 0) {
      EXPECT_EQ(r->frame->first_timestamp(), c.first);
      EXPECT_EQ(r->frame->last_timestamp(), c.last);
      EXPECT_EQ(r->actual, (TimeRange{c.first, c.last + 1}));
    } else {
      EXPECT_TRUE(r->actual.empty());
    }
  }
}

TEST(YahooProviderShared, ValuesEventsAndErrors) {
  FINEX_REQUIRE_SHARED_DATA();
  const Timestamp now = 1767225600;
  auto parse = [&](const char* f, Interval iv, Timestamp p2, FieldSet fs = FieldSet::All()) {
    return yahoo::ParseChart(Shared(std::string("yahoo/") + f), Req("X", iv, p2 - 86400, p2, fs),
                             p2, now);
  };
  ASSERT_OK_AND_ASSIGN(HistoryResponse aapl, parse("yahoo-chart-AAPL-1d-2020-01-01_2020-01-03.json",
                                                   Interval::k1d, 1578009600));
  EXPECT_DOUBLE_EQ(aapl.frame->open()[0], 74.05999755859375);
  EXPECT_DOUBLE_EQ(aapl.frame->close()[0], 75.0875015258789);
  EXPECT_DOUBLE_EQ(aapl.frame->adj_close()[0], 72.8761215209961);
  EXPECT_EQ(aapl.frame->volume()[0], 135480400);
  EXPECT_EQ(aapl.exchange, "NMS");

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse sd,
      parse("yahoo-chart-AAPL-1d-2020-08-31_2020-11-07-split-div.json", Interval::k1d, 1604707200));
  ASSERT_EQ(sd.actions.size(), 2u);
  EXPECT_EQ(sd.actions[0].kind, CorporateAction::Kind::kSplit);
  EXPECT_EQ(sd.actions[0].timestamp, 1598832000);
  EXPECT_DOUBLE_EQ(sd.actions[0].ratio, 4.0);
  EXPECT_EQ(sd.actions[1].kind, CorporateAction::Kind::kDividend);
  EXPECT_EQ(sd.actions[1].timestamp, 1604620800);
  EXPECT_DOUBLE_EQ(sd.actions[1].amount, 0.205);

  ASSERT_OK_AND_ASSIGN(
      HistoryResponse nvda,
      parse("yahoo-chart-NVDA-1d-2021-02-01_2022-01-31-split.json", Interval::k1d, 1643587200));
  ASSERT_EQ(nvda.actions.size(), 1u);
  EXPECT_EQ(nvda.actions[0].timestamp, 1626739200);  // 2021-07-20
  EXPECT_DOUBLE_EQ(nvda.actions[0].ratio, 4.0);
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse msft,
      parse("yahoo-chart-MSFT-1d-2021-02-01_2022-01-31-div.json", Interval::k1d, 1643587200));
  EXPECT_EQ(msft.actions.size(), 4u);

  ASSERT_OK_AND_ASSIGN(HistoryResponse m1, parse("yahoo-chart-AAPL-1m-2024-10-02-regular.json",
                                                 Interval::k1m, 1727913600));
  EXPECT_FALSE(m1.frame->fields().Has(FieldSet::kAdjClose));  // intraday has no adjclose
  EXPECT_LT(m1.frame->last_timestamp(), 1727913600);  // the trailing bar after period2 is dropped
  EXPECT_GT(m1.frame->volume()[m1.frame->rows() - 1], 0);

  // Range before the listing: an empty answer (a fact), not an error.
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse beke,
      parse("yahoo-chart-BEKE-error-400-data-doesnt-exist.json", Interval::k1d, 1578009600));
  EXPECT_TRUE(beke.frame->empty());
  EXPECT_THAT(parse("yahoo-chart-SI-error-404-delisted.json", Interval::k1d, 1578009600),
              StatusIs(StatusCode::kNotFound));
}

TEST(YahooProviderShared, QuotesAndSearch) {
  FINEX_REQUIRE_SHARED_DATA();
  ASSERT_OK_AND_ASSIGN(auto q, yahoo::ParseQuotes(Shared("yahoo/yahoo-quote-AAPL,TSLA.json")));
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].symbol, "AAPL");
  EXPECT_DOUBLE_EQ(q[0].price, 160.07);
  EXPECT_EQ(q[0].currency, "usd");
  EXPECT_EQ(q[0].market_state, "PRE");
  EXPECT_EQ(q[0].timestamp, 1645650002);
  EXPECT_EQ(q[1].symbol, "TSLA");
  EXPECT_DOUBLE_EQ(q[1].price, 764.04);
  ASSERT_OK_AND_ASSIGN(auto btc, yahoo::ParseQuotes(Shared("yahoo/yahoo-quote-BTC-USD-2021.json")));
  ASSERT_EQ(btc.size(), 1u);
  EXPECT_EQ(btc[0].market_state, "REGULAR");
  ASSERT_OK_AND_ASSIGN(auto none,
                       yahoo::ParseQuotes(Shared("yahoo/yahoo-quote-NONEXIST-empty.json")));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto s, yahoo::ParseSearch(Shared("yahoo/yahoo-search-AAPL.json")));
  ASSERT_EQ(s.size(), 6u);  // the 7th entry has no symbol
  EXPECT_EQ(s[0].symbol, "AAPL");
  EXPECT_EQ(s[0].type, "equity");
  EXPECT_DOUBLE_EQ(s[0].match_score, 1.0);
  EXPECT_EQ(s[0].sector, "Technology");
  EXPECT_THAT(yahoo::ParseSearch(Shared("yahoo/yahoo-search-error-400-no-query.json")),
              StatusIs(StatusCode::kInvalidArgument, "Missing required query parameter"));
}

TEST_F(YahooProvider, QuoteAndSearchUrls) {
  http.On(
      "/v7/finance/quote?", 200,
      R"({"quoteResponse":{"result":[{"symbol":"AAPL","regularMarketPrice":185.5,"currency":"USD",)"
      R"("marketState":"POSTPOST","regularMarketTime":1704229200}],"error":null}})");
  http.On("/v1/finance/search?", 200,
          R"({"quotes":[{"symbol":"AAPL","shortname":"Apple","quoteType":"EQUITY","score":10}]})");
  auto p = Open();
  const std::string syms[] = {"AAPL", "EURUSD=X"};
  ASSERT_OK_AND_ASSIGN(auto q, p->Quote(syms));
  EXPECT_EQ(http.last_url(),
            "https://query2.finance.yahoo.com/v7/finance/quote?symbols=AAPL%2CEURUSD%3DX");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].market_state, "POST");
  ASSERT_OK_AND_ASSIGN(auto s, p->Search("apple inc"));
  EXPECT_EQ(http.last_url(),
            "https://query2.finance.yahoo.com/v1/finance/"
            "search?q=apple%20inc&quotesCount=10&newsCount=0");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "Apple");
}

TEST_F(YahooProvider, QuoteFetchesCrumbOn401) {
  http.On(
      "/v7/finance/quote?symbols=AAPL&crumb=abc123", 200,
      R"({"quoteResponse":{"result":[{"symbol":"AAPL","regularMarketPrice":185.5,"currency":"USD"}]}})");
  http.On(
      "/v7/finance/quote?symbols=AAPL", 401,
      R"({"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}})");
  http.On("https://fc.yahoo.com", 404, "",
          {{"set-cookie", "A3=d=AQABBKx; Expires=Wed; Domain=.yahoo.com"}});
  http.On("/v1/test/getcrumb", 200, "abc123");
  auto p = Open();
  const std::string syms[] = {"AAPL"};
  ASSERT_OK_AND_ASSIGN(auto q, p->Quote(syms));
  ASSERT_EQ(q.size(), 1u);
  const auto reqs = http.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[2].headers[0].second, "A3=d=AQABBKx");  // getcrumb sends the cookie
  EXPECT_EQ(reqs[3].headers[0].second, "A3=d=AQABBKx");
  // The pair is cached: the next quote goes straight through.
  ASSERT_OK(p->Quote(syms));
  EXPECT_EQ(http.calls(), 5u);
}

}  // namespace
}  // namespace finex::provider
