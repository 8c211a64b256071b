#include "finex/server/alerts.h"

#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "finex/core/clock.h"
#include "finex/server/alert_webhook.h"
#include "finex/server/detail/json.h"
#include "finex/server/log.h"
#include "finex/server/metrics.h"

namespace finex::server {
namespace {

constexpr std::string_view kMemoryHigh = "FinexMemoryHigh";
constexpr std::string_view kBackendDegraded = "FinexBackendDegraded";
constexpr std::string_view kBreakerOpen = "FinexProviderBreakerOpen";
constexpr std::string_view kHitRateLow = "FinexHitRateLow";
constexpr std::string_view kReductionLow = "FinexCallReductionLow";
constexpr std::string_view kErrorRateHigh = "FinexErrorRateHigh";

struct AlertKind {
  std::string_view name, severity, subject_label;
};
constexpr AlertKind kKinds[] = {
    {kMemoryHigh, "warning", ""},          {kBackendDegraded, "critical", "backend"},
    {kBreakerOpen, "warning", "provider"}, {kHitRateLow, "warning", ""},
    {kReductionLow, "warning", ""},        {kErrorRateHigh, "critical", ""},
};

std::string_view SubjectLabel(std::string_view name) {
  for (const AlertKind& k : kKinds)
    if (k.name == name) return k.subject_label;
  return "";
}

std::string_view SeverityOf(std::string_view name) {
  for (const AlertKind& k : kKinds)
    if (k.name == name) return k.severity;
  return "warning";
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3339 with milliseconds, UTC ("2026-12-06T09:10:00.123Z").
std::string Rfc3339(int64_t wall_us) {
  const std::time_t secs = static_cast<std::time_t>(wall_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((wall_us / 1000) % 1000));
  return buf;
}

std::string Pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", v * 100);
  return buf;
}

std::string Key(const Alert& a) { return a.name + "/" + a.subject; }

void AppendLabels(std::string& out, const Alert& a) {
  out += "{\"alertname\":";
  detail::AppendJsonString(out, a.name);
  out += ",\"severity\":";
  detail::AppendJsonString(out, a.severity);
  out += ",\"service\":\"finex\"";
  const std::string_view label = SubjectLabel(a.name);
  if (!label.empty() && !a.subject.empty()) {
    out += ',';
    detail::AppendJsonString(out, label);
    out += ':';
    detail::AppendJsonString(out, a.subject);
  }
  out += '}';
}

}  // namespace

Status AlertEvaluator::Validate(const AlertOptions& o) {
  auto ratio = [](double v, const char* name) -> Status {
    if (!(v >= 0 && v <= 1))
      return InvalidArgumentError(std::string(name) + " must be in 0..1").WithParam(name);
    return OkStatus();
  };
  FINEX_RETURN_IF_ERROR(ratio(o.memory_alert_ratio, "memory_alert_ratio"));
  FINEX_RETURN_IF_ERROR(ratio(o.hit_rate_floor, "hit_rate_floor"));
  FINEX_RETURN_IF_ERROR(ratio(o.call_reduction_floor, "call_reduction_floor"));
  FINEX_RETURN_IF_ERROR(ratio(o.error_rate_ceiling, "error_rate_ceiling"));
  if (o.window_s < 1) return InvalidArgumentError("window_s must be >= 1").WithParam("window_s");
  if (o.min_requests < 1)
    return InvalidArgumentError("min_requests must be >= 1").WithParam("min_requests");
  if (o.eval_interval_ms < 10)
    return InvalidArgumentError("eval_interval_ms must be >= 10").WithParam("eval_interval_ms");
  if (!o.webhook_url.empty() && o.webhook_url.rfind("http://", 0) != 0 &&
      o.webhook_url.rfind("https://", 0) != 0)
    return InvalidArgumentError("alert_webhook_url must start with http:// or https://")
        .WithParam("alert_webhook_url");
  if (o.webhook_attempts < 1)
    return InvalidArgumentError("webhook attempts must be >= 1").WithParam("webhook_attempts");
  return OkStatus();
}

AlertEvaluator::AlertEvaluator(AlertOptions opts, AlertInputs inputs)
    : opts_(std::move(opts)), inputs_(std::move(inputs)) {
  if (!opts_.webhook_url.empty()) {
    WebhookOptions w;
    w.url = opts_.webhook_url;
    w.attempts = opts_.webhook_attempts;
    w.backoff_ms = opts_.webhook_backoff_ms;
    w.timeout_ms = opts_.webhook_timeout_ms;
    sender_ = std::make_unique<WebhookSender>(w);
  }
}

AlertEvaluator::~AlertEvaluator() { Stop(); }

void AlertEvaluator::Start() {
  if (!opts_.enabled) return;
  {
    MutexLock l(mu_);
    if (started_) return;
    started_ = true;
    stop_ = false;
  }
  if (sender_) sender_->Start();
  loop_ = std::thread([this] { Loop(); });
}

void AlertEvaluator::Stop() {
  {
    MutexLock l(mu_);
    if (!started_) return;
    started_ = false;
    stop_ = true;
  }
  cv_.SignalAll();
  if (loop_.joinable()) loop_.join();
  if (sender_) sender_->Stop();
}

void AlertEvaluator::Loop() {
  for (;;) {
    EvaluateNow();
    MutexLock l(mu_);
    if (cv_.WaitFor(mu_, std::chrono::milliseconds(opts_.eval_interval_ms), [&] {
          mu_.AssertHeld();
          return stop_;
        }))
      return;
  }
}

void AlertEvaluator::EvaluateNow() { Evaluate(MonotonicMicros()); }

std::vector<AlertEvaluator::Condition> AlertEvaluator::Conditions(
    const cache::CacheStats& s, const std::vector<BackendHealthInfo>& backends, const Sample& now) {
  std::vector<Condition> out;
  auto add = [&](std::string_view name, std::string subject, bool active, double value,
                 double threshold, std::string summary) {
    Condition c;
    c.alert.name = std::string(name);
    c.alert.severity = std::string(SeverityOf(name));
    c.alert.subject = std::move(subject);
    c.alert.value = value;
    c.alert.threshold = threshold;
    c.alert.summary = std::move(summary);
    c.active = active;
    out.push_back(std::move(c));
  };
  if (opts_.memory_alert_ratio > 0 && s.memory_budget_bytes > 0) {
    const double used =
        static_cast<double>(s.memory_bytes) / static_cast<double>(s.memory_budget_bytes);
    char buf[160];
    std::snprintf(buf, sizeof(buf), "cached data holds %.1f MiB of the %.1f MiB budget (%s)",
                  static_cast<double>(s.memory_bytes) / 1048576.0,
                  static_cast<double>(s.memory_budget_bytes) / 1048576.0, Pct(used).c_str());
    add(kMemoryHigh, "", used > opts_.memory_alert_ratio, used, opts_.memory_alert_ratio, buf);
  }
  for (const BackendHealthInfo& b : backends) {
    add(kBackendDegraded, b.name, b.degraded, b.degraded_for_s, 0,
        "backend " + b.name + " is degraded (serving from the in-process tier only)" +
            (b.last_error.empty() ? std::string() : ": " + b.last_error));
  }
  for (const cache::ProviderState& p : s.providers) {
    add(kBreakerOpen, p.name, p.breaker == "open", 1, 0,
        "provider " + p.name + "'s circuit breaker is open: calls to it are refused");
  }
  // Windowed rates: the oldest sample kept is the window's base.
  const Sample& base = samples_.front();
  const double window_s = static_cast<double>(now.t_us - base.t_us) * 1e-6;
  const uint64_t lookups = (now.hits + now.misses) - (base.hits + base.misses);
  const uint64_t asked = (now.calls + now.saved) - (base.calls + base.saved);
  const uint64_t requests = now.requests - base.requests;
  const uint64_t min_req = static_cast<uint64_t>(opts_.min_requests);
  char win[64];
  std::snprintf(win, sizeof(win), "over the last %.0f s", window_s);
  if (opts_.hit_rate_floor > 0) {
    const bool enough = lookups >= min_req;
    const double v =
        enough ? static_cast<double>(now.hits - base.hits) / static_cast<double>(lookups) : 0;
    add(kHitRateLow, "", enough && v < opts_.hit_rate_floor, v, opts_.hit_rate_floor,
        "hit rate " + Pct(v) + " " + win + " is below the floor of " + Pct(opts_.hit_rate_floor));
  }
  if (opts_.call_reduction_floor > 0) {
    const bool enough = asked >= min_req;
    const double v =
        enough ? static_cast<double>(now.saved - base.saved) / static_cast<double>(asked) : 0;
    add(kReductionLow, "", enough && v < opts_.call_reduction_floor, v, opts_.call_reduction_floor,
        "provider call reduction " + Pct(v) + " " + win + " is below the floor of " +
            Pct(opts_.call_reduction_floor));
  }
  if (opts_.error_rate_ceiling > 0) {
    const bool enough = requests >= min_req;
    const double v =
        enough ? static_cast<double>(now.errors - base.errors) / static_cast<double>(requests) : 0;
    add(kErrorRateHigh, "", enough && v > opts_.error_rate_ceiling, v, opts_.error_rate_ceiling,
        "5xx answers are " + Pct(v) + " of requests " + win + ", above the ceiling of " +
            Pct(opts_.error_rate_ceiling));
  }
  return out;
}

void AlertEvaluator::Evaluate(int64_t now_us) {
  const cache::CacheStats s = inputs_.stats();
  const std::vector<BackendHealthInfo> backends =
      inputs_.backends ? inputs_.backends() : std::vector<BackendHealthInfo>{};
  const RequestTotals req = inputs_.requests ? inputs_.requests() : RequestTotals{};
  const Sample now{now_us,       s.hits,    s.misses, s.api_calls, s.api_calls_saved,
                   req.requests, req.errors};
  const int64_t wall = WallMicros();
  std::vector<Alert> fired, cleared;
  {
    MutexLock l(mu_);
    samples_.push_back(now);
    const int64_t horizon = now_us - static_cast<int64_t>(opts_.window_s) * 1000000;
    while (samples_.size() > 1 && samples_[1].t_us <= horizon) samples_.pop_front();
    std::set<std::string> seen;
    for (Condition& c : Conditions(s, backends, now)) {
      const std::string key = Key(c.alert);
      seen.insert(key);
      auto it = active_.find(key);
      if (c.active && it == active_.end()) {
        c.alert.since_us = wall;
        active_.emplace(key, c.alert);
        fired.push_back(c.alert);
        ++fired_;
      } else if (c.active) {
        c.alert.since_us = it->second.since_us;
        it->second = c.alert;
      } else if (it != active_.end()) {
        Alert a = it->second;
        a.value = c.alert.value;
        cleared.push_back(a);
        active_.erase(it);
        ++cleared_;
      }
    }
    for (auto it = active_.begin(); it != active_.end();) {
      if (seen.count(it->first)) {
        ++it;
        continue;
      }
      cleared.push_back(it->second);  // its subject is gone (a provider removed)
      it = active_.erase(it);
      ++cleared_;
    }
  }
  for (const Alert& a : fired) {
    Log(a.severity == "critical" ? "error" : "warn", "alert_fired",
        {{"alertname", a.name},
         {"severity", a.severity},
         {"subject", a.subject},
         {"value", a.value},
         {"threshold", a.threshold},
         {"summary", a.summary}});
  }
  for (const Alert& a : cleared) {
    Log("info", "alert_cleared",
        {{"alertname", a.name},
         {"subject", a.subject},
         {"value", a.value},
         {"active_s", static_cast<double>(wall - a.since_us) * 1e-6}});
  }
  if (sender_) {
    if (!fired.empty())
      sender_->Enqueue(AlertmanagerPayload(fired, "firing", wall, opts_.external_url));
    if (!cleared.empty())
      sender_->Enqueue(AlertmanagerPayload(cleared, "resolved", wall, opts_.external_url));
  }
}

std::vector<Alert> AlertEvaluator::Active() const {
  std::vector<Alert> out;
  MutexLock l(mu_);
  for (const auto& [k, a] : active_) out.push_back(a);
  return out;
}

uint64_t AlertEvaluator::fired() const {
  MutexLock l(mu_);
  return fired_;
}
uint64_t AlertEvaluator::cleared() const {
  MutexLock l(mu_);
  return cleared_;
}
uint64_t AlertEvaluator::webhook_delivered() const { return sender_ ? sender_->delivered() : 0; }
uint64_t AlertEvaluator::webhook_failed() const { return sender_ ? sender_->failed() : 0; }

std::string AlertEvaluator::RenderJson() const {
  const std::vector<Alert> active = Active();
  std::string out = "{\"alerts\":[";
  bool first = true;
  for (const Alert& a : active) {
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    detail::AppendJsonString(out, a.name);
    out += ",\"severity\":";
    detail::AppendJsonString(out, a.severity);
    out += ",\"since\":";
    detail::AppendJsonString(out, Rfc3339(a.since_us));
    out += ",\"value\":";
    detail::AppendJsonDouble(out, a.value);
    out += ",\"threshold\":";
    detail::AppendJsonDouble(out, a.threshold);
    out += ",\"summary\":";
    detail::AppendJsonString(out, a.summary);
    const std::string_view label = SubjectLabel(a.name);
    if (!label.empty()) {
      out += ',';
      detail::AppendJsonString(out, label);
      out += ':';
      detail::AppendJsonString(out, a.subject);
    }
    out += '}';
  }
  out += "],\"rules\":{\"memory_alert_ratio\":";
  detail::AppendJsonDouble(out, opts_.memory_alert_ratio);
  out += ",\"hit_rate_floor\":";
  detail::AppendJsonDouble(out, opts_.hit_rate_floor);
  out += ",\"call_reduction_floor\":";
  detail::AppendJsonDouble(out, opts_.call_reduction_floor);
  out += ",\"error_rate_ceiling\":";
  detail::AppendJsonDouble(out, opts_.error_rate_ceiling);
  out += ",\"window_s\":";
  detail::AppendJsonInt(out, opts_.window_s);
  out += ",\"webhook\":";
  out += opts_.webhook_url.empty() ? "false" : "true";
  out += "}}";
  return out;
}

void AlertEvaluator::AppendMetrics(std::string& out) const {
  const std::vector<Alert> active = Active();
  AppendMetricHeader(out, "finex_alerts_active", "gauge",
                     "Alerts finex's own evaluator has active, by alert name and severity.");
  for (const AlertKind& k : kKinds) {
    double n = 0;
    for (const Alert& a : active) n += a.name == k.name ? 1 : 0;
    AppendSample(out, "finex_alerts_active",
                 {{"alertname", std::string(k.name)}, {"severity", std::string(k.severity)}}, n);
  }
  AppendMetricHeader(out, "finex_alert_notifications_total", "counter",
                     "Alert webhook notifications by result (delivered, failed after retries).");
  AppendSample(out, "finex_alert_notifications_total", {{"result", "delivered"}},
               static_cast<double>(webhook_delivered()));
  AppendSample(out, "finex_alert_notifications_total", {{"result", "failed"}},
               static_cast<double>(webhook_failed()));
  if (!inputs_.backends) return;
  const std::vector<BackendHealthInfo> backends = inputs_.backends();
  if (backends.empty()) return;
  AppendMetricHeader(out, "finex_backend_degraded", "gauge",
                     "1 while a shared backend tier is degraded (unreachable), else 0.");
  for (const auto& b : backends)
    AppendSample(out, "finex_backend_degraded", {{"backend", b.name}}, b.degraded ? 1 : 0);
  AppendMetricHeader(out, "finex_backend_degradations_total", "counter",
                     "Times a shared backend tier became degraded.");
  for (const auto& b : backends)
    AppendSample(out, "finex_backend_degradations_total", {{"backend", b.name}},
                 static_cast<double>(b.degradations));
  AppendMetricHeader(out, "finex_backend_recoveries_total", "counter",
                     "Times a shared backend tier recovered from degraded.");
  for (const auto& b : backends)
    AppendSample(out, "finex_backend_recoveries_total", {{"backend", b.name}},
                 static_cast<double>(b.recoveries));
  AppendMetricHeader(out, "finex_backend_last_recovery_seconds", "gauge",
                     "Duration of the last finished backend outage (recovery time).");
  for (const auto& b : backends)
    AppendSample(out, "finex_backend_last_recovery_seconds", {{"backend", b.name}},
                 b.last_outage_s);
}

std::string AlertmanagerPayload(const std::vector<Alert>& alerts, std::string_view status,
                                int64_t now_us, const std::string& external_url) {
  const bool resolved = status == "resolved";
  std::string out = "{\"version\":\"4\",\"groupKey\":";
  std::string group = "{}:{service=\"finex\"}";
  detail::AppendJsonString(out, group);
  out += ",\"truncatedAlerts\":0,\"status\":";
  detail::AppendJsonString(out, status);
  out += ",\"receiver\":\"finex\",\"groupLabels\":{\"service\":\"finex\"},\"commonLabels\":";
  // Labels every alert of the group shares: service always; alertname and
  // severity when there is one kind.
  bool one_kind = true;
  for (const Alert& a : alerts) one_kind = one_kind && a.name == alerts.front().name;
  out += "{\"service\":\"finex\"";
  if (one_kind && !alerts.empty()) {
    out += ",\"alertname\":";
    detail::AppendJsonString(out, alerts.front().name);
    out += ",\"severity\":";
    detail::AppendJsonString(out, alerts.front().severity);
  }
  out += "},\"commonAnnotations\":{},\"externalURL\":";
  detail::AppendJsonString(out, external_url);
  out += ",\"alerts\":[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& a = alerts[i];
    if (i) out += ',';
    out += "{\"status\":";
    detail::AppendJsonString(out, status);
    out += ",\"labels\":";
    AppendLabels(out, a);
    out += ",\"annotations\":{\"summary\":";
    detail::AppendJsonString(out, a.summary);
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", a.value);
    out += ",\"value\":";
    detail::AppendJsonString(out, buf);
    std::snprintf(buf, sizeof(buf), "%.6g", a.threshold);
    out += ",\"threshold\":";
    detail::AppendJsonString(out, buf);
    out += "},\"startsAt\":";
    detail::AppendJsonString(out, Rfc3339(a.since_us));
    out += ",\"endsAt\":";
    detail::AppendJsonString(out, resolved ? Rfc3339(now_us) : "0001-01-01T00:00:00Z");
    out += ",\"generatorURL\":";
    detail::AppendJsonString(out, external_url.empty() ? "" : external_url + "/v1/cache/alerts");
    const std::string fp_src = a.name + "\x1f" + a.subject;
    char fp[20];
    std::snprintf(fp, sizeof(fp), "%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(fp_src.data(), fp_src.size())));
    out += ",\"fingerprint\":";
    detail::AppendJsonString(out, fp);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace finex::server
