// Service: the cache-management routes (/v1/cache/stats, POST /v1/cache/warm,
// GET /v1/cache/warm/{id}, DELETE /v1/cache), /readyz, /metrics and the
// engine's metrics collector.
#include <fstream>

#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/server/detail/json.h"
#include "finex/server/detail/service_internal.h"
#include "finex/server/http_status.h"
#include "finex/server/render.h"
#include "finex/server/service.h"

namespace finex::server {

namespace {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0;
    const unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

uint64_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * 4096;
}

}  // namespace

http::Response Service::Stats(Ctx& ctx) {
  const cache::CacheStats s = api_.cache_stats();
  ServerFigures f;
  f.answer_cache_hits = answers_.hits();
  f.answer_cache_misses = answers_.misses();
  f.answer_cache_entries = answers_.entries();
  f.answer_cache_bytes = answers_.bytes();
  f.uptime_s = static_cast<double>(MonotonicMicros() - started_us_) * 1e-6;
  std::vector<double> bounds = LatencyBuckets();
  std::vector<uint64_t> counts(bounds.size() + 1, 0);
  requests_->ForEach(
      [&](const std::vector<std::string>& l, const Counter& c) { f.requests += c.value(); });
  latency_->ForEach([&](const std::vector<std::string>& l, const Histogram& h) {
    if (l[0] != "/v1/history" && l[0] != "/v1/quote" && l[0] != "/v1/search") return;
    for (size_t i = 0; i < counts.size(); ++i) counts[i] += h.bucket(i);
  });
  f.p50_ms = HistogramQuantile(bounds, counts, 0.50) * 1000;
  f.p95_ms = HistogramQuantile(bounds, counts, 0.95) * 1000;
  f.p99_ms = HistogramQuantile(bounds, counts, 0.99) * 1000;
  http::Response r = detail::JsonAnswer(200, RenderStatsJson(s, f));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Status Service::CheckAdmin(const http::Request& req) const {
  if (opts_.admin_token.empty()) {
    return PermissionDeniedError(
        "admin routes are disabled: no admin token is configured; set the environment variable " +
        opts_.admin_token_env + " (named by server.admin_token_env) before starting finex serve");
  }
  const std::string_view auth = req.Header("authorization");
  if (auth.empty()) {
    return UnauthenticatedError("admin route: send 'Authorization: Bearer <admin token>'");
  }
  if (auth.size() < 7 || (auth.substr(0, 7) != "Bearer " && auth.substr(0, 7) != "bearer ")) {
    return UnauthenticatedError(
        "admin route: the Authorization header must be 'Bearer <admin token>'");
  }
  if (!ConstantTimeEquals(auth.substr(7), opts_.admin_token)) {
    return PermissionDeniedError("admin route: the bearer token is not the admin token");
  }
  return OkStatus();
}

http::Response Service::WarmStart(const http::Request& req, Ctx& ctx) {
  if (Status s = CheckAdmin(req); !s.ok()) return ProblemFromStatus(s, ctx.request_id);
  if (req.body.size() > opts_.max_body_bytes)
    return BodyTooLarge(opts_.max_body_bytes, ctx.request_id);
  auto wr = ParseWarmBody(req.body, opts_.limits);
  if (!wr.ok()) return ProblemFromStatus(wr.status(), ctx.request_id);
  auto id = api_.warm_cache(*wr);
  if (!id.ok()) return ProblemFromStatus(id.status(), ctx.request_id);
  std::string body = "{\"id\":" + detail::JsonQuote(*id) +
                     ",\"status_url\":" + detail::JsonQuote("/v1/cache/warm/" + *id) + "}";
  http::Response r = detail::JsonAnswer(202, std::move(body));
  r.headers.emplace_back("Location", "/v1/cache/warm/" + *id);
  return r;
}

http::Response Service::WarmStatusRoute(std::string_view id, Ctx& ctx) {
  if (!detail::ValidRequestId(id)) {
    return ProblemFromStatus(
        NotFoundError("no warm job '" + Printable(id, 64) + "'").WithParam("id"), ctx.request_id);
  }
  auto st = api_.warm_status(id);
  if (!st.ok()) {
    Status s = st.status();
    if (s.details().param.empty()) s = s.WithParam("id");
    return ProblemFromStatus(s, ctx.request_id);
  }
  return detail::JsonAnswer(200, RenderWarmStatusJson(*st));
}

http::Response Service::Invalidate(const http::Request& req, Ctx& ctx) {
  if (Status s = CheckAdmin(req); !s.ok()) return ProblemFromStatus(s, ctx.request_id);
  auto q = detail::QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  const std::string* pattern = nullptr;
  for (const auto& [k, v] : *q) {
    if (k == "pattern") {
      if (pattern) {
        return ProblemFromStatus(InvalidArgumentError("parameter 'pattern' is given more than once")
                                     .WithParam("pattern"),
                                 ctx.request_id);
      }
      pattern = &v;
    } else {
      return ProblemFromStatus(InvalidArgumentError("unknown parameter '" + Printable(k, 32) +
                                                    "'; this route takes: pattern")
                                   .WithParam(Printable(k, 32)),
                               ctx.request_id);
    }
  }
  if (!pattern || pattern->empty()) {
    return ProblemFromStatus(
        InvalidArgumentError("missing required parameter 'pattern' (e.g. pattern=finex:AAPL:*)")
            .WithParam("pattern"),
        ctx.request_id);
  }
  auto n = api_.invalidate_cache(*pattern);
  answers_.Clear();  // whatever the outcome: never serve an answer built before it
  if (!n.ok()) {
    Status s = n.status();
    if (s.code() == StatusCode::kInvalidArgument && s.details().param.empty())
      s = s.WithParam("pattern");
    return ProblemFromStatus(s, ctx.request_id);
  }
  return detail::JsonAnswer(200, "{\"removed\":" + std::to_string(*n) +
                                     ",\"pattern\":" + detail::JsonQuote(*pattern) + "}");
}

http::Response Service::Ready(Ctx& ctx) {
  if (draining_.load()) {
    return ProblemFromStatus(UnavailableError("finex is shutting down (draining)"), ctx.request_id);
  }
  Status s = api_.Ready();
  if (!s.ok()) {
    return ProblemFromStatus(UnavailableError("not ready: " + s.message()), ctx.request_id);
  }
  return detail::JsonAnswer(200, "{\"status\":\"ready\"}");
}

http::Response Service::MetricsRoute() {
  http::Response r =
      http::Response::Text(200, "text/plain; version=0.0.4; charset=utf-8", registry_.Render());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void Service::AddEngineCollector() {
  registry_.AddCollector([this](std::string& out) {
    const cache::CacheStats s = api_.cache_stats();
    auto counter = [&](std::string_view name, std::string_view help, double v,
                       std::vector<std::pair<std::string, std::string>> labels = {}) {
      AppendMetricHeader(out, name, "counter", help);
      AppendSample(out, name, labels, v);
    };
    auto gauge = [&](std::string_view name, std::string_view help, double v) {
      AppendMetricHeader(out, name, "gauge", help);
      AppendSample(out, name, {}, v);
    };
    AppendMetricHeader(out, "finex_cache_requests_total", "counter",
                       "Engine lookups by provider and result (hit: served from cache, miss).");
    AppendSample(out, "finex_cache_requests_total", {{"provider", "all"}, {"result", "hit"}},
                 static_cast<double>(s.hits));
    AppendSample(out, "finex_cache_requests_total", {{"provider", "all"}, {"result", "miss"}},
                 static_cast<double>(s.misses));
    for (const auto& p : s.by_provider) {
      AppendSample(out, "finex_cache_requests_total", {{"provider", p.name}, {"result", "hit"}},
                   static_cast<double>(p.hits));
      AppendSample(out, "finex_cache_requests_total", {{"provider", p.name}, {"result", "miss"}},
                   static_cast<double>(p.misses));
    }
    gauge("finex_cache_hit_ratio", "Share of requested bars served from cache since start.",
          s.hit_rate);
    AppendMetricHeader(out, "finex_provider_calls_total", "counter",
                       "Upstream provider HTTP calls made, by provider.");
    for (const auto& p : s.by_provider) {
      AppendSample(out, "finex_provider_calls_total", {{"provider", p.name}},
                   static_cast<double>(p.api_calls));
    }
    counter("finex_provider_calls_saved_total",
            "Provider calls avoided because the cache answered.",
            static_cast<double>(s.api_calls_saved));
    gauge("finex_provider_call_reduction_ratio", "api_calls_saved / (api_calls + api_calls_saved).",
          s.reduction);
    gauge("finex_cache_fragments", "Fragments currently cached.", static_cast<double>(s.fragments));
    gauge("finex_cache_stored_bytes", "Bytes of cached fragments.", static_cast<double>(s.bytes));
    counter("finex_cache_evictions_total", "Fragments evicted.", static_cast<double>(s.evictions));
    gauge("finex_cache_memory_bytes", "Memory used by cached data.",
          static_cast<double>(s.memory_bytes));
    gauge("finex_cache_memory_budget_bytes", "Memory budget for cached data.",
          static_cast<double>(s.memory_budget_bytes));
    counter("finex_cache_rows_served_total", "Bars served.", static_cast<double>(s.rows_served));
    counter("finex_cache_rows_stored_total", "Bars stored.", static_cast<double>(s.rows_stored));
    counter("finex_cache_bonus_rows_reused_total",
            "Bars a provider returned beyond the request and a later request reused.",
            static_cast<double>(s.bonus_rows_reused));
    counter("finex_cache_validation_rejects_total", "Provider rows rejected by data validation.",
            static_cast<double>(s.validation_rejects));
    // Breaker states: one sample per provider and state (1 = current), so a
    // PromQL `== 1` selects the state; cardinality is providers x 3.
    AppendMetricHeader(out, "finex_provider_breaker_state", "gauge",
                       "Circuit breaker state by provider (1 for the current state, else 0).");
    for (const auto& p : s.providers)
      for (std::string_view st : {"closed", "open", "half_open"})
        AppendSample(out, "finex_provider_breaker_state",
                     {{"provider", p.name}, {"state", std::string(st)}},
                     p.breaker == st ? 1.0 : 0.0);
    AppendMetricHeader(
        out, "finex_provider_health_score", "gauge",
        "Provider health score 0..1 (reliability x completeness) used for provider choice.");
    for (const auto& p : s.providers)
      AppendSample(out, "finex_provider_health_score", {{"provider", p.name}}, p.score);
    // Daily budgets (Alpha Vantage, Twelve Data): only providers that have one.
    bool any_daily = false;
    for (const auto& p : s.providers) any_daily |= p.daily_calls_remaining >= 0;
    if (any_daily) {
      AppendMetricHeader(out, "finex_provider_daily_calls_remaining", "gauge",
                         "Calls left today of the provider's daily budget (resets 00:00 UTC).");
      for (const auto& p : s.providers)
        if (p.daily_calls_remaining >= 0)
          AppendSample(out, "finex_provider_daily_calls_remaining", {{"provider", p.name}},
                       static_cast<double>(p.daily_calls_remaining));
    }
    // Fragment utilization and fetch coverage by provider and interval
    // (bounded: providers x 8 intervals).
    auto util = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
      AppendMetricHeader(out, name, type, help);
      for (const cache::UtilizationStats& u : s.utilization)
        AppendSample(
            out, name,
            {{"provider", u.provider}, {"interval", std::string(IntervalName(u.interval))}},
            static_cast<double>(value(u)));
    };
    using U = cache::UtilizationStats;
    util("finex_fragment_rows_stored_total", "counter",
         "Bars stored in fragments by this node, by provider and interval.",
         [](const U& u) { return u.rows_stored; });
    util("finex_fragment_rows_served_total", "counter",
         "Stored bars that answered at least one request (each counted once).",
         [](const U& u) { return u.rows_served; });
    util("finex_fragment_utilization_ratio", "gauge",
         "Share of stored bars ever served: rows_served / rows_stored.",
         [](const U& u) { return u.utilization; });
    util("finex_fragment_bonus_rows_stored_total", "counter",
         "Stored bars outside the range the user asked for (provider bonus data, widening).",
         [](const U& u) { return u.bonus_rows_stored; });
    util("finex_fragment_bonus_rows_reused_total", "counter",
         "Bonus bars that later answered a request (each counted once).",
         [](const U& u) { return u.bonus_rows_reused; });
    util("finex_fetch_rows_asked_total", "counter",
         "Bars the exchange calendar expects in the ranges finex asked providers for.",
         [](const U& u) { return u.rows_asked; });
    util("finex_fetch_rows_received_total", "counter", "Bars providers returned to finex's calls.",
         [](const U& u) { return u.rows_received; });
    util("finex_fetch_coverage_ratio", "gauge",
         "Coverage of provider calls: rows received / rows asked.",
         [](const U& u) { return u.coverage; });
    gauge("finex_answer_cache_entries", "Serialized answers held by the server.",
          static_cast<double>(answers_.entries()));
    gauge("finex_answer_cache_bytes", "Bytes of serialized answers held by the server.",
          static_cast<double>(answers_.bytes()));
    gauge("finex_process_resident_memory_bytes", "Resident memory of the finex process.",
          static_cast<double>(ResidentBytes()));
    gauge("finex_uptime_seconds", "Seconds since the service started.",
          static_cast<double>(MonotonicMicros() - started_us_) * 1e-6);
  });
}

}  // namespace finex::server
