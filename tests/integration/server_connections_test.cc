// Connection capacity (issue 16): the real engine (memory backend) in front of
// the upstream simulator, served by http::Server, holding many idle
// keep-alive connections while cached answers keep flowing on new ones.
//
// The count is FINEX_TEST_IDLE_CONNECTIONS (default 2000 so CI stays quick),
// capped by the descriptor limit: client and server ends both live in this
// process, two descriptors per connection. The full 19,000-connection run
// uses a separate client process: bench/connections/run.sh.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "finex/engine/engine.h"
#include "finex/http/server.h"
#include "finex/server/service.h"
#include "finex/sim/simulator.h"
#include "tests/integration/server_socket.h"

namespace finex::server {
namespace {

using testing::ConnectLoopback;
using testing::ReadAnswer;
using testing::SendAll;

int64_t RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

TEST(ServerConnectionsTest, ManyIdleKeepAliveConnectionsAndCachedAnswersStillFlow) {
  int wanted = 2000;
  if (const char* env = std::getenv("FINEX_TEST_IDLE_CONNECTIONS")) wanted = std::atoi(env);
  rlimit lim{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
  lim.rlim_cur = lim.rlim_max;  // as the server does at start
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lim), 0);
  const int fit = static_cast<int>((lim.rlim_cur - 600) / 2);
  const int n = std::min(wanted, fit);
  ASSERT_GE(n, 100) << "descriptor limit " << lim.rlim_cur << " is too low for this test";

  sim::SimOptions so;
  so.listen = "127.0.0.1:0";
  auto sim = sim::Simulator::Start(so);
  ASSERT_TRUE(sim.ok()) << sim.status();
  engine::EngineOptions eo;
  eo.backend = "memory";
  eo.max_memory_mb = 256;
  eo.prefetch_enabled = false;
  engine::ProviderOptions po;
  po.base_url = (*sim)->BaseUrl("yahoo");
  po.rate_limit_per_min = 100000;
  po.max_retries = 0;
  eo.providers["yahoo"] = po;
  eo.provider_order = {"yahoo"};
  auto engine = engine::OpenEngine(eo);
  ASSERT_TRUE(engine.ok()) << engine.status();
  Service service((*engine)->api(), nullptr, ServiceOptions{});
  http::ServerOptions ho;  // defaults: max_connections must allow n
  ho.listen = "127.0.0.1:0";
  auto server = http::Server::Start(ho, service.AsHandler());
  ASSERT_TRUE(server.ok()) << server.status();
  const uint16_t port = (*server)->port();
  const std::string quote = "GET /v1/quote?symbols=AAPL HTTP/1.1\r\nHost: t\r\n\r\n";

  // Warm: the first answer costs a provider call, the rest are cached.
  ASSERT_EQ(testing::HttpGet(port, "/v1/quote?symbols=AAPL").status, 200);
  const int64_t calls_warm = (*sim)->stats().total;

  const int64_t rss_before = RssKiB();
  std::vector<int> idle;
  idle.reserve(n);
  for (int i = 0; i < n; ++i) {
    const int fd = ConnectLoopback(port);
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
    ASSERT_TRUE(SendAll(fd, quote));
    ASSERT_EQ(ReadAnswer(fd).status, 200) << "connection " << i;
  }
  const int64_t rss_after = RssKiB();
  const double per_conn = static_cast<double>(rss_after - rss_before) * 1024.0 / n;
  RecordProperty("idle_connections", n);
  RecordProperty("rss_bytes_per_idle_connection", static_cast<int>(per_conn));
  std::printf("%d idle connections: RSS %lld -> %lld KiB, %.0f bytes per connection\n", n,
              static_cast<long long>(rss_before), static_cast<long long>(rss_after), per_conn);
  // A Session's read buffer and parser; far below a thread stack.
  EXPECT_LT(per_conn, 64 * 1024);

  // Cached answers on fresh connections while all of them stay open.
  for (int i = 0; i < 200; ++i) {
    auto a = testing::HttpGet(port, "/v1/quote?symbols=AAPL");
    ASSERT_EQ(a.status, 200) << "request " << i << ": " << a.head;
  }
  // Every idle connection is still open and answers again.
  int answered = 0;
  for (int fd : idle) answered += SendAll(fd, quote) && ReadAnswer(fd).status == 200;
  EXPECT_EQ(answered, n);
  EXPECT_EQ((*sim)->stats().total, calls_warm);  // all served from cache
  for (int fd : idle) ::close(fd);
  (*server)->Stop(1000);
  (*server)->Wait();
}

}  // namespace
}  // namespace finex::server
