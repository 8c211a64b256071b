// The one place where finex's Status becomes an HTTP answer (STYLE.md §2,
// API.md "Errors"). Every error the service sends is an RFC 9457
// problem+json body with `code`, `request_id` and, where they apply,
// `param`, `provider`, `upstream_status` and `retry_after_seconds`.
//
// Mapping (Status code → HTTP status, `code` member):
//   InvalidArgument      → 400 invalid_<param> (invalid_argument without a param)
//   OutOfRange           → 400 out_of_range (e.g. an answer over the row limit)
//   Unimplemented        → 400 unsupported (the provider cannot do this)
//   FailedPrecondition   → 502 provider_rejected with a provider, else 400 failed_precondition
//   Unauthenticated      → 401 unauthorized (+ WWW-Authenticate: Bearer);
//                          502 provider_rejected with a provider (its API key)
//   PermissionDenied     → 403 forbidden; 502 provider_rejected with a provider
//   NotFound             → 404 unknown_symbol (param "symbols"; also a provider's
//                          NotFound without a param) / not_found
//   AlreadyExists, Aborted → 409 conflict
//   ResourceExhausted    → 429 rate_limited (+ Retry-After) with a provider,
//                          503 overloaded (+ Retry-After) without
//   Unavailable          → 502 provider_unavailable with a provider, 503 unavailable without
//   DataLoss             → 502 provider_bad_data with a provider, 500 internal without
//   DeadlineExceeded     → 504 provider_timeout
//   Cancelled            → 503 unavailable
//   Internal, Unknown    → 500 internal
// Route-level answers that are not a Status (404 unknown route, 405 method,
// 413 body) are built here too, so the error model lives in one file.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "finex/core/status.h"
#include "finex/http/server.h"

namespace finex::server {

struct HttpError {
  int status = 500;
  std::string code;  // machine-readable code member
};

// The HTTP status and problem `code` for a non-OK Status.
HttpError MapStatus(const Status& s);

// The problem+json answer for a non-OK Status. REQUIRES: !s.ok().
http::Response ProblemFromStatus(const Status& s, std::string_view request_id);

// 404 for a path no route serves.
http::Response RouteNotFound(std::string_view path, std::string_view request_id);
// 405 with an Allow header.
http::Response MethodNotAllowed(std::string_view method, std::string_view allow,
                                std::string_view request_id);
// 413 for a request body over the limit.
http::Response BodyTooLarge(size_t limit, std::string_view request_id);

}  // namespace finex::server
