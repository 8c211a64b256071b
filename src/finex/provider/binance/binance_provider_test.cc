#include "finex/provider/binance/binance_provider.h"

#include <gtest/gtest.h>

#include "finex/provider/detail/test_helpers.h"
#include "finex/provider/factory.h"
#include "finex/provider/resilience/resilient_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testhelp::Req;
using testhelp::Resp;
using testhelp::Shared;
using testing::StatusIs;
using BinanceProvider = testhelp::AdapterTest<NewBinanceProvider>;

TEST_F(BinanceProvider, KlinesFixtureUrlAndValues) {
  clock.Set(1704164000);  // inside the third (last) hour: still forming
  http.OnFile("/api/v3/klines?", 200, testhelp::Testdata("binance/testdata/klines_3.json"));
  auto p = Open({"http://127.0.0.1:9100/binance", "KEY123", 5000});
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("BTC/USDT", Interval::k1h, 1704153600, 1704164400)));
  ASSERT_EQ(http.calls(), 1u);
  const HttpRequest sent = http.requests()[0];
  EXPECT_EQ(sent.url,
            "http://127.0.0.1:9100/binance/api/v3/"
            "klines?symbol=BTCUSDT&interval=1h&startTime=1704153600000"
            "&endTime=1704164399999&limit=1000");
  ASSERT_EQ(sent.headers.size(), 1u);
  EXPECT_EQ(sent.headers[0].first, "X-MBX-APIKEY");
  ASSERT_EQ(r.frame->rows(), 3u);
  EXPECT_EQ(r.frame->timestamps()[0], 1704153600);
  EXPECT_EQ(r.frame->timestamps()[2], 1704160800);
  EXPECT_DOUBLE_EQ(r.frame->open()[0], 42000.1);
  EXPECT_DOUBLE_EQ(r.frame->close()[1], 42150.0);
  EXPECT_EQ(r.frame->volume()[0], 13);  // 12.5 base units, rounded
  EXPECT_EQ(r.frame->volume()[1], 8);
  EXPECT_EQ(r.frame->row(0).symbol, "BTC/USDT");  // kept as given
  EXPECT_EQ(r.currency, "usdt");                  // the quote asset
  EXPECT_EQ(r.timezone, "UTC");
  EXPECT_TRUE(r.last_bar_partial);
  EXPECT_EQ(r.actual, (TimeRange{1704153600, 1704160801}));
  EXPECT_EQ(r.http_calls, 1);

  clock.Set(1704164400);  // the hour closed
  ASSERT_OK_AND_ASSIGN(HistoryResponse done,
                       p->History(Req("BTC-USDT", Interval::k1h, 1704153600, 1704164400)));
  EXPECT_FALSE(done.last_bar_partial);
}

std::string Page(int64_t first_open_ms, int n, int64_t step_ms) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    const int64_t o = first_open_ms + i * step_ms;
    if (i) s += ",";
    s += "[" + std::to_string(o) + ",\"1.0\",\"2.0\",\"0.5\",\"1.5\",\"10.0\"," +
         std::to_string(o + step_ms - 1) + ",\"15.0\",5,\"1.0\",\"1.5\",\"0\"]";
  }
  return s + "]";
}

TEST_F(BinanceProvider, PagesBeyondThousandRows) {
  clock.Set(1800000000);
  const Timestamp start = 1704067200;
  const int64_t step = 60000;
  http.On("startTime=" + std::to_string(start * 1000) + "&", 200, Page(start * 1000, 1000, step));
  const int64_t next = start * 1000 + 999 * step + 1;
  http.On("startTime=" + std::to_string(next) + "&", 200,
          Page(start * 1000 + 1000 * step, 200, step));
  auto p = Open();
  ASSERT_OK_AND_ASSIGN(HistoryResponse r,
                       p->History(Req("ETHBTC", Interval::k1m, start, start + 1200 * 60)));
  EXPECT_EQ(r.http_calls, 2);
  EXPECT_EQ(http.calls(), 2u);
  EXPECT_EQ(r.frame->rows(), 1200u);
  EXPECT_EQ(r.frame->last_timestamp(), start + 1199 * 60);
  EXPECT_EQ(r.currency, "btc");
  EXPECT_NE(http.requests()[0].url.find(
                "https://api.binance.com/api/v3/klines?symbol=ETHBTC&interval=1m"),
            std::string::npos);
  EXPECT_EQ(p->Limits(Interval::k1m).max_rows, 1000);
}

TEST_F(BinanceProvider, StopsPagingAtTheRequestWeightBudget) {
  clock.Set(1800000010);  // 10 s into a minute
  const Timestamp start = 1704067200;
  const int64_t step = 60000;
  http.On("startTime=" + std::to_string(start * 1000) + "&", 200, Page(start * 1000, 1000, step),
          {{"x-mbx-used-weight-1m", "5999"}});
  auto p = Open();
  auto r = p->History(Req("ETHBTC", Interval::k1m, start, start + 1200 * 60));
  EXPECT_THAT(r, testing::StatusIs(StatusCode::kResourceExhausted, "request weight 5999"));
  EXPECT_DOUBLE_EQ(r.status().details().retry_after_s, 50);
  EXPECT_EQ(http.calls(), 1u);  // the second page was never asked
  EXPECT_EQ(p->reported_weight().used, 5999);
  EXPECT_EQ(p->reported_weight().minute, 1800000010 / 60);
}

// Through the resilience wrapper, as the engine runs it: the weight Binance
// reports used this minute (X-MBX-USED-WEIGHT-1M) bounds what finex asks
// next, and a 429's Retry-After pauses every call until it has passed.
TEST_F(BinanceProvider, ReportedWeightAndRetryAfterSlowTheLimiter) {
  clock.Set(1800000000);  // the start of a minute
  const Timestamp start = 1704067200;
  std::vector<int64_t> sleeps;
  ResilienceOptions o;
  o.limiter = {1e6, 1e6};
  o.retry.max_attempts = 1;
  o.max_wait_ms = 60000;  // room for the 30 s Retry-After
  o.seed = 1;
  ResilientProvider p(NewBinanceProvider({}, http, clock), o, clock, [&](int64_t us) {
    sleeps.push_back(us);
    clock.AdvanceMicros(us);
  });
  http.On("klines", 200, Page(start * 1000, 10, 60000), {{"x-mbx-used-weight-1m", "6000"}}, 1);
  ASSERT_OK(p.History(Req("ETHBTC", Interval::k1m, start, start + 600)));
  EXPECT_TRUE(sleeps.empty());
  // Binance counted the whole minute used (another process on the IP):
  // the next call waits for the weight of one klines call (2 at 100/s).
  http.On("klines", 429, R"({"code":-1003,"msg":"Too much request weight used"})",
          {{"retry-after", "30"}}, 1);
  EXPECT_THAT(p.History(Req("ETHBTC", Interval::k1m, start, start + 600)),
              StatusIs(StatusCode::kResourceExhausted));
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_NEAR(static_cast<double>(sleeps[0]), 20000, 1);
  // The 429's Retry-After: the next call waits 30 s before asking.
  http.On("klines", 200, Page(start * 1000, 10, 60000), {}, 1);
  ASSERT_OK(p.History(Req("ETHBTC", Interval::k1m, start, start + 600)));
  ASSERT_GE(sleeps.size(), 2u);
  EXPECT_NEAR(static_cast<double>(sleeps[1]), 30e6, 1);  // then a call token's refill
  EXPECT_EQ(http.calls(), 3u);
}

TEST_F(BinanceProvider, SymbolRules) {
  EXPECT_EQ(binance::ParsePair("BTCUSDT")->wire, "BTCUSDT");
  EXPECT_EQ(binance::ParsePair("BTC/USDT")->wire, "BTCUSDT");
  EXPECT_EQ(binance::ParsePair("BTC-USDT")->quote, "USDT");
  EXPECT_EQ(binance::ParsePair("ETHBTC")->base, "ETH");
  EXPECT_EQ(binance::ParsePair("BTCFDUSD")->quote, "FDUSD");
  EXPECT_FALSE(binance::ParsePair("BTC-USD"));  // no USD quote on binance.com
  EXPECT_FALSE(binance::ParsePair("btcusdt"));  // no silent upper-casing
  EXPECT_FALSE(binance::ParsePair("AAPL"));
  EXPECT_FALSE(binance::ParsePair("BT/CUSDT"));  // separator must split base/quote
  EXPECT_FALSE(binance::ParsePair("USDT"));
  auto p = Open();
  EXPECT_TRUE(p->Handles("BTCUSDT"));
  EXPECT_FALSE(p->Handles("AAPL"));
  EXPECT_THAT(p->History(Req("AAPL", Interval::k1d, 0, 86400)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(http.calls(), 0u);
}

TEST_F(BinanceProvider, ErrorsMapToTypedStatuses) {
  const Timestamp now = 1620286133;
  const HistoryRequest req = Req("BTCUSDT", Interval::k1m, now - 600, now);
  EXPECT_THAT(binance::ParseKlines(
                  Resp(400, testhelp::ReadTestdata("binance/testdata/error_invalid_symbol.json")),
                  req, now),
              StatusIs(StatusCode::kNotFound, "Invalid symbol"));
  Result<HistoryResponse> r429 = binance::ParseKlines(
      Resp(429, R"({"code":-1003,"msg":"Too much request weight used"})", {{"retry-after", "30"}}),
      req, now);
  EXPECT_THAT(r429, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(r429.status().details().retry_after_s, 30);
  Result<HistoryResponse> r418 = binance::ParseKlines(
      Resp(
          418,
          R"({"code":-1003,"msg":"Way too much request weight used; IP banned until 1620286253180."})"),
      req, now);
  EXPECT_THAT(r418, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_NEAR(r418.status().details().retry_after_s, 120.18, 0.01);
  EXPECT_THAT(binance::ParseKlines(Resp(502, "bad gateway"), req, now),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(binance::ParseKlines(Resp(200, R"([[1,"x"]])"), req, now),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(binance::ParseKlines(Resp(200, R"({"a":1})"), req, now),
              StatusIs(StatusCode::kDataLoss));
}

TEST(BinanceProviderShared, CapturedBodies) {
  FINEX_REQUIRE_SHARED_DATA();
  const Timestamp now = 1634944340;  // during the last (7-trade) minute
  ASSERT_OK_AND_ASSIGN(
      HistoryResponse r,
      binance::ParseKlines(Shared("binance/binance-klines-BTCUSDT-1m-2021-10-22T2303Z-10bars.json"),
                           Req("BTCUSDT", Interval::k1m, 1634943780, 1634944380), now));
  ASSERT_EQ(r.frame->rows(), 10u);
  EXPECT_EQ(r.frame->first_timestamp(), 1634943780);
  EXPECT_EQ(r.frame->last_timestamp(), 1634944320);
  EXPECT_DOUBLE_EQ(r.frame->open()[0], 60685.22);
  EXPECT_DOUBLE_EQ(r.frame->close()[9], 60739.85);
  EXPECT_EQ(r.frame->volume()[0], 22);  // 21.63272 BTC
  EXPECT_EQ(r.currency, "usdt");
  EXPECT_EQ(r.timezone, "UTC");
  EXPECT_TRUE(r.last_bar_partial);

  ASSERT_OK_AND_ASSIGN(
      finex::Quote q,
      binance::ParseTicker(Shared("binance/binance-ticker-24hr-BTCUSDT-2021-10-22.json"), "BTCUSDT",
                           now));
  EXPECT_DOUBLE_EQ(q.price, 60755.18);
  EXPECT_DOUBLE_EQ(*q.change, -1880.95);
  EXPECT_DOUBLE_EQ(*q.change_percent, -3.003);
  EXPECT_DOUBLE_EQ(*q.high_24h, 63732.39);
  EXPECT_EQ(q.timestamp, 1634944401);
  EXPECT_EQ(q.currency, "usdt");

  EXPECT_THAT(binance::ParseKlines(
                  Shared("binance/reconstructed/binance-error-400-invalid-symbol-1121.json", 400),
                  Req("BTCUSDT", Interval::k1m, 0, 60), now),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(binance::ParseKlines(
                  Shared("binance/reconstructed/binance-error-418-ip-banned-1003.json", 418),
                  Req("BTCUSDT", Interval::k1m, 0, 60), now),
              StatusIs(StatusCode::kResourceExhausted, "banned"));
}

TEST_F(BinanceProvider, QuoteAndSearch) {
  clock.Set(1704153600);
  http.On(
      "/ticker/24hr?symbol=BTCUSDT", 200,
      R"({"symbol":"BTCUSDT","priceChange":"100.00000000","priceChangePercent":"0.237","lastPrice":"42300.00000000",)"
      R"("highPrice":"42500.00000000","lowPrice":"41800.00000000","volume":"15000.12000000","closeTime":1704153599999})");
  http.On("/ticker/24hr?symbol=ZZZZUSDT", 400, R"({"code":-1121,"msg":"Invalid symbol."})");
  http.On(
      "/exchangeInfo", 200,
      R"({"symbols":[{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","quoteAsset":"BTC"},)"
      R"({"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT"},)"
      R"({"symbol":"BTCUPUSDT","status":"BREAK","baseAsset":"BTCUP","quoteAsset":"USDT"},)"
      R"({"symbol":"WBTCBTC","status":"TRADING","baseAsset":"WBTC","quoteAsset":"BTC"}]})");
  auto p = Open();
  const std::string syms[] = {"BTC/USDT", "ZZZZUSDT", "AAPL"};
  ASSERT_OK_AND_ASSIGN(auto q, p->Quote(syms));
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].symbol, "BTC/USDT");
  EXPECT_DOUBLE_EQ(q[0].price, 42300.0);
  EXPECT_EQ(q[0].volume, 15000);
  EXPECT_EQ(q[0].currency, "usdt");
  EXPECT_EQ(http.calls(), 2u);        // "AAPL" is not a pair: never asked
  EXPECT_EQ(p->QuoteCalls(syms), 2);  // what the cache counts
  ASSERT_OK_AND_ASSIGN(auto s, p->Search("btc/usdt"));
  ASSERT_GE(s.size(), 1u);
  EXPECT_EQ(s[0].symbol, "BTCUSDT");
  EXPECT_DOUBLE_EQ(s[0].match_score, 1.0);
  for (const auto& r : s) EXPECT_NE(r.symbol, "BTCUPUSDT");  // not trading
}

}  // namespace
}  // namespace finex::provider
