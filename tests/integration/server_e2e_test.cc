// End-to-end: the real engine (OpenEngine, in-memory backend) in front of the
// upstream simulator, served by http::Server on 127.0.0.1, exercised over
// sockets. Checks the columnar JSON, that a repeated request is answered
// from cache with no new upstream call (the simulator's own counter is the
// ground truth), CSV and Parquet answers with Range, error mapping of
// unknown symbols and provider outages, and the stats/metrics routes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "finex/codec/parquet/parquet_codec.h"
#include "finex/engine/engine.h"
#include "finex/http/server.h"
#include "finex/server/service.h"
#include "finex/sim/simulator.h"
#include "tests/integration/server_socket.h"

namespace finex::server {
namespace {

using ::testing::HasSubstr;
using testing::HttpGet;
using Json = nlohmann::json;

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimOptions so;
    so.listen = "127.0.0.1:0";
    auto s = sim::Simulator::Start(so);
    ASSERT_TRUE(s.ok()) << s.status();
    sim_ = std::move(*s);
    engine::EngineOptions eo;
    eo.backend = "memory";
    eo.max_memory_mb = 256;
    eo.prefetch_enabled = false;
    for (const char* p : {"yahoo", "binance", "alpha_vantage", "twelve_data", "coingecko"}) {
      engine::ProviderOptions po;
      po.base_url = sim_->BaseUrl(p);
      po.rate_limit_per_min = 100000;
      po.timeout_ms = 3000;
      po.max_retries = 0;
      eo.providers[p] = po;
    }
    eo.provider_order = {"yahoo", "binance", "twelve_data", "alpha_vantage", "coingecko"};
    auto e = engine::OpenEngine(eo);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    codec_ = codec::NewParquetCodec();
    ServiceOptions svc;
    svc.admin_token = "tok";
    service_ = std::make_unique<Service>(engine_->api(), codec_.get(), svc);
    http::ServerOptions ho;
    ho.listen = "127.0.0.1:0";
    auto srv = http::Server::Start(ho, service_->AsHandler(), service_->AsFastHandler());
    ASSERT_TRUE(srv.ok()) << srv.status();
    server_ = std::move(*srv);
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) {
      server_->Stop(1000);
      server_->Wait();
    }
    service_.reset();
    engine_.reset();
    sim_.reset();  // ~Simulator stops it
  }

  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<codec::FrameCodec> codec_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(E2eTest, HistoryIsServedThenCachedWithNoNewUpstreamCall) {
  const std::string url = "/v1/history?symbols=AAPL&interval=1d&start=2024-01-02&end=2024-03-28";
  auto first = HttpGet(port_, url);
  ASSERT_EQ(first.status, 200) << first.body;
  Json a = Json::parse(first.body);
  const size_t rows = a["data"]["timestamp"].size();
  EXPECT_GT(rows, 50u);
  EXPECT_EQ(a["data"]["symbol"][0], "AAPL");
  EXPECT_EQ(a["data"]["timestamp"][0], 1704153600) << "AAPL's 2024-01-02 daily bar";
  EXPECT_GE(a["cache_info"]["api_calls_made"].get<int>(), 1);
  EXPECT_EQ(a["query"]["start"], "2024-01-02T00:00:00Z");
  const int64_t upstream = sim_->stats().total;
  EXPECT_GE(upstream, 1);

  auto second = HttpGet(port_, url);
  ASSERT_EQ(second.status, 200);
  Json b = Json::parse(second.body);
  EXPECT_EQ(b["data"], a["data"]);
  EXPECT_EQ(b["cache_info"]["api_calls_made"], 0);
  EXPECT_DOUBLE_EQ(b["cache_info"]["hit_rate"].get<double>(), 1.0);
  EXPECT_EQ(sim_->stats().total, upstream) << "the repeat made no upstream call";

  // A sub-range is answered from the same fragments.
  auto sub = HttpGet(
      port_, "/v1/history?symbols=AAPL&interval=1d&start=2024-02-01&end=2024-02-29&format=csv");
  ASSERT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(sub.Header("x-finex-api-calls"), "0");
  EXPECT_EQ(sub.Header("x-finex-start"), "2024-02-01T00:00:00Z");
  EXPECT_EQ(sim_->stats().total, upstream);
}

// A currency the instrument is not quoted in (DESIGN.md "Currencies"): each
// bar is the native bar times the FX series' close of its day, the answer
// names the FX keys, and a repeat makes no upstream call. CoinGecko quotes
// coins in any currency itself; pence become pounds by a factor alone.
TEST_F(E2eTest, CurrencyConversionWithACachedFxSeries) {
  const std::string range = "&interval=1d&start=2024-01-02&end=2024-03-28";
  auto eur = HttpGet(port_, "/v1/history?symbols=AAPL&currency=eur" + range);
  ASSERT_EQ(eur.status, 200) << eur.body;
  auto usd = HttpGet(port_, "/v1/history?symbols=AAPL" + range);
  ASSERT_EQ(usd.status, 200) << usd.body;
  auto fx =
      HttpGet(port_, "/v1/history?symbols=USDEUR%3DX&interval=1d&start=2023-12-20&end=2024-03-28");
  ASSERT_EQ(fx.status, 200) << fx.body;
  Json e = Json::parse(eur.body), u = Json::parse(usd.body), x = Json::parse(fx.body);
  EXPECT_EQ(u["cache_info"]["api_calls_made"], 0) << "the conversion cached the native series";
  EXPECT_EQ(x["cache_info"]["api_calls_made"], 0) << "and the FX series";
  std::map<int64_t, double> rate;
  for (size_t i = 0; i < x["data"]["timestamp"].size(); ++i)
    rate[x["data"]["timestamp"][i].get<int64_t>()] = x["data"]["close"][i].get<double>();
  const size_t n = u["data"]["timestamp"].size();
  ASSERT_GT(n, 50u);
  ASSERT_EQ(e["data"]["timestamp"], u["data"]["timestamp"]);
  for (size_t i = 0; i < n; ++i) {
    // The FX bar of the bar's day: the last one opened before the day ends
    // (the simulator's FX week opens on Sunday 22:00 UTC, so Monday's FX bar
    // is dated Sunday).
    const int64_t ts = u["data"]["timestamp"][i].get<int64_t>();
    auto it = rate.lower_bound(ts + 86400);
    ASSERT_TRUE(it != rate.begin()) << "no FX bar by the day of " << ts;
    --it;
    ASSERT_GT(it->first, ts - 2 * 86400) << "the FX bar of " << ts << " is missing";
    EXPECT_NEAR(e["data"]["close"][i].get<double>(),
                u["data"]["close"][i].get<double>() * it->second,
                1e-9 * u["data"]["close"][i].get<double>())
        << ts;
    EXPECT_EQ(e["data"]["volume"][i], u["data"]["volume"][i]);
    EXPECT_EQ(e["data"]["currency"][i], "eur");
    EXPECT_EQ(u["data"]["currency"][i], "usd");
  }
  const Json& conv = e["cache_info"]["currency_conversions"];
  ASSERT_EQ(conv.size(), 1u) << e["cache_info"];
  EXPECT_EQ(conv[0]["from"], "usd");
  EXPECT_EQ(conv[0]["to"], "eur");
  EXPECT_EQ(conv[0]["fx_symbol"], "USDEUR=X");
  ASSERT_FALSE(conv[0]["fx_keys"].empty());
  EXPECT_THAT(conv[0]["fx_keys"][0].get<std::string>(), HasSubstr("finex:USDEUR=X:1d:"));
  EXPECT_EQ(e["query"]["currency"], "eur");

  const int64_t upstream = sim_->stats().total;
  auto again = HttpGet(port_, "/v1/history?symbols=AAPL&currency=EUR&format=csv" + range);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Header("x-finex-api-calls"), "0");
  EXPECT_EQ(again.Header("x-finex-currency-conversions"), "AAPL usd>eur USDEUR=X 1d");
  EXPECT_THAT(again.Header("x-finex-cache-keys"), HasSubstr("finex:USDEUR=X:1d:"));
  EXPECT_EQ(sim_->stats().total, upstream);

  // CoinGecko answers in the currency asked: no conversion.
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto coin =
      HttpGet(port_,
              "/v1/history?symbols=bitcoin&provider=coingecko&currency=eur"
              "&interval=1d&start=" +
                  std::to_string(now - 40 * 86400) + "&end=" + std::to_string(now - 10 * 86400));
  ASSERT_EQ(coin.status, 200) << coin.body;
  Json c = Json::parse(coin.body);
  EXPECT_FALSE(c["cache_info"].contains("currency_conversions")) << c["cache_info"];
  EXPECT_EQ(c["data"]["currency"][0], "eur") << coin.body.substr(0, 2000);

  // Pence to pounds: a factor of 1/100, no FX series.
  auto pence = HttpGet(port_, "/v1/history?symbols=OCDO.L" + range);
  auto pounds = HttpGet(port_, "/v1/history?symbols=OCDO.L&currency=gbp" + range);
  ASSERT_EQ(pence.status, 200) << pence.body;
  ASSERT_EQ(pounds.status, 200) << pounds.body;
  Json gbx = Json::parse(pence.body), gbp = Json::parse(pounds.body);
  EXPECT_EQ(gbx["data"]["currency"][0], "gbx");
  EXPECT_EQ(gbp["data"]["currency"][0], "gbp");
  EXPECT_NEAR(gbp["data"]["close"][0].get<double>(), gbx["data"]["close"][0].get<double>() / 100,
              1e-9);
  EXPECT_EQ(gbp["cache_info"]["currency_conversions"][0]["fx_symbol"], "");
  EXPECT_EQ(gbp["cache_info"]["api_calls_made"], 0);
}

TEST_F(E2eTest, ParquetWithEtagAndRange) {
  const std::string url =
      "/v1/history?symbols=MSFT&interval=1d&start=2024-01-02&end=2024-02-28&format=parquet";
  auto full = HttpGet(port_, url);
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.Header("content-type"), "application/vnd.apache.parquet");
  ASSERT_GT(full.body.size(), 100u);
  EXPECT_EQ(full.body.substr(0, 4), "PAR1");
  EXPECT_EQ(full.body.substr(full.body.size() - 4), "PAR1");
  auto decoded = codec_->Decode(full.body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_GT(decoded->frame->rows(), 30u);
  const std::string etag = full.Header("etag");
  ASSERT_FALSE(etag.empty());
  auto tail = HttpGet(port_, url, "Range: bytes=-8\r\n");
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.body, full.body.substr(full.body.size() - 8));
  EXPECT_EQ(tail.Header("etag"), etag);
  auto head = testing::Exchange(
      port_, "HEAD " + url + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 3000);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(full.body.size()));
}

TEST_F(E2eTest, ParquetAnchoredToNowKeepsItsEtagWhenRebuilt) {
  // DuckDB's read_parquet('http://...') sends HEAD, then Range requests,
  // and checks the ETag between them; the answer cache (1 s) may expire
  // in between, so the rebuilt file must be byte-identical while its rows
  // are.
  const std::string url = "/v1/history?symbols=MSFT&interval=1d&period=1y&format=parquet";
  auto first = HttpGet(port_, url);
  ASSERT_EQ(first.status, 200) << first.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto second = HttpGet(port_, url);
  ASSERT_EQ(second.status, 200) << second.body;
  auto a = codec_->Decode(first.body);
  auto b = codec_->Decode(second.body);
  ASSERT_TRUE(a.ok() && b.ok());
  if (a->frame->DebugString(100000) != b->frame->DebugString(100000)) {
    GTEST_SKIP() << "the simulator's live bar moved between the two requests; rows differ";
  }
  EXPECT_EQ(second.Header("etag"), first.Header("etag"));
  EXPECT_EQ(second.body, first.body);
}

TEST_F(E2eTest, QuoteSearchStatsMetrics) {
  auto q = HttpGet(port_, "/v1/quote?symbols=AAPL");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_GT(Json::parse(q.body)["data"]["price"][0].get<double>(), 0);
  auto s = HttpGet(port_, "/v1/search?q=apple");
  ASSERT_EQ(s.status, 200) << s.body;
  auto st = HttpGet(port_, "/v1/cache/stats");
  ASSERT_EQ(st.status, 200);
  Json j = Json::parse(st.body);
  EXPECT_TRUE(j.contains("hit_rate"));
  EXPECT_TRUE(j.contains("by_provider"));
  auto m = HttpGet(port_, "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_THAT(m.body, HasSubstr("finex_http_requests_total{route=\"/v1/quote\""));
  EXPECT_THAT(m.body, HasSubstr("finex_build_info"));
  EXPECT_EQ(HttpGet(port_, "/readyz").status, 200);
}

TEST_F(E2eTest, UnknownSymbolAndProviderOutage) {
  auto nf =
      HttpGet(port_, "/v1/history?symbols=ZZZZZZ&provider=yahoo&start=2024-01-02&end=2024-01-31");
  EXPECT_EQ(nf.status, 404) << nf.body;
  EXPECT_EQ(nf.Header("content-type"), "application/problem+json");
  Json nfj = Json::parse(nf.body);
  EXPECT_EQ(nfj["code"], "unknown_symbol") << nf.body;
  EXPECT_EQ(nfj["param"], "symbols") << nf.body;

  // A provider refusing finex's API key (none configured here) is a provider
  // failure, not finex's admin 401.
  auto key = HttpGet(
      port_, "/v1/history?symbols=IBM&provider=alpha_vantage&start=2024-01-02&end=2024-01-31");
  EXPECT_EQ(key.status, 502) << key.body;
  EXPECT_EQ(Json::parse(key.body)["code"], "provider_rejected") << key.body;

  // Cached data survives an outage; uncached data is a clean 502/503/504.
  const std::string cached =
      "/v1/history?symbols=AAPL&provider=yahoo&start=2024-01-02&end=2024-01-31";
  ASSERT_EQ(HttpGet(port_, cached).status, 200);
  ASSERT_TRUE(
      sim_->SetFaults(R"({"down":["yahoo","binance","alpha_vantage","twelve_data","coingecko"]})")
          .ok());
  auto again = HttpGet(port_, cached);
  EXPECT_EQ(again.status, 200) << again.body;
  auto down =
      HttpGet(port_, "/v1/history?symbols=MSFT&provider=yahoo&start=2023-01-02&end=2023-01-31");
  EXPECT_GE(down.status, 502) << down.body;
  EXPECT_LE(down.status, 504) << down.body;
  EXPECT_EQ(down.Header("content-type"), "application/problem+json");
  ASSERT_TRUE(sim_->SetFaults("{}").ok());
}

}  // namespace
}  // namespace finex::server
