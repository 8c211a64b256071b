#include "finex/provider/coingecko/coingecko_provider.h"

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
using CoinGeckoProvider = testhelp::AdapterTest<NewCoinGeckoProvider>;
using CoinGeckoProviderShared = testhelp::AdapterTest<NewCoinGeckoProvider>;

TEST_F(CoinGeckoProvider, DailySnapshotsBecomeCloses) {
  clock.Set(1704279700);
  http.OnFile("/market_chart/range?", 200,
              testhelp::Testdata("coingecko/testdata/range_daily.json"));
  auto p = Open({"http://sim/coingecko", "CGKEY", 5000});
  ASSERT_OK_AND_ASSIGN(HistoryResponse r, p->History(Req("BTC", Interval::k1d, 1704067200,
                                                         1704240000, FieldSet::All())));
  const HttpRequest sent = http.requests()[0];
  // to = end + 5 min tolerance; from pulled back to > 90 days for daily points.
  EXPECT_EQ(
      sent.url,
      "http://sim/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=1696377900"
      "&to=1704240300");
  ASSERT_EQ(sent.headers.size(), 1u);
  EXPECT_EQ(sent.headers[0].first, "x-cg-demo-api-key");
  ASSERT_EQ(r.frame->rows(), 4u);
  // 00:00 snapshot of day D+1 = close of day D.
  EXPECT_EQ(r.frame->timestamps()[0], 1703980800);
  EXPECT_DOUBLE_EQ(r.frame->close()[0], 42300.5);
  EXPECT_EQ(r.frame->volume()[0], 16000000000);  // 24h volume at the boundary = that day's volume
  EXPECT_DOUBLE_EQ(r.frame->market_cap()[0], 828000000000.0);
  EXPECT_FALSE(r.frame->open().IsValid(0));  // never invented
  EXPECT_EQ(r.frame->timestamps()[2], 1704153600);
  EXPECT_DOUBLE_EQ(r.frame->close()[2], 42800.0);
  // The off-grid final point is the live bar of 2024-01-03.
  EXPECT_EQ(r.frame->timestamps()[3], 1704240000);
  EXPECT_DOUBLE_EQ(r.frame->close()[3], 43100.75);
  EXPECT_TRUE(r.last_bar_partial);
  EXPECT_EQ(r.currency, "usd");
  EXPECT_EQ(r.timezone, "UTC");
  EXPECT_EQ(r.requested, (TimeRange{1704067200, 1704240000}));
}

// Issue 13: three weeks ago to two weeks ago, daily. The "more than 90 days"
// pull-back for daily points must stay inside the public plan's 365 days,
// else CoinGecko refuses the call (401, error 10012) for data it serves.
TEST_F(CoinGeckoProvider, DailyCallsStayInsideThePublicWindow) {
  const Timestamp now = 1704279700;
  clock.Set(now);
  http.OnFile("/market_chart/range?", 200,
              testhelp::Testdata("coingecko/testdata/range_daily.json"));
  auto p = Open({"http://sim/coingecko", "", 5000});
  // Near the window's edge: from = start - 5 min would already reach past it.
  const Timestamp start = now - 365 * kSecondsPerDay + 60, end = start + 7 * kSecondsPerDay;
  ASSERT_OK(p->History(Req("BTC", Interval::k1d, start, end, FieldSet::All())));
  const std::string url = http.requests()[0].url;
  const size_t at = url.find("&from=");
  ASSERT_NE(at, std::string::npos) << url;
  const Timestamp from = std::stoll(url.substr(at + 6));
  const Timestamp to = std::stoll(url.substr(url.find("&to=") + 4));
  EXPECT_GE(from, now - 365 * kSecondsPerDay) << url;
  EXPECT_GT(to - from, 90 * kSecondsPerDay) << "daily points need a call of more than 90 days";
  EXPECT_GE(to, end) << url;
}

// plan "premium": the key is a pro key. It travels in x-cg-pro-api-key to
// the pro host (base_url left default), daily and hourly calls have no
// 365-day window, and a call years back is asked as it is.
TEST_F(CoinGeckoProvider, AProKeyLiftsThePublicWindow) {
  const Timestamp now = 1704279700;
  clock.Set(now);
  http.OnFile("/market_chart/range?", 200,
              testhelp::Testdata("coingecko/testdata/range_daily.json"));
  ProviderConfig pro{"", "PROKEY", 5000, "premium"};
  auto p = Open(pro);
  for (Interval iv : {Interval::k1h, Interval::k1d, Interval::k1w, Interval::k1mo})
    EXPECT_EQ(p->Limits(iv).max_lookback_s, 0) << IntervalName(iv);
  EXPECT_EQ(p->Limits(Interval::k5m).max_lookback_s, kSecondsPerDay) << "sub-hourly: last day";
  const Timestamp start = now - 5 * 365 * kSecondsPerDay, end = now - 4 * 365 * kSecondsPerDay;
  ASSERT_OK(p->History(Req("BTC", Interval::k1d, start, end, FieldSet::All())));
  const HttpRequest sent = http.requests()[0];
  EXPECT_EQ(sent.url.rfind("https://pro-api.coingecko.com/api/v3/coins/bitcoin/", 0), 0u)
      << sent.url;
  EXPECT_NE(sent.url.find("&from=" + std::to_string(start - 300) + "&"), std::string::npos)
      << sent.url;
  ASSERT_EQ(sent.headers.size(), 1u);
  EXPECT_EQ(sent.headers[0], (std::pair<std::string, std::string>{"x-cg-pro-api-key", "PROKEY"}));

  // The same key without plan "premium" is a demo key: public host, demo
  // header, the 365-day window (a call never reaches before it).
  http.ClearRequests();
  auto demo = Open({"", "PROKEY", 5000, "auto"});
  EXPECT_EQ(demo->Limits(Interval::k1d).max_lookback_s, 365 * kSecondsPerDay);
  ASSERT_OK(demo->History(
      Req("BTC", Interval::k1d, now - 30 * kSecondsPerDay, now - 1, FieldSet::All())));
  const HttpRequest public_sent = http.requests()[0];
  EXPECT_EQ(public_sent.url.rfind("https://api.coingecko.com/", 0), 0u) << public_sent.url;
  EXPECT_EQ(public_sent.headers[0].first, "x-cg-demo-api-key");
}

TEST_F(CoinGeckoProvider, SymbolsCurrencyAndGranularity) {
  EXPECT_EQ(coingecko::ResolveCoin("BTC")->id, "bitcoin");
  EXPECT_EQ(coingecko::ResolveCoin("bitcoin")->id, "bitcoin");
  EXPECT_EQ(coingecko::ResolveCoin("ETH-EUR")->vs_currency, "eur");
  EXPECT_EQ(coingecko::ResolveCoin("ETH/USD")->vs_currency, "usd");
  EXPECT_FALSE(coingecko::ResolveCoin("AAPL"));
  EXPECT_FALSE(coingecko::ResolveCoin("BTC-XYZ"));
  clock.Set(1720000000);
  http.On("market_chart", 200, R"({"prices":[],"market_caps":[],"total_volumes":[]})");
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse e,
                       p->History(Req("ETH-EUR", Interval::k1d, 1719792000, 1719878400)));
  EXPECT_EQ(e.currency, "eur");
  EXPECT_NE(
      http.last_url().find(
          "https://api.coingecko.com/api/v3/coins/ethereum/market_chart/range?vs_currency=eur"),
      std::string::npos);
  HistoryRequest gbp = Req("ETH-EUR", Interval::k1d, 1719792000, 1719878400);
  gbp.currency = "GBP";
  ASSERT_OK_AND_ASSIGN(HistoryResponse g, p->History(gbp));
  EXPECT_EQ(g.currency, "gbp");
  http.ClearRequests();
  ASSERT_OK_AND_ASSIGN(HistoryResponse h,
                       p->History(Req("BTC", Interval::k1h, 1720000000 - 200 * 86400, 1720000000)));
  EXPECT_EQ(h.http_calls, 3);  // 90-day chunks for hourly points
  EXPECT_EQ(http.calls(), 3u);
  EXPECT_THAT(p->History(Req("BTC", Interval::k1m, 1719990000, 1720000000)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(p->History(Req("BTC", Interval::k5m, 1720000000 - 3 * 86400, 1720000000)),
              StatusIs(StatusCode::kOutOfRange));
  EXPECT_FALSE(p->Limits(Interval::k1m).supported);
  EXPECT_TRUE(p->Handles("BTC-USD"));
  EXPECT_FALSE(p->Handles("AAPL"));
}

TEST_F(CoinGeckoProvider, Errors) {
  const HistoryRequest req = Req("BTC", Interval::k1d, 1704067200, 1704153600);
  Result<HistoryResponse> as200 = coingecko::ParseMarketChart(
      Resp(200, testhelp::ReadTestdata("coingecko/testdata/error_429.json")), req, "usd", 0);
  EXPECT_THAT(as200, StatusIs(StatusCode::kResourceExhausted, "Rate Limit"));
  EXPECT_EQ(as200.status().details().retry_after_s, 60);
  Result<HistoryResponse> r429 = coingecko::ParseMarketChart(
      Resp(429, testhelp::ReadTestdata("coingecko/testdata/error_429.json"),
           {{"retry-after", "53"}}),
      req, "usd", 0);
  EXPECT_EQ(r429.status().details().retry_after_s, 53);
  EXPECT_THAT(
      coingecko::ParseMarketChart(Resp(404, R"({"error":"coin not found"})"), req, "usd", 0),
      StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(coingecko::ParseMarketChart(
                  Resp(401, R"({"status":{"error_code":10002,"error_message":"API Key Missing"}})"),
                  req, "usd", 0),
              StatusIs(StatusCode::kUnauthenticated));
  // Beyond the public plan's window: the status object nested under "error".
  Result<HistoryResponse> beyond = coingecko::ParseMarketChart(
      Resp(401, R"({"error":{"status":{"timestamp":"2025-01-11T12:00:00Z","error_code":10012,)"
                R"("error_message":"Your request exceeds the allowed time range. Public API users )"
                R"(are limited to querying historical data within the past 365 days."}}})"),
      req, "usd", 0);
  EXPECT_THAT(beyond, StatusIs(StatusCode::kOutOfRange, "within the past 365 days"));
  EXPECT_EQ(beyond.status().details().upstream_status, 401);
  EXPECT_THAT(coingecko::ParseMarketChart(Resp(200, R"({"prices":[[1,"x"],[2]]})"), req, "usd", 0),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(CoinGeckoProviderShared, CapturedBodies) {
  FINEX_REQUIRE_SHARED_DATA();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       coingecko::ParseMarketChart(
                           Shared("coingecko/cg-coins-ethereum-market_chart-range.json"),
                           Req("ETH", Interval::k1d, 1711756800, 1711929600), "usd", 1711983700));
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_EQ(r.frame->first_timestamp(), 1711756800);  // 03-31 00:00 snapshot closes 03-30
  EXPECT_DOUBLE_EQ(r.frame->close()[0], 69702.3087473573);
  EXPECT_EQ(r.frame->volume()[0], 16408802302);
  EXPECT_EQ(r.frame->last_timestamp(), 1711929600);  // live bar of 04-01
  EXPECT_DOUBLE_EQ(r.frame->close()[2], 68887.7495158568);
  EXPECT_TRUE(r.last_bar_partial);

  clock.Set(1711983700);
  http.On("/simple/price?", Shared("coingecko/cg-simple-price-ethereum-usd.json"));
  http.On("/search?", Shared("coingecko/cg-search-ethereum.json"));
  auto p = Open();
  const std::string syms[] = {"ETH", "AAPL"};
  ASSERT_OK_AND_ASSIGN(auto q, p->Quote(syms));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].symbol, "ETH");
  EXPECT_DOUBLE_EQ(q[0].price, 1498.64);
  EXPECT_EQ(q[0].currency, "usd");
  ASSERT_OK_AND_ASSIGN(auto s, p->Search("ethereum"));
  ASSERT_GE(s.size(), 3u);
  EXPECT_EQ(s[0].symbol, "ethereum");
  EXPECT_EQ(s[0].type, "crypto");
}

}  // namespace
}  // namespace finex::provider
