// Internals shared by the files that implement Service (service.h), one file
// per route group:
//   service.cc              construction, Handle (ids, metrics, access log), routing
//                           and the provider-compatible dispatch
//   service_data_routes.cc  /v1/history, /v1/quote, /v1/search and the cold-miss budget
//   service_admin_routes.cc /v1/cache/stats, warm, invalidate, /readyz, /metrics
//   service_fast_path.cc    the answer cache and its memo (the transport's fast path),
//                           conditional and Range answers (Finish)
// Not part of the server's interface: include only from those files.
//
// Thread-safety: Ctx belongs to one request; the helpers are pure functions,
// and InflightSlot's counter is atomic.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>
#include <string_view>

#include "finex/core/status.h"
#include "finex/http/server.h"
#include "finex/server/http_status.h"
#include "finex/server/metrics.h"
#include "finex/server/params.h"
#include "finex/server/service.h"

namespace finex::server {

// What one request carries through the route handlers.
struct Service::Ctx {
  std::string request_id;
  std::string_view route = "other";  // route template for metric labels
  Timestamp now_s = 0;               // Now() when the request arrived
};

namespace detail {

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

// True for a client-given X-Request-Id (or warm job id) finex accepts:
// 1..64 characters of [A-Za-z0-9._-].
inline bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

// A JSON answer with the given status.
inline http::Response JsonAnswer(int status, std::string body) {
  return http::Response::Text(status, std::string(kJson), std::move(body));
}

// The answer (ResourceExhausted) when a request would exceed the engine's
// in-flight limit (ServiceOptions::max_inflight).
inline http::Response AtInflightLimit(int max_inflight, const std::string& request_id) {
  return ProblemFromStatus(
      ResourceExhaustedError("server is at its limit of " + std::to_string(max_inflight) +
                             " concurrent requests; retry shortly"),
      request_id);
}

// The query as a parsed list: from the raw target (so bad escapes are named),
// falling back to the transport's parsed list.
inline Result<QueryParams> QueryOf(const http::Request& req) {
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

}  // namespace detail
}  // namespace finex::server
