#include "finex/sim/simulator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/provider/yahoo/yahoo_facts.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/loopback_client.h"
#include "tests/testutil/status_matchers.h"

namespace finex::sim {
namespace {

using Json = nlohmann::ordered_json;
using ::finex::testing::FakeClock;
using ::finex::testing::LoopbackResponse;

// 2024-03-15 (a Friday) 17:30Z: NYSE in session (13:30Z..20:00Z, DST).
constexpr Timestamp kNow = 1710523800;
constexpr Timestamp kOpen = 1710509400;

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<FakeClock>(kNow);
    SimOptions o;
    o.listen = "127.0.0.1:0";
    o.clock = clock_.get();
    o.data_dir = data_dir_;
    auto s = Simulator::Start(o);
    ASSERT_OK(s);
    sim_ = std::move(s).value();
    ASSERT_OK(client_.Connect(sim_->port()));
  }

  LoopbackResponse Get(const std::string& target) {
    auto r = client_.Get(target);
    EXPECT_OK(r);
    return r.ok() ? *r : LoopbackResponse{};
  }
  LoopbackResponse Post(const std::string& target, const std::string& body) {
    auto r = client_.Request("POST", target, body);
    EXPECT_OK(r);
    return r.ok() ? *r : LoopbackResponse{};
  }
  static Json Parse(const LoopbackResponse& r) {
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body.substr(0, 300);
    return j;
  }

  std::string data_dir_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<Simulator> sim_;
  testing::LoopbackClient client_;
};

float F32(double v) { return static_cast<float>(v); }

// ------------------------------------------------------------------ Yahoo

TEST_F(SimTest, YahooDailyChartMatchesTruthAndExcludesPeriod2) {
  // 2024-01-01..2024-01-03: period2 exclusive → only the 01-02 bar (stamped at the 14:30Z open).
  auto r =
      Get("/yahoo/v8/finance/chart/"
          "AAPL?interval=1d&period1=1704067200&period2=1704240000&events=div%7Csplit");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json;charset=utf-8");
  Json j = Parse(r);
  const Json& res = j["chart"]["result"][0];
  EXPECT_TRUE(j["chart"]["error"].is_null());
  EXPECT_EQ(res["meta"]["currency"], "USD");
  EXPECT_EQ(res["meta"]["exchangeTimezoneName"], "America/New_York");
  EXPECT_EQ(res["meta"]["gmtoffset"], -14400);  // DST at "now"
  EXPECT_EQ(res["meta"]["timezone"], "EDT");
  EXPECT_EQ(res["meta"]["exchangeName"], "NMS");
  ASSERT_EQ(res["timestamp"].size(), 1u);
  EXPECT_EQ(res["timestamp"][0], 1704205800);
  FramePtr truth = TrueBars("AAPL", Interval::k1d, TimeRange{1704153600, 1704153601}, kNow);
  ASSERT_EQ(truth->rows(), 1u);
  const Json& q = res["indicators"]["quote"][0];
  EXPECT_EQ(F32(q["open"][0].get<double>()), F32(truth->open()[0]));
  EXPECT_EQ(F32(q["close"][0].get<double>()), F32(truth->close()[0]));
  EXPECT_EQ(q["volume"][0].get<int64_t>(), truth->volume()[0]);
  EXPECT_EQ(F32(res["indicators"]["adjclose"][0]["adjclose"][0].get<double>()),
            F32(truth->adj_close()[0]));
}

// Yahoo stamps FX daily bars at 00:00 London (exchangeTimezoneName
// Europe/London): 00:00Z in winter, 23:00Z the day before in summer; Monday's
// bar is Monday's London midnight, not the Sunday 17:00 New York reopening.
TEST_F(SimTest, YahooFxDailyBarsAreStampedAtLondonMidnight) {
  struct Case {
    const char* p1;
    const char* p2;
    std::vector<const char*> stamps;
  };
  const Case cases[] = {
      // Fri 2024-01-05, Mon 01-08, Tue 01-09 (GMT).
      {"2024-01-04T12:00:00Z",
       "2024-01-09T12:00:00Z",
       {"2024-01-05T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-09T00:00:00Z"}},
      // Fri 2023-07-07, Mon 07-10, Tue 07-11 (BST).
      {"2023-07-06T12:00:00Z",
       "2023-07-11T12:00:00Z",
       {"2023-07-06T23:00:00Z", "2023-07-09T23:00:00Z", "2023-07-10T23:00:00Z"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.p1);
    auto r = Get("/yahoo/v8/finance/chart/EURUSD=X?interval=1d&period1=" +
                 std::to_string(*ParseTime(c.p1, TimeBound::kStart)) +
                 "&period2=" + std::to_string(*ParseTime(c.p2, TimeBound::kStart)));
    ASSERT_EQ(r.status, 200) << r.body;
    const Json res = Parse(r)["chart"]["result"][0];
    EXPECT_EQ(res["meta"]["exchangeTimezoneName"], "Europe/London");
    std::vector<std::string> got;
    for (const Json& t : res["timestamp"]) got.push_back(FormatIsoUtc(t.get<Timestamp>()));
    EXPECT_EQ(got, std::vector<std::string>(c.stamps.begin(), c.stamps.end()));
  }
}

TEST_F(SimTest, YahooIntradayHasTrailingLiveBarAndNullsAreRare) {
  // Yesterday (Thursday 2024-03-14) 1m: 390 bars + the trailing bar at the latest trade time.
  const Timestamp p1 = kOpen - 86400, p2 = kOpen - 86400 + 7 * 3600;
  auto r = Get("/yahoo/v8/finance/chart/MSFT?interval=1m&period1=" + std::to_string(p1) +
               "&period2=" + std::to_string(p2));
  ASSERT_EQ(r.status, 200) << r.body;
  Json res = Parse(r)["chart"]["result"][0];
  ASSERT_EQ(res["timestamp"].size(), 391u);
  EXPECT_EQ(res["timestamp"][0], p1);
  EXPECT_EQ(res["timestamp"][390], kNow);  // in session now: the live instant
  EXPECT_EQ(res["indicators"]["quote"][0]["volume"][390], 0);
  EXPECT_FALSE(res["indicators"].contains("adjclose"));
  FramePtr truth = TrueBars("MSFT", Interval::k1m, TimeRange{p1, p2}, kNow);
  ASSERT_EQ(truth->rows(), 390u);
  int nulls = 0;
  for (size_t i = 0; i < 390; ++i) {
    const Json& c = res["indicators"]["quote"][0]["close"][i];
    if (c.is_null()) {
      ++nulls;
      continue;
    }
    EXPECT_EQ(F32(c.get<double>()), F32(truth->close()[i])) << i;
  }
  EXPECT_LE(nulls, 3);
}

TEST_F(SimTest, YahooErrorsAreTheRealOnes) {
  auto r =
      Get("/yahoo/v8/finance/chart/MSFT?interval=1m&period1=" + std::to_string(kNow - 10 * 86400) +
          "&period2=" + std::to_string(kNow));
  EXPECT_EQ(r.status, 422);
  Json j = Parse(r);
  EXPECT_EQ(j["chart"]["error"]["code"], "Unprocessable Entity");
  EXPECT_NE(j["chart"]["error"]["description"].get<std::string>().find(
                "Only 8 days worth of 1m granularity"),
            std::string::npos);
  r = Get("/yahoo/v8/finance/chart/MSFT?interval=1m&period1=" + std::to_string(kNow - 40 * 86400) +
          "&period2=" + std::to_string(kNow - 39 * 86400));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("within the last 30 days"), std::string::npos);
  r = Get("/yahoo/v8/finance/chart/MSFT?interval=5m&period1=" + std::to_string(kNow - 70 * 86400) +
          "&period2=" + std::to_string(kNow - 69 * 86400));
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("within the last 60 days"), std::string::npos);
  r = Get("/yahoo/v8/finance/chart/INVALIDSYM?interval=1d&period1=1704067200&period2=1704240000");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Parse(r)["chart"]["error"]["description"], "No data found, symbol may be delisted");
  r = Get("/yahoo/v8/finance/chart/AAPL?interval=7x&period1=1704067200&period2=1704240000");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Invalid input - interval=7x"), std::string::npos);
  // Before the listing (AAPL: 1980-12-12).
  r = Get("/yahoo/v8/finance/chart/AAPL?interval=1d&period1=0&period2=86400");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Data doesn't exist for startDate = 0, endDate = 86400"),
            std::string::npos);
  r = Get("/yahoo/v1/finance/search");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Parse(r)["finance"]["error"]["description"], "Missing required query parameter=q");
  r = Get("/yahoo/v9/nothing");
  EXPECT_EQ(r.status, 404);
}

TEST_F(SimTest, YahooEmptyRangeIs200WithoutTimestamps) {
  // Saturday 2024-03-09, 1m.
  auto r = Get("/yahoo/v8/finance/chart/AAPL?interval=1m&period1=1709942400&period2=1710028800");
  ASSERT_EQ(r.status, 200);
  Json res = Parse(r)["chart"]["result"][0];
  EXPECT_FALSE(res.contains("timestamp"));
  EXPECT_EQ(res["indicators"]["quote"][0], Json::object());
  // period1 == period2 too.
  r = Get("/yahoo/v8/finance/chart/TSLA?interval=1h&period1=1710028800&period2=1710028800");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(Parse(r)["chart"]["result"][0].contains("timestamp"));
}

TEST_F(SimTest, YahooQuoteAndSearch) {
  auto r = Get("/yahoo/v7/finance/quote?symbols=AAPL,NONEXIST,BTC-USD");
  ASSERT_EQ(r.status, 200);
  Json res = Parse(r)["quoteResponse"]["result"];
  ASSERT_EQ(res.size(), 2u);  // unknown symbols are omitted, not errors
  EXPECT_EQ(res[0]["symbol"], "AAPL");
  EXPECT_EQ(res[0]["marketState"], "REGULAR");
  EXPECT_EQ(res[1]["quoteType"], "CRYPTOCURRENCY");
  r = Get("/yahoo/v1/finance/search?q=apple");
  ASSERT_EQ(r.status, 200);
  Json s = Parse(r);
  ASSERT_GE(s["quotes"].size(), 1u);
  EXPECT_EQ(s["quotes"][0]["symbol"], "AAPL");
  EXPECT_EQ(s["count"], s["quotes"].size());
}

// ------------------------------------------------------------------ Binance

TEST_F(SimTest, BinanceKlinesFormatCapAndOpenKline) {
  auto r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5000");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.Header("x-mbx-used-weight-1m").empty());
  Json rows = Parse(r);
  ASSERT_EQ(rows.size(), 1000u);  // capped
  const Json last = rows[999];
  EXPECT_EQ(last[0].get<int64_t>(), kNow * 1000);  // the still-open kline
  EXPECT_EQ(last[6].get<int64_t>(), kNow * 1000 + 59999);
  ASSERT_TRUE(last[1].is_string());
  EXPECT_EQ(last[1].get<std::string>().size() - last[1].get<std::string>().find('.'),
            9u);  // 8 decimals
  EXPECT_EQ(last[11], "0");
  FramePtr truth = TrueBars("BTCUSDT", Interval::k1m, TimeRange{kNow - 60, kNow + 1}, kNow);
  ASSERT_EQ(truth->rows(), 2u);
  EXPECT_NEAR(std::stod(last[4].get<std::string>()), truth->close()[1], 1e-8);
  // Inclusive startTime/endTime in ms: Jan 1 00:00 → 00:10 gives 11 one-minute bars.
  r =
      Get("/binance/api/v3/"
          "klines?symbol=ETHUSDT&interval=1m&startTime=1704067200000&endTime=1704067800000");
  rows = Parse(r);
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_EQ(rows[0][0], 1704067200000);
  // The open kline moves with the clock.
  clock_->Advance(30);
  Json later = Parse(Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1"));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0][0].get<int64_t>(), kNow * 1000);
  EXPECT_NE(later[0][4], last[4]);
}

TEST_F(SimTest, BinanceErrors) {
  auto r = Get("/binance/api/v3/klines?symbol=NOPE&interval=1m");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Parse(r), Json::parse(R"({"code":-1121,"msg":"Invalid symbol."})"));
  r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=7m");
  EXPECT_EQ(Parse(r)["code"], -1120);
  r = Get("/binance/api/v3/klines?interval=1m");
  EXPECT_EQ(Parse(r)["code"], -1102);
  r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=2000&endTime=1000");
  EXPECT_EQ(Parse(r)["code"], -1023);
  r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=abc");
  EXPECT_EQ(Parse(r)["code"], -1100);
  r = Get("/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(Parse(r)["lastPrice"].is_string());
  r = Get("/binance/api/v3/exchangeInfo?symbol=ETHBTC");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Parse(r)["symbols"][0]["quoteAsset"], "BTC");
}

// ------------------------------------------------------------------ Alpha Vantage

TEST_F(SimTest, AlphaVantageDailyCompactFullAndIntraday) {
  auto r = Get("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM&apikey=demo");
  ASSERT_EQ(r.status, 200);
  Json j = Parse(r);
  EXPECT_EQ(j["Meta Data"]["2. Symbol"], "IBM");
  EXPECT_EQ(j["Meta Data"]["4. Output Size"], "Compact");
  EXPECT_EQ(j["Meta Data"]["5. Time Zone"], "US/Eastern");
  // In session: Last Refreshed is the time of the last trade, local.
  EXPECT_EQ(j["Meta Data"]["3. Last Refreshed"], "2024-03-15 13:30:00");
  const Json& ts = j["Time Series (Daily)"];
  ASSERT_EQ(ts.size(), 100u);
  EXPECT_EQ(ts.begin().key(), "2024-03-15");  // newest first
  FramePtr raw =
      TrueBars("IBM", Interval::k1d, TimeRange{1710460800, 1710460801}, kNow, Adjustment::kRaw);
  ASSERT_EQ(raw->rows(), 1u);
  EXPECT_EQ(ts["2024-03-15"]["4. close"], [&] {
    char b[32];
    std::snprintf(b, sizeof(b), "%.4f", raw->close()[0]);
    return std::string(b);
  }());
  r =
      Get("/alpha_vantage/"
          "query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=IBM&outputsize=full&apikey=demo");
  nlohmann::json full = nlohmann::json::parse(r.body);   // std::map-backed: fast for 10k keys
  EXPECT_GT(full["Time Series (Daily)"].size(), 5000u);  // everything since the listing
  EXPECT_TRUE(full["Time Series (Daily)"]["2024-03-14"].contains("8. split coefficient"));
  r = Get(
      "/alpha_vantage/query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=5min&apikey=demo");
  Json intr = Parse(r);
  const Json& s5 = intr["Time Series (5min)"];
  ASSERT_EQ(s5.size(), 100u);
  EXPECT_EQ(s5.begin().key(),
            "2024-03-15 13:35:00");  // bar close, exchange-local (live bar 13:30-13:35)
  r = Get("/alpha_vantage/query?function=TIME_SERIES_WEEKLY&symbol=IBM&apikey=demo");
  EXPECT_EQ(Parse(r)["Weekly Time Series"].begin().key(),
            "2024-03-15");  // labelled by the last trading day
  r = Get("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM&apikey=demo&datatype=csv");
  EXPECT_TRUE(r.body.starts_with("timestamp,open,high,low,close,volume\r\n2024-03-15,"));
}

TEST_F(SimTest, AlphaVantageErrorsAre200) {
  auto r = Get("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(Parse(r)["Error Message"].get<std::string>().find("apikey is invalid or missing"),
            std::string::npos);
  r = Get("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=INVALIDX&apikey=demo");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Parse(r)["Error Message"],
            "Invalid API call. Please retry or visit the documentation "
            "(https://www.alphavantage.co/documentation/) "
            "for TIME_SERIES_DAILY.");
  r = Get("/alpha_vantage/query?function=NOPE&apikey=demo");
  EXPECT_EQ(Parse(r)["Error Message"], "This API function (NOPE) does not exist.");
  r = Get("/alpha_vantage/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=demo");
  EXPECT_EQ(Parse(r)["Global Quote"]["01. symbol"], "IBM");
}

// ------------------------------------------------------------------ Twelve Data

TEST_F(SimTest, TwelveDataNewestFirstStrings) {
  auto r = Get("/twelve_data/time_series?symbol=AAPL&interval=1min&apikey=k");
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Parse(r);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["meta"]["exchange_timezone"], "America/New_York");
  EXPECT_EQ(j["meta"]["mic_code"], "XNGS");
  ASSERT_EQ(j["values"].size(), 30u);  // default outputsize
  EXPECT_EQ(j["values"][0]["datetime"], "2024-03-15 13:30:00");
  EXPECT_EQ(j["values"][1]["datetime"], "2024-03-15 13:29:00");
  const std::string open = j["values"][0]["open"];
  EXPECT_EQ(open.size() - open.find('.'), 6u);  // five decimals
  r =
      Get("/twelve_data/"
          "time_series?symbol=AAPL&interval=1day&start_date=2024-01-02&end_date=2024-01-05&apikey="
          "k&order=ASC");
  j = Parse(r);
  ASSERT_EQ(j["values"].size(), 4u);
  EXPECT_EQ(j["values"][0]["datetime"], "2024-01-02");
  r = Get("/twelve_data/time_series?symbol=AAPL,INVALIDX&interval=1day&apikey=k");
  j = Parse(r);
  EXPECT_EQ(j["AAPL"]["status"], "ok");
  EXPECT_EQ(j["INVALIDX"]["status"], "error");
  r = Get("/twelve_data/time_series?symbol=AAPL&interval=1day&outputsize=6000&apikey=k");
  EXPECT_EQ(r.status, 400);
  r = Get("/twelve_data/time_series?symbol=AAPL&interval=1day");
  EXPECT_EQ(r.status, 401);
  r = Get("/twelve_data/time_series?symbol=BTC/USD&interval=1h&apikey=k&outputsize=2");
  j = Parse(r);
  ASSERT_EQ(j["values"].size(), 2u);
  EXPECT_EQ(j["meta"]["exchange_timezone"], "UTC");
}

// ------------------------------------------------------------------ CoinGecko

TEST_F(SimTest, CoinGeckoGranularityAndNowPoint) {
  auto count = [&](Timestamp from, Timestamp to) {
    auto r = Get("/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=" +
                 std::to_string(from) + "&to=" + std::to_string(to));
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse(r)["prices"];
  };
  Json day = count(kNow - 86400, kNow);
  EXPECT_EQ(day.size(), 289u);  // 5-minutely, both ends
  EXPECT_EQ(day[1][0].get<int64_t>() - day[0][0].get<int64_t>(), 300000);
  Json month = count(kNow - 30 * 86400, kNow + 600);
  EXPECT_EQ(month[1][0].get<int64_t>() - month[0][0].get<int64_t>(), 3600000);
  EXPECT_EQ(month.back()[0].get<int64_t>(), clock_->NowMicros() / 1000);  // final point at now
  Json year = count(kNow - 200 * 86400, kNow - 100 * 86400);
  EXPECT_EQ(year[1][0].get<int64_t>() - year[0][0].get<int64_t>(), 86400000);
  EXPECT_EQ(year[0][0].get<int64_t>() % 86400000, 0);
  EXPECT_NEAR(
      day[0][1].get<double>(),
      TrueBars("bitcoin", Interval::k1m, TimeRange{kNow - 86400, kNow - 86399}, kNow)->open()[0],
      1e-6);
  auto r = Get(
      "/coingecko/api/v3/coins/nonexistent-coin/market_chart/range?vs_currency=usd&from=1&to=2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Parse(r)["error"], "coin not found");
  r = Get("/coingecko/api/v3/coins/bitcoin/market_chart/range?from=1&to=2");
  EXPECT_EQ(r.status, 400);
  r =
      Get("/coingecko/api/v3/coins/bitcoin/market_chart/"
          "range?vs_currency=usd&from=1600000000&to=1600086400");
  EXPECT_EQ(r.status, 401);  // keyless: past 365 days only
  r = Get("/coingecko/api/v3/simple/price?ids=ethereum,nonexistent&vs_currencies=usd");
  Json p = Parse(r);
  EXPECT_TRUE(p.contains("ethereum"));
  EXPECT_FALSE(p.contains("nonexistent"));
  r = Get("/coingecko/api/v3/search?query=eth");
  EXPECT_EQ(Parse(r)["coins"][0]["id"], "ethereum");
}

// ------------------------------------------------------------------ control

TEST_F(SimTest, EveryProviderCallIsCountedIncludingFailures) {
  Get("/yahoo/v8/finance/chart/AAPL?interval=1d&range=5d");
  Get("/yahoo/v8/finance/chart/INVALIDX");
  Get("/binance/api/v3/klines?symbol=NOPE&interval=1m");
  Get("/alpha_vantage/query?function=NOPE");
  Get("/coingecko/api/v3/whatever");
  Get("/nowhere");  // not a provider: not counted
  Json s = Parse(Get("/_sim/stats"));
  EXPECT_EQ(s["total"], 5);
  EXPECT_EQ(s["calls"]["yahoo"], 2);
  EXPECT_EQ(s["calls"]["binance"], 1);
  EXPECT_EQ(s["calls"]["twelve_data"], 0);
  EXPECT_EQ(s["by_route"]["yahoo /v8/finance/chart"], 2);
  EXPECT_EQ(s["by_route"]["coingecko (unknown)"], 1);
  EXPECT_EQ(sim_->stats().total, 5);
  EXPECT_EQ(Post("/_sim/reset", "").status, 200);
  s = Parse(Get("/_sim/stats"));
  EXPECT_EQ(s["total"], 0);
  EXPECT_EQ(Get("/_sim/reset").status, 405);
}

TEST_F(SimTest, FaultsDownErrorCorruptLatencyAndClear) {
  auto set = [&](const std::string& body) { return Post("/_sim/faults", body); };
  ASSERT_EQ(set(R"({"down":["yahoo"]})").status, 200);
  EXPECT_EQ(Get("/yahoo/v7/finance/quote?symbols=AAPL").status, 503);
  EXPECT_EQ(Get("/binance/api/v3/ticker/24hr?symbol=BTCUSDT").status, 200);
  ASSERT_EQ(set(R"({"error_rate":1})").status, 200);
  EXPECT_EQ(Get("/binance/api/v3/ticker/24hr?symbol=BTCUSDT").status, 503);
  EXPECT_EQ(Get("/twelve_data/quote?symbol=AAPL&apikey=k").status, 500);
  ASSERT_EQ(set(R"({"corrupt_rate":1})").status, 200);
  auto r = Get("/yahoo/v7/finance/quote?symbols=AAPL");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Json::parse(r.body, nullptr, false).is_discarded());
  ASSERT_EQ(set(R"({"latency_ms":150,"providers":{"binance":{"latency_ms":0}}})").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  Get("/yahoo/v7/finance/quote?symbols=AAPL");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
  t0 = std::chrono::steady_clock::now();
  Get("/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));
  ASSERT_EQ(set("{}").status, 200);
  EXPECT_EQ(Get("/yahoo/v7/finance/quote?symbols=AAPL").status, 200);
  EXPECT_EQ(set(R"({"error_rate":2})").status, 400);
  EXPECT_EQ(set(R"({"down":["nasdaq"]})").status, 400);
  EXPECT_EQ(set("not json").status, 400);
  EXPECT_EQ(set(R"({"bogus":1})").status, 400);
}

TEST_F(SimTest, RateLimitsSpeakEachProvidersDialect) {
  ASSERT_EQ(Post("/_sim/faults", R"({"rate_limit_per_min":2})").status, 200);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=2").status, 200);
  auto r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=2");
  EXPECT_EQ(r.status, 429);
  EXPECT_FALSE(r.Header("retry-after").empty());
  EXPECT_EQ(Parse(r)["code"], -1003);
  Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=2");
  r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=2");
  EXPECT_EQ(r.status, 418);  // kept going: banned
  for (int i = 0; i < 2; ++i)
    Get("/alpha_vantage/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=demo");
  r = Get("/alpha_vantage/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=demo");
  EXPECT_EQ(r.status, 200);  // throttle-as-200
  EXPECT_TRUE(Parse(r).contains("Note"));
  for (int i = 0; i < 2; ++i) Get("/twelve_data/quote?symbol=AAPL&apikey=k");
  r = Get("/twelve_data/quote?symbol=AAPL&apikey=k");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Parse(r)["code"], 429);
  for (int i = 0; i < 2; ++i) Get("/yahoo/v7/finance/quote?symbols=AAPL");
  r = Get("/yahoo/v7/finance/quote?symbols=AAPL");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, "Edge: Too Many Requests");
  // The window is in sim-clock minutes: advancing the clock lifts it.
  clock_->Advance(61);
  EXPECT_EQ(Get("/yahoo/v7/finance/quote?symbols=AAPL").status, 200);
}

TEST_F(SimTest, ReplayClockDrivesWhatExists) {
  const std::string url =
      "/yahoo/v8/finance/chart/AAPL?interval=1m&period1=" + std::to_string(kOpen) +
      "&period2=" + std::to_string(kOpen + 8 * 3600);
  Json a = Parse(Get(url))["chart"]["result"][0];
  ASSERT_EQ(a["timestamp"].size(), 241u);  // 13:30..17:30 inclusive: the last bar is live
  EXPECT_EQ(a["timestamp"].back(), kNow);
  clock_->Advance(600);
  Json b = Parse(Get(url))["chart"]["result"][0];
  EXPECT_EQ(b["timestamp"].size(), 251u);
  clock_->Set(kOpen + 8 * 3600);  // after the close: the full session, final
  Json c = Parse(Get(url))["chart"]["result"][0];
  EXPECT_EQ(c["timestamp"].size(), 390u);
}

class SimDataTest : public SimTest {
 protected:
  void SetUp() override {
    data_dir_ = std::string(FINEX_SOURCE_DIR) + "/src/finex/sim/testdata/data";
    SimTest::SetUp();
  }
};

TEST_F(SimDataTest, LoadedHistoryTakesPrecedence) {
  auto r = Get("/yahoo/v8/finance/chart/FIXA?interval=1d&period1=1704067200&period2=1704585600");
  ASSERT_EQ(r.status, 200);
  Json res = Parse(r)["chart"]["result"][0];
  ASSERT_EQ(res["timestamp"].size(), 4u);
  EXPECT_EQ(res["indicators"]["quote"][0]["open"][0], 10.0);
  EXPECT_EQ(F32(res["indicators"]["adjclose"][0]["adjclose"][1].get<double>()), F32(10.70));
  r = Get("/binance/api/v3/klines?symbol=FIXBUSDT&interval=1h&startTime=1704067200000&limit=3");
  Json k = Parse(r);
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(k[1][4], "101.90000000");
}

TEST(SimulatorStartTest, BadOptions) {
  SimOptions o;
  o.listen = "127.0.0.1:0";
  o.data_dir = std::string(FINEX_SOURCE_DIR) + "/src/finex/sim/testdata/bad";
  EXPECT_THAT(Simulator::Start(o),
              testing::StatusIs(StatusCode::kInvalidArgument, "yahoo_FIXBAD_1d_x.csv:3"));
  o.data_dir = "";
  o.listen = "bogus";
  EXPECT_THAT(Simulator::Start(o), testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::sim

namespace finex::sim {
namespace {

TEST_F(SimTest, HostileParametersGetErrorsNotCrashes) {
  EXPECT_EQ(
      Get("/yahoo/v8/finance/chart/AAPL?interval=1d&period1=99999999999999999999&period2=1").status,
      400);
  EXPECT_EQ(
      Get("/yahoo/v8/finance/chart/AAPL?interval=1d&period1=-999999999999999999&period2=1").status,
      400);
  EXPECT_EQ(Get("/yahoo/v8/finance/chart/AAPL?interval=1d&range=forever").status, 400);
  EXPECT_EQ(
      Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=999999999999999999").status,
      200);
  EXPECT_EQ(Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=-5").status, 400);
  auto r =
      Get("/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=-1e300&to=1e300"
          "&x_cg_pro_api_key=k");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(
      Get("/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=xyz&from=1&to=2").status,
      400);
  EXPECT_EQ(
      Get("/alpha_vantage/"
          "query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=5min&month=1999-13&apikey=d")
          .status,
      200);
  EXPECT_EQ(
      Get("/twelve_data/time_series?symbol=AAPL&interval=1day&start_date=garbage&apikey=k").status,
      400);
  EXPECT_EQ(Get("/twelve_data/time_series?symbol=AAPL&interval=7x&apikey=k").status, 400);
  // HEAD on a provider route: same headers, no body.
  auto h = client_.Request("HEAD", "/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  ASSERT_OK(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_TRUE(h->body.empty());
  EXPECT_NE(h->Header("content-length"), "0");
}

// ------------------------------------------------------------------ facts

// The interval spellings the simulator serves are its providers' facts
// (provider/<name>/<name>_facts.h), the same tables the adapters send.
TEST_F(SimTest, ServesEveryIntervalSpellingOfTheFacts) {
  namespace yahoo = provider::yahoo;
  namespace binance = provider::binance;
  namespace av = provider::alpha_vantage;
  namespace td = provider::twelve_data;
  for (Interval iv : kAllIntervals) {
    SCOPED_TRACE(std::string(IntervalName(iv)));
    const std::string y(provider::WireName(yahoo::kFacts.intervals, iv));
    LoopbackResponse r = Get("/yahoo/v8/finance/chart/AAPL?interval=" + y +
                             "&period1=" + std::to_string(kNow - 3 * kSecondsPerDay) +
                             "&period2=" + std::to_string(kNow));
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_EQ(Parse(r)["chart"]["result"][0]["meta"]["dataGranularity"], y);

    const std::string b(provider::WireName(binance::kFacts.intervals, iv));
    r = Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=" + b + "&limit=2");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_FALSE(Parse(r).empty());

    const std::string t(provider::WireName(td::kFacts.intervals, iv));
    r = Get("/twelve_data/time_series?symbol=AAPL&interval=" + t + "&outputsize=2&apikey=k");
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_EQ(Parse(r)["meta"]["interval"], t);

    if (IsIntraday(iv)) {
      const std::string a(provider::WireName(av::kFacts.intervals, iv));
      r = Get("/alpha_vantage/query?function=" + std::string(av::kIntradayFunction) +
              "&symbol=AAPL&interval=" + a + "&apikey=k");
      ASSERT_EQ(r.status, 200);
      EXPECT_TRUE(Parse(r).contains("Time Series (" + a + ")")) << r.body.substr(0, 300);
    } else {
      for (bool adjusted : {false, true}) {
        r = Get("/alpha_vantage/query?function=" + std::string(av::SeriesFunction(iv)) +
                (adjusted ? std::string(av::kAdjustedSuffix) : "") + "&symbol=AAPL&apikey=k");
        ASSERT_EQ(r.status, 200);
        const Json j = Parse(r);
        EXPECT_TRUE(j.contains(av::kMetaDataKey)) << r.body.substr(0, 300);
        EXPECT_FALSE(j.contains(av::kErrorMessageKey));
      }
    }
  }
  // Yahoo also takes "1h"; spellings of other providers are refused.
  EXPECT_EQ(
      Get("/yahoo/v8/finance/chart/AAPL?interval=" + std::string(yahoo::kHourAlias) + "&range=5d")
          .status,
      200);
  EXPECT_EQ(Get("/binance/api/v3/klines?symbol=BTCUSDT&interval=1wk").status, 400);
  EXPECT_EQ(Get("/twelve_data/time_series?symbol=AAPL&interval=1d&apikey=k").status, 400);
  EXPECT_TRUE(Parse(Get("/alpha_vantage/query?function=TIME_SERIES_INTRADAY&symbol=AAPL"
                        "&interval=1h&apikey=k"))
                  .contains(av::kErrorMessageKey));
}

}  // namespace
}  // namespace finex::sim
