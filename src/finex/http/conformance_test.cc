// RFC 9112 conformance: the head checks (CheckRequestHead), target forms,
// the byte-level parse (ParseRequestBytes) and the same cases over a socket,
// plus slow clients and descriptor exhaustion.
#include "finex/http/conformance.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "finex/core/mutex.h"
#include "tests/testutil/loopback_client.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::http {
namespace {

using ::finex::testing::LoopbackClient;
using ::finex::testing::WaitFor;

// Status CheckRequestHead gives `head` (0 when it conforms).
int HeadStatus(const std::string& head) {
  auto e = CheckRequestHead(head);
  return e ? e->status : 0;
}
std::string HeadCode(const std::string& head) {
  auto e = CheckRequestHead(head);
  return e ? e->code : "";
}

std::string Get(const std::string& fields, const std::string& version = "HTTP/1.1") {
  return "GET /v1/quote?symbols=AAPL " + version + "\r\n" + fields + "\r\n";
}

TEST(CheckRequestHeadTest, AcceptsAnOrdinaryRequest) {
  EXPECT_EQ(HeadStatus(Get("Host: localhost:8080\r\nAccept: */*\r\nX-Empty:\r\n")), 0);
  EXPECT_EQ(HeadStatus(Get("Host: [::1]:8080\r\n")), 0);
  EXPECT_EQ(HeadStatus(Get("Host: \r\n")), 0);  // empty Host is allowed (§3.2)
  EXPECT_EQ(HeadStatus(Get("Host: x\r\nX-Utf8: caf\xc3\xa9\r\n")), 0);  // obs-text in a value
  EXPECT_EQ(HeadStatus(Get("", "HTTP/1.0")), 0);  // Host is optional in HTTP/1.0
}

TEST(CheckRequestHeadTest, HostMissingDuplicateOrMalformedIs400) {
  EXPECT_EQ(HeadStatus(Get("Accept: */*\r\n")), 400);
  EXPECT_EQ(HeadCode(Get("Accept: */*\r\n")), "bad_host");
  EXPECT_EQ(HeadStatus(Get("Host: a\r\nHost: a\r\n")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: a\r\nhOsT: b\r\n", "HTTP/1.0")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: a b\r\n")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: user@evil\r\n")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: a/b\r\n")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: a:80x\r\n")), 400);
  EXPECT_EQ(HeadStatus(Get("Host: [::1\r\n")), 400);
}

TEST(CheckRequestHeadTest, ObsFoldIs400) {
  EXPECT_EQ(HeadCode(Get("Host: x\r\nX-A: one\r\n two\r\n")), "obs_fold");
  EXPECT_EQ(HeadCode(Get("Host: x\r\nX-A: one\r\n\ttwo\r\n")), "obs_fold");
}

TEST(CheckRequestHeadTest, WhitespaceBeforeColonAndBadNameBytesAre400) {
  EXPECT_EQ(HeadStatus(Get("Host : x\r\n")), 400);
  EXPECT_NE(CheckRequestHead(Get("Host: x\r\nX-A\t: 1\r\n"))->detail.find("colon"),
            std::string::npos);
  for (const char* bad : {"X(y): 1", "X\x01y: 1", "X y: 1", "X\xc3\xa9: 1", ": 1", "X/y: 1", "Xy 1",
                          "X\"y: 1", "X@y: 1"}) {
    EXPECT_EQ(HeadStatus(Get(std::string("Host: x\r\n") + bad + "\r\n")), 400) << bad;
  }
  EXPECT_EQ(HeadStatus(Get(std::string("Host: x\r\nX-A: a\0b\r\n", 22))), 400);
  EXPECT_EQ(HeadStatus(Get("Host: x\r\nX-A: a\x7f\r\n")), 400);
}

TEST(CheckRequestHeadTest, LineEndsAndRequestLine) {
  EXPECT_EQ(HeadStatus("GET / HTTP/1.1\nHost: x\r\n\r\n"), 400);       // bare LF
  EXPECT_EQ(HeadStatus("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n"), 400);  // bare CR
  EXPECT_EQ(HeadStatus("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);    // two spaces
  EXPECT_EQ(HeadStatus("GET / x HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(HeadStatus("GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(HeadStatus("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(HeadStatus("GET / HTTP/1.1x\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(HeadStatus("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(HeadStatus("GET / HTTP/1.1\r\nHost: x\r\n"), 400);  // no empty line
}

TEST(CheckRequestHeadTest, ConflictingOrUnsupportedFramingIsRefused) {
  auto post = [](const std::string& fields, const std::string& version = "HTTP/1.1") {
    return "POST /v1/warm " + version + "\r\nHost: x\r\n" + fields + "\r\n";
  };
  EXPECT_EQ(HeadStatus(post("Content-Length: 4\r\n")), 0);
  EXPECT_EQ(HeadStatus(post("Content-Length: 4, 4\r\nContent-Length: 004\r\n")), 0);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: chunked\r\n")), 0);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: Chunked\r\n")), 0);
  EXPECT_EQ(HeadCode(post("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n")),
            "conflicting_framing");
  EXPECT_EQ(HeadCode(post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n")),
            "conflicting_framing");
  EXPECT_EQ(HeadStatus(post("Content-Length: 4\r\nContent-Length: 5\r\n")), 400);
  EXPECT_EQ(HeadStatus(post("Content-Length: 4, 5\r\n")), 400);
  for (const char* bad : {"-1", "+4", "0x10", "4 4", "", "1e3", "99999999999999999999"}) {
    EXPECT_EQ(HeadStatus(post(std::string("Content-Length: ") + bad + "\r\n")), 400) << bad;
  }
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: chunked, gzip\r\n")), 400);  // not last
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")), 400);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: gzip\r\n")), 400);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: gzip, chunked\r\n")), 501);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: ,\r\n")), 400);
  EXPECT_EQ(HeadStatus(post("Transfer-Encoding: chunked\r\n", "HTTP/1.0")), 400);
}

TEST(OriginFormTargetTest, Forms) {
  EXPECT_EQ(*OriginFormTarget("/v1/quote?symbols=A"), "/v1/quote?symbols=A");
  EXPECT_EQ(*OriginFormTarget("http://example.com:8080/v1/quote?symbols=A"), "/v1/quote?symbols=A");
  EXPECT_EQ(*OriginFormTarget("HTTPS://[::1]/x"), "/x");
  EXPECT_EQ(*OriginFormTarget("http://example.com"), "/");
  EXPECT_EQ(*OriginFormTarget("http://example.com?a=1"), "/?a=1");
  EXPECT_FALSE(OriginFormTarget("*").ok());
  EXPECT_FALSE(OriginFormTarget("example.com:443").ok());  // authority-form
  EXPECT_FALSE(OriginFormTarget("http:///x").ok());
  EXPECT_FALSE(OriginFormTarget("http://u@h/x").ok());
  EXPECT_FALSE(OriginFormTarget("ftp://h/x").ok());
  EXPECT_FALSE(OriginFormTarget("").ok());
}

TEST(ParseRequestBytesTest, ParsesWhatTheHandlerSees) {
  ServerOptions o;
  const std::string raw =
      "\r\nPOST http://h:1/ec%68o?a=1&b=x+y HTTP/1.1\r\nHost: h:1\r\nX-Custom: V\r\n"
      "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
  auto p = ParseRequestBytes(raw, o);
  ASSERT_TRUE(p.request.has_value());
  EXPECT_EQ(p.request->method, "POST");
  EXPECT_EQ(p.request->target, "/ec%68o?a=1&b=x+y");
  EXPECT_EQ(p.request->path, "/echo");
  ASSERT_EQ(p.request->query.size(), 2u);
  EXPECT_EQ(p.request->query[1].second, "x y");
  EXPECT_EQ(p.request->Header("x-custom"), "V");
  EXPECT_EQ(p.request->body, "abc");
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(raw.substr(p.consumed), "GET / HTTP/1.1\r\n");
}

TEST(ParseRequestBytesTest, ChunkSizeOverflowAndLimitsAreRefused) {
  ServerOptions o;
  o.max_body_bytes = 100;
  auto status = [&](const std::string& raw) {
    auto p = ParseRequestBytes(raw, o);
    return p.error ? p.error->status : (p.request ? 200 : 0);
  };
  const std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(status(chunked + "ffffffffffffffffff\r\nx\r\n0\r\n\r\n"), 400);  // > 2^64
  EXPECT_EQ(status(chunked + "fffffffffffffff0\r\nx\r\n0\r\n\r\n"), 413);    // fits, too large
  EXPECT_EQ(status(chunked + "zz\r\nx\r\n0\r\n\r\n"), 400);
  EXPECT_EQ(status(chunked + "1\r\nx\r\n0\r\n\r\n"), 200);
  EXPECT_EQ(status("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n"), 413);
  EXPECT_EQ(status("GET / HTTP/1.1\r\nHost: x\r\n"), 400);  // incomplete
  EXPECT_EQ(status("GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(status("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
}

// ------------------------------------------------------------ over a socket

Response Echo(const Request& req) {
  std::string out = req.method + "|" + req.target + "|" + req.path + "|" + req.body;
  return Response::Text(200, "text/plain", out);
}

std::unique_ptr<Server> StartEcho(ServerOptions o = {}) {
  o.listen = "127.0.0.1:0";
  auto s = Server::Start(o, Echo);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// Sends raw bytes on a new connection; returns the status of the answer and
// whether the server then closed the connection.
std::pair<int, bool> SendRaw(uint16_t port, const std::string& raw) {
  LoopbackClient c;
  if (!c.Connect(port).ok() || !c.Write(raw).ok()) return {-1, false};
  auto r = c.Read();
  if (!r.ok()) return {-2, false};
  return {r->status, c.PeerClosed(2000)};
}

TEST(ConformanceServerTest, RefusedHeadsAre400AndClose) {
  auto s = StartEcho();
  const uint16_t p = s->port();
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.1\r\n\r\n"), std::make_pair(400, true));
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), std::make_pair(400, true));
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n"),
            std::make_pair(400, true));
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.1\r\nHost : a\r\n\r\n"), std::make_pair(400, true));
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.1\r\nHost: a\r\nX{: 1\r\n\r\n"), std::make_pair(400, true));
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/2.0\r\nHost: a\r\n\r\n"), std::make_pair(505, true));
  EXPECT_EQ(SendRaw(p, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            std::make_pair(501, true));
  EXPECT_EQ(SendRaw(p,
                    "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "10000000000000000\r\nx\r\n"),
            std::make_pair(400, true));
  // HTTP/1.0 needs no Host.
  EXPECT_EQ(SendRaw(p, "GET /x HTTP/1.0\r\n\r\n"), std::make_pair(200, true));
}

TEST(ConformanceServerTest, SmugglingAttemptIsNotAnsweredTwice) {
  auto s = StartEcho();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  // CL says 4 bytes, TE says chunked: a front end honouring the other header
  // would see a second request ("GET /smuggled"). finex answers 400 and closes.
  ASSERT_OK(
      c.Write("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"
              "\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("conflicting_framing"), std::string::npos) << r.body;
  EXPECT_TRUE(c.PeerClosed(2000));
}

TEST(ConformanceServerTest, AbsoluteFormAndLeadingEmptyLines) {
  auto s = StartEcho();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(
      c.Write("\r\nGET http://other.example:9/v1/quote?symbols=A HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r, c.Read());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET|/v1/quote?symbols=A|/v1/quote|");
  ASSERT_OK(c.Write("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(r, c.Read());
  EXPECT_EQ(r.status, 400);
}

TEST(ConformanceServerTest, PipelinedAnswersInOrderAndConnectionCloseStopsThePipeline) {
  auto s = StartEcho();
  LoopbackClient c;
  ASSERT_OK(c.Connect(s->port()));
  ASSERT_OK(
      c.Write("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
              "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
              "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
              "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_OK_AND_ASSIGN(auto r1, c.Read());
  EXPECT_EQ(r1.body, "GET|/1|/1|");
  ASSERT_OK_AND_ASSIGN(auto r2, c.Read());
  EXPECT_EQ(r2.body, "POST|/2|/2|hi");
  ASSERT_OK_AND_ASSIGN(auto r3, c.Read());
  EXPECT_EQ(r3.body, "GET|/3|/3|");
  EXPECT_EQ(r3.Header("connection"), "close");
  EXPECT_TRUE(c.PeerClosed(2000));  // /4 is never answered
}

TEST(ConformanceServerTest, SlowClientsDoNotHoldTheServer) {
  ServerOptions o;
  o.threads = 1;  // one I/O thread: a blocked thread would stall everyone
  o.header_timeout_ms = 300;
  o.idle_timeout_ms = 300;
  auto s = StartEcho(o);
  // 40 clients dripping a head one byte at a time and 10 sending a body
  // slowly: all are answered 408 and closed, while a normal client is served.
  std::vector<std::unique_ptr<LoopbackClient>> drip, body;
  const std::string head = "GET /slow HTTP/1.1\r\nHost: a\r\nX-Pad: aaaaaaaaaaaaaaaa\r\n";
  for (int i = 0; i < 40; ++i) {
    drip.push_back(std::make_unique<LoopbackClient>());
    ASSERT_OK(drip.back()->Connect(s->port()));
  }
  for (int i = 0; i < 10; ++i) {
    body.push_back(std::make_unique<LoopbackClient>());
    ASSERT_OK(body.back()->Connect(s->port()));
    ASSERT_OK(body.back()->Write("POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nab"));
  }
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    // One byte per client every 20 ms for 200 ms (then silence, so no client
    // writes into a connection the server has closed): no head completes.
    for (size_t k = 0; k < 10 && !stop; ++k) {
      for (auto& c : drip) (void)c->Write(head.substr(k, 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(auto r, testing::HttpGet(s->port(), "/ok"));
    EXPECT_EQ(r.status, 200);
  }
  int timed_out = 0;
  for (auto& c : drip) {
    auto r = c->Read();
    if (r.ok() && r->status == 408) ++timed_out;
  }
  for (auto& c : body) {
    auto r = c->Read();
    if (r.ok() && r->status == 408) ++timed_out;
  }
  stop = true;
  dripper.join();
  EXPECT_EQ(timed_out, 50);
}

TEST(ConformanceServerTest, DescriptorExhaustionPausesAcceptLogsOnceAndRecovers) {
  Mutex mu;
  std::vector<std::string> lines;
  ServerOptions o;
  o.accept_retry_ms = 20;
  o.log = [&](std::string_view line) {
    MutexLock lock(mu);
    lines.emplace_back(line);
  };
  auto s = StartEcho(o);
  auto log_count = [&] {
    MutexLock lock(mu);
    return lines.size();
  };
  LoopbackClient open_conn, late;
  ASSERT_OK(open_conn.Connect(s->port()));
  ASSERT_OK_AND_ASSIGN(auto r, open_conn.Get("/before"));
  ASSERT_EQ(r.status, 200);

  // Lower the soft descriptor limit and fill the table, leaving exactly one
  // descriptor for the late client's socket: the server's accept() then fails
  // with EMFILE.
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = std::min<rlim_t>(saved.rlim_cur, 1024);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> fillers;
  const int base = open("/dev/null", O_RDONLY);
  ASSERT_GE(base, 0);
  fillers.push_back(base);
  for (;;) {
    const int fd = dup(base);
    if (fd < 0) break;
    fillers.push_back(fd);
  }
  ASSERT_FALSE(fillers.empty());
  close(fillers.back());
  fillers.pop_back();
  ASSERT_OK(late.Connect(s->port()));  // completes in the kernel's backlog
  ASSERT_OK(late.Write("GET /late HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return log_count() >= 1; }));
  {
    MutexLock lock(mu);
    EXPECT_NE(lines[0].find("accept failed"), std::string::npos) << lines[0];
  }
  // Open connections are still served while accept is paused.
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(r, open_conn.Get("/during"));
    EXPECT_EQ(r.status, 200);
  }
  // Retries every 20 ms, but the exhaustion is logged once.
  const auto t0 = std::chrono::steady_clock::now();
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(300)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(log_count(), 1u);
  auto cpu_us = [](const rusage& u) {
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000000L + u.ru_utime.tv_usec +
           u.ru_stime.tv_usec;
  };
  EXPECT_LT(cpu_us(after) - cpu_us(before), 150000) << "accept loop spins";

  // Descriptors free up: the waiting client is accepted and answered.
  for (int fd : fillers) close(fd);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_OK_AND_ASSIGN(r, late.Read());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET|/late|/late|");
  EXPECT_EQ(log_count(), 2u);
  MutexLock lock(mu);
  EXPECT_NE(lines[1].find("accepting"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace finex::http
