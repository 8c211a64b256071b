#include "finex/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "tests/testutil/loopback_client.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::http {
namespace {

using ::finex::testing::LoopbackClient;
using ::finex::testing::LoopbackResponse;
using ::finex::testing::StatusIs;

// Echo handler: routes a few paths used by the tests.
// /slow requests that reached the handler (tests wait on it, not on a sleep).
std::atomic<int> g_slow_started{0};

Response TestHandler(const Request& req) {
  if (req.path == "/hello") {
    Response r = Response::Text(200, "text/plain", "hello world");
    r.headers.emplace_back("X-Method", req.method + (req.head ? "+head" : ""));
    return r;
  }
  if (req.path == "/echo") {
    std::string out = req.method + "|" + req.path + "|";
    for (const auto& [k, v] : req.query) out += k + "=" + v + ";";
    out += "|" + std::string(req.Header("x-custom")) + "|" + req.body;
    return Response::Text(200, "text/plain", out);
  }
  if (req.path == "/slow") {
    ++g_slow_started;
    // A slow handler is the fixture (drain tests need one in flight).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return Response::Text(200, "text/plain", "slow done");
  }
  if (req.path == "/empty") {
    Response r;
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  if (req.path == "/throw") throw std::runtime_error("boom");
  return Response::Problem(404, "not_found", "no route " + req.path);
}

std::unique_ptr<Server> StartServer(ServerOptions o = {}) {
  o.listen = "127.0.0.1:0";
  auto s = Server::Start(o, TestHandler);
  EXPECT_OK(s);
  return std::move(s).value();
}

TEST(ServerTest, PortZeroPicksAPortAndRoutes) {
  auto s = StartServer();
  ASSERT_NE(s->port(), 0);
  ASSERT_OK_AND_ASSIGN(LoopbackResponse r, testing::HttpGet(s->port(), "/hello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.Header("content-length"), "11");
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("server"), "finex");
  EXPECT_EQ(r.Header("x-method"), "GET");
  EXPECT_TRUE(r.Header("date").ends_with(" GMT")) << r.Header("date");
  ASSERT_OK_AND_ASSIGN(r, testing::HttpGet(s->port(), "/nope"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_NE(r.body.find("\"status\":404"), std::string::npos);
}

TEST(ServerTest, DecodesPathQueryHeadersAndBody) {
  auto s = StartServer();
  ASSERT_OK_AND_ASSIGN(auto r,
                       testing::HttpRequest(s->port(), "POST", "/ec%68o?a=1&b=x%20y+z", "payload"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST|/echo|a=1;b=x y z;||payload");
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(c.Write("GET /echo HTTP/1.1\r\nHost: x\r\nX-CUSTOM: Val\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(r, c.Read());
  EXPECT_EQ(r.body, "GET|/echo||Val|");
}

TEST(ServerTest, BadQueryIs400Problem) {
  auto s = StartServer();
  ASSERT_OK_AND_ASSIGN(auto r, testing::HttpGet(s->port(), "/echo?start=%ZZ"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"param\":\"start\""), std::string::npos) << r.body;
  ASSERT_OK_AND_ASSIGN(r, testing::HttpGet(s->port(), "/echo?q=%FF%FE"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("UTF-8"), std::string::npos) << r.body;
}

TEST(ServerTest, HeadKeepsContentLengthWithoutBody) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto r, c.Request("HEAD", "/hello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-length"), "11");
  EXPECT_EQ(r.Header("x-method"), "GET+head");
  EXPECT_EQ(r.body, "");
  // The connection is still in sync: the next answer is intact.
  ASSERT_OK_AND_ASSIGN(r, c.Get("/hello"));
  EXPECT_EQ(r.body, "hello world");
}

TEST(ServerTest, KeepAliveReusesConnection) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, c.Get("/echo?i=" + std::to_string(i)));
    EXPECT_EQ(r.body, "GET|/echo|i=" + std::to_string(i) + ";||");
    EXPECT_TRUE(r.keep_alive);
  }
}

TEST(ServerTest, EmptyBodyHasContentLengthZero) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto r, c.Get("/empty"));
  EXPECT_EQ(r.status, 204);
  ASSERT_OK_AND_ASSIGN(r, c.Get("/hello"));
  EXPECT_EQ(r.status, 200);
}

TEST(ServerTest, PipelinedRequestsAnswerInOrder) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  std::string raw;
  for (int i = 0; i < 20; ++i) {
    raw += "GET /echo?i=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  raw += "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n";
  raw += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  ASSERT_OK(c.Write(raw));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, c.Read());
    EXPECT_EQ(r.body, "GET|/echo|i=" + std::to_string(i) + ";||");
  }
  ASSERT_OK_AND_ASSIGN(auto h, c.Read(/*head=*/true));
  EXPECT_EQ(h.Header("content-length"), "11");
  ASSERT_OK_AND_ASSIGN(auto p, c.Read());
  EXPECT_EQ(p.body, "POST|/echo|||abc");
}

TEST(ServerTest, Http10ClosesAndConnectionCloseHonoured) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(c.Write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c.PeerClosed(1000));
  LoopbackClient d;
  ASSERT_OK(d.Connect(s->port()));
  ASSERT_OK(d.Write("GET /hello HTTP/1.0\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(r, d.Read());
  EXPECT_EQ(r.body, "hello world");
  EXPECT_TRUE(d.PeerClosed(1000));
}

TEST(ServerTest, UrlTooLongIs414) {
  ServerOptions o;
  o.max_url_bytes = 100;
  auto s = StartServer(o);
  ASSERT_OK_AND_ASSIGN(auto r, testing::HttpGet(s->port(), "/echo?x=" + std::string(200, 'a')));
  EXPECT_EQ(r.status, 414);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  // Far beyond every limit is still 414, not 431.
  ASSERT_OK_AND_ASSIGN(r, testing::HttpGet(s->port(), "/echo?x=" + std::string(40000, 'a')));
  EXPECT_EQ(r.status, 414);
  ASSERT_OK_AND_ASSIGN(r, testing::HttpGet(s->port(), "/echo?x=" + std::string(50, 'a')));
  EXPECT_EQ(r.status, 200);
}

TEST(ServerTest, HeaderBlockTooLargeIs431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  auto s = StartServer(o);
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(
      c.Write("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(c.PeerClosed(1000));
  // Many headers beyond the parser's room too.
  LoopbackClient d;
  ASSERT_OK(d.Connect(s->port()));
  std::string raw = "GET /hello HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 800; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
  ASSERT_OK(d.Write(raw + "\r\n"));
  ASSERT_OK_AND_ASSIGN(r, d.Read());
  EXPECT_EQ(r.status, 431);
  // One header line longer than the parser's whole room (header + URL limits):
  // the request line is short, so it is 431, not 414.
  LoopbackClient e;
  ASSERT_OK(e.Connect(s->port()));
  ASSERT_OK(
      e.Write("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(40000, 'b') + "\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(r, e.Read());
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
}

TEST(ServerTest, BodyTooLargeIs413) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  auto s = StartServer(o);
  ASSERT_OK_AND_ASSIGN(auto r,
                       testing::HttpRequest(s->port(), "POST", "/echo", std::string(1001, 'x')));
  EXPECT_EQ(r.status, 413);
  // Chunked bodies are limited too.
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  std::string raw = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'y') + "\r\n";
  raw += "0\r\n\r\n";
  ASSERT_OK(c.Write(raw));
  ASSERT_OK_AND_ASSIGN(r, c.Read());
  EXPECT_EQ(r.status, 413);
  ASSERT_OK_AND_ASSIGN(r, testing::HttpRequest(s->port(), "POST", "/echo", std::string(1000, 'x')));
  EXPECT_EQ(r.status, 200);
}

TEST(ServerTest, MalformedRequestIs400) {
  auto s = StartServer();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(c.Write("THIS IS NOT HTTP\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 400);
}

TEST(ServerTest, SlowlorisGets408) {
  ServerOptions o;
  o.header_timeout_ms = 200;
  auto s = StartServer(o);
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(c.Write("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_TRUE(c.PeerClosed(1000));
}

TEST(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout_ms = 200;
  auto s = StartServer(o);
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto r, c.Get("/hello"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(c.PeerClosed(2000));
}

TEST(ServerTest, MaxConnectionsGets503) {
  ServerOptions o;
  o.max_connections = 2;
  auto s = StartServer(o);
  LoopbackClient a, b, c;
  ASSERT_OK(a.Connect(s->port()));
  ASSERT_OK(b.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto r, a.Get("/hello"));  // both accepted before the third
  ASSERT_OK_AND_ASSIGN(r, b.Get("/hello"));
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(r, c.Read());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("retry-after"), "1");
  a.Close();
  // Once a slot frees up, new connections are served again.
  EXPECT_TRUE(::finex::testing::WaitFor([&] {
    auto rr = testing::HttpGet(s->port(), "/hello");
    return rr.ok() && rr->status == 200;
  }));
}

TEST(ServerTest, HandlerExceptionIs500AndServerSurvives) {
  auto s = StartServer();
  ASSERT_OK_AND_ASSIGN(auto r, testing::HttpGet(s->port(), "/throw"));
  EXPECT_EQ(r.status, 500);
  ASSERT_OK_AND_ASSIGN(r, testing::HttpGet(s->port(), "/hello"));
  EXPECT_EQ(r.status, 200);
}

TEST(ServerTest, StopDrainsInFlightRequests) {
  auto s = StartServer();
  LoopbackClient c, idle;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(idle.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto warm, idle.Get("/hello"));
  const int slow_before = g_slow_started.load();
  ASSERT_OK(c.Write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The handler is running.
  ASSERT_TRUE(::finex::testing::WaitFor([&] { return g_slow_started.load() > slow_before; }));
  auto stopper = std::async(std::launch::async, [&] { s->Stop(5000); });
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(r.Header("connection"), "close");
  stopper.get();
  s->Wait();
  EXPECT_TRUE(idle.PeerClosed(1000));
  LoopbackClient late;
  EXPECT_FALSE(late.Connect(s->port()).ok() && late.Get("/hello").ok());
}

TEST(ServerTest, ConcurrentClients) {
  ServerOptions o;
  o.threads = 2;
  auto s = StartServer(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      LoopbackClient c;
      if (!c.Connect(s->port()).ok()) return;
      for (int i = 0; i < 100; ++i) {
        auto r = c.Get("/echo?t=" + std::to_string(t) + "&i=" + std::to_string(i));
        if (r.ok() &&
            r->body == "GET|/echo|t=" + std::to_string(t) + ";i=" + std::to_string(i) + ";||")
          ++ok;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 800);
}

TEST(ServerTest, BadListenAddresses) {
  EXPECT_THAT(Server::Start({.listen = "nonsense"}, TestHandler),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Server::Start({.listen = "127.0.0.1:99999"}, TestHandler),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Server::Start({.listen = "not-an-ip:80"}, TestHandler),
              StatusIs(StatusCode::kInvalidArgument));
  auto a = StartServer();
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(a->port());
  // Binding an already-listening port fails (SO_REUSEADDR does not allow two listeners).
  EXPECT_THAT(Server::Start(o, TestHandler), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace finex::http

namespace finex::http {
namespace {

// A fast path that answers "/fast?..." from a prepared head and declines
// everything else, which then reaches the Handler.
TEST(ServerTest, FastHandlerAnswersBeforeTheHandlerWithAPreparedHead) {
  Response hot = Response::Text(200, "text/plain", "fast body");
  hot.headers.emplace_back("X-Kept", "1");
  auto head = std::make_shared<const std::string>(PrepareHead(hot));
  std::atomic<int> fast_calls{0};
  FastHandler fast = [&](const RawRequest& raw, Response& out) {
    ++fast_calls;
    if (!raw.target.starts_with("/fast")) return false;
    out.status = 200;
    out.prepared_head = head;
    out.body = hot.body;
    out.headers.emplace_back("X-Seen", std::string(raw.Header("x-custom")) + "|" +
                                           std::string(raw.target) + (raw.head ? "|head" : ""));
    return true;
  };
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(auto s, Server::Start(o, TestHandler, fast));
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(c.Write("GET /fast?a=%41 HTTP/1.1\r\nHost: x\r\nX-CUSTOM: v1\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "fast body");
  EXPECT_EQ(r.Header("content-length"), "9");
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("x-kept"), "1");
  EXPECT_EQ(r.Header("x-seen"), "v1|/fast?a=%41");  // the target as sent, not decoded
  EXPECT_EQ(r.Header("server"), "finex");
  EXPECT_TRUE(r.Header("date").ends_with(" GMT"));
  EXPECT_TRUE(r.keep_alive);
  // HEAD: same head, no body, the connection stays in sync.
  ASSERT_OK(c.Write("HEAD /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(r, c.Read(/*head=*/true));
  EXPECT_EQ(r.Header("content-length"), "9");
  EXPECT_EQ(r.Header("x-seen"), "|/fast|head");
  EXPECT_EQ(r.body, "");
  // Declined: the Handler answers.
  ASSERT_OK_AND_ASSIGN(r, c.Get("/hello"));
  EXPECT_EQ(r.body, "hello world");
  // Not tried for a request with a body.
  const int before = fast_calls.load();
  ASSERT_OK(c.Write("POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  ASSERT_OK_AND_ASSIGN(r, c.Read());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(fast_calls.load(), before);
}

// The transport writes a prepared head exactly as it would serialize the
// answer itself.
TEST(ServerTest, PreparedHeadSerializesLikeTheAnswer) {
  Response a = Response::Text(200, "application/json", "{\"x\":1}");
  a.headers.emplace_back("X-Finex-Api-Calls", "0");
  a.headers.emplace_back("Content-Length", "999");      // reserved: dropped
  a.headers.emplace_back("X-Bad", "a\r\nInjected: 1");  // CR/LF: dropped
  Response slow = a;
  slow.headers.emplace_back("X-Request-Id", "r1");
  Response fast;
  fast.status = 200;
  fast.content_type.clear();
  fast.prepared_head = std::make_shared<const std::string>(PrepareHead(a));
  fast.body = a.body;
  fast.headers.emplace_back("X-Request-Id", "r1");
  const std::string want = SerializeHeadForTest(slow, "finex", "D", false);
  EXPECT_EQ(SerializeHeadForTest(fast, "finex", "D", false), want);
  EXPECT_EQ(want,
            "HTTP/1.1 200 OK\r\nServer: finex\r\nDate: D\r\nContent-Type: application/json\r\n"
            "Content-Length: 7\r\nX-Finex-Api-Calls: 0\r\nX-Request-Id: r1\r\n\r\n");
  EXPECT_EQ(SerializeHeadForTest(fast, "finex", "D", true),
            want.substr(0, want.size() - 2) + "Connection: close\r\n\r\n");
}

}  // namespace
}  // namespace finex::http
