// CurlHttpClient: the production HttpClient over libcurl.
//
// - HTTPS with the system CA store; HTTP/1.1 keep-alive: finished easy
//   handles go back to a pool and keep their connections open, and a curl
//   share object shares DNS, TLS sessions and the connection cache between
//   them, so repeated calls to one provider reuse a connection.
// - Per-request whole-call timeout (HttpRequest::timeout_ms), connect timeout
//   capped at min(timeout, options.connect_timeout_ms).
// - gzip/deflate/br as the linked libcurl supports (CURLOPT_ACCEPT_ENCODING
//   ""), bodies come back decompressed.
// - A browser-like User-Agent by default (Yahoo rejects bare clients).
// - Response header names are lower-cased; only the final response's headers
//   are kept when redirects are followed.
// Failures: timeout → DeadlineExceeded; any other transport failure
// (DNS, refused, TLS, reset, too large) → Unavailable. Messages name the
// host, never the query string (it may carry an API key).
//
// Thread-safety: Get() is thread-safe; concurrent calls use distinct handles.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "finex/core/mutex.h"
#include "finex/provider/http_client.h"

namespace finex::provider {

struct CurlOptions {
  // Default: a desktop-browser UA with a finex token.
  std::string user_agent =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
      "Safari/537.36 "
      "finex/0.1";
  // Upper bound for connection setup. Default 3000 ms.
  int connect_timeout_ms = 3000;
  // Idle handles kept for reuse. Default 16.
  size_t max_idle_handles = 16;
  // Bodies larger than this fail with Unavailable. Default 64 MiB.
  size_t max_body_bytes = 64u << 20;
  // Follow redirects (at most 5). Default true.
  bool follow_redirects = true;
};

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Get(const HttpRequest& req) override;

 private:
  struct Share;
  void* AcquireHandle();
  void ReleaseHandle(void* h);

  const CurlOptions options_;
  std::unique_ptr<Share> share_;
  Mutex mu_;
  std::vector<void*> idle_ FINEX_GUARDED_BY(mu_);  // CURL* handles
};

}  // namespace finex::provider
