// Writing a response head by hand (status line, Server, Date, fields): the
// transport's hot path, the overload answer and PrepareHead (server.h) share
// it. Header names the transport owns (Content-Length, Content-Type, Date,
// Server, Connection, Transfer-Encoding) are never taken from Response
// headers, and a field carrying CR/LF is dropped (header injection guard).
//
// Thread-safety: pure functions; HttpDate() caches per thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "finex/http/server.h"

namespace finex::http::detail {

// The reason phrase for a status code ("Not Found"); "Unknown" for codes
// HTTP does not name.
std::string_view ReasonPhrase(int status);

// "Tue, 24 Nov 2026 05:56:26 GMT" for now, cached per thread per second.
// The reference is valid on this thread until the next call.
const std::string& HttpDate();

// Appends Content-Type (when set), Content-Length (body_len) and r.headers:
// what PrepareHead() returns.
void AppendPrepared(std::string& out, const Response& r, size_t body_len);

// Replaces `out` with the head of `r` for a body of body_len bytes: status
// line, Server, Date, then the prepared fields (r.prepared_head, or content
// type, length and headers), then r.headers after a prepared head, then
// "Connection: close" when `close`, and the blank line.
void SerializeHead(std::string& out, const Response& r, size_t body_len, bool close,
                   std::string_view server_name, std::string_view date);

}  // namespace finex::http::detail
