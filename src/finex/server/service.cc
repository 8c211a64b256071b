#include "finex/server/service.h"

#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <random>

#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/server/compat/compat.h"
#include "finex/server/dashboard.h"
#include "finex/server/detail/json.h"
#include "finex/server/http_status.h"
#include "finex/server/log.h"
#include "finex/server/render.h"

namespace finex::server {

struct Service::Ctx {
  std::string request_id;
  std::string_view route = "other";  // route template for metric labels
  Timestamp now_s = 0;               // Now() when the request arrived
};

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kCsv = "text/csv; charset=utf-8";
constexpr std::string_view kParquet = "application/vnd.apache.parquet";

// RAII slot in the in-flight limiter.
class InflightSlot {
 public:
  InflightSlot(std::atomic<int>& n, Gauge& g) : n_(n), g_(g) {
    g_.Set(n_.fetch_add(1, std::memory_order_relaxed) + 1);
  }
  ~InflightSlot() { g_.Set(n_.fetch_sub(1, std::memory_order_relaxed) - 1); }
  int count() const { return n_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int>& n_;
  Gauge& g_;
};

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

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

http::Response JsonAnswer(int status, std::string body) {
  return http::Response::Text(status, std::string(kJson), std::move(body));
}

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Parses a single-range "bytes=" header against a body of `len` bytes.
// Returns: 0 = ignore (serve 200), 1 = satisfiable [first, last], 2 = 416.
int ParseRange(std::string_view h, size_t len, size_t& first, size_t& last) {
  if (h.substr(0, 6) != "bytes=") return 0;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return 0;  // multi-range: serve the whole body
  const size_t dash = h.find('-');
  if (dash == std::string_view::npos) return 0;
  auto parse = [](std::string_view s, uint64_t& v) {
    if (s.empty() || s.size() > 18) return false;
    v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
  };
  uint64_t a = 0, b = 0;
  const std::string_view sa = h.substr(0, dash), sb = h.substr(dash + 1);
  if (sa.empty()) {  // suffix range: the last b bytes
    if (!parse(sb, b)) return 0;
    if (b == 0) return 2;
    if (len == 0) return 2;
    first = b >= len ? 0 : len - b;
    last = len - 1;
    return 1;
  }
  if (!parse(sa, a)) return 0;
  if (sb.empty()) {
    b = len ? len - 1 : 0;
  } else if (!parse(sb, b) || b < a) {
    return 0;
  }
  if (a >= len) return 2;
  first = a;
  last = std::min<uint64_t>(b, len - 1);
  return 1;
}

uint64_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * 4096;
}

}  // namespace

Service::Service(cache::CachedApi& api, const codec::FrameCodec* parquet, ServiceOptions opts)
    : api_(api),
      parquet_(parquet),
      opts_(std::move(opts)),
      answers_(opts_.answer_cache_bytes, static_cast<int64_t>(opts_.answer_cache_ttl_ms) * 1000),
      memo_(opts_.answer_memo_entries),
      budget_(opts_.cold_miss),
      id_salt_(std::random_device{}()),
      started_us_(MonotonicMicros()) {
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
  if (ValidRequestId(given)) return std::string(given);
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
    http::Response r = JsonAnswer(200, alerts_->RenderJson());
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
    return JsonAnswer(200, "{\"status\":\"ok\"}");
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
  std::optional<InflightSlot> slot;
  if (compat_key) {
    slot.emplace(inflight_, *inflight_gauge_);
    if (slot->count() > opts_.max_inflight) {
      return ProblemFromStatus(
          ResourceExhaustedError("server is at its limit of " + std::to_string(opts_.max_inflight) +
                                 " concurrent requests; retry shortly"),
          ctx.request_id);
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

namespace {

// The query as a parsed list: from the raw target (so bad escapes are named),
// falling back to the transport's parsed list.
Result<QueryParams> QueryOf(const http::Request& req) {
  const size_t q = req.target.find('?');
  if (q == std::string::npos) return req.query;
  auto r = http::ParseQuery(std::string_view(req.target).substr(q + 1));
  if (!r.ok()) {
    Status s = r.status();
    if (s.details().param.empty()) s = s.WithParam("query");
    return InvalidArgumentError("malformed query string: " + s.message())
        .WithParam(s.details().param);
  }
  return r;
}

}  // namespace

bool Service::SyncInvalidations() {
  const uint64_t n = api_.invalidations();
  if (seen_invalidations_.load(std::memory_order_acquire) == n) return false;
  if (seen_invalidations_.exchange(n) == n) return false;
  answers_.Clear();  // also kills every memo entry (their liveness flags)
  return true;
}

std::unique_ptr<http::Response> Service::FromAnswerCache(const std::string& key,
                                                         const http::Request& req, Ctx& ctx) {
  // An invalidation (also one received from another node) drops every answer.
  SyncInvalidations();
  AnswerCache::Hit hit = answers_.Lookup(key, AnswerClockMicros());
  if (!hit.answer) {
    answer_lookups_->With({"miss"}).Inc();
    return nullptr;
  }
  answer_hits_->Inc();
  Memoize(req, hit, ctx);
  return std::make_unique<http::Response>(Finish(std::move(hit.answer), req, ctx));
}

void Service::Memoize(const http::Request& req, const AnswerCache::Hit& hit, const Ctx& ctx) {
  const http::Response& a = *hit.answer;
  // Finish() returns the answer unchanged only for these; Parquet answers
  // depend on Range/If-None-Match headers the memo does not look at.
  if (opts_.answer_memo_entries == 0 || opts_.access_log == "all" || req.method != "GET" ||
      !req.body.empty() || a.status != 200 || !a.body || a.content_type == kParquet ||
      req.target.empty() || req.target.front() != '/') {
    return;
  }
  // The key was built from the "now" of ctx.now_s: remember it only if that
  // is still the current second.
  const Timestamp now_s = Now();
  if (now_s != ctx.now_s) return;
  if (memo_.Holds(req.target, hit.live, hit.expires_us - 1, now_s)) return;  // already there
  AnswerMemo::Entry e;
  e.answer = hit.answer;
  e.head = std::make_shared<const std::string>(http::PrepareHead(a));
  e.live = hit.live;
  e.expires_us = hit.expires_us;
  e.now_s = now_s;
  e.requests_get = &requests_->With({ctx.route, "GET", "200"});
  e.requests_head = &requests_->With({ctx.route, "HEAD", "200"});
  e.latency_get = &latency_->With({ctx.route, "GET", "200"});
  e.latency_head = &latency_->With({ctx.route, "HEAD", "200"});
  e.response_bytes = &response_bytes_->With({ctx.route});
  memo_.Record(req.target, std::move(e));
}

bool Service::Fast(const http::RawRequest& req, http::Response& out) {
  if (opts_.answer_memo_entries == 0 || opts_.access_log == "all" || req.method != "GET") {
    return false;
  }
  const int64_t t0 = MonotonicMicros();
  if (SyncInvalidations()) return false;
  AnswerMemo::Entry e;
  if (!memo_.Find(req.target, AnswerClockMicros(), Now(), &e)) return false;
  answer_hits_->Inc();
  answers_.CountMemoHit();
  out.status = 200;
  out.content_type = std::string();  // carried by the prepared head
  out.prepared_head = std::move(e.head);
  out.body = e.answer->body;
  out.headers.clear();
  out.headers.emplace_back("X-Request-Id", NewRequestId(req.Header("x-request-id")));
  const double secs = static_cast<double>(MonotonicMicros() - t0) * 1e-6;
  (req.head ? e.requests_head : e.requests_get)->Inc();
  (req.head ? e.latency_head : e.latency_get)->Observe(secs);
  e.response_bytes->Inc(out.body->size());
  return true;
}

http::FastHandler Service::AsFastHandler() {
  return [this](const http::RawRequest& req, http::Response& out) { return Fast(req, out); };
}

http::Response Service::Finish(std::shared_ptr<const http::Response> full, const http::Request& req,
                               Ctx& ctx) {
  http::Response r = *full;  // headers copied; the body bytes are shared
  if (r.content_type != kParquet || r.status != 200 || !r.body) return r;
  std::string_view etag;
  for (const auto& [k, v] : r.headers) {
    if (k == "ETag") etag = v;
  }
  const std::string_view inm = req.Header("if-none-match");
  if (!inm.empty() && !etag.empty() && (inm == etag || inm == "*")) {
    http::Response nm;
    nm.status = 304;
    nm.content_type = std::string(kParquet);
    nm.headers.emplace_back("ETag", std::string(etag));
    nm.body = std::make_shared<const std::string>();
    return nm;
  }
  const std::string_view range = req.Header("range");
  if (range.empty()) return r;
  const std::string_view if_range = req.Header("if-range");
  if (!if_range.empty() && if_range != etag) return r;  // changed since: whole body
  size_t first = 0, last = 0;
  const size_t len = r.body->size();
  switch (ParseRange(range, len, first, last)) {
    case 0:
      return r;
    case 2: {
      http::Response bad =
          http::Response::Problem(416, "range_not_satisfiable",
                                  "range '" + Printable(range, 64) + "' lies outside the " +
                                      std::to_string(len) + "-byte body",
                                  {{"request_id", detail::JsonQuote(ctx.request_id)}});
      bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(len));
      return bad;
    }
    default:
      break;
  }
  r.status = 206;
  r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                              std::to_string(last) + "/" + std::to_string(len));
  r.body = std::make_shared<const std::string>(r.body->substr(first, last - first + 1));
  return r;
}

http::Response Service::History(const http::Request& req, Ctx& ctx) {
  auto q = QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseHistoryParams(*q, opts_.limits, Now());
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const HistoryParams& p = *pr;
  if (p.format == Format::kParquet && parquet_ == nullptr) {
    return ProblemFromStatus(
        UnimplementedError("format=parquet is not available in this build").WithParam("format"),
        ctx.request_id);
  }
  const std::string key = p.Key();
  if (auto hit = FromAnswerCache(key, req, ctx)) return std::move(*hit);
  if (auto unknown = KnownUnknown(key, ctx)) return std::move(*unknown);
  const uint64_t gen = answers_.generation();

  InflightSlot slot(inflight_, *inflight_gauge_);
  if (slot.count() > opts_.max_inflight) {
    return ProblemFromStatus(
        ResourceExhaustedError("server is at its limit of " + std::to_string(opts_.max_inflight) +
                               " concurrent requests; retry shortly"),
        ctx.request_id);
  }
  cache::HistoryOptions options = p.options;
  options.gate = GateFor(req);
  auto res = api_.History(p.symbols, options);
  if (!res.ok()) return EngineFailure(res.status(), key, ctx);
  const cache::HistoryResult& hr = *res;
  const size_t rows = hr.frame ? hr.frame->rows() : 0;
  if (static_cast<int64_t>(rows) > opts_.limits.max_rows) {
    return ProblemFromStatus(
        OutOfRangeError("the answer holds " + std::to_string(rows) + " rows; the limit is " +
                        std::to_string(opts_.limits.max_rows) +
                        " rows per answer: narrow start/end or use a coarser interval")
            .WithParam("start"),
        ctx.request_id);
  }
  auto full = std::make_shared<http::Response>();
  full->status = 200;
  const Timestamp start = (hr.query.start || hr.query.end) ? hr.query.start : p.start;
  const Timestamp end = (hr.query.start || hr.query.end) ? hr.query.end : p.end;
  full->headers.emplace_back("X-Finex-Start", FormatIsoUtc(start));
  full->headers.emplace_back("X-Finex-End", FormatIsoUtc(end));
  switch (p.format) {
    case Format::kJson:
      full->content_type = std::string(kJson);
      full->body = std::make_shared<const std::string>(RenderHistoryJson(hr, p));
      break;
    case Format::kCsv:
      full->content_type = std::string(kCsv);
      full->body = std::make_shared<const std::string>(RenderHistoryCsv(hr, p));
      AppendCacheInfoHeaders(full->headers, hr.info);
      break;
    case Format::kParquet: {
      const FramePtr frame = hr.frame ? hr.frame : Frame::Empty(p.options.fields);
      codec::KeyValueMetadata meta = {
          {"finex.symbols",
           [&] {
             std::string s;
             for (const auto& x : p.symbols) s += (s.empty() ? "" : ",") + x;
             return s;
           }()},
          {"finex.interval", std::string(IntervalName(p.options.interval))},
          // A range anchored to "now" is recorded as such, not to the
          // second: the bytes (and the ETag) then change only when the rows
          // do, so a remote reader's HEAD and Range requests seconds apart
          // (DuckDB checks the ETag between them) see one file.
          {"finex.start",
           p.start_given || p.options.end
               ? FormatIsoUtc(start)
               : "now-" + (p.options.period.empty() ? std::string("365d") : p.options.period)},
          {"finex.end", p.options.end ? FormatIsoUtc(end) : std::string("now")},
          {"finex.fields", p.options.fields.Name()},
      };
      auto bytes = parquet_->Encode(*frame, meta);
      if (!bytes.ok()) return ProblemFromStatus(bytes.status(), ctx.request_id);
      full->content_type = std::string(kParquet);
      full->headers.emplace_back("ETag",
                                 "\"" + Hex64(XXH3_64bits(bytes->data(), bytes->size())) + "\"");
      full->headers.emplace_back("Accept-Ranges", "bytes");
      full->body = std::make_shared<const std::string>(std::move(*bytes));
      AppendCacheInfoHeaders(full->headers, hr.info);
      break;
    }
  }
  if (hr.info.api_calls_made == 0 && !hr.info.stale) {
    answers_.Put(key, full, gen, AnswerClockMicros());
  }
  return Finish(std::move(full), req, ctx);
}

cache::ProviderCallGate Service::GateFor(const http::Request& req) {
  if (!budget_.enabled()) return {};
  return [this, client = budget_.ClientOf(req.remote, req.Header("authorization"))] {
    Status s = budget_.Take(client, MonotonicMicros());
    if (!s.ok()) {
      cold_refused_->Inc();
      return s.WithParam(std::string(kColdMissBudgetParam));
    }
    return s;
  };
}

http::Response Service::EngineFailure(const Status& s, const std::string& key, Ctx& ctx) {
  if (s.code() == StatusCode::kResourceExhausted && s.details().param == kColdMissBudgetParam) {
    return ColdMissRefused(s, ctx.request_id);
  }
  http::Response r = ProblemFromStatus(s, ctx.request_id);
  if (r.status == 404 && MapStatus(s).code == "unknown_symbol") {
    budget_.RememberUnknown(key, s.message(), MonotonicMicros());
  }
  return r;
}

std::unique_ptr<http::Response> Service::KnownUnknown(const std::string& key, Ctx& ctx) {
  auto detail = budget_.KnownUnknown(key, MonotonicMicros());
  if (!detail) return nullptr;
  return std::make_unique<http::Response>(
      ProblemFromStatus(NotFoundError(*detail).WithParam("symbols"), ctx.request_id));
}

http::Response Service::SmallRoute(const std::string& key, Format format, const http::Request& req,
                                   Ctx& ctx,
                                   const std::function<Result<Rendered>(bool json)>& render) {
  if (auto hit = FromAnswerCache(key, req, ctx)) return std::move(*hit);
  if (auto unknown = KnownUnknown(key, ctx)) return std::move(*unknown);
  const uint64_t gen = answers_.generation();
  InflightSlot slot(inflight_, *inflight_gauge_);
  if (slot.count() > opts_.max_inflight) {
    return ProblemFromStatus(
        ResourceExhaustedError("server is at its limit of " + std::to_string(opts_.max_inflight) +
                               " concurrent requests; retry shortly"),
        ctx.request_id);
  }
  const bool json = format == Format::kJson;
  auto res = render(json);
  if (!res.ok()) return EngineFailure(res.status(), key, ctx);
  auto full = std::make_shared<http::Response>();
  full->status = 200;
  full->content_type = std::string(json ? kJson : kCsv);
  full->body = std::make_shared<const std::string>(std::move(res->body));
  if (!json) AppendCacheInfoHeaders(full->headers, res->info);
  if (res->info.api_calls_made == 0 && !res->info.stale) {
    answers_.Put(key, full, gen, AnswerClockMicros());
  }
  return Finish(std::move(full), req, ctx);
}

http::Response Service::QuoteRoute(const http::Request& req, Ctx& ctx) {
  auto q = QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseQuoteParams(*q, opts_.limits);
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const QuoteParams& p = *pr;
  return SmallRoute(p.Key(), p.format, req, ctx, [&](bool json) -> Result<Rendered> {
    cache::QuoteOptions options = p.options;
    options.gate = GateFor(req);
    FINEX_ASSIGN_OR_RETURN(cache::QuoteResult res, api_.Quote(p.symbols, options));
    return Rendered{json ? RenderQuotesJson(res, p) : RenderQuotesCsv(res), res.info};
  });
}

http::Response Service::SearchRoute(const http::Request& req, Ctx& ctx) {
  auto q = QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseSearchParams(*q, opts_.limits);
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const SearchParams& p = *pr;
  return SmallRoute(p.Key(), p.format, req, ctx, [&](bool json) -> Result<Rendered> {
    cache::SearchOptions options = p.options;
    options.gate = GateFor(req);
    FINEX_ASSIGN_OR_RETURN(cache::SearchResults res, api_.Search(p.q, options));
    return Rendered{json ? RenderSearchJson(res, p) : RenderSearchCsv(res), res.info};
  });
}

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
  http::Response r = JsonAnswer(200, RenderStatsJson(s, f));
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
  http::Response r = JsonAnswer(202, std::move(body));
  r.headers.emplace_back("Location", "/v1/cache/warm/" + *id);
  return r;
}

http::Response Service::WarmStatusRoute(std::string_view id, Ctx& ctx) {
  if (!ValidRequestId(id)) {
    return ProblemFromStatus(
        NotFoundError("no warm job '" + Printable(id, 64) + "'").WithParam("id"), ctx.request_id);
  }
  auto st = api_.warm_status(id);
  if (!st.ok()) {
    Status s = st.status();
    if (s.details().param.empty()) s = s.WithParam("id");
    return ProblemFromStatus(s, ctx.request_id);
  }
  return JsonAnswer(200, RenderWarmStatusJson(*st));
}

http::Response Service::Invalidate(const http::Request& req, Ctx& ctx) {
  if (Status s = CheckAdmin(req); !s.ok()) return ProblemFromStatus(s, ctx.request_id);
  auto q = QueryOf(req);
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
  return JsonAnswer(200, "{\"removed\":" + std::to_string(*n) +
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
  return JsonAnswer(200, "{\"status\":\"ready\"}");
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
