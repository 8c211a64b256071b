// Alerts end to end over real processes (issue 17): a `finex sim`, a
// `finex serve` with [monitoring] set through --set, and an Alertmanager-style
// webhook receiver this test runs on loopback (an http::Server recording every
// POST). Each scenario makes an alert fire, checks it in GET /v1/cache/alerts,
// in /metrics, in the serve log (a JSON line, since stderr is a file) and at
// the receiver (Alertmanager webhook v4 JSON), then removes the cause and
// checks that it clears everywhere:
//   - the memory budget filled (cache.max_memory_mb=1) → FinexMemoryHigh;
//     cleared by invalidating the cache;
//   - Yahoo taken down in the simulator (POST /_sim/faults) → its breaker
//     opens (FinexProviderBreakerOpen{provider=yahoo}) and the 502s raise
//     FinexErrorRateHigh; cleared when the simulator recovers;
//   - the shared Redis stopped → FinexBackendDegraded{backend=redis};
//     cleared when Redis is back on the same port.
// The receiver refuses its first POST (503) in the memory scenario, so the
// notification only arrives through the sender's retry.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "finex/core/mutex.h"
#include "finex/http/server.h"
#include "tests/integration/cli_process.h"
#include "tests/integration/server_socket.h"
#include "tests/testutil/redis_server.h"
#include "tests/testutil/wait.h"

namespace finex::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// Records webhook POSTs; answers 503 to the first `refuse_first` of them.
class Receiver {
 public:
  explicit Receiver(int refuse_first = 0) : refuse_left_(refuse_first) {
    http::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 1;
    auto s = http::Server::Start(o, [this](const http::Request& r) { return Handle(r); });
    if (s.ok()) server_ = std::move(*s);
  }
  ~Receiver() {
    if (server_) server_->Stop(100);
  }
  bool ok() const { return server_ != nullptr; }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }
  int posts() const {
    MutexLock l(mu_);
    return posts_;
  }
  // The accepted notifications so far.
  std::vector<Json> bodies() const {
    MutexLock l(mu_);
    return bodies_;
  }
  // The first accepted notification with `status` holding an alert named
  // `name` (and label `label`=`value` when given); null when none.
  Json Find(const std::string& status, const std::string& name, const std::string& label = "",
            const std::string& value = "") const {
    for (const Json& b : bodies()) {
      if (b.value("status", "") != status) continue;
      for (const Json& a : b["alerts"]) {
        if (a["labels"].value("alertname", "") != name) continue;
        if (!label.empty() && a["labels"].value(label, "") != value) continue;
        return a;
      }
    }
    return nullptr;
  }

 private:
  http::Response Handle(const http::Request& r) {
    MutexLock l(mu_);
    ++posts_;
    if (r.method != "POST" || r.path != "/hook")
      return http::Response::Text(404, "text/plain", "not here");
    if (refuse_left_ > 0) {
      --refuse_left_;
      return http::Response::Text(503, "text/plain", "try again");
    }
    Json j = Json::parse(r.body, nullptr, false);
    if (!j.is_discarded()) bodies_.push_back(std::move(j));
    return http::Response::Text(200, "text/plain", "ok");
  }

  mutable Mutex mu_;
  int refuse_left_ FINEX_GUARDED_BY(mu_);
  int posts_ FINEX_GUARDED_BY(mu_) = 0;
  std::vector<Json> bodies_ FINEX_GUARDED_BY(mu_);
  std::unique_ptr<http::Server> server_;
};

class AlertsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("finex_alerts_e2e_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    env_ = {{"XDG_CONFIG_HOME", dir_.string()},
            {"XDG_CACHE_HOME", dir_.string()},
            {"FINEX_ADMIN_TOKEN", "secret"}};
    ASSERT_TRUE(
        StartBackground(sim_, {"sim", "--listen", "127.0.0.1:0"}, env_, dir_.string(), "listening"))
        << ReadFileText(sim_.err_path);
  }
  void TearDown() override {
    serve_.Stop(SIGTERM);
    sim_.Stop(SIGTERM);
    std::filesystem::remove_all(dir_);
  }

  void StartServe(const Receiver& rx, const std::vector<std::string>& sets) {
    std::vector<std::string> args = {"serve",  "--listen",  "127.0.0.1:0", "--sim",
                                     sim_.url, "--profile", "production"};
    std::vector<std::string> all = {
        "cache.prefetch_enabled=false",
        "server.answer_cache_mb=0",
        "providers.yahoo.rate_limit_per_min=100000",
        "monitoring.alert_webhook_url=" + rx.url(),
        "monitoring.alert_eval_interval_ms=50",
        "monitoring.alert_webhook_backoff_ms=20",
    };
    all.insert(all.end(), sets.begin(), sets.end());
    for (const std::string& s : all) {
      args.push_back("--set");
      args.push_back(s);
    }
    ASSERT_TRUE(StartBackground(serve_, args, env_, dir_.string(), "listening"))
        << ReadFileText(serve_.err_path);
  }

  RawAnswer Request(const std::string& method, const std::string& target,
                    const std::string& extra = "", uint16_t port = 0) {
    return Exchange(port ? port : PortOf(serve_.url),
                    method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + extra +
                        "Content-Length: 0\r\nConnection: close\r\n\r\n",
                    60000);
  }
  int SimFaults(const std::string& body) {
    const std::string raw =
        "POST /_sim/faults HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    return Exchange(PortOf(sim_.url), raw, 30000).status;
  }
  // The active alerts named `name` (with `label` = `value` when given).
  Json ActiveAlert(const std::string& name, const std::string& label = "",
                   const std::string& value = "") {
    RawAnswer a = Request("GET", "/v1/cache/alerts");
    Json j = Json::parse(a.body, nullptr, false);
    if (a.status != 200 || j.is_discarded()) return nullptr;
    for (const Json& x : j["alerts"]) {
      if (x.value("name", "") != name) continue;
      if (!label.empty() && x.value(label, "") != value) continue;
      return x;
    }
    return nullptr;
  }
  double Metric(const std::string& sample_prefix) {
    const std::string body = Request("GET", "/metrics").body;
    const size_t p = body.find("\n" + sample_prefix);
    if (p == std::string::npos) return -1;
    const size_t sp = body.find(' ', p + 1 + sample_prefix.size());
    return std::stod(body.substr(sp + 1, body.find('\n', sp) - sp - 1));
  }
  // A JSON log line of serve's with this event and alert name.
  bool Logged(const std::string& event, const std::string& name) {
    const std::string log = ReadFileText(serve_.err_path);
    size_t p = 0;
    while ((p = log.find('\n', p)) != std::string::npos) {
      const size_t e = log.find('\n', p + 1);
      Json j =
          Json::parse(log.substr(p + 1, e == std::string::npos ? e : e - p - 1), nullptr, false);
      p = p + 1;
      if (j.is_discarded() || !j.is_object()) continue;
      if (j.value("event", "") == event && j.value("alertname", "") == name && j.contains("ts"))
        return true;
    }
    return false;
  }

  // Alertmanager webhook v4 fields every notification carries.
  static void ExpectAlertmanagerShape(const Json& alert, const std::string& status) {
    ASSERT_FALSE(alert.is_null());
    EXPECT_EQ(alert.value("status", ""), status);
    EXPECT_TRUE(alert["labels"].contains("severity"));
    EXPECT_EQ(alert["labels"].value("service", ""), "finex");
    EXPECT_FALSE(alert["annotations"].value("summary", "").empty());
    EXPECT_EQ(alert.value("startsAt", "").size(), 24u) << alert.dump();  // RFC 3339, ms, Z
    EXPECT_EQ(alert.value("fingerprint", "").size(), 16u);
    if (status == "firing") EXPECT_EQ(alert.value("endsAt", ""), "0001-01-01T00:00:00Z");
    if (status == "resolved") EXPECT_GE(alert.value("endsAt", ""), alert.value("startsAt", ""));
  }
  void ExpectGroupShape() {
    for (const Json& b : rx_bodies_) {
      EXPECT_EQ(b.value("version", ""), "4");
      EXPECT_EQ(b.value("receiver", ""), "finex");
      EXPECT_TRUE(b.contains("groupKey") && b.contains("groupLabels") &&
                  b.contains("commonLabels") && b.contains("externalURL"));
    }
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  Background sim_, serve_;
  std::vector<Json> rx_bodies_;
};

TEST_F(AlertsE2E, MemoryBudgetFilledFiresAndClearsAfterInvalidation) {
  Receiver rx(/*refuse_first=*/1);
  ASSERT_TRUE(rx.ok());
  StartServe(rx, {"cache.max_memory_mb=1", "monitoring.memory_alert_ratio=0.5"});
  EXPECT_TRUE(ActiveAlert("FinexMemoryHigh").is_null());
  // Fill the 1 MiB budget with daily histories until the alert fires
  // (2 years of daily bars per symbol, each well under the budget; at most
  // 100 symbols).
  bool fired = false;
  for (int i = 0; i < 100 && !fired; ++i) {
    const std::string sym = "MEM" + std::string(1, static_cast<char>('A' + i % 26)) +
                            std::string(1, static_cast<char>('A' + i / 26));
    RawAnswer a = Request("GET", "/v1/history?symbols=" + sym +
                                     "&interval=1d&start=2022-01-01&end=2024-01-01&provider=yahoo");
    ASSERT_EQ(a.status, 200) << a.body;
    fired = WaitFor([&] { return !ActiveAlert("FinexMemoryHigh").is_null(); },
                    std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(fired) << Request("GET", "/v1/cache/stats").body;
  const Json a = ActiveAlert("FinexMemoryHigh");
  EXPECT_EQ(a.value("severity", ""), "warning");
  EXPECT_GT(a.value("value", 0.0), 0.5);
  EXPECT_DOUBLE_EQ(a.value("threshold", 0.0), 0.5);
  EXPECT_FALSE(a.value("since", "").empty());
  EXPECT_EQ(Metric("finex_alerts_active{alertname=\"FinexMemoryHigh\""), 1);
  // Delivered by the retry: the receiver refused the first POST.
  ASSERT_TRUE(WaitFor([&] { return !rx.Find("firing", "FinexMemoryHigh").is_null(); }))
      << rx.posts() << " posts";
  EXPECT_GE(rx.posts(), 2);
  ExpectAlertmanagerShape(rx.Find("firing", "FinexMemoryHigh"), "firing");
  EXPECT_TRUE(Logged("alert_fired", "FinexMemoryHigh")) << ReadFileText(serve_.err_path);

  // Invalidate everything: memory drops, the alert clears.
  RawAnswer del =
      Request("DELETE", "/v1/cache?pattern=finex:*", "Authorization: Bearer secret\r\n");
  ASSERT_EQ(del.status, 200) << del.body;
  ASSERT_TRUE(WaitFor([&] { return ActiveAlert("FinexMemoryHigh").is_null(); }))
      << Request("GET", "/v1/cache/stats").body;
  ASSERT_TRUE(WaitFor([&] { return !rx.Find("resolved", "FinexMemoryHigh").is_null(); }));
  ExpectAlertmanagerShape(rx.Find("resolved", "FinexMemoryHigh"), "resolved");
  EXPECT_TRUE(Logged("alert_cleared", "FinexMemoryHigh"));
  EXPECT_EQ(Metric("finex_alerts_active{alertname=\"FinexMemoryHigh\""), 0);
  rx_bodies_ = rx.bodies();
  ExpectGroupShape();
}

TEST_F(AlertsE2E, DeadWebhookNeverDelaysRequestsAndIsGivenUpWithALogLine) {
  // A receiver that is gone before finex starts: every POST is refused.
  std::string dead_url;
  {
    Receiver gone;
    ASSERT_TRUE(gone.ok());
    dead_url = gone.url();
  }
  Receiver unused;
  StartServe(unused,
             {"monitoring.alert_webhook_url=" + dead_url, "monitoring.alert_webhook_attempts=3",
              "cache.max_memory_mb=1", "monitoring.memory_alert_ratio=0.01"});
  ASSERT_EQ(Request("GET",
                    "/v1/history?symbols=AAPL&interval=1d&start=2022-01-03&end=2023-12-29&"
                    "provider=yahoo")
                .status,
            200);
  ASSERT_TRUE(WaitFor([&] { return !ActiveAlert("FinexMemoryHigh").is_null(); }));
  // While the sender retries, answers come as fast as ever (a cached answer:
  // well under the 1 s a blocked request would at least take).
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Request("GET",
                      "/v1/history?symbols=AAPL&interval=1d&start=2023-01-03&end="
                      "2023-06-30&provider=yahoo")
                  .status,
              200);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
  // Given up after its 3 attempts: counted and logged.
  ASSERT_TRUE(
      WaitFor([&] { return Metric("finex_alert_notifications_total{result=\"failed\"}") >= 1; }));
  EXPECT_EQ(Metric("finex_alert_notifications_total{result=\"delivered\"}"), 0);
  EXPECT_NE(ReadFileText(serve_.err_path).find("\"event\":\"alert_webhook_failed\",\"attempts\":3"),
            std::string::npos)
      << ReadFileText(serve_.err_path);
  EXPECT_EQ(unused.posts(), 0);
}

TEST_F(AlertsE2E, ProviderDownOpensBreakerAndRaisesErrorRateThenClears) {
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  StartServe(rx, {"providers.yahoo.breaker_failures=2", "providers.yahoo.breaker_open_ms=300",
                  "providers.yahoo.max_retries=0", "monitoring.error_rate_ceiling=0.2",
                  "monitoring.alert_window_s=2", "monitoring.alert_min_requests=3"});
  ASSERT_EQ(SimFaults(R"({"down": ["yahoo"]})"), 200);
  // Uncached symbols: nothing to serve stale, so each is a 5xx.
  for (int i = 0; i < 4; ++i) {
    RawAnswer a = Request("GET", "/v1/history?symbols=DOWN" + std::to_string(i) +
                                     "&interval=1d&start=2024-01-02&end=2024-02-28&provider=yahoo");
    EXPECT_GE(a.status, 500) << a.body;
  }
  ASSERT_TRUE(WaitFor([&] {
    return !ActiveAlert("FinexProviderBreakerOpen", "provider", "yahoo").is_null();
  })) << Request("GET", "/v1/cache/alerts").body;
  ASSERT_TRUE(WaitFor([&] { return !ActiveAlert("FinexErrorRateHigh").is_null(); }))
      << Request("GET", "/v1/cache/alerts").body;
  EXPECT_EQ(ActiveAlert("FinexErrorRateHigh").value("severity", ""), "critical");
  ASSERT_TRUE(WaitFor([&] {
    return !rx.Find("firing", "FinexProviderBreakerOpen", "provider", "yahoo").is_null();
  }));
  ExpectAlertmanagerShape(rx.Find("firing", "FinexProviderBreakerOpen"), "firing");
  ASSERT_TRUE(WaitFor([&] { return !rx.Find("firing", "FinexErrorRateHigh").is_null(); }));
  EXPECT_TRUE(Logged("alert_fired", "FinexProviderBreakerOpen"));

  // The provider recovers: after breaker_open_ms the breaker half-opens (no
  // longer "open"), and a successful call closes it.
  ASSERT_EQ(SimFaults("{}"), 200);
  ASSERT_TRUE(WaitFor(
      [&] { return ActiveAlert("FinexProviderBreakerOpen", "provider", "yahoo").is_null(); }));
  RawAnswer ok = Request(
      "GET",
      "/v1/history?symbols=UPAGAIN&interval=1d&start=2024-01-02&end=2024-02-28&provider=yahoo");
  EXPECT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(WaitFor([&] {
    return !rx.Find("resolved", "FinexProviderBreakerOpen", "provider", "yahoo").is_null();
  }));
  ExpectAlertmanagerShape(rx.Find("resolved", "FinexProviderBreakerOpen"), "resolved");
  // The 5xx answers leave the 2 s window: the error-rate alert clears.
  ASSERT_TRUE(WaitFor([&] { return ActiveAlert("FinexErrorRateHigh").is_null(); }));
  ASSERT_TRUE(WaitFor([&] { return !rx.Find("resolved", "FinexErrorRateHigh").is_null(); }));
  EXPECT_TRUE(Logged("alert_cleared", "FinexProviderBreakerOpen"));
  rx_bodies_ = rx.bodies();
  ExpectGroupShape();
}

TEST_F(AlertsE2E, RedisStoppedDegradesBackendThenClearsWhenBack) {
  auto redis = RedisServer::Start();
  if (!redis.ok()) GTEST_SKIP() << "redis-server not available: " << redis.status().message();
  Receiver rx;
  ASSERT_TRUE(rx.ok());
  StartServe(rx, {"cache.backend=redis", "backends.redis.url=" + (*redis)->url()});
  RawAnswer warm = Request(
      "GET", "/v1/history?symbols=AAPL&interval=1d&start=2024-01-02&end=2024-02-28&provider=yahoo");
  ASSERT_EQ(warm.status, 200) << warm.body;
  EXPECT_EQ(Metric("finex_backend_degraded{backend=\"redis\"}"), 0);
  EXPECT_TRUE(ActiveAlert("FinexBackendDegraded").is_null());

  (*redis)->Stop();
  ASSERT_TRUE(WaitFor([&] {
    return !ActiveAlert("FinexBackendDegraded", "backend", "redis").is_null();
  })) << Request("GET", "/v1/cache/alerts").body;
  EXPECT_EQ(ActiveAlert("FinexBackendDegraded").value("severity", ""), "critical");
  EXPECT_EQ(Metric("finex_backend_degraded{backend=\"redis\"}"), 1);
  ASSERT_TRUE(WaitFor(
      [&] { return !rx.Find("firing", "FinexBackendDegraded", "backend", "redis").is_null(); }));
  ExpectAlertmanagerShape(rx.Find("firing", "FinexBackendDegraded"), "firing");
  EXPECT_TRUE(Logged("alert_fired", "FinexBackendDegraded"));

  ASSERT_TRUE((*redis)->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return ActiveAlert("FinexBackendDegraded").is_null(); }))
      << Request("GET", "/v1/cache/alerts").body;
  ASSERT_TRUE(WaitFor(
      [&] { return !rx.Find("resolved", "FinexBackendDegraded", "backend", "redis").is_null(); }));
  ExpectAlertmanagerShape(rx.Find("resolved", "FinexBackendDegraded"), "resolved");
  EXPECT_TRUE(Logged("alert_cleared", "FinexBackendDegraded"));
  // The outage's length is the recovery time the dashboard tracks.
  EXPECT_GT(Metric("finex_backend_last_recovery_seconds{backend=\"redis\"}"), 0);
  EXPECT_EQ(Metric("finex_backend_recoveries_total{backend=\"redis\"}"), 1);
  rx_bodies_ = rx.bodies();
  ExpectGroupShape();
}

}  // namespace
}  // namespace finex::testing
