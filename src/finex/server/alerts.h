// Alerts: a small evaluator over finex's own figures (API.md
// /v1/cache/alerts, [monitoring]). Each evaluation reads a snapshot of the
// engine's counters, the backends' health and the HTTP request tallies and
// decides which alerts are active:
//
//   FinexMemoryHigh         memory_bytes > memory_alert_ratio x budget
//   FinexBackendDegraded    a backend (the shared Redis tier) is degraded, per backend
//   FinexProviderBreakerOpen a provider's circuit breaker is open, per provider
//   FinexHitRateLow         hit rate over the last window_s below hit_rate_floor
//   FinexCallReductionLow   call reduction over the window below call_reduction_floor
//   FinexErrorRateHigh      share of 5xx answers over the window above error_rate_ceiling
//
// The windowed ones need at least min_requests lookups (or requests) inside
// the window, so an idle node raises nothing. A floor or ceiling of 0
// disables its alert. The same names, thresholds and windows are the
// alerting rules of deploy/prometheus/finex-rules.yml.
//
// When an alert fires or clears, the evaluator logs one line (log.h) and,
// when webhook_url is set, queues a notification in Alertmanager's webhook
// shape (version 4) for the sender thread (alert_webhook.h): requests never
// wait on it.
//
// Thread-safety: every public method is thread-safe. Evaluate() may be called
// from any thread (the background loop and tests); the inputs are called
// with no lock held and must be thread-safe. Ownership: owns its loop thread
// (joined by Stop() / the destructor) and its webhook sender; borrows the
// input functions' targets, which must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/mutex.h"

namespace finex::server {

class WebhookSender;

struct AlertOptions {
  // false ([cache] monitoring_enabled = false): Start() runs nothing and no
  // alert is ever active. Default: true.
  bool enabled = true;
  // Share of the memory budget (max_memory_mb) above which FinexMemoryHigh
  // fires; 0 disables it. Default: 0.9.
  double memory_alert_ratio = 0.9;
  // FinexHitRateLow fires when the hit rate over window_s is below this; 0
  // disables it. Default: 0 (off: a node warming up misses by design).
  double hit_rate_floor = 0;
  // FinexCallReductionLow fires when calls saved / (made + saved) over
  // window_s is below this; 0 disables it. Default: 0 (off).
  double call_reduction_floor = 0;
  // FinexErrorRateHigh fires when 5xx answers / answers over window_s is
  // above this; 0 disables it. Default: 0.05.
  double error_rate_ceiling = 0.05;
  // The window of the rate alerts, seconds. Default: 300.
  int window_s = 300;
  // Lookups (hit/reduction) or requests (errors) needed inside the window
  // before a rate alert may fire. Default: 20.
  int min_requests = 20;
  // Period of the background evaluation loop. Default: 1000 ms.
  int eval_interval_ms = 1000;
  // POSTed a JSON notification (Alertmanager webhook v4) on every fire and
  // clear; "" = none. http:// or https://.
  std::string webhook_url;
  // Attempts per notification (1 + retries) and the first backoff, doubled
  // after each failed attempt up to 30 s. Defaults: 5 attempts, 500 ms.
  int webhook_attempts = 5;
  int webhook_backoff_ms = 500;
  int webhook_timeout_ms = 5000;
  // The external URL put in notifications (generatorURL); "" = none.
  std::string external_url;
};

// One backend's health as the evaluator needs it (a shared tier, e.g. Redis
// behind the memory L1).
struct BackendHealthInfo {
  std::string name;  // "redis"
  bool degraded = false;
  std::string last_error;
  double degraded_for_s = 0;
  uint64_t degradations = 0, recoveries = 0;
  double last_outage_s = 0;  // duration of the last finished outage (recovery time)
};

// HTTP answers so far (monotonic counters).
struct RequestTotals {
  uint64_t requests = 0;
  uint64_t errors = 0;  // 5xx
};

struct AlertInputs {
  std::function<cache::CacheStats()> stats;                  // required
  std::function<std::vector<BackendHealthInfo>()> backends;  // may be empty
  std::function<RequestTotals()> requests;                   // may be empty
};

struct Alert {
  std::string name;      // FinexMemoryHigh, ...
  std::string severity;  // "warning" | "critical"
  std::string subject;   // the provider or backend it is about; "" for node-wide alerts
  int64_t since_us = 0;  // wall clock (epoch µs) when it fired
  double value = 0;
  double threshold = 0;
  std::string summary;
};

class AlertEvaluator {
 public:
  AlertEvaluator(AlertOptions opts, AlertInputs inputs);
  ~AlertEvaluator();
  AlertEvaluator(const AlertEvaluator&) = delete;
  AlertEvaluator& operator=(const AlertEvaluator&) = delete;

  // Checks the options: InvalidArgument naming the option at fault.
  static Status Validate(const AlertOptions& opts);

  // Runs one evaluation at monotonic time now_us (wall clock for `since` is
  // taken from the system clock); fires and clears alerts, logs and queues
  // notifications for the transitions.
  void Evaluate(int64_t now_us);
  // Evaluate(MonotonicMicros()).
  void EvaluateNow();

  // Starts the background loop (and the webhook sender); idempotent.
  void Start();
  // Stops the loop and the sender (undelivered notifications are dropped,
  // with a log line); idempotent.
  void Stop();

  // Active alerts, sorted by name then subject.
  std::vector<Alert> Active() const;
  // Fire/clear transitions so far.
  uint64_t fired() const;
  uint64_t cleared() const;
  // Notifications delivered / given up (after all attempts) by the sender.
  uint64_t webhook_delivered() const;
  uint64_t webhook_failed() const;

  const AlertOptions& options() const { return opts_; }

  // The body of GET /v1/cache/alerts.
  std::string RenderJson() const;
  // Prometheus exposition of finex_alert_active{alertname,severity} and the
  // webhook counters (a Registry collector).
  void AppendMetrics(std::string& out) const;

 private:
  struct Sample {
    int64_t t_us;
    uint64_t hits, misses, calls, saved, requests, errors;
  };
  struct Condition {
    Alert alert;  // since_us unset
    bool active;
  };
  std::vector<Condition> Conditions(const cache::CacheStats& s,
                                    const std::vector<BackendHealthInfo>& backends,
                                    const Sample& now) FINEX_REQUIRES(mu_);
  void Loop();

  const AlertOptions opts_;
  const AlertInputs inputs_;
  std::unique_ptr<WebhookSender> sender_;  // nullptr without a webhook_url

  mutable Mutex mu_;
  std::deque<Sample> samples_ FINEX_GUARDED_BY(mu_);           // within window_s
  std::map<std::string, Alert> active_ FINEX_GUARDED_BY(mu_);  // by name + "/" + subject
  uint64_t fired_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t cleared_ FINEX_GUARDED_BY(mu_) = 0;
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  bool started_ FINEX_GUARDED_BY(mu_) = false;
  CondVar cv_;
  std::thread loop_;
};

// The Alertmanager webhook (version 4) body for alerts changing to `status`
// ("firing" | "resolved") at wall time now_us: one group per notification.
std::string AlertmanagerPayload(const std::vector<Alert>& alerts, std::string_view status,
                                int64_t now_us, const std::string& external_url);

}  // namespace finex::server
