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
#include <span>
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
  // Optional: Content-Type, Content-Length and the fields of an answer
  // already serialized by PrepareHead(). When set, the transport writes it in
  // place of content_type and the body length (which must be those the head
  // was prepared from) and serializes only `headers` after it (e.g.
  // X-Request-Id), so a hot answer costs no per-request formatting.
  std::shared_ptr<const std::string> prepared_head;

  static Response Text(int status, std::string content_type, std::string body);
  // RFC 9457 problem+json: {"type":"about:blank","title":...,"status":...,"detail":...,"code":...}
  // plus `extra` members (already-encoded JSON values, e.g. {"param","\"interval\""}).
  static Response Problem(int status, std::string_view code, std::string_view detail,
                          const std::vector<std::pair<std::string, std::string>>& extra = {});
};

using Handler = std::function<Response(const Request&)>;

// The header fields of `r` as the transport writes them after the status
// line, Server and Date: "Content-Type: ...\r\nContent-Length: N\r\n" and
// each of r.headers (reserved names and values carrying CR/LF dropped), each
// line ending in CRLF. N is the size of r.body.
std::string PrepareHead(const Response& r);

// The whole head the transport writes for `r` (status line, Server, Date,
// the fields, Connection: close when `close`, the blank line). For tests.
std::string SerializeHeadForTest(const Response& r, std::string_view server_name,
                                 std::string_view date, bool close);

// What a fast path sees of a request before it is fully built: no decoding,
// no copies. Views are valid only during the call.
struct RawRequest {
  bool head = false;        // the client sent HEAD (method is then "GET")
  std::string_view method;  // "GET"
  std::string_view target;  // origin-form, exactly as sent ("/v1/quote?symbols=AAPL")
  std::span<const std::pair<std::string_view, std::string_view>> headers;  // names as sent
  // First header whose name equals lower_name case-insensitively; "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

// Tried before a GET or HEAD without a body is built into a Request: returns
// true with `out` filled when it can answer the request exactly as the
// Handler would (e.g. from a memo of hot answers), false to go on to the
// Handler. Must be thread-safe and cheap when it declines.
using FastHandler = std::function<bool(const RawRequest&, Response& out)>;

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
  // `fast`, when given, is tried first for bodiless GET and HEAD requests
  // with an origin-form target.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& opts, Handler handler,
                                               FastHandler fast = nullptr);
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
