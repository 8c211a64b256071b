// LoopbackClient: a tiny blocking HTTP/1.1 client over 127.0.0.1 for tests of
// servers running in-process (http/, sim/, server/). It can send raw bytes (to
// test malformed input, pipelining and slow clients) and read one response at
// a time with Beast's parser.
//
// Thread-safety: one client per thread. Header-only (Boost.Beast).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "finex/core/status.h"

namespace finex::testing {

struct LoopbackResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = true;
  // "" when absent.
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class LoopbackClient {
 public:
  LoopbackClient() : socket_(ioc_) {}

  Status Connect(uint16_t port, const std::string& host = "127.0.0.1") {
    boost::system::error_code ec;
    socket_.connect({boost::asio::ip::make_address(host), port}, ec);
    if (ec) return UnavailableError("connect: " + ec.message());
    return OkStatus();
  }

  Status Write(std::string_view raw) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(raw.data(), raw.size()), ec);
    if (ec) return UnavailableError("write: " + ec.message());
    return OkStatus();
  }

  // Reads one response. `head`: the request was HEAD (no body follows).
  Result<LoopbackResponse> Read(bool head = false) {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (head) parser.skip(true);
    boost::system::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    if (ec) return UnavailableError("read: " + ec.message());
    auto& msg = parser.get();
    LoopbackResponse r;
    r.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(msg.body());
    r.keep_alive = msg.keep_alive();
    return r;
  }

  // Sends a request and reads its response on this connection.
  Result<LoopbackResponse> Request(std::string_view method, std::string_view target,
                                   std::string_view body = {},
                                   std::string_view content_type = "application/json") {
    std::string raw =
        std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      raw += "Content-Type: " + std::string(content_type) + "\r\n";
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    raw += "\r\n";
    raw += body;
    FINEX_RETURN_IF_ERROR(Write(raw));
    return Read(method == "HEAD");
  }
  Result<LoopbackResponse> Get(std::string_view target) { return Request("GET", target); }

  // True if the server closed the connection (EOF/reset) within timeout_ms.
  bool PeerClosed(int timeout_ms) {
    if (buffer_.size() > 0) return false;
    socket_.non_blocking(true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool closed = false;
    for (;;) {
      char c;
      boost::system::error_code ec;
      size_t n = socket_.read_some(boost::asio::buffer(&c, 1), ec);
      if (ec == boost::asio::error::would_block) {
        if (std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      if (ec) {
        closed = true;
        break;
      }
      if (n > 0) break;  // unexpected data: not closed
    }
    socket_.non_blocking(false);
    return closed;
  }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One request on a fresh connection.
inline Result<LoopbackResponse> HttpRequest(uint16_t port, std::string_view method,
                                            std::string_view target, std::string_view body = {}) {
  LoopbackClient c;
  FINEX_RETURN_IF_ERROR(c.Connect(port));
  return c.Request(method, target, body);
}
inline Result<LoopbackResponse> HttpGet(uint16_t port, std::string_view target) {
  return HttpRequest(port, "GET", target);
}

}  // namespace finex::testing
