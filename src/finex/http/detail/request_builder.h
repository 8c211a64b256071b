// The steps of reading a request that the Session (server.cc) and
// ParseRequestBytes (conformance.cc) share, over Beast's parser types.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "finex/http/conformance.h"
#include "finex/http/server.h"

namespace finex::http::detail {

using BeastParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Room the Beast parser gets for the head: a long target is answered 414
// rather than 431, the header block itself is measured by CheckParsedHead.
size_t HeadLimit(const ServerOptions& opts);

// Where the raw head in `buf` ends (one past its CRLF CRLF), or npos.
size_t FindHeadEnd(std::string_view buf);

// The answer for a head that did not end within HeadLimit bytes: 414 when
// the request line alone is longer than a target may be, else 431.
HeadError HeadTooLarge(std::string_view buf, const ServerOptions& opts);

// Maps a Beast parse error (header or body) to the answer.
HeadError FromBeastError(const boost::beast::error_code& ec, const ServerOptions& opts);

// Checks a head Beast accepted against the target and header-block limits.
std::optional<HeadError> CheckParsedHead(const BeastParser& parser, const ServerOptions& opts);

// Turns a complete Beast request into the handler's Request (the message body
// is moved out); on a bad target, path or query, the 400 answer instead.
std::variant<Request, Response> BuildRequest(
    boost::beast::http::request<boost::beast::http::string_body>& msg, std::string remote);

}  // namespace finex::http::detail
