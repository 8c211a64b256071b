// AlertEvaluator over hand-set figures (no engine): thresholds, windows,
// per-subject alerts, transitions and their log lines, the Alertmanager
// payload, the webhook sender's retries against a loopback receiver, and the
// /v1/cache/alerts route of a Service.
#include "finex/server/alerts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "finex/http/server.h"
#include "finex/server/alert_webhook.h"
#include "finex/server/log.h"
#include "finex/server/service.h"
#include "tests/testutil/fake_cached_api.h"
#include "tests/testutil/wait.h"

namespace finex::server {
namespace {

using Json = nlohmann::json;
constexpr int64_t kSec = 1000000;

struct Figures {
  Mutex mu;
  cache::CacheStats stats FINEX_GUARDED_BY(mu);
  std::vector<BackendHealthInfo> backends FINEX_GUARDED_BY(mu);
  RequestTotals requests FINEX_GUARDED_BY(mu);
  AlertInputs Inputs() {
    AlertInputs in;
    in.stats = [this] {
      MutexLock l(mu);
      return stats;
    };
    in.backends = [this] {
      MutexLock l(mu);
      return backends;
    };
    in.requests = [this] {
      MutexLock l(mu);
      return requests;
    };
    return in;
  }
};

// Captures log lines for the test's duration.
class LogCapture {
 public:
  LogCapture() {
    SetLogFormat(LogFormat::kJson);
    SetLogSink([this](const std::string& line) {
      MutexLock l(mu_);
      lines_.push_back(Json::parse(line));
    });
  }
  ~LogCapture() {
    SetLogSink(nullptr);
    SetLogFormat(LogFormat::kAuto);
  }
  int Count(const std::string& event, const std::string& name) {
    MutexLock l(mu_);
    int n = 0;
    for (const Json& j : lines_) n += j["event"] == event && j["alertname"] == name ? 1 : 0;
    return n;
  }

 private:
  Mutex mu_;
  std::vector<Json> lines_ FINEX_GUARDED_BY(mu_);
};

TEST(AlertEvaluator, MemoryFiresAboveRatioAndClearsBelow) {
  LogCapture logs;
  Figures f;
  {
    MutexLock l(f.mu);
    f.stats.memory_budget_bytes = 1000;
    f.stats.memory_bytes = 800;
  }
  AlertOptions o;
  o.memory_alert_ratio = 0.9;
  AlertEvaluator ev(o, f.Inputs());
  ev.Evaluate(1 * kSec);
  EXPECT_TRUE(ev.Active().empty());
  {
    MutexLock l(f.mu);
    f.stats.memory_bytes = 950;
  }
  ev.Evaluate(2 * kSec);
  ASSERT_EQ(ev.Active().size(), 1u);
  const Alert a = ev.Active()[0];
  EXPECT_EQ(a.name, "FinexMemoryHigh");
  EXPECT_EQ(a.severity, "warning");
  EXPECT_DOUBLE_EQ(a.value, 0.95);
  EXPECT_DOUBLE_EQ(a.threshold, 0.9);
  EXPECT_NE(a.summary.find("95.0%"), std::string::npos) << a.summary;
  ev.Evaluate(3 * kSec);  // still active: fired once, since kept
  EXPECT_EQ(ev.fired(), 1u);
  EXPECT_EQ(ev.Active()[0].since_us, a.since_us);
  EXPECT_EQ(logs.Count("alert_fired", "FinexMemoryHigh"), 1);
  {
    MutexLock l(f.mu);
    f.stats.memory_bytes = 100;
  }
  ev.Evaluate(4 * kSec);
  EXPECT_TRUE(ev.Active().empty());
  EXPECT_EQ(ev.cleared(), 1u);
  EXPECT_EQ(logs.Count("alert_cleared", "FinexMemoryHigh"), 1);
}

TEST(AlertEvaluator, BreakerAndBackendAlertsArePerSubject) {
  Figures f;
  {
    MutexLock l(f.mu);
    f.stats.providers = {{"yahoo", "open", 0.1}, {"binance", "closed", 1}};
    f.backends = {{"redis", true, "connection refused", 1.5, 1, 0, 0}};
  }
  AlertEvaluator ev(AlertOptions{}, f.Inputs());
  ev.Evaluate(kSec);
  std::vector<Alert> act = ev.Active();
  ASSERT_EQ(act.size(), 2u);
  EXPECT_EQ(act[0].name, "FinexBackendDegraded");
  EXPECT_EQ(act[0].subject, "redis");
  EXPECT_EQ(act[0].severity, "critical");
  EXPECT_NE(act[0].summary.find("connection refused"), std::string::npos);
  EXPECT_EQ(act[1].name, "FinexProviderBreakerOpen");
  EXPECT_EQ(act[1].subject, "yahoo");
  const Json body = Json::parse(ev.RenderJson());
  ASSERT_EQ(body["alerts"].size(), 2u);
  EXPECT_EQ(body["alerts"][1]["provider"], "yahoo");
  EXPECT_EQ(body["alerts"][0]["backend"], "redis");
  for (const Json& a : body["alerts"])
    for (const char* k : {"name", "severity", "since", "value", "threshold", "summary"})
      EXPECT_TRUE(a.contains(k)) << k;
  {
    MutexLock l(f.mu);
    f.stats.providers = {{"yahoo", "half_open", 0.1}, {"binance", "open", 0.2}};
    f.backends[0].degraded = false;
  }
  ev.Evaluate(2 * kSec);
  act = ev.Active();
  ASSERT_EQ(act.size(), 1u);
  EXPECT_EQ(act[0].subject, "binance");
  std::string metrics;
  ev.AppendMetrics(metrics);
  EXPECT_NE(
      metrics.find(
          "finex_alerts_active{alertname=\"FinexProviderBreakerOpen\",severity=\"warning\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("finex_backend_degraded{backend=\"redis\"} 0"), std::string::npos);
}

TEST(AlertEvaluator, RateAlertsUseTheWindowAndNeedEnoughRequests) {
  Figures f;
  AlertOptions o;
  o.hit_rate_floor = 0.5;
  o.call_reduction_floor = 0.5;
  o.error_rate_ceiling = 0.1;
  o.window_s = 10;
  o.min_requests = 10;
  AlertEvaluator ev(o, f.Inputs());
  auto set = [&](uint64_t hits, uint64_t misses, uint64_t calls, uint64_t saved, uint64_t req,
                 uint64_t err) {
    MutexLock l(f.mu);
    f.stats.hits = hits;
    f.stats.misses = misses;
    f.stats.api_calls = calls;
    f.stats.api_calls_saved = saved;
    f.requests = {req, err};
  };
  // A long good history: 1000 hits.
  set(1000, 0, 0, 1000, 1000, 0);
  ev.Evaluate(0);
  // Too few lookups in the window: nothing fires even though all missed.
  set(1000, 5, 5, 1000, 1005, 5);
  ev.Evaluate(5 * kSec);
  EXPECT_TRUE(ev.Active().empty());
  // 20 misses since the window's base: hit rate and reduction 0 in the
  // window (though 98% since start), 20/20 5xx.
  set(1000, 20, 20, 1000, 1020, 20);
  ev.Evaluate(8 * kSec);
  std::vector<Alert> act = ev.Active();
  ASSERT_EQ(act.size(), 3u);
  EXPECT_EQ(act[0].name, "FinexCallReductionLow");
  EXPECT_EQ(act[1].name, "FinexErrorRateHigh");
  EXPECT_DOUBLE_EQ(act[1].value, 1.0);
  EXPECT_EQ(act[2].name, "FinexHitRateLow");
  EXPECT_DOUBLE_EQ(act[2].value, 0.0);
  // 40 s later with 100 hits and 100 good answers in the window: all clear.
  set(1100, 20, 20, 1100, 1120, 20);
  ev.Evaluate(40 * kSec);
  set(1200, 20, 20, 1200, 1220, 20);
  ev.Evaluate(45 * kSec);
  EXPECT_TRUE(ev.Active().empty());
  EXPECT_EQ(ev.cleared(), 3u);
}

TEST(AlertEvaluator, ValidateNamesTheOption) {
  AlertOptions o;
  o.memory_alert_ratio = 1.5;
  EXPECT_EQ(AlertEvaluator::Validate(o).details().param, "memory_alert_ratio");
  o = AlertOptions{};
  o.webhook_url = "ftp://x";
  EXPECT_EQ(AlertEvaluator::Validate(o).details().param, "alert_webhook_url");
  EXPECT_TRUE(AlertEvaluator::Validate(AlertOptions{}).ok());
}

TEST(AlertmanagerPayload, HasTheWebhookV4Shape) {
  Alert a;
  a.name = "FinexProviderBreakerOpen";
  a.severity = "warning";
  a.subject = "yahoo";
  a.since_us = 1765011000123456;
  a.value = 1;
  a.summary = "provider yahoo's circuit breaker is open";
  const Json j =
      Json::parse(AlertmanagerPayload({a}, "resolved", a.since_us + 5 * kSec, "http://finex:8080"));
  EXPECT_EQ(j["version"], "4");
  EXPECT_EQ(j["status"], "resolved");
  EXPECT_EQ(j["receiver"], "finex");
  EXPECT_EQ(j["commonLabels"]["alertname"], "FinexProviderBreakerOpen");
  EXPECT_EQ(j["externalURL"], "http://finex:8080");
  ASSERT_EQ(j["alerts"].size(), 1u);
  const Json& x = j["alerts"][0];
  EXPECT_EQ(x["labels"]["provider"], "yahoo");
  EXPECT_EQ(x["labels"]["severity"], "warning");
  EXPECT_EQ(x["startsAt"], "2025-12-06T08:50:00.123Z");
  EXPECT_EQ(x["endsAt"], "2025-12-06T08:50:05.123Z");
  EXPECT_EQ(x["generatorURL"], "http://finex:8080/v1/cache/alerts");
  EXPECT_EQ(x["fingerprint"].get<std::string>().size(), 16u);
}

// A loopback receiver that refuses the first `refuse` POSTs with 503.
struct Receiver {
  explicit Receiver(int refuse) : refuse_left(refuse) {
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 1;
    server = std::move(http::Server::Start(o, [this](const http::Request& r) {
                         MutexLock l(mu);
                         ++posts;
                         if (refuse_left > 0) {
                           --refuse_left;
                           return http::Response::Text(503, "text/plain", "no");
                         }
                         bodies.push_back(r.body);
                         return http::Response::Text(200, "text/plain", "ok");
                       }).value());
  }
  ~Receiver() { server->Stop(100); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/"; }
  Mutex mu;
  int refuse_left FINEX_GUARDED_BY(mu);
  int posts FINEX_GUARDED_BY(mu) = 0;
  std::vector<std::string> bodies FINEX_GUARDED_BY(mu);
  std::unique_ptr<http::Server> server;
};

TEST(WebhookSender, RetriesWithBackoffUntilDelivered) {
  Receiver rx(2);
  WebhookSender s({rx.url(), 5, 10, 2000});
  s.Start();
  s.Enqueue("{\"n\":1}");
  ASSERT_TRUE(testing::WaitFor([&] { return s.delivered() == 1; }));
  EXPECT_EQ(s.attempts(), 3u);
  EXPECT_EQ(s.failed(), 0u);
  MutexLock l(rx.mu);
  ASSERT_EQ(rx.bodies.size(), 1u);
  EXPECT_EQ(rx.bodies[0], "{\"n\":1}");
}

TEST(WebhookSender, GivesUpAfterTheLastAttempt) {
  LogCapture logs;
  Receiver rx(100);
  WebhookSender s({rx.url(), 3, 5, 2000});
  s.Start();
  s.Enqueue("{}");
  ASSERT_TRUE(testing::WaitFor([&] { return s.failed() == 1; }));
  EXPECT_EQ(s.attempts(), 3u);
  EXPECT_EQ(s.delivered(), 0u);
}

TEST(WebhookSender, EnqueueNeverWaitsOnADeadReceiver) {
  // Nothing listens on the port: every attempt fails; Enqueue returns at once.
  const int64_t t0 = MonotonicMicros();
  WebhookSender s({"http://127.0.0.1:1/", 3, 50, 200});
  s.Start();
  for (int i = 0; i < 100; ++i) s.Enqueue("{}");
  EXPECT_LT(MonotonicMicros() - t0, 200000);
  s.Stop();  // interrupts the backoff
}

TEST(ServiceAlertsRoute, AnswersTheActiveAlerts) {
  testing::FakeCachedApi api;
  ServiceOptions so;
  so.alerts.memory_alert_ratio = 0.5;
  so.backend_health = [] {
    return std::vector<BackendHealthInfo>{{"redis", true, "down", 2, 1, 0, 0}};
  };
  Service svc(api, nullptr, so);
  svc.alerts().EvaluateNow();
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/v1/cache/alerts";
  http::Response r = svc.Handle(req);
  ASSERT_EQ(r.status, 200);
  const Json j = Json::parse(*r.body);
  // The fake's providers add their own (a breaker it reports open).
  Json degraded;
  for (const Json& a : j["alerts"])
    if (a["name"] == "FinexBackendDegraded") degraded = a;
  ASSERT_FALSE(degraded.is_null()) << j.dump();
  EXPECT_EQ(degraded["backend"], "redis");
  EXPECT_EQ(degraded["severity"], "critical");
  EXPECT_DOUBLE_EQ(j["rules"]["memory_alert_ratio"].get<double>(), 0.5);
  req.method = "POST";
  EXPECT_EQ(svc.Handle(req).status, 405);
  req.method = "GET";
  req.target = req.path = "/metrics";
  const std::string m = *svc.Handle(req).body;
  EXPECT_NE(
      m.find("finex_alerts_active{alertname=\"FinexBackendDegraded\",severity=\"critical\"} 1"),
      std::string::npos);
}

TEST(Log, JsonAndTextLines) {
  const std::string j = FormatLogLine(true, 1765011000123456, "info", "request",
                                      {{"request_id", "abc"}, {"status", 200}, {"ms", 0.5}});
  const Json p = Json::parse(j);
  EXPECT_EQ(p["ts"], "2025-12-06T08:50:00.123Z");
  EXPECT_EQ(p["event"], "request");
  EXPECT_EQ(p["status"], 200);
  EXPECT_EQ(p["request_id"], "abc");
  EXPECT_EQ(FormatLogLine(false, 1765011000123456, "warn", "alert_fired",
                          {{"alertname", "X"}, {"summary", "a b"}}),
            "2025-12-06T08:50:00.123Z warn alert_fired alertname=X summary=\"a b\"");
}

}  // namespace
}  // namespace finex::server

namespace finex::server {
namespace {

TEST(ServiceAccessLog, LinesCarryTheRequestIdOfTheXRequestIdHeader) {
  std::vector<Json> lines;
  Mutex mu;
  SetLogFormat(LogFormat::kJson);
  SetLogSink([&](const std::string& l) {
    MutexLock lock(mu);
    lines.push_back(Json::parse(l));
  });
  testing::FakeCachedApi api;
  ServiceOptions so;
  so.access_log = "errors";
  Service svc(api, nullptr, so);
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/healthz";
  req.headers = {{"x-request-id", "req-42"}};
  http::Response ok = svc.Handle(req);  // 200: not an error, not logged
  req.target = req.path = "/nope";
  http::Response r = svc.Handle(req);
  SetLogSink(nullptr);
  SetLogFormat(LogFormat::kAuto);
  EXPECT_EQ(ok.status, 200);
  ASSERT_EQ(r.status, 404);
  std::string header;
  for (const auto& [k, v] : r.headers)
    if (k == "X-Request-Id") header = v;
  EXPECT_EQ(header, "req-42");
  MutexLock lock(mu);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["event"], "request");
  EXPECT_EQ(lines[0]["request_id"], header);
  EXPECT_EQ(lines[0]["status"], 404);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["target"], "/nope");
}

}  // namespace
}  // namespace finex::server
