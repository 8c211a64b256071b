// Service: the answer cache and its memo of hot answers (the transport's fast
// path), and Finish: conditional (If-None-Match) and Range answers for Parquet.
#include "finex/core/symbol.h"
#include "finex/server/detail/json.h"
#include "finex/server/detail/service_internal.h"
#include "finex/server/http_status.h"
#include "finex/server/service.h"

namespace finex::server {

namespace {

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
      !req.body.empty() || a.status != 200 || !a.body || a.content_type == detail::kParquet ||
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
  if (r.content_type != detail::kParquet || r.status != 200 || !r.body) return r;
  std::string_view etag;
  for (const auto& [k, v] : r.headers) {
    if (k == "ETag") etag = v;
  }
  const std::string_view inm = req.Header("if-none-match");
  if (!inm.empty() && !etag.empty() && (inm == etag || inm == "*")) {
    http::Response nm;
    nm.status = 304;
    nm.content_type = std::string(detail::kParquet);
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

}  // namespace finex::server
