// Provider-compatible routes end to end: the real engine (in-memory backend)
// in front of the in-process simulator, asked through Service::Handle in each
// provider's own dialect. The simulator's answer to the same request is the
// truth (same writers, generated data); its /_sim/stats counter shows that a
// repeated, narrower or "period2 = now + a few seconds" request makes no
// upstream call; errors come in the provider's own envelope and status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "finex/engine/engine.h"
#include "finex/server/service.h"
#include "finex/sim/simulator.h"
#include "tests/testutil/fake_clock.h"

namespace finex::server {
namespace {

using Json = nlohmann::json;

// Saturday 2024-03-16 15:00Z: markets closed, quotes do not move.
constexpr Timestamp kNow = 1710601200;

http::Request Get(const std::string& target) {
  http::Request r;
  r.method = "GET";
  r.target = target;
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    auto parsed = http::ParseQuery(std::string_view(target).substr(q + 1));
    if (parsed.ok()) r.query = *parsed;
  }
  return r;
}

std::string Header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class CompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimOptions so;
    so.listen = "127.0.0.1:0";
    so.clock = &clock_;
    auto s = sim::Simulator::Start(so);
    ASSERT_TRUE(s.ok()) << s.status();
    sim_ = std::move(*s);
    engine::EngineOptions eo;
    eo.backend = "memory";
    eo.max_memory_mb = 256;
    eo.prefetch_enabled = false;
    eo.clock = &clock_;
    for (const char* p : {"yahoo", "binance", "alpha_vantage", "twelve_data", "coingecko"}) {
      engine::ProviderOptions po;
      if (std::string_view(p) == "alpha_vantage" || std::string_view(p) == "twelve_data")
        po.api_key = "demo";
      po.base_url = sim_->BaseUrl(p);
      po.rate_limit_per_min = 100000;
      po.timeout_ms = 3000;
      po.max_retries = 0;
      eo.providers[p] = po;
    }
    eo.provider_order = {"yahoo", "binance", "alpha_vantage", "twelve_data", "coingecko"};
    auto e = engine::OpenEngine(eo);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    ServiceOptions svc;
    svc.clock = &clock_;
    service_ = std::make_unique<Service>(engine_->api(), nullptr, svc);
  }

  // finex's answer (through the Service) and the simulator's to the same target.
  http::Response Finex(const std::string& target) { return service_->Handle(Get(target)); }
  Json SimJson(const std::string& target) {
    http::Response r = sim_->Handle(Get(target));
    EXPECT_EQ(r.status, 200) << target;
    return Json::parse(*r.body);
  }
  static Json Body(const http::Response& r) { return Json::parse(r.body ? *r.body : "null"); }
  int64_t Upstream() { return sim_->stats().total; }

  testing::FakeClock clock_{kNow};
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Service> service_;
};

TEST_F(CompatTest, YahooChartIsTheSimulatorsAnswerAndRepeatsCostNothing) {
  const std::string q = "/yahoo/v8/finance/chart/AAPL?interval=1d&period1=1704153600&period2=";
  const int64_t before = Upstream();
  http::Response r = Finex(q + std::to_string(kNow) + "&lang=en-US&region=US&crumb=abc");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_GE(Upstream() - before, 1);
  EXPECT_EQ(Header(r, "X-Finex-Api-Calls"), std::to_string(Upstream() - before));
  EXPECT_FALSE(Header(r, "X-Finex-Cache-Keys").empty());
  const Json got = Body(r)["chart"]["result"][0];
  const Json truth = SimJson(q + std::to_string(kNow))["chart"]["result"][0];
  ASSERT_EQ(got["timestamp"], truth["timestamp"]);
  EXPECT_EQ(got["indicators"]["quote"][0]["close"], truth["indicators"]["quote"][0]["close"]);
  EXPECT_EQ(got["indicators"]["quote"][0]["volume"], truth["indicators"]["quote"][0]["volume"]);
  EXPECT_EQ(got["indicators"]["adjclose"][0]["adjclose"],
            truth["indicators"]["adjclose"][0]["adjclose"]);
  EXPECT_EQ(got["meta"]["currency"], "USD");
  EXPECT_EQ(got["meta"]["exchangeTimezoneName"], "America/New_York");
  EXPECT_TRUE(Body(r)["chart"]["error"].is_null());

  // Same data asked again: with other lang/crumb, with period2 a few seconds
  // later ("now" moved on), narrower, and as range=: no upstream call.
  const int64_t warm = Upstream();
  clock_.Advance(20);
  for (const std::string& t :
       {q + std::to_string(kNow + 20), q + std::to_string(kNow) + "&lang=de-DE&crumb=xyz",
        std::string("/yahoo/v8/finance/chart/AAPL?interval=1d&period1=1706745600&period2=") +
            "1709251200",
        std::string("/yahoo/v8/finance/chart/AAPL?interval=1d&range=1mo")}) {
    http::Response again = Finex(t);
    EXPECT_EQ(again.status, 200) << t;
    EXPECT_EQ(Header(again, "X-Finex-Api-Calls"), "0") << t;
  }
  EXPECT_EQ(Upstream(), warm);
  // A hot answer is served from the answer cache: the same shared bytes, also
  // for a request differing only in parameters that do not change the data.
  const std::string hot = "/yahoo/v8/finance/chart/AAPL?interval=1d&range=1mo";
  http::Response a = Finex(hot + "&lang=en-US");
  http::Response b = Finex(hot + "&crumb=zzz&region=DE");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body.get(), b.body.get());
}

TEST_F(CompatTest, YahooErrorsAreYahoos) {
  http::Response r = Finex("/yahoo/v8/finance/chart/AAPL?interval=7m");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["chart"]["error"]["code"], "Bad Request");
  EXPECT_TRUE(Body(r)["chart"]["result"].is_null());
  r = Finex("/yahoo/v8/finance/chart/AAPL?range=7y");
  EXPECT_EQ(r.status, 400);
  r = Finex("/yahoo/v8/finance/chart/AAPL?interval=1m&period1=1700000000&period2=1710000000");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["chart"]["error"]["code"], "Unprocessable Entity");
  r = Finex("/yahoo/v8/finance/chart/INVALIDX?interval=1d&range=1mo");
  EXPECT_EQ(r.status, 404) << *r.body;
  EXPECT_EQ(Body(r)["chart"]["error"]["code"], "Not Found");
  r = Finex("/yahoo/v7/finance/quote");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["quoteResponse"]["error"]["code"], "argument-error");
  r = Finex("/yahoo/v1/finance/search");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["finance"]["error"]["code"], "Bad Request");
  r = Finex("/yahoo/v9/nothing");
  EXPECT_EQ(r.status, 404);
}

TEST_F(CompatTest, YahooCookieCrumbQuoteAndSearch) {
  http::Response page = Finex("/yahoo/quote/AAPL");
  ASSERT_EQ(page.status, 200);
  const std::string cookie = Header(page, "Set-Cookie");
  ASSERT_TRUE(cookie.starts_with("A3=")) << cookie;
  EXPECT_NE(cookie.find("Domain=.yahoo.com"), std::string::npos);
  http::Request crumb_req = Get("/yahoo/v1/test/getcrumb");
  crumb_req.headers.emplace_back("cookie", cookie.substr(0, cookie.find(';')));
  http::Response crumb = service_->Handle(crumb_req);
  ASSERT_EQ(crumb.status, 200);
  EXPECT_EQ(crumb.body->size(), 11u);
  EXPECT_EQ(*service_->Handle(crumb_req).body, *crumb.body);  // a function of the cookie

  const int64_t before = Upstream();
  http::Response q = Finex("/yahoo/v7/finance/quote?symbols=AAPL,INVALIDX&crumb=" + *crumb.body);
  ASSERT_EQ(q.status, 200) << *q.body;
  const Json res = Body(q)["quoteResponse"]["result"];
  ASSERT_EQ(res.size(), 1u);  // the unknown symbol is omitted, as Yahoo does
  const Json truth = SimJson("/yahoo/v7/finance/quote?symbols=AAPL")["quoteResponse"]["result"][0];
  EXPECT_EQ(res[0]["symbol"], "AAPL");
  EXPECT_EQ(res[0]["regularMarketPrice"], truth["regularMarketPrice"]);
  EXPECT_EQ(res[0]["currency"], "USD");
  const int64_t after_quote = Upstream();
  EXPECT_GE(after_quote - before, 1);
  EXPECT_EQ(Header(Finex("/yahoo/v7/finance/quote?symbols=AAPL"), "X-Finex-Api-Calls"), "0");

  http::Response s = Finex("/yahoo/v1/finance/search?q=Apple&quotesCount=5");
  ASSERT_EQ(s.status, 200);
  const Json sj = Body(s);
  for (const char* k : {"timeTakenForQuotes", "timeTakenForNews", "timeTakenForAlgowatchlist",
                        "timeTakenForPredefinedScreener", "timeTakenForCrunchbase",
                        "timeTakenForNav", "timeTakenForResearchReports"}) {
    EXPECT_TRUE(sj[k].is_number()) << k;
  }
  bool found = false;
  for (const Json& e : sj["quotes"]) found = found || e["symbol"] == "AAPL";
  EXPECT_TRUE(found) << sj.dump();
  EXPECT_EQ(sj["count"], sj["quotes"].size());
}

TEST_F(CompatTest, BinanceKlinesTickerAndErrors) {
  const std::string q =
      "/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=1710460800000&limit=24";
  const int64_t before = Upstream();
  http::Response r = Finex(q);
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_GE(Upstream() - before, 1);
  const Json got = Body(r);
  const Json truth = SimJson(q);
  ASSERT_EQ(got.size(), 24u);
  ASSERT_EQ(got.size(), truth.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].size(), 12u);
    for (int k : {0, 1, 2, 3, 4, 5, 6}) EXPECT_EQ(got[i][k], truth[i][k]) << i << "/" << k;
  }
  const int64_t warm = Upstream();
  http::Response narrow =
      Finex("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=1710482400000&limit=6");
  EXPECT_EQ(Body(narrow), Json(std::vector<Json>(got.begin() + 6, got.begin() + 12)));
  EXPECT_EQ(Upstream(), warm);

  http::Response t = Finex("/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  ASSERT_EQ(t.status, 200) << *t.body;
  EXPECT_EQ(Body(t)["lastPrice"],
            SimJson("/binance/api/v3/ticker/24hr?symbol=BTCUSDT")["lastPrice"]);
  http::Response many = Finex("/binance/api/v3/ticker/24hr?symbols=[%22BTCUSDT%22,%22ETHUSDT%22]");
  ASSERT_EQ(many.status, 200) << *many.body;
  EXPECT_EQ(Body(many).size(), 2u);

  http::Response info = Finex("/binance/api/v3/exchangeInfo");
  ASSERT_EQ(info.status, 200);
  EXPECT_FALSE(Body(info)["symbols"].empty());
  EXPECT_EQ(Body(Finex("/binance/api/v3/time"))["serverTime"], kNow * 1000);
  EXPECT_EQ(Finex("/binance/api/v3/ping").status, 200);

  auto err = [&](const std::string& t, int status, int code) {
    http::Response e = Finex(t);
    EXPECT_EQ(e.status, status) << t;
    EXPECT_EQ(Body(e)["code"], code) << t << " " << *e.body;
    EXPECT_TRUE(Body(e)["msg"].is_string());
  };
  err("/binance/api/v3/klines?symbol=NOTAPAIR&interval=1h", 400, -1121);
  err("/binance/api/v3/klines?symbol=BTCUSDT&interval=7h", 400, -1120);
  err("/binance/api/v3/klines?symbol=BTCUSDT", 400, -1102);
  err("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=abc", 400, -1100);
  err("/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=5&endTime=1", 400, -1023);
  // Binance's own cap: limit above 1000 answers 1000 rows.
  http::Response capped = Finex("/binance/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5000");
  ASSERT_EQ(capped.status, 200);
  EXPECT_EQ(Body(capped).size(), 1000u);
}

// A quote for N Binance pairs costs N upstream calls (one ticker each), and
// the answer says N: in cache_info (JSON) and X-Finex-Api-Calls (CSV).
TEST_F(CompatTest, AMultiSymbolQuoteCountsEveryUpstreamCall) {
  const std::string syms = "symbols=BTC/USDT,ETH/USDT,SOL/USDT&provider=binance";
  int64_t before = Upstream();
  http::Response json = Finex("/v1/quote?" + syms);
  ASSERT_EQ(json.status, 200) << *json.body;
  ASSERT_EQ(Body(json)["data"]["symbol"].size(), 3u) << *json.body;
  EXPECT_EQ(Upstream() - before, 3);
  EXPECT_EQ(Body(json)["cache_info"]["api_calls_made"], 3) << *json.body;
  clock_.Advance(60);  // past the quote TTL: asked again
  before = Upstream();
  http::Response csv = Finex("/v1/quote?format=csv&" + syms);
  ASSERT_EQ(csv.status, 200) << *csv.body;
  EXPECT_EQ(Upstream() - before, 3);
  EXPECT_EQ(Header(csv, "X-Finex-Api-Calls"), "3");
}

// ticker/24hr without symbol= (every pair finex lists: exchangeInfo's) and
// with symbols=[...] (in the order asked), as arrays, as Binance answers.
TEST_F(CompatTest, BinanceTickerArraysForAllAndForSymbols) {
  const int64_t before = Upstream();
  http::Response all = Finex("/binance/api/v3/ticker/24hr");
  ASSERT_EQ(all.status, 200) << *all.body;
  const Json got = Body(all);
  ASSERT_TRUE(got.is_array());
  EXPECT_GE(Upstream() - before, 1);
  // One ticker call per pair, each counted.
  EXPECT_EQ(Header(all, "X-Finex-Api-Calls"), std::to_string(Upstream() - before));
  // The same pairs exchangeInfo lists (what ccxt's loadMarkets knows).
  std::vector<std::string> listed, tickers;
  const Json info = Body(Finex("/binance/api/v3/exchangeInfo"));
  for (const Json& m : info["symbols"]) listed.push_back(m["symbol"]);
  for (const Json& t : got) tickers.push_back(t["symbol"]);
  EXPECT_EQ(tickers, listed);
  for (const Json& t : got) {
    const std::string sym = t["symbol"];
    const Json truth = SimJson("/binance/api/v3/ticker/24hr?symbol=" + sym);
    EXPECT_EQ(t["lastPrice"], truth["lastPrice"]) << sym;
    EXPECT_EQ(t.size(), truth.size()) << sym;
  }
  // A subset, in the order asked, and the whole list again: from the cache.
  const int64_t warm = Upstream();
  const std::string two = "/binance/api/v3/ticker/24hr?symbols=[%22ETHUSDT%22,%22BTCUSDT%22]";
  http::Response sub = Finex(two);
  ASSERT_EQ(sub.status, 200) << *sub.body;
  EXPECT_EQ(Header(sub, "X-Finex-Api-Calls"), "0");
  ASSERT_EQ(Body(sub).size(), 2u);
  EXPECT_EQ(Body(sub)[0]["symbol"], "ETHUSDT");
  EXPECT_EQ(Body(sub)[1]["symbol"], "BTCUSDT");
  EXPECT_EQ(Header(Finex("/binance/api/v3/ticker/24hr"), "X-Finex-Api-Calls"), "0");
  EXPECT_EQ(Upstream(), warm);
  // The simulator answers symbols= the same way.
  const Json sim_two = SimJson(two);
  ASSERT_EQ(sim_two.size(), 2u);
  EXPECT_EQ(sim_two[0]["lastPrice"], Body(sub)[0]["lastPrice"]);
  EXPECT_EQ(sim_two[1]["lastPrice"], Body(sub)[1]["lastPrice"]);

  // Binance's errors, from finex and from the simulator alike.
  for (const auto& [t, code] : {std::pair<std::string, int>{"symbols=[%22BTCUSDT%22", -1100},
                                {"symbols=BTCUSDT", -1100},
                                {"symbols=[%22BTCUSDT%22,]", -1100},
                                {"symbols=[%22btcusdt%22]", -1100},
                                {"symbols=[%22NOTAPAIR%22]", -1121},
                                {"symbol=BTCUSDT&symbols=[%22ETHUSDT%22]", -1128}}) {
    const std::string target = "/binance/api/v3/ticker/24hr?" + t;
    http::Response e = Finex(target);
    EXPECT_EQ(e.status, 400) << t;
    EXPECT_EQ(Body(e)["code"], code) << t << " " << *e.body;
    http::Response se = sim_->Handle(Get(target));
    EXPECT_EQ(se.status, 400) << t;
    EXPECT_EQ(Json::parse(*se.body)["code"], code) << t;
  }
}

TEST_F(CompatTest, AlphaVantageSeriesQuoteSearchAndErrors) {
  const std::string q =
      "/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM&outputsize=compact&apikey=";
  const int64_t before = Upstream();
  http::Response r = Finex(q + "mine");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_GE(Upstream() - before, 1);
  const Json got = Body(r);
  const Json truth = SimJson(q + "demo");
  ASSERT_TRUE(got.contains("Time Series (Daily)")) << r.body->substr(0, 300);
  EXPECT_EQ(got["Time Series (Daily)"].size(), 100u);  // compact = the latest 100 points
  EXPECT_EQ(got["Time Series (Daily)"], truth["Time Series (Daily)"]);
  EXPECT_EQ(got["Meta Data"], truth["Meta Data"]);
  // Another key, the same data: served from the cache.
  const int64_t warm = Upstream();
  EXPECT_EQ(Header(Finex(q + "other-key"), "X-Finex-Api-Calls"), "0");
  http::Response csv = Finex(q + "k&datatype=csv");
  EXPECT_EQ(csv.body->substr(0, 38), "timestamp,open,high,low,close,volume\r\n");
  EXPECT_EQ(Upstream(), warm);

  const std::string gq = "/alpha_vantage/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=k";
  http::Response g = Finex(gq);
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(Upstream(), warm);  // the daily series is already cached
  EXPECT_EQ(Header(g, "X-Finex-Api-Calls"), "0");
  EXPECT_EQ(Body(g), SimJson(gq));

  http::Response s = Finex("/alpha_vantage/query?function=SYMBOL_SEARCH&keywords=Apple&apikey=k");
  ASSERT_EQ(s.status, 200);
  bool found = false;
  const Json sj = Body(s);
  for (const Json& m : sj["bestMatches"]) found = found || m["1. symbol"] == "AAPL";
  EXPECT_TRUE(found) << *s.body;

  // Errors: HTTP 200 with "Error Message", like the service.
  for (const std::string& t :
       {std::string("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM"),
        std::string("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=INVALIDX&apikey=k"),
        std::string("/alpha_vantage/query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=7min&"
                    "apikey=k"),
        std::string("/alpha_vantage/query?function=NO_SUCH_THING&apikey=k")}) {
    http::Response e = Finex(t);
    EXPECT_EQ(e.status, 200) << t;
    EXPECT_TRUE(Body(e)["Error Message"].is_string()) << t << " " << *e.body;
  }
}

// A generated equity with a split and a dividend in [from, kNow) (the
// generator's universe is deterministic: found by scan).
std::string SymbolWith(const sim::Generator& g, Timestamp from, bool split, bool dividend) {
  for (int i = 0; i < 600; ++i) {
    const std::string s = "S" + std::to_string(i);
    bool has_split = false, has_div = false;
    for (const sim::Event& e : g.Events(s, TimeRange{from, kNow}, kNow)) {
      has_split = has_split || e.kind == sim::Event::Kind::kSplit;
      has_div = has_div || e.kind == sim::Event::Kind::kDividend;
    }
    if (has_split == split && has_div == dividend) return s;
  }
  return "";
}

// Alpha Vantage's adjusted rows against the simulator's: prices and volume
// exactly, the dividend within the precision it is read back with (the
// cached 4-decimal prices), the split coefficient exactly. Returns the
// number of rows with a dividend and with a split.
std::pair<int, int> ExpectSameAdjustedRows(const Json& got, const Json& truth) {
  int divs = 0, splits = 0;
  EXPECT_EQ(got.size(), truth.size());
  for (auto it = truth.begin(); it != truth.end(); ++it) {
    const Json& t = it.value();
    if (!got.contains(it.key())) {
      ADD_FAILURE() << "no row " << it.key();
      continue;
    }
    const Json& g = got[it.key()];
    for (auto f = t.begin(); f != t.end(); ++f) {
      if (f.key() == "7. dividend amount") {
        // Read back from prices rounded to 4 decimals: x = (a0/c0)/(a1/c1) is
        // off by up to 5e-5 (1/a0 + 1/c0 + 1/a1 + 1/c1), the amount by c0 times that.
        const double c = std::stod(t["4. close"].get<std::string>());
        const double a = std::stod(t["5. adjusted close"].get<std::string>());
        const double tol = 1e-4 + 1.3 * c * 5e-5 * (2 / a + 2 / c);
        EXPECT_NEAR(std::stod(g[f.key()].get<std::string>()),
                    std::stod(f.value().get<std::string>()), tol)
            << it.key();
        divs += std::stod(f.value().get<std::string>()) > 0;
      } else {
        EXPECT_EQ(g[f.key()], f.value()) << it.key() << " " << f.key();
        if (f.key() == "8. split coefficient") splits += f.value() != "1.0";
      }
    }
  }
  return {divs, splits};
}

TEST_F(CompatTest, AlphaVantageAdjustedSeriesReadDividendsAndSplitsFromAdjClose) {
  const std::string sym = SymbolWith(sim_->generator(), 1672531200, true, true);  // since 2023
  ASSERT_FALSE(sym.empty());
  const std::string q = "/alpha_vantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=" + sym +
                        "&outputsize=full&apikey=";
  const int64_t before = Upstream();
  http::Response r = Finex(q + "mine");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_EQ(Upstream() - before, 1);
  const Json got = Body(r);
  const Json truth = SimJson(q + "demo");
  ASSERT_TRUE(got.contains("Time Series (Daily)")) << r.body->substr(0, 300);
  EXPECT_EQ(got["Meta Data"], truth["Meta Data"]);
  auto [divs, splits] =
      ExpectSameAdjustedRows(got["Time Series (Daily)"], truth["Time Series (Daily)"]);
  EXPECT_GT(divs, 0);
  EXPECT_GT(splits, 0);

  // Narrower (compact), CSV, weekly and monthly: from the cached daily series
  // and the weekly/monthly series (one call each), then nothing more.
  const std::string base = "/alpha_vantage/query?symbol=" + sym + "&apikey=k&function=TIME_SERIES_";
  // (Upstream() is read around finex's calls only: SimJson asks the simulator too.)
  const int64_t warm = Upstream();
  http::Response c = Finex(base + "DAILY_ADJUSTED");
  http::Response csv = Finex(base + "DAILY_ADJUSTED&datatype=csv");
  EXPECT_EQ(Upstream(), warm);
  EXPECT_EQ(Header(c, "X-Finex-Api-Calls"), "0");
  EXPECT_EQ(Body(c)["Time Series (Daily)"].size(), 100u);
  ExpectSameAdjustedRows(Body(c)["Time Series (Daily)"],
                         SimJson(base + "DAILY_ADJUSTED")["Time Series (Daily)"]);
  EXPECT_EQ(csv.body->substr(0, 85),
            "timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_coefficient")
      << csv.body->substr(0, 100);
  // Weekly and monthly (a symbol with dividends only: finex's bar validation
  // does not store a weekly series whose as-traded prices jump at a split).
  const std::string dsym = SymbolWith(sim_->generator(), 1672531200, false, true);
  ASSERT_FALSE(dsym.empty());
  const std::string dbase =
      "/alpha_vantage/query?symbol=" + dsym + "&apikey=k&function=TIME_SERIES_";
  for (const auto& [fn, key] :
       {std::pair<std::string, std::string>{"WEEKLY_ADJUSTED", "Weekly Adjusted Time Series"},
        {"MONTHLY_ADJUSTED", "Monthly Adjusted Time Series"}}) {
    const int64_t b = Upstream();
    http::Response w = Finex(dbase + fn);
    ASSERT_EQ(w.status, 200) << fn;
    EXPECT_GE(Upstream() - b, 1) << fn;  // the bars (and the daily series for the dividends)
    EXPECT_EQ(Header(w, "X-Finex-Api-Calls"), std::to_string(Upstream() - b)) << fn;
    const int64_t again = Upstream();
    EXPECT_EQ(Header(Finex("/alpha_vantage/query?symbol=" + dsym +
                           "&apikey=other&function=TIME_SERIES_" + fn),
                     "X-Finex-Api-Calls"),
              "0")
        << fn;
    EXPECT_EQ(Upstream(), again);
    const auto [wd, ws] = ExpectSameAdjustedRows(Body(w)[key], SimJson(dbase + fn)[key]);
    EXPECT_GT(wd, 0) << fn;
    EXPECT_EQ(ws, 0) << fn;  // no split coefficient in weekly/monthly series
  }
  // Bad input keeps Alpha Vantage's answer.
  http::Response e = Finex(base + "DAILY_ADJUSTED&outputsize=huge");
  EXPECT_EQ(e.status, 200);
  EXPECT_TRUE(Body(e)["Error Message"].is_string()) << *e.body;
}

// events=div|split: dividends read back from the cached adjclose, keyed by
// timestamp as Yahoo keys them; no block when there are none.
TEST_F(CompatTest, YahooChartEventsCarryTheDividends) {
  const Timestamp from = 1672531200;  // 2023-01-01
  const std::string sym = SymbolWith(sim_->generator(), from, false, true);
  ASSERT_FALSE(sym.empty());
  const std::string q = "/yahoo/v8/finance/chart/" + sym +
                        "?interval=1d&period1=" + std::to_string(from) +
                        "&period2=" + std::to_string(kNow);
  for (const std::string& ev : {"div|split", "div,split", "div", "div%7Csplit%7Cearn"}) {
    http::Response r = Finex(q + "&events=" + ev);
    ASSERT_EQ(r.status, 200) << *r.body;
    const Json got = Body(r)["chart"]["result"][0];
    const Json truth = SimJson(q + "&events=" + ev)["chart"]["result"][0];
    ASSERT_TRUE(truth["events"].contains("dividends")) << ev;
    ASSERT_TRUE(got.contains("events")) << ev;
    const Json& gd = got["events"]["dividends"];
    const Json& td = truth["events"]["dividends"];
    ASSERT_EQ(gd.size(), td.size()) << ev;
    for (auto it = td.begin(); it != td.end(); ++it) {
      ASSERT_TRUE(gd.contains(it.key())) << it.key();
      EXPECT_EQ(gd[it.key()]["date"], it.value()["date"]);
      EXPECT_NEAR(gd[it.key()]["amount"].get<double>(), it.value()["amount"].get<double>(), 1e-4);
    }
    EXPECT_FALSE(got["events"].contains("splits"));  // none in the range (sim agrees)
    EXPECT_FALSE(truth["events"].contains("splits"));
  }
  // Spellings that ask the same share one answer-cache entry (the same bytes).
  http::Response s1 = Finex(q + "&events=div%7Csplit%7Cearn");
  http::Response s2 = Finex(q + "&events=div,splits,capitalGains");
  ASSERT_EQ(s1.status, 200);
  EXPECT_EQ(s1.body.get(), s2.body.get());
  EXPECT_NE(Finex(q + "&events=div").body.get(), s1.body.get());  // not the same answer key
  // Without events=, or only splits asked: no block, like Yahoo.
  EXPECT_FALSE(Body(Finex(q))["chart"]["result"][0].contains("events"));
  EXPECT_FALSE(Body(Finex(q + "&events=split"))["chart"]["result"][0].contains("events"));
  // Intraday with events: the dividends come from the daily series.
  const std::string sym_div_recent = sym;
  const int64_t b = Upstream();
  http::Response h = Finex("/yahoo/v8/finance/chart/" + sym + "?interval=1h&range=1mo&events=div");
  ASSERT_EQ(h.status, 200) << *h.body;
  EXPECT_GE(Upstream() - b, 1);  // the hourly bars
  // A symbol without corporate actions: no events block.
  const std::string plain = SymbolWith(sim_->generator(), from, false, false);
  ASSERT_FALSE(plain.empty());
  const std::string pq = "/yahoo/v8/finance/chart/" + plain +
                         "?interval=1d&period1=" + std::to_string(from) +
                         "&period2=" + std::to_string(kNow) + "&events=div%7Csplit";
  http::Response p = Finex(pq);
  ASSERT_EQ(p.status, 200);
  EXPECT_FALSE(Body(p)["chart"]["result"][0].contains("events")) << p.body->substr(0, 200);
  EXPECT_FALSE(SimJson(pq)["chart"]["result"][0].contains("events"));
}

TEST_F(CompatTest, TwelveDataTimeSeriesQuoteAndErrors) {
  const std::string q = "/twelve_data/time_series?symbol=AAPL&interval=1day&outputsize=30&apikey=";
  const Json truth = SimJson(q + "demo");
  const int64_t before = Upstream();
  http::Response r = Finex(q + "mine");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_GE(Upstream() - before, 1);
  const Json got = Body(r);
  EXPECT_EQ(got["status"], "ok");
  ASSERT_EQ(got["values"].size(), 30u);
  EXPECT_EQ(got["values"], truth["values"]);  // newest first, five-decimal strings
  EXPECT_EQ(got["meta"]["exchange_timezone"], truth["meta"]["exchange_timezone"]);
  const int64_t warm = Upstream();
  http::Request with_header =
      Get("/twelve_data/time_series?symbol=AAPL&interval=1day&outputsize=10&order=ASC");
  with_header.headers.emplace_back("authorization", "apikey other");
  http::Response narrow = service_->Handle(with_header);
  ASSERT_EQ(narrow.status, 200) << *narrow.body;
  EXPECT_EQ(Body(narrow)["values"].size(), 10u);
  EXPECT_EQ(Body(narrow)["values"][9], got["values"][0]);  // ascending: newest last
  http::Response quote = Finex("/twelve_data/quote?symbol=AAPL&apikey=k");
  ASSERT_EQ(quote.status, 200) << *quote.body;
  EXPECT_EQ(Upstream(), warm);  // both from the cached daily series
  const Json tq = SimJson("/twelve_data/quote?symbol=AAPL&apikey=k");
  // (change is computed from the 5-decimal values here, from the truth in the simulator)
  for (const char* k : {"symbol", "datetime", "open", "close", "previous_close"})
    EXPECT_EQ(Body(quote)[k], tq[k]) << k;

  http::Response batch =
      Finex("/twelve_data/time_series?symbol=AAPL,INVALIDX&interval=1day&outputsize=5&apikey=k");
  ASSERT_EQ(batch.status, 200);
  EXPECT_EQ(Body(batch)["AAPL"]["status"], "ok");
  EXPECT_EQ(Body(batch)["INVALIDX"]["status"], "error");

  auto err = [&](const std::string& t, int status) {
    http::Response e = Finex(t);
    EXPECT_EQ(e.status, status) << t;
    EXPECT_EQ(Body(e)["status"], "error") << t << " " << *e.body;
    EXPECT_EQ(Body(e)["code"], status) << t;
  };
  err("/twelve_data/time_series?symbol=AAPL&interval=1day", 401);
  err("/twelve_data/time_series?symbol=AAPL&interval=7min&apikey=k", 400);
  err("/twelve_data/time_series?symbol=AAPL&interval=1day&outputsize=0&apikey=k", 400);
  err("/twelve_data/time_series?symbol=INVALIDX&interval=1day&apikey=k", 400);
  err("/twelve_data/nothing?apikey=k", 404);
}

TEST_F(CompatTest, CoinGeckoMarketChartRangeSimplePriceSearchAndErrors) {
  // 30 days up to now: hourly points, the last one at "now".
  const std::string q = "/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=" +
                        std::to_string(kNow - 30 * 86400) + "&to=" + std::to_string(kNow);
  const Json truth = SimJson(q);
  const int64_t before = Upstream();
  http::Response r = Finex(q);
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_GE(Upstream() - before, 1);
  const Json got = Body(r);
  ASSERT_EQ(got["prices"].size(), truth["prices"].size());
  for (size_t i = 0; i < got["prices"].size(); ++i) {
    EXPECT_EQ(got["prices"][i][0], truth["prices"][i][0]) << i;
    EXPECT_DOUBLE_EQ(got["prices"][i][1].get<double>(), truth["prices"][i][1].get<double>()) << i;
  }
  // A narrower range inside it: no upstream call.
  const int64_t warm = Upstream();
  http::Response narrow =
      Finex("/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=" +
            std::to_string(kNow - 20 * 86400) + "&to=" + std::to_string(kNow - 10 * 86400));
  ASSERT_EQ(narrow.status, 200) << *narrow.body;
  EXPECT_EQ(Upstream(), warm);
  EXPECT_FALSE(Body(narrow)["prices"].empty());
  // market_chart?days=7: the last week up to now, hourly, from the same cache.
  http::Response days = Finex(
      "/coingecko/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=7&x_cg_demo_api_key=k");
  ASSERT_EQ(days.status, 200) << *days.body;
  EXPECT_EQ(Upstream(), warm);
  EXPECT_EQ(Body(days)["prices"].back(), got["prices"].back());

  http::Response p = Finex("/coingecko/api/v3/simple/price?ids=bitcoin,INVALIDX&vs_currencies=usd");
  ASSERT_EQ(p.status, 200) << *p.body;
  EXPECT_TRUE(Body(p)["bitcoin"]["usd"].is_number()) << *p.body;
  EXPECT_FALSE(Body(p).contains("INVALIDX"));

  http::Response s = Finex("/coingecko/api/v3/search?query=bitcoin");
  ASSERT_EQ(s.status, 200);
  bool found = false;
  const Json sj = Body(s);
  for (const Json& c : sj["coins"]) found = found || c["id"] == "bitcoin";
  EXPECT_TRUE(found) << *s.body;

  EXPECT_EQ(Finex("/coingecko/api/v3/coins/bitcoin/market_chart/range?from=1&to=2").status, 400);
  http::Response old = Finex(
      "/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&"
      "from=1500000000&to=1600000000");
  EXPECT_EQ(old.status, 401);  // the public plan's 365 days
  EXPECT_EQ(Body(old)["error"]["status"]["error_code"], 10012);
  EXPECT_EQ(Finex("/coingecko/api/v3/nothing").status, 404);
}

}  // namespace
}  // namespace finex::server
