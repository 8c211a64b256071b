// A small HTTP/1.1 server over Boost.Beast/Asio shared by `finex serve`
// (server/) and the upstream simulator (sim/). It parses requests (checked
// against RFC 9112 first: conformance.h), enforces
// transport limits (URL, header and body sizes, connection count, read
// timeouts — answered 414/431/413/503/408 with an RFC 9457 problem body),
// keeps connections alive, answers HEAD by dropping the body of the GET
// answer, and drains in-flight requests on Stop(). It knows nothing of
// caching: a Handler turns a Request into a Response.
//
// Thread-safety: handlers run concurrently on `threads` I/O threads and must
// be thread-safe. Ownership: the Server owns its threads and sockets; the
// Handler is copied in and lives as long as the Server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/status.h"

namespace finex::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  // "GET", "POST", "DELETE", ... A HEAD request reaches the handler as "GET"
  // with `head` set; the server drops the body of the answer (Content-Length
  // kept), so handlers route HEAD exactly like GET.
  std::string method;
  bool head = false;   // the client sent HEAD
  std::string target;  // raw request target ("/v1/history?symbols=AAPL")
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;                                         // names lower-cased
  std::string body;
  std::string remote;  // "127.0.0.1:53211"

  // First query value for name; nullptr when absent.
  const std::string* Query(std::string_view name) const;
  // First header (lower-case name); "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  // Shared immutable bytes, so a hot answer is served without copying.
  std::shared_ptr<const std::string> body;

  static Response Text(int status, std::string content_type, std::string body);
  // RFC 9457 problem+json: {"type":"about:blank","title":...,"status":...,"detail":...,"code":...}
  // plus `extra` members (already-encoded JSON values, e.g. {"param","\"interval\""}).
  static Response Problem(int status, std::string_view code, std::string_view detail,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});
};

using Handler = std::function<Response(const Request&)>;

// Parses "application/x-www-form-urlencoded"-style query text; InvalidArgument
// on bad percent-escapes or non-UTF-8 after decoding.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view text);
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space);

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  int threads = 2;                        // I/O threads
  size_t max_url_bytes = 8192;            // longer target → 414
  size_t max_header_bytes = 16384;        // larger header block → 431
  size_t max_body_bytes = 1 << 20;        // larger body → 413
  // Beyond → 503 and close. Capped at the descriptor limit (RLIMIT_NOFILE,
  // whose soft value Start raises to the hard one) less 256 descriptors kept
  // for backends, providers and files.
  int max_connections = 100000;
  int header_timeout_ms = 10000;      // head not complete in time → 408 (slowloris)
  int idle_timeout_ms = 60000;        // keep-alive idle close; also bounds body read and write
  int accept_retry_ms = 100;          // pause before retrying accept() out of descriptors
  std::string server_name = "finex";  // Server: header
  // Transport events (descriptor exhaustion and recovery), one line each;
  // default: stderr.
  std::function<void(std::string_view)> log = nullptr;
};

class Server {
 public:
  // Binds and starts serving. InvalidArgument for a bad listen address,
  // Unavailable when the port cannot be bound.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& opts, Handler handler);
  virtual ~Server() = default;
  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Stops accepting, lets in-flight requests finish (up to drain_ms), closes.
  // Idempotent. REQUIRES: not called from inside a handler (it joins the
  // I/O threads).
  virtual void Stop(int drain_ms = 5000) = 0;
  // Blocks until Stop() completed.
  virtual void Wait() = 0;
};

}  // namespace finex::http
