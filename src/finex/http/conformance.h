// RFC 9112 request-head checks the server applies before Boost.Beast parses a
// request, and the request-target normalisation it applies after.
//
// Beast's parser is lenient where RFC 9112 lets a server be strict, and it
// does not check what HTTP/1.1 leaves to the server (Host). CheckRequestHead
// takes the raw head (request line, field lines, the empty line) and rejects:
//   - a request line that is not `method SP target SP HTTP/x.y` (400), a
//     version other than 1.x (505), a target with control or non-ASCII bytes;
//   - a field name with bytes outside tchar, whitespace between the field name
//     and the colon (§5.1), obs-fold (§5.2, rejected rather than unfolded),
//     control bytes in a value, bare CR or bare LF line ends;
//   - an HTTP/1.1 request with no Host, and any request with more than one
//     Host or a Host that is not uri-host[:port] (§3.2);
//   - Transfer-Encoding together with Content-Length, Transfer-Encoding in an
//     HTTP/1.0 request, chunked not last or repeated (400, §6.1/6.3), any
//     coding other than chunked (501), and Content-Length values that are not
//     digits or disagree (400).
// Chunk-size overflow, body framing and the size limits stay with Beast and
// the Session (server.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "finex/core/status.h"
#include "finex/http/server.h"

namespace finex::http {

// Why a request head was refused: the status to answer and the problem code.
struct HeadError {
  int status = 400;
  std::string code;
  std::string detail;
};

// `head` is the raw request head up to and including the CRLF CRLF that ends
// it. Returns nullopt when the head conforms, else the answer to send (the
// connection is then closed).
std::optional<HeadError> CheckRequestHead(std::string_view head);

// The origin-form ("/path?query") of a request target: origin-form is
// returned as is, absolute-form ("http://host:port/path?q", §3.2.2) loses its
// scheme and authority. InvalidArgument for asterisk-form, authority-form and
// anything else that does not name a path on this server.
Result<std::string> OriginFormTarget(std::string_view target);

// Parses one request from `bytes` exactly as a connection does (head checks,
// Beast framing with the size limits of `opts`, target/query decoding), for
// the fuzzer and tests. Either `request` is set (what the handler would see)
// or `error` (the answer the server would send and then close).
struct ParsedRequest {
  std::optional<Request> request;
  std::optional<Response> error;
  bool keep_alive = false;
  size_t consumed = 0;  // bytes of `bytes` the request took
};
ParsedRequest ParseRequestBytes(std::string_view bytes, const ServerOptions& opts);

}  // namespace finex::http
