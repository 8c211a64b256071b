// RFC 9112 request-head checks, target normalisation and the shared steps of
// turning bytes into a Request (see conformance.h, detail/request_builder.h).
#include "finex/http/conformance.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cctype>
#include <cstdio>
#include <utility>
#include <vector>

#include "finex/core/symbol.h"
#include "finex/http/detail/request_builder.h"

namespace finex::http {
namespace {

namespace bhttp = boost::beast::http;

// tchar (RFC 9110 §5.6.2).
bool IsTchar(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string ByteName(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", c);
  return buf;
}

HeadError Bad(std::string code, std::string detail, int status = 400) {
  return HeadError{status, std::move(code), std::move(detail)};
}

// uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2); empty is allowed.
bool ValidHost(std::string_view v) {
  auto reg_char = [](unsigned char c) {
    return std::isalnum(c) || std::string_view("-._~%!$&'()*+,;=").find(static_cast<char>(c)) !=
                                  std::string_view::npos;
  };
  std::string_view port;
  if (!v.empty() && v.front() == '[') {
    const size_t close = v.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : v.substr(1, close - 1)) {
      const auto u = static_cast<unsigned char>(c);
      if (!(reg_char(u) || c == ':')) return false;
    }
    std::string_view rest = v.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    const size_t colon = v.find(':');
    std::string_view host = v.substr(0, colon);
    for (char c : host) {
      if (!reg_char(static_cast<unsigned char>(c))) return false;
    }
    if (colon != std::string_view::npos) {
      if (host.empty()) return false;
      port = v.substr(colon + 1);
    }
  }
  if (port.size() > 5) return false;
  return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<HeadError> CheckRequestHead(std::string_view head) {
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") {
    return Bad("bad_request", "request head does not end with an empty line");
  }
  // Line ends: CRLF only (a bare CR must be rejected, §2.2; a bare LF is
  // refused too so every framing decision sees the same lines).
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) {
      return Bad("bad_request", "bare CR in the request head");
    }
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) {
      return Bad("bad_request", "bare LF in the request head (lines end with CRLF)");
    }
  }
  size_t pos = head.find("\r\n");
  const std::string_view line = head.substr(0, pos);
  pos += 2;

  // request-line = method SP request-target SP HTTP-version
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      sp2 == sp1 + 1 || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Bad("bad_request_line", "request line is not 'method SP target SP version'");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  for (char c : method) {
    if (!IsTchar(static_cast<unsigned char>(c))) {
      return Bad("bad_request_line", "request method has byte " + ByteName(c));
    }
  }
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Bad("bad_request_line", "request target has byte " + ByteName(u));
    }
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !IsDigit(version[5]) ||
      version[6] != '.' || !IsDigit(version[7])) {
    return Bad("bad_request_line", "bad HTTP version '" + Printable(version) + "'");
  }
  if (version[5] != '1') {
    return Bad("http_version_not_supported", "only HTTP/1.x is served", 505);
  }
  const bool http11 = version[7] >= '1';

  int hosts = 0;
  std::string_view host;
  std::vector<std::string_view> te_values;
  std::vector<std::string_view> cl_values;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);
    const std::string_view field = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (field.empty()) break;  // the empty line ending the head
    const auto first = static_cast<unsigned char>(field.front());
    if (first == ' ' || first == '\t') {
      return Bad("obs_fold", "obsolete line folding (a field line starting with whitespace)");
    }
    size_t i = 0;
    while (i < field.size() && IsTchar(static_cast<unsigned char>(field[i]))) ++i;
    if (i == field.size()) return Bad("bad_header", "field line without a colon");
    if (field[i] == ' ' || field[i] == '\t') {
      return Bad("bad_header", "whitespace between the field name and the colon");
    }
    if (field[i] != ':') {
      return Bad("bad_header",
                 "field name has byte " + ByteName(static_cast<unsigned char>(field[i])));
    }
    if (i == 0) return Bad("bad_header", "empty field name");
    const std::string_view name = field.substr(0, i);
    const std::string_view raw_value = field.substr(i + 1);
    for (char c : raw_value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && u != '\t') || u == 0x7f) {
        return Bad("bad_header",
                   "value of '" + Printable(name) + "' has control byte " + ByteName(u));
      }
    }
    const std::string_view value = TrimOws(raw_value);
    if (IEquals(name, "host")) {
      ++hosts;
      host = value;
    } else if (IEquals(name, "transfer-encoding")) {
      te_values.push_back(value);
    } else if (IEquals(name, "content-length")) {
      cl_values.push_back(value);
    }
  }

  // Host (§3.2): exactly one in HTTP/1.1, at most one in HTTP/1.0.
  if (hosts > 1) return Bad("bad_host", "more than one Host header");
  if (hosts == 0 && http11) return Bad("bad_host", "HTTP/1.1 request without a Host header");
  if (hosts == 1 && !ValidHost(host)) {
    return Bad("bad_host", "Host '" + Printable(host) + "' is not host[:port]");
  }

  // Content-Length: digits, every value the same.
  std::optional<std::string_view> length;
  for (std::string_view v : cl_values) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string_view::npos) comma = v.size();
      const std::string_view n = TrimOws(v.substr(start, comma - start));
      if (n.empty() || n.size() > 18 ||
          !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Bad("bad_content_length", "Content-Length '" + Printable(v) + "' is not a number");
      }
      // Leading zeros are allowed: compare the numbers, not the spellings.
      const std::string_view digits = n.substr(std::min(n.find_first_not_of('0'), n.size() - 1));
      if (length && *length != digits) {
        return Bad("bad_content_length", "Content-Length values disagree");
      }
      length = digits;
      start = comma + 1;
    }
  }

  // Transfer-Encoding (§6.1, §6.3).
  if (!te_values.empty()) {
    if (!http11) return Bad("bad_transfer_encoding", "Transfer-Encoding in an HTTP/1.0 request");
    if (length) {
      return Bad("conflicting_framing", "both Transfer-Encoding and Content-Length are present");
    }
    std::vector<std::string_view> codings;
    for (std::string_view v : te_values) {
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        if (comma == std::string_view::npos) comma = v.size();
        std::string_view c = TrimOws(v.substr(start, comma - start));
        c = TrimOws(c.substr(0, c.find(';')));
        if (!c.empty()) codings.push_back(c);
        start = comma + 1;
      }
    }
    if (codings.empty()) return Bad("bad_transfer_encoding", "empty Transfer-Encoding");
    const auto chunked = std::count_if(codings.begin(), codings.end(),
                                       [](std::string_view c) { return IEquals(c, "chunked"); });
    if (!IEquals(codings.back(), "chunked")) {
      return Bad("bad_transfer_encoding", "chunked is not the final transfer coding");
    }
    if (chunked > 1) return Bad("bad_transfer_encoding", "chunked applied more than once");
    if (codings.size() > 1) {
      return Bad("unsupported_transfer_coding",
                 "transfer coding '" + Printable(codings.front()) + "' is not supported", 501);
    }
  }
  return std::nullopt;
}

Result<std::string> OriginFormTarget(std::string_view target) {
  if (!target.empty() && target.front() == '/') return std::string(target);
  if (target == "*") {
    return InvalidArgumentError("asterisk-form target '*' is only for server-wide OPTIONS");
  }
  const size_t scheme_end = target.find("://");
  if (scheme_end != std::string_view::npos && (IEquals(target.substr(0, scheme_end), "http") ||
                                               IEquals(target.substr(0, scheme_end), "https"))) {
    const std::string_view rest = target.substr(scheme_end + 3);
    const size_t path_start = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, path_start);
    if (authority.empty() || authority.find('@') != std::string_view::npos ||
        !ValidHost(authority)) {
      return InvalidArgumentError("absolute-form target has a bad authority '" +
                                  Printable(authority) + "'");
    }
    if (path_start == std::string_view::npos) return std::string("/");
    if (rest[path_start] == '?') return "/" + std::string(rest.substr(path_start));
    return std::string(rest.substr(path_start));
  }
  return InvalidArgumentError("request target '" + Printable(target.substr(0, 64)) +
                              "' is neither origin-form nor absolute-form");
}

namespace detail {

size_t HeadLimit(const ServerOptions& opts) {
  return opts.max_header_bytes + opts.max_url_bytes + 64;
}

size_t FindHeadEnd(std::string_view buf) {
  const size_t end = buf.find("\r\n\r\n");
  return end == std::string_view::npos ? end : end + 4;
}

HeadError HeadTooLarge(std::string_view buf, const ServerOptions& opts) {
  const size_t line_end = buf.find("\r\n");
  if (line_end == std::string_view::npos || line_end > opts.max_url_bytes + 32) {
    return Bad("uri_too_long",
               "request target exceeds " + std::to_string(opts.max_url_bytes) + " bytes", 414);
  }
  return Bad("header_too_large",
             "request header block exceeds " + std::to_string(opts.max_header_bytes) + " bytes",
             431);
}

HeadError FromBeastError(const boost::beast::error_code& ec, const ServerOptions& opts) {
  if (ec == bhttp::error::body_limit) {
    return Bad("body_too_large",
               "request body exceeds " + std::to_string(opts.max_body_bytes) + " bytes", 413);
  }
  if (ec == bhttp::error::header_limit) {
    return Bad("header_too_large",
               "request header block exceeds " + std::to_string(opts.max_header_bytes) + " bytes",
               431);
  }
  return Bad("bad_request", "malformed HTTP request: " + ec.message());
}

std::optional<HeadError> CheckParsedHead(const BeastParser& parser, const ServerOptions& opts) {
  const auto& req = parser.get();
  if (req.target().size() > opts.max_url_bytes) {
    return Bad("uri_too_long",
               "request target exceeds " + std::to_string(opts.max_url_bytes) + " bytes", 414);
  }
  size_t header_bytes = 0;
  for (const auto& f : req) header_bytes += f.name_string().size() + f.value().size() + 4;
  if (header_bytes > opts.max_header_bytes) {
    return Bad("header_too_large",
               "request header block exceeds " + std::to_string(opts.max_header_bytes) + " bytes",
               431);
  }
  return std::nullopt;
}

std::variant<Request, Response> BuildRequest(bhttp::request<bhttp::string_body>& msg,
                                             std::string remote) {
  Request req;
  const auto method = msg.method_string();
  req.method.assign(method.data(), method.size());
  if (req.method == "HEAD") {
    req.method = "GET";
    req.head = true;
  }
  const auto raw_target = msg.target();
  auto target = OriginFormTarget(std::string_view(raw_target.data(), raw_target.size()));
  if (!target.ok()) return Response::Problem(400, "bad_target", target.status().message());
  req.target = std::move(*target);
  req.remote = std::move(remote);
  std::string_view t(req.target);
  const size_t q = t.find('?');
  auto path = PercentDecode(t.substr(0, q), false);
  if (!path.ok()) {
    return Response::Problem(400, "bad_path", "request path: " + path.status().message());
  }
  req.path = std::move(*path);
  if (q != std::string_view::npos) {
    auto query = ParseQuery(t.substr(q + 1));
    if (!query.ok()) {
      const std::string& param = query.status().details().param;
      std::vector<std::pair<std::string, std::string>> extra;
      if (!param.empty()) extra.emplace_back("param", "\"" + Printable(param) + "\"");
      return Response::Problem(400, "bad_query", query.status().message(), extra);
    }
    req.query = std::move(*query);
  }
  req.headers.reserve(8);
  for (const auto& f : msg) {
    std::string name(f.name_string().data(), f.name_string().size());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(f.value().data(), f.value().size()));
  }
  req.body = std::move(msg.body());
  return req;
}

}  // namespace detail

ParsedRequest ParseRequestBytes(std::string_view bytes, const ServerOptions& opts) {
  ParsedRequest out;
  auto fail = [&](const HeadError& e) {
    out.error = Response::Problem(e.status, e.code, e.detail);
    return out;
  };
  size_t skip = 0;  // RFC 9112 §2.2: empty lines before the request line are ignored
  while (bytes.substr(skip, 2) == "\r\n") skip += 2;
  const std::string_view buf = bytes.substr(skip);
  const size_t end = detail::FindHeadEnd(buf);
  const size_t limit = detail::HeadLimit(opts);
  if (end == std::string_view::npos || end > limit) {
    if (buf.size() > limit) return fail(detail::HeadTooLarge(buf, opts));
    return fail(Bad("incomplete", "request head is incomplete"));
  }
  if (auto e = CheckRequestHead(buf.substr(0, end))) return fail(*e);
  detail::BeastParser parser;
  parser.header_limit(static_cast<uint32_t>(limit));
  parser.body_limit(opts.max_body_bytes);
  parser.eager(true);
  size_t used = 0;
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(buf.data() + used, buf.size() - used), ec);
    used += n;
    if (ec == bhttp::error::need_more || (!ec && n == 0)) {
      return fail(Bad("incomplete", "request is incomplete"));
    }
    if (ec) return fail(detail::FromBeastError(ec, opts));
  }
  if (auto e = detail::CheckParsedHead(parser, opts)) return fail(*e);
  out.consumed = skip + used;
  out.keep_alive = parser.get().keep_alive();
  auto built = detail::BuildRequest(parser.get(), "fuzz");
  if (auto* r = std::get_if<Response>(&built)) {
    out.error = std::move(*r);
  } else {
    out.request = std::move(std::get<Request>(built));
  }
  return out;
}

}  // namespace finex::http
