// Per-client cold-miss budget (issue 16, server/cold_budget.h): the real
// engine in front of the simulator, whose request counter is the ground truth
// for provider calls. A client spending its budget gets 429 + Retry-After
// with no provider call; cached answers, other clients and remembered
// unknown symbols are unaffected.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "finex/engine/engine.h"
#include "finex/http/server.h"
#include "finex/server/service.h"
#include "finex/sim/simulator.h"
#include "tests/integration/server_socket.h"

namespace finex::server {
namespace {

using Json = nlohmann::json;
using testing::HttpGet;

class BudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimOptions so;
    so.listen = "127.0.0.1:0";
    auto s = sim::Simulator::Start(so);
    ASSERT_TRUE(s.ok()) << s.status();
    sim_ = std::move(*s);
    engine::EngineOptions eo;
    eo.backend = "memory";
    eo.max_memory_mb = 64;
    eo.prefetch_enabled = false;
    engine::ProviderOptions po;
    po.base_url = sim_->BaseUrl("yahoo");
    po.rate_limit_per_min = 100000;
    po.max_retries = 0;
    eo.providers["yahoo"] = po;
    eo.provider_order = {"yahoo"};
    auto e = engine::OpenEngine(eo);
    ASSERT_TRUE(e.ok()) << e.status();
    engine_ = std::move(*e);
    ServiceOptions svc;
    svc.cold_miss.per_minute = 5;  // one token every 12 s: none refills during the test
    svc.cold_miss.key = "token";
    service_ = std::make_unique<Service>(engine_->api(), nullptr, svc);
    http::ServerOptions ho;
    ho.listen = "127.0.0.1:0";
    auto srv = http::Server::Start(ho, service_->AsHandler());
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
    sim_.reset();
  }
  testing::RawAnswer Get(const std::string& target, const std::string& token) {
    return HttpGet(port_, target, "Authorization: Bearer " + token + "\r\n");
  }
  int64_t Calls() { return sim_->stats().total; }

  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(BudgetTest, DistinctColdQuotesBeyondTheBudgetAre429WithoutProviderCalls) {
  for (int i = 0; i < 5; ++i) {
    auto a = Get("/v1/quote?symbols=SYM" + std::to_string(i), "alice");
    ASSERT_EQ(a.status, 200) << a.body;
  }
  const int64_t spent = Calls();
  EXPECT_GE(spent, 5);
  auto refused = Get("/v1/quote?symbols=SYM5", "alice");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(Json::parse(refused.body)["code"], "cold_miss_budget");
  const std::string retry = refused.Header("retry-after");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 12);
  EXPECT_EQ(Calls(), spent) << "a refused cold miss made no provider call";
  // Cached answers are never limited.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Get("/v1/quote?symbols=SYM" + std::to_string(i), "alice").status, 200);
  }
  EXPECT_EQ(Calls(), spent);
  // Another client has its own budget.
  EXPECT_EQ(Get("/v1/quote?symbols=SYM5", "bob").status, 200);
  auto metrics = HttpGet(port_, "/metrics");
  EXPECT_NE(metrics.body.find("finex_cold_miss_refused_total 1"), std::string::npos)
      << metrics.body.substr(0, 2000);
}

TEST_F(BudgetTest, HistoryColdMissesAreChargedAndCachedRangesServed) {
  const std::string range = "&interval=1d&start=2024-01-02&end=2024-03-28";
  for (int i = 0; i < 5; ++i) {
    auto a = Get("/v1/history?symbols=H" + std::to_string(i) + range, "carol");
    ASSERT_EQ(a.status, 200) << a.body;
  }
  const int64_t spent = Calls();
  auto refused = Get("/v1/history?symbols=H5" + range, "carol");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.Header("retry-after").empty());
  EXPECT_EQ(Calls(), spent);
  // A cached range (a sub-range of what was fetched) still answers.
  auto cached = Get("/v1/history?symbols=H0&interval=1d&start=2024-02-01&end=2024-02-29", "carol");
  EXPECT_EQ(cached.status, 200) << cached.body;
  EXPECT_EQ(Calls(), spent);
}

TEST_F(BudgetTest, UnknownSymbolsAreRememberedAndCostNothingTwice) {
  auto first = Get("/v1/quote?symbols=ZZZZ1", "dave");
  ASSERT_EQ(first.status, 404) << first.body;
  const int64_t after_first = Calls();
  for (int i = 0; i < 10; ++i) {
    auto again = Get("/v1/quote?symbols=ZZZZ1", "dave");
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(Json::parse(again.body)["code"], "unknown_symbol") << again.body;
  }
  EXPECT_EQ(Calls(), after_first) << "the negative answer was remembered";
  // Remembered answers do not spend the budget: four more cold misses fit.
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Get("/v1/quote?symbols=D" + std::to_string(i), "dave").status, 200);
  }
  EXPECT_EQ(Get("/v1/quote?symbols=D4", "dave").status, 429);
}

}  // namespace
}  // namespace finex::server
