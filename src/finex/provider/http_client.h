// HttpClient: the narrow HTTP interface providers talk through. The real one
// is libcurl (curl_http_client.h); tests use testutil's FakeHttpClient, which
// serves recorded bodies. HTTP error statuses are NOT errors here: they come
// back as an HttpResponse for the adapter to interpret. Only transport
// failures are a Status (kUnavailable; kDeadlineExceeded on timeout).
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/status.h"

namespace finex::provider {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string url;        // absolute URL, query string included
  Headers headers;        // extra request headers
  int timeout_ms = 5000;  // whole-request timeout
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names lower-cased
  std::string body;  // decompressed
  // First header with this (lower-case) name, "" if none.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Get(const HttpRequest& req) = 0;
};

}  // namespace finex::provider
