#include "finex/server/service.h"

#include <cmath>
#include <exception>
#include <random>

#include "finex/core/symbol.h"
#include "finex/server/compat/compat.h"
#include "finex/server/dashboard.h"
#include "finex/server/detail/service_internal.h"
#include "finex/server/http_status.h"
#include "finex/server/log.h"

namespace finex::server {

Service::Service(cache::CachedApi& api, const codec::FrameCodec* parquet, ServiceOptions opts)
    : api_(api),
      parquet_(parquet),
      opts_(std::move(opts)),
      answers_(opts_.answer_cache_bytes, static_cast<int64_t>(opts_.answer_cache_ttl_ms) * 1000),
      memo_(opts_.answer_memo_entries),
      id_salt_(std::random_device{}()),
      started_us_(MonotonicMicros()),
      budget_(opts_.cold_miss) {
  requests_ =
      &registry_.AddCounter("finex_http_requests_total",
                            "HTTP requests answered, by route template, method and status code.",
                            {"route", "method", "code"});
  latency_ =
      &registry_.AddHistogram("finex_http_request_duration_seconds",
                              "Time to answer an HTTP request, by route template, method and code.",
                              {"route", "method", "code"}, LatencyBuckets());
  response_bytes_ = &registry_.AddCounter(
      "finex_http_response_bytes_total", "Response body bytes sent, by route template.", {"route"});
  answer_lookups_ = &registry_.AddCounter(
      "finex_answer_cache_requests_total",
      "Lookups in the serialized-answer cache in front of the engine, by result (hit, miss).",
      {"result"});
  answer_hits_ = &answer_lookups_->With({"hit"});
  inflight_gauge_ =
      &registry_
           .AddGauge("finex_http_inflight_requests", "Engine requests being answered right now.")
           .With({});
  cold_refused_ = &registry_
                       .AddCounter("finex_cold_miss_refused_total",
                                   "Provider calls refused because the client's cold-miss budget "
                                   "was spent (answered 429).")
                       .With({});
  registry_.AddGauge("finex_build_info", "Build information; always 1.", {"version", "commit"})
      .With({opts_.version, opts_.commit})
      .Set(1);
  AddEngineCollector();
  AlertInputs inputs;
  inputs.stats = [this] { return api_.cache_stats(); };
  inputs.backends = opts_.backend_health;
  inputs.requests = [this] { return Totals(); };
  alerts_ = std::make_unique<AlertEvaluator>(opts_.alerts, std::move(inputs));
  registry_.AddCollector([this](std::string& out) { alerts_->AppendMetrics(out); });
}

RequestTotals Service::Totals() const {
  RequestTotals t;
  requests_->ForEach([&](const std::vector<std::string>& l, const Counter& c) {
    t.requests += c.value();
    if (l.size() == 3 && !l[2].empty() && l[2][0] == '5') t.errors += c.value();
  });
  return t;
}

http::Handler Service::AsHandler() {
  return [this](const http::Request& req) { return Handle(req); };
}

Timestamp Service::Now() const { return (opts_.clock ? *opts_.clock : SystemClock()).Now(); }

// Answers age on the injected clock when there is one (a replay at 60x
// keeps an answer 1/60 of the wall time), else on the monotonic clock (never
// the settable wall clock: a step back must not keep answers alive).
int64_t Service::AnswerClockMicros() const {
  return opts_.clock ? opts_.clock->NowMicros() : MonotonicMicros();
}

std::string Service::NewRequestId(std::string_view given) {
  if (detail::ValidRequestId(given)) return std::string(given);
  const uint64_t seq = request_seq_.fetch_add(1, std::memory_order_relaxed);
  // "%08x-%llx" of (salt, seq), formatted by hand: this runs on every request.
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[32];
  const auto salt = static_cast<uint32_t>(id_salt_);
  for (int i = 0; i < 8; ++i) buf[i] = kHex[(salt >> (28 - 4 * i)) & 0xf];
  buf[8] = '-';
  char digits[16];
  int n = 0;
  uint64_t v = seq;
  do {
    digits[n++] = kHex[v & 0xf];
    v >>= 4;
  } while (v != 0);
  for (int i = 0; i < n; ++i) buf[9 + i] = digits[n - 1 - i];
  return std::string(buf, static_cast<size_t>(9 + n));
}

http::Response Service::Handle(const http::Request& req) {
  const int64_t t0 = MonotonicMicros();
  Ctx ctx;
  ctx.request_id = NewRequestId(req.Header("x-request-id"));
  ctx.now_s = Now();
  http::Response r;
  try {
    r = Dispatch(req, ctx);
  } catch (const std::exception& e) {
    r = ProblemFromStatus(InternalError(std::string("unexpected error: ") + e.what()),
                          ctx.request_id);
  } catch (...) {
    r = ProblemFromStatus(InternalError("unexpected error"), ctx.request_id);
  }
  r.headers.emplace_back("X-Request-Id", ctx.request_id);
  const double secs = static_cast<double>(MonotonicMicros() - t0) * 1e-6;
  const std::string_view method =
      req.head ? std::string_view("HEAD") : std::string_view(req.method);
  const std::string_view m =
      (method == "GET" || method == "HEAD" || method == "POST" || method == "DELETE") ? method
                                                                                      : "other";
  const std::string code = std::to_string(r.status);
  requests_->With({ctx.route, m, code}).Inc();
  latency_->With({ctx.route, m, code}).Observe(secs);
  if (r.body) response_bytes_->With({ctx.route}).Inc(r.body->size());
  if (opts_.access_log == "all" || (opts_.access_log == "errors" && r.status >= 400)) {
    Log(r.status >= 500   ? "error"
        : r.status >= 400 ? "warn"
                          : "info",
        "request",
        {{"request_id", ctx.request_id},
         {"method", m},
         {"route", ctx.route},
         {"target", Printable(req.target, 256)},
         {"status", r.status},
         {"ms", static_cast<double>(std::llround(secs * 1e6)) / 1e3},
         {"bytes", static_cast<int64_t>(r.body ? r.body->size() : 0)},
         {"remote", req.remote}});
  }
  return r;
}

http::Response Service::Dispatch(const http::Request& req, Ctx& ctx) {
  const std::string& path = req.path;
  const std::string& method = req.method;
  auto only = [&](std::string_view allowed_method, std::string_view allow) -> bool {
    return method == allowed_method;
  };
  constexpr std::string_view kGetAllow = "GET, HEAD";

  if (path == "/v1/history") {
    ctx.route = "/v1/history";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return History(req, ctx);
  }
  if (path == "/v1/quote") {
    ctx.route = "/v1/quote";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return QuoteRoute(req, ctx);
  }
  if (path == "/v1/search") {
    ctx.route = "/v1/search";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return SearchRoute(req, ctx);
  }
  if (path == "/v1/cache/stats") {
    ctx.route = "/v1/cache/stats";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return Stats(ctx);
  }
  if (path == "/v1/cache/alerts") {
    ctx.route = "/v1/cache/alerts";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    http::Response r = detail::JsonAnswer(200, alerts_->RenderJson());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }
  if (path == "/v1/cache/warm") {
    ctx.route = "/v1/cache/warm";
    if (!only("POST", "POST")) return MethodNotAllowed(method, "POST", ctx.request_id);
    return WarmStart(req, ctx);
  }
  if (path.rfind("/v1/cache/warm/", 0) == 0) {
    ctx.route = "/v1/cache/warm/{id}";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return WarmStatusRoute(std::string_view(path).substr(15), ctx);
  }
  if (path == "/v1/cache") {
    ctx.route = "/v1/cache";
    if (!only("DELETE", "DELETE")) return MethodNotAllowed(method, "DELETE", ctx.request_id);
    return Invalidate(req, ctx);
  }
  if (path == "/metrics") {
    ctx.route = "/metrics";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return MetricsRoute();
  }
  if (path == "/healthz") {
    ctx.route = "/healthz";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return detail::JsonAnswer(200, "{\"status\":\"ok\"}");
  }
  if (path == "/readyz") {
    ctx.route = "/readyz";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    return Ready(ctx);
  }
  if (path == "/" || path == "/index.html") {
    ctx.route = "/";
    if (!only("GET", kGetAllow)) return MethodNotAllowed(method, kGetAllow, ctx.request_id);
    static const auto* page = new std::shared_ptr<const std::string>(
        std::make_shared<const std::string>(DashboardHtml()));
    http::Response r;
    r.status = 200;
    r.content_type = "text/html; charset=utf-8";
    r.body = *page;
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  // Provider-compatible routes (/yahoo, /binance, ...): server/compat/.
  // Answers made wholly from cache are kept in the answer cache like the
  // /v1 routes', under a key of the data-changing parameters only.
  const std::optional<std::string> compat_key = compat::AnswerKey(req, Now());
  if (compat_key) {
    ctx.route = "compat (answer cache)";
    if (auto hit = FromAnswerCache(*compat_key, req, ctx)) return std::move(*hit);
  }
  const uint64_t compat_gen = answers_.generation();
  // The engine's in-flight limit holds for the compat routes too.
  std::optional<detail::InflightSlot> slot;
  if (compat_key) {
    slot.emplace(inflight_, *inflight_gauge_);
    if (slot->count() > opts_.max_inflight) {
      return detail::AtInflightLimit(opts_.max_inflight, ctx.request_id);
    }
  }
  if (auto r = compat::Serve(api_, Now(), (opts_.clock ? *opts_.clock : SystemClock()).NowMicros(),
                             req, ctx.route)) {
    if (compat_key && r->status == 200) {
      bool from_cache = false, stale = false;
      for (const auto& [k, v] : r->headers) {
        from_cache = from_cache || (k == "X-Finex-Api-Calls" && v == "0");
        stale = stale || k == "X-Finex-Stale";
      }
      from_cache = from_cache && !stale;
      if (from_cache) {
        answers_.Put(*compat_key, std::make_shared<const http::Response>(*r), compat_gen,
                     AnswerClockMicros());
      }
    }
    return std::move(*r);
  }
  return RouteNotFound(path, ctx.request_id);
}

}  // namespace finex::server
