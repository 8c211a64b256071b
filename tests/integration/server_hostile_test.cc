// Hostile-input corpus for the HTTP API over a real socket on 127.0.0.1:
// bad and missing parameters, start >= end, 10-year 1m ranges, 1,000
// symbols, key-injection characters, non-UTF-8, oversized URLs, headers and
// bodies, malformed request lines and slowloris partial requests. Every case
// must be a clean 4xx (or 408) with an RFC 9457 JSON body, and the server
// must stay healthy afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "finex/http/server.h"
#include "finex/server/service.h"
#include "tests/integration/server_socket.h"
#include "tests/testutil/fake_cached_api.h"

namespace finex::server {
namespace {

using testing::Exchange;
using testing::HttpGet;
using testing::RawAnswer;

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.AddDailyBars("AAPL", 1704153600, 300);
    ServiceOptions so;
    so.admin_token = "tok";
    so.limits.max_symbols = 100;
    service_ = std::make_unique<Service>(api_, nullptr, so);
    http::ServerOptions ho;
    ho.listen = "127.0.0.1:0";
    ho.threads = 2;
    ho.header_timeout_ms = 700;
    ho.max_body_bytes = 64 * 1024;
    auto s = http::Server::Start(ho, service_->AsHandler());
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) {
      server_->Stop(1000);
      server_->Wait();
    }
  }

  // A clean 4xx/408 with a problem+json body, then the server is healthy.
  void ExpectClean(const RawAnswer& a, int lo, int hi, const std::string& what) {
    EXPECT_GE(a.status, lo) << what << "\n" << a.head << "\n" << a.body;
    EXPECT_LE(a.status, hi) << what << "\n" << a.head << "\n" << a.body;
    EXPECT_EQ(a.Header("content-type"), "application/problem+json") << what;
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << what << ": body is not JSON: " << a.body;
    EXPECT_EQ(j.value("status", 0), a.status) << what;
    EXPECT_FALSE(j.value("code", std::string()).empty()) << what;
    EXPECT_FALSE(j.value("detail", std::string()).empty()) << what;
    auto h = HttpGet(port_, "/healthz");
    EXPECT_EQ(h.status, 200) << "server unhealthy after: " << what;
  }

  testing::FakeCachedApi api_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(HostileTest, BadParameters) {
  const std::vector<std::string> targets = {
      "/v1/history",
      "/v1/history?symbols=",
      "/v1/history?symbols=AAPL&interval=7x",
      "/v1/history?symbols=AAPL&start=2024-06-01&end=2024-01-01",
      "/v1/history?symbols=AAPL&start=2024-02-30",
      "/v1/history?symbols=AAPL&start=2024-01-01T10:00:00",  // no zone
      "/v1/history?symbols=AAPL&start=99999999999999999999",
      "/v1/history?symbols=AAPL&interval=1m&start=2014-01-01&end=2024-01-01",
      "/v1/history?symbols=AAPL&period=forever",
      "/v1/history?symbols=AAPL&fields=ohlcv,secret",
      "/v1/history?symbols=AAPL&format=xlsx",
      "/v1/history?symbols=AAPL&provider=..%2F..%2Fetc",
      "/v1/history?symbols=finex:AAPL:*",
      "/v1/history?symbols=AAPL%0D%0ASet-Cookie:x",
      "/v1/history?symbols=..%2F..%2Fetc%2Fpasswd",
      "/v1/history?symbols=AAPL%2A",
      "/v1/history?symbols=%FF%FE%FD",
      "/v1/history?symbols=AAPL%",
      "/v1/history?symbols=AAPL&bogus=1",
      "/v1/quote",
      "/v1/quote?symbols=A%00B",
      "/v1/search?q=",
      "/v1/search?q=%C0%AF",
      "/v1/cache/warm/%2E%2E",
      "/v1/nothing",
      "/%FF",
  };
  for (const auto& t : targets) {
    ExpectClean(HttpGet(port_, t), 400, 499, t);
  }
  EXPECT_EQ(api_.history_calls(), 0) << "no hostile input reached the engine";
}

TEST_F(HostileTest, ThousandSymbols) {
  std::string t = "/v1/history?symbols=";
  for (int i = 0; i < 1000; ++i) t += (i ? "," : "") + std::string("S") + std::to_string(i);
  ExpectClean(HttpGet(port_, t), 400, 400, "1000 symbols");
}

TEST_F(HostileTest, OversizedUrlHeadersAndBody) {
  ExpectClean(HttpGet(port_, "/v1/quote?symbols=" + std::string(20000, 'A')), 414, 414, "long URL");
  // One header line beyond the parser's hard limit: the request line is
  // short, so it is a header problem (431), not a URL one (414).
  ExpectClean(HttpGet(port_, "/healthz", "X-Big: " + std::string(40000, 'x') + "\r\n"), 431, 431,
              "big header");
  ExpectClean(HttpGet(port_, "/healthz", "X-Big: " + std::string(17000, 'x') + "\r\n"), 431, 431,
              "header block over max_header_bytes");
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  ExpectClean(HttpGet(port_, "/healthz", many), 431, 431, "many headers");
  const std::string body(200 * 1024, 'x');
  ExpectClean(Exchange(port_,
                       "POST /v1/cache/warm HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer tok\r\n"
                       "Content-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body),
              413, 413, "big body");
}

TEST_F(HostileTest, MalformedRequestsAndMethods) {
  ExpectClean(Exchange(port_, "GARBAGE\r\n\r\n"), 400, 400, "garbage request line");
  ExpectClean(Exchange(port_, "GET /v1/quote?symbols=\xff\xfe HTTP/1.1\r\nHost: t\r\n\r\n"), 400,
              400, "raw non-UTF-8 target");
  ExpectClean(Exchange(port_, "PUT /v1/history HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"),
              405, 405, "PUT");
  ExpectClean(Exchange(port_, "DELETE /v1/cache?pattern=finex:* HTTP/1.1\r\nHost: t\r\n\r\n"), 401,
              401, "no token");
  ExpectClean(Exchange(port_,
                       "DELETE /v1/cache?pattern=finex:* HTTP/1.1\r\nHost: t\r\n"
                       "Authorization: Bearer wrong\r\n\r\n"),
              403, 403, "wrong token");
  ExpectClean(Exchange(port_,
                       "POST /v1/cache/warm HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer tok\r\n"
                       "Content-Length: 9\r\n\r\n{\"a\":[[[["),
              400, 400, "bad warm JSON");
  EXPECT_TRUE(api_.invalidated().empty());
}

TEST_F(HostileTest, SlowlorisGets408AndOthersAreServed) {
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) {
    const int fd = testing::ConnectLoopback(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(testing::SendAll(fd, "GET /v1/quote?symbols=AAPL HTTP/1.1\r\nHost: t\r\nX-Slow: "));
    fds.push_back(fd);
  }
  // While they dribble, others are served.
  EXPECT_EQ(HttpGet(port_, "/healthz").status, 200);
  for (int fd : fds) {
    testing::SendAll(fd, "a");
  }
  for (int fd : fds) {
    RawAnswer a = testing::ReadAnswer(fd, 5000);
    ::close(fd);
    EXPECT_EQ(a.status, 408) << a.head;
    EXPECT_EQ(a.Header("content-type"), "application/problem+json");
  }
  EXPECT_EQ(HttpGet(port_, "/healthz").status, 200);
}

TEST_F(HostileTest, ValidRequestsStillWorkAfterTheCorpus) {
  auto a = HttpGet(port_, "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-01-05&format=csv");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Header("x-finex-start"), "2024-01-02T00:00:00Z");
  EXPECT_EQ(std::count(a.body.begin(), a.body.end(), '\n'), 5);
}

}  // namespace
}  // namespace finex::server
