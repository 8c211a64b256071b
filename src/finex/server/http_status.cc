#include "finex/server/http_status.h"

#include <cmath>

#include "finex/core/symbol.h"
#include "finex/server/detail/json.h"

namespace finex::server {
namespace {

using detail::JsonQuote;

}  // namespace

HttpError MapStatus(const Status& s) {
  const StatusDetails& d = s.details();
  const bool upstream = !d.provider.empty();
  switch (s.code()) {
    case StatusCode::kOk:
      return {200, "ok"};
    case StatusCode::kInvalidArgument:
      return {400, d.param.empty() ? "invalid_argument" : "invalid_" + d.param};
    case StatusCode::kOutOfRange:
      return {400, "out_of_range"};
    case StatusCode::kUnimplemented:
      return {400, "unsupported"};
    case StatusCode::kFailedPrecondition:
      return upstream ? HttpError{502, "provider_rejected"} : HttpError{400, "failed_precondition"};
    // 401/403 are finex's own admin answers; a provider refusing finex's
    // credentials (missing or bad API key) is a provider failure.
    case StatusCode::kUnauthenticated:
      return upstream ? HttpError{502, "provider_rejected"} : HttpError{401, "unauthorized"};
    case StatusCode::kPermissionDenied:
      return upstream ? HttpError{502, "provider_rejected"} : HttpError{403, "forbidden"};
    case StatusCode::kNotFound:
      // A provider that does not know the series is an unknown symbol.
      return {404, d.param == "symbols" || d.param == "symbol" || (upstream && d.param.empty())
                       ? "unknown_symbol"
                       : "not_found"};
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return {409, "conflict"};
    case StatusCode::kResourceExhausted:
      return upstream ? HttpError{429, "rate_limited"} : HttpError{503, "overloaded"};
    case StatusCode::kUnavailable:
      return upstream ? HttpError{502, "provider_unavailable"} : HttpError{503, "unavailable"};
    case StatusCode::kDataLoss:
      return upstream ? HttpError{502, "provider_bad_data"} : HttpError{500, "internal"};
    case StatusCode::kDeadlineExceeded:
      return {504, "provider_timeout"};
    case StatusCode::kCancelled:
      return {503, "unavailable"};
    case StatusCode::kInternal:
    case StatusCode::kUnknown:
      break;
  }
  return {500, "internal"};
}

http::Response ProblemFromStatus(const Status& s, std::string_view request_id) {
  const HttpError e = MapStatus(s);
  const StatusDetails& d = s.details();
  std::vector<std::pair<std::string, std::string>> extra;
  if (!d.param.empty()) {
    extra.emplace_back("param", JsonQuote(d.param));
  } else if (e.code == "unknown_symbol") {
    extra.emplace_back("param", JsonQuote("symbols"));
  }
  if (!d.provider.empty()) extra.emplace_back("provider", JsonQuote(d.provider));
  if (d.upstream_status > 0)
    extra.emplace_back("upstream_status", std::to_string(d.upstream_status));
  double retry = d.retry_after_s;
  if (e.status == 429 && retry < 0) retry = 60;  // the provider said nothing: one minute window
  if (e.status == 503 && retry < 0) retry = 1;
  int retry_s = -1;
  if ((e.status == 429 || e.status == 503) && retry >= 0) {
    retry_s = static_cast<int>(std::ceil(retry));
    if (retry_s < 1) retry_s = 1;
    extra.emplace_back("retry_after_seconds", std::to_string(retry_s));
  }
  extra.emplace_back("request_id", JsonQuote(request_id));
  // Internal errors do not leak internals beyond the message itself.
  std::string detail = s.message().empty() ? std::string(StatusCodeName(s.code())) : s.message();
  http::Response r = http::Response::Problem(e.status, e.code, detail, extra);
  if (retry_s > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_s));
  if (e.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"finex admin\"");
  return r;
}

http::Response RouteNotFound(std::string_view path, std::string_view request_id) {
  return http::Response::Problem(
      404, "route_not_found",
      "no route serves '" + Printable(path, 128) +
          "'; see /v1/history, /v1/quote, /v1/search, /v1/cache/stats, /metrics, /healthz",
      {{"request_id", JsonQuote(request_id)}});
}

http::Response MethodNotAllowed(std::string_view method, std::string_view allow,
                                std::string_view request_id) {
  http::Response r = http::Response::Problem(
      405, "method_not_allowed",
      "method " + Printable(method, 16) + " is not allowed here; allowed: " + std::string(allow),
      {{"request_id", JsonQuote(request_id)}});
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

http::Response BodyTooLarge(size_t limit, std::string_view request_id) {
  return http::Response::Problem(413, "body_too_large",
                                 "request body exceeds " + std::to_string(limit) + " bytes",
                                 {{"request_id", JsonQuote(request_id)}});
}

}  // namespace finex::server
