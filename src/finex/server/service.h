// Service: finex's HTTP API (API.md "HTTP service") as a pure http::Handler.
// It routes a Request to the /v1 handlers, validates parameters (params.h),
// asks the CachedApi, serializes JSON/CSV/Parquet (render.h), maps errors in
// one place (http_status.h), records Prometheus metrics (metrics.h) and keeps
// hot answers as shared immutable bytes (answer_cache.h). It never touches a
// socket, so it is tested in-process; `finex serve` hands Handle() to
// http::Server.
//
// Routes: GET / (dashboard), GET /v1/history, /v1/quote, /v1/search,
// /v1/cache/stats, /v1/cache/alerts (alerts.h), POST /v1/cache/warm, GET /v1/cache/warm/{id},
// DELETE /v1/cache?pattern=, GET /metrics, /healthz, /readyz.
// Admin routes (POST /v1/cache/warm, DELETE /v1/cache) need
// `Authorization: Bearer <admin_token>`: 401 without it, 403 with a wrong one,
// and 403 ("admin routes are disabled") when no token is configured.
//
// One class in four files, one per route group (see detail/service_internal.h):
// service.cc (construction, Handle, routing), service_data_routes.cc,
// service_admin_routes.cc and service_fast_path.cc.
//
// Thread-safety: Handle() is thread-safe and runs concurrently on the
// transport's I/O threads. Ownership: the Service borrows the CachedApi, the
// codec and the clock (all must outlive it); it owns its metrics and answer
// cache.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "finex/cache/cached_api.h"
#include "finex/codec/frame_codec.h"
#include "finex/core/clock.h"
#include "finex/http/server.h"
#include "finex/server/alerts.h"
#include "finex/server/answer_cache.h"
#include "finex/server/answer_memo.h"
#include "finex/server/cold_budget.h"
#include "finex/server/metrics.h"
#include "finex/server/params.h"

namespace finex::server {

struct ServiceOptions {
  ParamLimits limits;                                 // symbols per request, rows per answer
  size_t max_body_bytes = 1 << 20;                    // POST bodies; larger → 413
  int max_inflight = 256;                             // concurrent engine requests; beyond → 503
  std::string admin_token;                            // "" disables the admin routes
  std::string admin_token_env = "FINEX_ADMIN_TOKEN";  // named in error details
  size_t answer_cache_bytes = 64 << 20;               // 0 disables the answer cache
  int answer_cache_ttl_ms = 1000;                     // max age of a cached answer, on `clock`
  // Raw targets remembered by the memo of hot answers (answer_memo.h); 0
  // turns the fast path off.
  size_t answer_memo_entries = 4096;
  // "now" for period= and the answer cache's ages (a replay clock);
  // nullptr = SystemClock() for period=, the monotonic clock for ages.
  Clock* clock = nullptr;
  std::string version = "0.1.0";   // finex_build_info{version}
  std::string commit = "unknown";  // finex_build_info{commit}
  // One structured log line (log.h) per answer: "off", "errors" (status >=
  // 400) or "all"; each carries the request id echoed in X-Request-Id.
  std::string access_log = "off";
  // Alert rules ([monitoring]); the evaluator runs once Alerts().Start() is
  // called (ServeUntilSignal does).
  AlertOptions alerts;
  // Health of the shared backend tiers for alerts and metrics; empty = none.
  std::function<std::vector<BackendHealthInfo>()> backend_health;
  // Per-client budget of requests that cost a provider call, and the memory
  // of unknown-symbol answers (cold_budget.h). Default: no budget.
  ColdMissBudgetOptions cold_miss;
};

class Service {
 public:
  // parquet may be nullptr (format=parquet then answers 400 unsupported).
  Service(cache::CachedApi& api, const codec::FrameCodec* parquet, ServiceOptions opts);
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Answers one request. Never throws.
  http::Response Handle(const http::Request& req);
  // A copyable handler bound to this Service (which must outlive it).
  http::Handler AsHandler();
  // The fast path for the transport (http::FastHandler): answers a repeated
  // GET/HEAD from the memo of hot answers (answer_memo.h) with exactly what
  // Handle() would answer, counting it in the same metrics; false when the
  // memo has no valid entry (or access_log is "all": then every request
  // takes Handle(), which logs it).
  bool Fast(const http::RawRequest& req, http::Response& out);
  http::FastHandler AsFastHandler();

  // While draining, /readyz answers 503 so load balancers stop sending.
  void SetDraining(bool draining) { draining_.store(draining); }

  Registry& metrics() { return registry_; }
  AlertEvaluator& alerts() { return *alerts_; }
  const AnswerCache& answer_cache() const { return answers_; }
  const AnswerMemo& answer_memo() const { return memo_; }

 private:
  struct Ctx;
  http::Response Dispatch(const http::Request& req, Ctx& ctx);
  http::Response History(const http::Request& req, Ctx& ctx);
  http::Response QuoteRoute(const http::Request& req, Ctx& ctx);
  http::Response SearchRoute(const http::Request& req, Ctx& ctx);
  http::Response Stats(Ctx& ctx);
  http::Response WarmStart(const http::Request& req, Ctx& ctx);
  http::Response WarmStatusRoute(std::string_view id, Ctx& ctx);
  http::Response Invalidate(const http::Request& req, Ctx& ctx);
  http::Response Ready(Ctx& ctx);
  http::Response MetricsRoute();
  RequestTotals Totals() const;
  // OK, or the 401/403 problem for an admin route.
  Status CheckAdmin(const http::Request& req) const;
  // Serves a cached answer (Range-aware for Parquet), or nullptr on miss.
  std::unique_ptr<http::Response> FromAnswerCache(const std::string& key, const http::Request& req,
                                                  Ctx& ctx);
  http::Response Finish(std::shared_ptr<const http::Response> full, const http::Request& req,
                        Ctx& ctx);
  // Quote and search share one shape: answer-cache lookup, the in-flight
  // limit, one engine call rendered as JSON or CSV (`render(json)` returns the
  // body and the answer's CacheInfo), and keeping answers that came wholly
  // from cache.
  struct Rendered {
    std::string body;
    cache::CacheInfo info;
  };
  http::Response SmallRoute(const std::string& key, Format format, const http::Request& req,
                            Ctx& ctx, const std::function<Result<Rendered>(bool json)>& render);
  std::string NewRequestId(std::string_view given);
  // Remembers a served answer-cache hit for the fast path when it qualifies.
  void Memoize(const http::Request& req, const AnswerCache::Hit& hit, const Ctx& ctx);
  // Drops every cached answer when the engine saw an invalidation since the
  // last check (also one received from another node); true if it did.
  bool SyncInvalidations();
  Timestamp Now() const;
  int64_t AnswerClockMicros() const;
  void AddEngineCollector();
  // Cold-miss budget (cold_budget.h): the provider-call gate charged to this
  // request's client (empty when no budget is configured) ...
  cache::ProviderCallGate GateFor(const http::Request& req);
  // ... and the answer for an engine failure: 429 + Retry-After when the
  // budget refused the call, else ProblemFromStatus; an unknown-symbol answer
  // is remembered under `key`.
  http::Response EngineFailure(const Status& s, const std::string& key, Ctx& ctx);
  // The remembered unknown-symbol answer for `key`, or nullptr.
  std::unique_ptr<http::Response> KnownUnknown(const std::string& key, Ctx& ctx);

  cache::CachedApi& api_;
  const codec::FrameCodec* parquet_;
  ServiceOptions opts_;
  Registry registry_;
  AnswerCache answers_;
  AnswerMemo memo_;
  std::atomic<uint64_t> seen_invalidations_{
      0};  // api_.invalidations() when answers_ was last checked
  std::atomic<bool> draining_{false};
  std::atomic<int> inflight_{0};
  std::atomic<uint64_t> request_seq_{0};
  uint64_t id_salt_;
  int64_t started_us_;
  Family<Counter>* requests_;
  Family<Histogram>* latency_;
  Family<Counter>* response_bytes_;
  Family<Counter>* answer_lookups_;
  Counter* answer_hits_;
  Gauge* inflight_gauge_;
  std::unique_ptr<AlertEvaluator> alerts_;  // after the families its inputs read
  ColdMissBudget budget_;
  Counter* cold_refused_;
};

}  // namespace finex::server
