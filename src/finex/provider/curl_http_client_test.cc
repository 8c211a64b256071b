#include "finex/provider/curl_http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "finex/core/mutex.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testing::StatusIs;

std::string Gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A tiny HTTP/1.1 keep-alive server on 127.0.0.1:<ephemeral>, one thread per
// connection. Routes: /plain, /gzip, /slow, /status/503.
class LoopbackServer {
 public:
  LoopbackServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 16);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    acceptor_.join();
    MutexLock l(mu_);
    for (int c : conns_fds_) shutdown(c, SHUT_RDWR);
    for (std::thread& t : conns_) t.join();
  }
  int port() const { return port_; }
  int connections() const { return accepted_.load(); }
  std::string last_request() {
    MutexLock l(mu_);
    return last_;
  }

 private:
  void Accept() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++accepted_;
      MutexLock l(mu_);
      conns_fds_.push_back(c);
      conns_.emplace_back([this, c] { Serve(c); });
    }
  }
  void Serve(int c) {
    std::string buf;
    char tmp[4096];
    while (!stop_) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = read(c, tmp, sizeof(tmp));
        if (n <= 0) {
          close(c);
          return;
        }
        buf.append(tmp, n);
      }
      std::string req = buf.substr(0, end);
      buf.erase(0, end + 4);
      {
        MutexLock l(mu_);
        last_ = req;
      }
      std::string path = req.substr(4, req.find(' ', 4) - 4);
      path = path.substr(0, path.find('?'));
      std::string body = "hello", extra;
      int status = 200;
      if (path == "/gzip") {
        body = Gzip(std::string(5000, 'z'));
        extra = "Content-Encoding: gzip\r\n";
      } else if (path == "/slow") {
        // The slowness IS the fixture: the client's timeout test needs it.
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
      } else if (path == "/status/503") {
        status = 503;
        body = "busy";
        extra = "Retry-After: 7\r\n";
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) +
                         " X\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nX-Custom-Header: Yes\r\n" + extra + "\r\n" + body;
      if (send(c, resp.data(), resp.size(), MSG_NOSIGNAL) < 0) break;
    }
    close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  Mutex mu_;
  std::vector<std::thread> conns_ FINEX_GUARDED_BY(mu_);
  std::vector<int> conns_fds_ FINEX_GUARDED_BY(mu_);
  std::string last_ FINEX_GUARDED_BY(mu_);
};

TEST(CurlHttpClient, StatusBodyHeadersAndKeepAlive) {
  LoopbackServer server;
  CurlHttpClient http;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(HttpResponse r, http.Get({base + "/plain", {{"X-Test", "1"}}, 2000}));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.Header("x-custom-header"), "Yes");  // names lower-cased
  }
  EXPECT_EQ(server.connections(), 1);  // one kept-alive connection for all three
  const std::string req = server.last_request();
  EXPECT_NE(req.find("User-Agent: Mozilla/5.0"), std::string::npos);
  EXPECT_NE(req.find("finex/"), std::string::npos);
  EXPECT_NE(req.find("Accept-Encoding:"), std::string::npos);
  EXPECT_NE(req.find("X-Test: 1"), std::string::npos);
}

TEST(CurlHttpClient, GzipIsDecoded) {
  LoopbackServer server;
  CurlHttpClient http;
  ASSERT_OK_AND_ASSIGN(
      HttpResponse r,
      http.Get({"http://127.0.0.1:" + std::to_string(server.port()) + "/gzip", {}, 2000}));
  EXPECT_EQ(r.body, std::string(5000, 'z'));
}

TEST(CurlHttpClient, HttpErrorsAreResponsesNotStatuses) {
  LoopbackServer server;
  CurlHttpClient http;
  ASSERT_OK_AND_ASSIGN(
      HttpResponse r,
      http.Get({"http://127.0.0.1:" + std::to_string(server.port()) + "/status/503", {}, 2000}));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("retry-after"), "7");
}

TEST(CurlHttpClient, TimeoutAndRefusal) {
  LoopbackServer server;
  CurlHttpClient http;
  Result<HttpResponse> slow = http.Get(
      {"http://127.0.0.1:" + std::to_string(server.port()) + "/slow?apikey=SECRET", {}, 150});
  EXPECT_THAT(slow, StatusIs(StatusCode::kDeadlineExceeded, "timed out"));
  EXPECT_EQ(slow.status().message().find("SECRET"), std::string::npos);  // no query in messages
  int port;
  {
    LoopbackServer gone;
    port = gone.port();
  }
  EXPECT_THAT(http.Get({"http://127.0.0.1:" + std::to_string(port) + "/x", {}, 1000}),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(http.Get({"file:///etc/passwd", {}, 1000}), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::provider
