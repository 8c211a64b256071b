// Recovery from shared-store outages and failovers, end to end through OpenEngine (issue
// 15): the real engine (tiered L1 + Redis or PostgreSQL L2, the invalidation
// bus for Redis) over `finex sim`; the store is SIGKILLed, kept down for
// 0.5 s or 5 s (60 s: the DISABLED_ tests, run by CTest as
// engine_recovery_long, label "long"), and restarted on the same port.
//
// Measured from the moment the restarted store accepts connections:
//   - ready:  api().Ready() (what /readyz answers) is OK;
//   - write:  a new fragment fetched through the engine is in the store
//             (read back with a separate client);
//   - bus:    (Redis) the node's subscriber is back (PUBSUB NUMSUB).
// Must show: requests never fail during the outage; each figure <= 1 s.
//
// EngineFailoverTest: two engines over a Sentinel group or a Redis Cluster
// (redis_test_support.h), the master SIGKILLed under request load: zero
// failed requests, both engines storing new fragments in the promoted master
// within 1 s of the switch.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "finex/backend/postgres/postgres_backend.h"
#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_client.h"
#include "finex/backend/redis/redis_cluster.h"
#include "finex/backend/redis/redis_test_support.h"
#include "finex/engine/engine.h"
#include "tests/integration/sim_engine.h"
#if FINEX_TEST_WITH_INFLUXDB
#include "finex/backend/influxdb/influxdb_backend.h"
#include "tests/testutil/influx_server.h"
#endif
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/pg_server.h"
#include "tests/testutil/redis_server.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::engine {
namespace {

using Clk = std::chrono::steady_clock;

double MsSince(Clk::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clk::now() - t0).count();
}

Timestamp T(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

// What the test needs of the store besides the engine: kill/restart, and a
// separate client to look into it.
struct Store {
  std::function<void()> kill;
  std::function<Status()> restart;  // returns once the store accepts connections
  std::unique_ptr<backend::Backend> direct;
  std::shared_ptr<backend::RedisClient> redis;  // Redis only: for PUBSUB NUMSUB
};

class Recovery {
 public:
  Recovery(EngineOptions eo, Store store) : store_(std::move(store)) {
    auto se = ::finex::testing::StartSimEngine(clock_, std::move(eo));
    EXPECT_TRUE(se.ok()) << se.status();
    if (se.ok()) se_ = std::move(se).value();
  }
  bool ok() const { return se_.engine != nullptr; }

  // One history request for a symbol never asked before; OK or the error.
  Status Fetch(const std::string& sym) {
    cache::HistoryOptions o;
    o.start = T(2024, 3, 1);
    o.end = T(2024, 3, 28);
    o.provider = "yahoo";
    return se_.engine->api().History(std::span<const std::string>(&sym, 1), o).status();
  }
  // Whether the store holds a fragment of `sym`.
  bool Stored(const std::string& sym) {
    auto r = store_.direct->ScanPrefix("finex:" + sym + ":", 1);
    return r.ok() && !r->empty();
  }
  bool Subscribed() {
    if (!store_.redis) return true;
    auto r = store_.redis->Command({"PUBSUB", "NUMSUB", "finex:invalidate"});
    return r.ok() && (*r)->type == REDIS_REPLY_ARRAY && (*r)->elements == 2 &&
           (*r)->element[1]->integer >= 1;
  }

  void Run(int outage_ms, const char* what) {
    ASSERT_OK(Fetch("WARM"));
    ASSERT_TRUE(::finex::testing::WaitFor([&] { return Stored("WARM") && Subscribed(); }));
    store_.kill();
    // During the outage: requests keep being answered (L1 / provider), and
    // the node stays ready (it can serve).
    const auto t_kill = Clk::now();
    int n = 0, failed = 0, not_ready = 0;
    do {
      if (!Fetch("DOWN" + std::to_string(n++)).ok()) ++failed;
      if (!se_.engine->api().Ready().ok()) ++not_ready;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (MsSince(t_kill) < outage_ms);  // the outage itself is what is tested
    ASSERT_OK(store_.restart());
    const auto t0 = Clk::now();  // the store accepts connections again
    double ready_ms = -1, write_ms = -1, bus_ms = -1;
    for (int i = 0; MsSince(t0) < 10000 && (ready_ms < 0 || write_ms < 0 || bus_ms < 0); ++i) {
      if (ready_ms < 0 && se_.engine->api().Ready().ok()) ready_ms = MsSince(t0);
      if (bus_ms < 0 && Subscribed()) bus_ms = MsSince(t0);
      if (write_ms < 0) {
        // A fragment fetched while the node still saw the store down stays in
        // L1 (writes are not replayed): each attempt asks for a new symbol.
        const std::string sym = "BACK" + std::to_string(i);
        if (!Fetch(sym).ok()) ++failed;
        if (Stored(sym)) write_ms = MsSince(t0);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::printf(
        "[ measure  ] %s outage %d ms: %d requests during it, %d failed, %d not-ready answers; "
        "after the store accepted connections: ready %.0f ms, new fragment stored %.0f ms, "
        "bus resubscribed %.0f ms\n",
        what, outage_ms, n, failed, not_ready, ready_ms, write_ms, bus_ms);
    ::testing::Test::RecordProperty("write_back_ms", std::to_string(write_ms));
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(not_ready, 0);
    EXPECT_GE(ready_ms, 0);
    EXPECT_GE(write_ms, 0);
    EXPECT_GE(bus_ms, 0);
    EXPECT_LT(ready_ms, 1000);
    EXPECT_LT(write_ms, 1000);
    EXPECT_LT(bus_ms, 1000);
  }

 private:
  ::finex::testing::FakeClock clock_{T(2025, 1, 11) + 12 * kSecondsPerHour};  // 2024 is final
  Store store_;
  ::finex::testing::SimEngine se_;
};

void RedisOutage(int outage_ms) {
  auto server = ::finex::testing::RedisServer::Start();
  if (!server.ok()) GTEST_SKIP() << "cannot launch redis-server: " << server.status();
  EngineOptions eo;
  eo.backend = "redis";
  eo.redis_url = (*server)->url();
  backend::RedisOptions ro;
  ro.url = (*server)->url();
  ro.lazy_connect = true;
  ASSERT_OK_AND_ASSIGN(auto client, backend::RedisClient::Open(ro));
  Store st;
  st.kill = [&] { (*server)->Kill(); };
  st.restart = [&] { return (*server)->Restart(); };
  st.direct = std::make_unique<backend::RedisBackend>(client);
  st.redis = client;
  Recovery r(eo, std::move(st));
  ASSERT_TRUE(r.ok());
  r.Run(outage_ms, "redis");
}

void PgOutage(int outage_ms) {
  auto server = ::finex::testing::PgServer::Start();
  if (!server.ok()) GTEST_SKIP() << "cannot launch PostgreSQL: " << server.status();
  EngineOptions eo;
  eo.backend = "postgres";
  eo.postgres_dsn = (*server)->dsn();
  backend::PostgresOptions po;
  po.dsn = (*server)->dsn();
  po.lazy_connect = true;
  po.sweep_interval_ms = 0;
  ASSERT_OK_AND_ASSIGN(auto direct, backend::OpenPostgresBackend(po));
  Store st;
  st.kill = [&] { (*server)->Kill(); };
  st.restart = [&] { return (*server)->Restart(); };
  st.direct = std::move(direct);
  Recovery r(eo, std::move(st));
  ASSERT_TRUE(r.ok());
  r.Run(outage_ms, "postgres");
}

#if FINEX_TEST_WITH_INFLUXDB
void InfluxOutage(int outage_ms) {
  auto server = ::finex::testing::InfluxServer::Start();
  if (!server.ok()) GTEST_SKIP() << "cannot launch influxd: " << server.status();
  EngineOptions eo;
  eo.backend = "influxdb";
  eo.influxdb_url = (*server)->url();
  // Recovery is measured on bucket-sized fetches: InfluxDB takes ~650 writes
  // a second (docs/backends.md), so writing back whole daily histories (the
  // default widening, each piece also as bar points) queued during the
  // outage takes seconds, which is throughput, not recovery.
  eo.features["aggressive_widening"] = false;
  backend::InfluxDbOptions io;
  io.url = (*server)->url();
  io.lazy_connect = true;
  ASSERT_OK_AND_ASSIGN(auto direct, backend::OpenInfluxDbBackend(io));
  Store st;
  st.kill = [&] { (*server)->Kill(); };
  st.restart = [&] { return (*server)->Restart(); };
  st.direct = std::move(direct);
  Recovery r(eo, std::move(st));
  ASSERT_TRUE(r.ok());
  r.Run(outage_ms, "influxdb");
}

TEST(EngineRecoveryTest, InfluxDbOutageHalfSecond) { InfluxOutage(500); }

// backend = "influxdb" through the engine: the bars of every stored fragment
// are points of measurement `bars`, equal to what was served.
TEST(EngineInfluxTest, StoredFragmentsBarsAreQueryableWithInfluxQL) {
  auto server = ::finex::testing::InfluxServer::Start();
  if (!server.ok()) GTEST_SKIP() << "cannot launch influxd: " << server.status();
  ::finex::testing::FakeClock clock{T(2025, 1, 11) + 12 * kSecondsPerHour};
  EngineOptions eo;
  eo.backend = "influxdb";
  eo.influxdb_url = (*server)->url();
  ASSERT_OK_AND_ASSIGN(auto se, ::finex::testing::StartSimEngine(clock, eo));
  const std::string sym = "AAPL";
  cache::HistoryOptions o;
  o.start = T(2024, 3, 1);
  o.end = T(2024, 3, 28);
  o.provider = "yahoo";
  ASSERT_OK_AND_ASSIGN(auto h, se.engine->api().History(std::span<const std::string>(&sym, 1), o));
  ASSERT_GT(h.frame->rows(), 10u);
  const std::string cmd = "curl -s -G '" + (*server)->url() +
                          "/query' --data-urlencode db=finex --data-urlencode "
                          "\"q=SELECT close FROM bars WHERE symbol='AAPL' AND interval='1d' AND "
                          "provider='yahoo'\" --data-urlencode epoch=s";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0);
  // Every served bar is a point with the same close (%.17g round-trips).
  for (size_t i = 0; i < h.frame->rows(); ++i) {
    char want[96];
    std::snprintf(want, sizeof want, "[%lld,", static_cast<long long>(h.frame->timestamps()[i]));
    const size_t at = out.find(want);
    ASSERT_NE(at, std::string::npos) << want << " missing in " << out.substr(0, 400);
    const double close = std::strtod(out.c_str() + at + std::strlen(want), nullptr);
    EXPECT_DOUBLE_EQ(close, h.frame->close()[i]) << want;
  }
}
#endif

TEST(EngineRecoveryTest, RedisOutageHalfSecond) { RedisOutage(500); }
TEST(EngineRecoveryTest, RedisOutageFiveSeconds) { RedisOutage(5000); }
TEST(EngineRecoveryTest, DISABLED_RedisOutageOneMinute) { RedisOutage(60000); }
TEST(EngineRecoveryTest, PostgresOutageHalfSecond) { PgOutage(500); }
TEST(EngineRecoveryTest, PostgresOutageFiveSeconds) { PgOutage(5000); }
TEST(EngineRecoveryTest, DISABLED_PostgresOutageOneMinute) { PgOutage(60000); }

// Two engines sharing a Sentinel-managed Redis or a Redis Cluster, under
// request load; the master is SIGKILLed. Must show: zero failed requests;
// both engines store new fragments in the promoted master within 1 s of the
// switch. `kill` kills the master and returns a predicate "the switch is
// visible"; `direct` reads the store after the failover.
void FailoverUnderLoad(const std::string& url, const char* what,
                       const std::function<std::function<bool()>()>& kill,
                       backend::Backend& direct) {
  ::finex::testing::FakeClock clock{T(2025, 1, 11) + 12 * kSecondsPerHour};
  EngineOptions eo;
  eo.backend = "redis";
  eo.redis_url = url;
  ::finex::testing::SimEngine nodes[2];
  for (auto& n : nodes) {
    ASSERT_OK_AND_ASSIGN(n, ::finex::testing::StartSimEngine(clock, eo));
  }
  auto fetch = [&](int n, const std::string& sym) {
    cache::HistoryOptions o;
    o.start = T(2024, 3, 1);
    o.end = T(2024, 3, 28);
    o.provider = "yahoo";
    return nodes[n].engine->api().History(std::span<const std::string>(&sym, 1), o).status();
  };
  for (int n = 0; n < 2; ++n) ASSERT_OK(fetch(n, "WARM"));
  std::atomic<bool> stop{false};
  std::atomic<int> requests{0}, failed{0};
  std::vector<std::thread> load;
  for (int n = 0; n < 2; ++n)
    load.emplace_back([&, n] {
      for (int i = 0; !stop.load(); ++i) {
        // Cached reads and new symbols (writes), alternating.
        const std::string sym = i % 2 ? "WARM" : "L" + std::to_string(n) + "X" + std::to_string(i);
        if (!fetch(n, sym).ok()) ++failed;
        ++requests;
      }
    });
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~StopAndJoin() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } guard{stop, load};
  ASSERT_TRUE(::finex::testing::WaitFor([&] { return requests.load() >= 20; }));
  const auto t_kill = Clk::now();
  std::function<bool()> switched = kill();
  ASSERT_TRUE(::finex::testing::WaitFor(switched, std::chrono::seconds(30)));
  const double failover_ms = MsSince(t_kill);
  const auto t0 = Clk::now();
  double back_ms[2] = {-1, -1};
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; MsSince(t0) < 10000; ++i) {
      const std::string sym = "B" + std::to_string(n) + "X" + std::to_string(i);
      if (!fetch(n, sym).ok()) ++failed;
      auto r = direct.ScanPrefix("finex:" + sym + ":", 1);
      if (r.ok() && !r->empty()) {
        back_ms[n] = MsSince(t0);
        break;
      }
    }
  }
  stop = true;
  for (auto& t : load) t.join();
  std::printf(
      "[ measure  ] %s: %d requests over two engines, %d failed; failover %.0f ms; new "
      "fragments stored on the promoted master after the switch: engine A %.0f ms, engine B "
      "%.0f ms\n",
      what, requests.load(), failed.load(), failover_ms, back_ms[0], back_ms[1]);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(back_ms[0], 0);
  EXPECT_GE(back_ms[1], 0);
  EXPECT_LT(back_ms[0], 1000);
  EXPECT_LT(back_ms[1], 1000);
}

TEST(EngineFailoverTest, SentinelMasterKilledUnderLoad) {
  auto g = backend::testing::SentinelGroup::Start(1000);
  if (!g.ok()) GTEST_SKIP() << "no Redis Sentinel group: " << g.status();
  ASSERT_OK_AND_ASSIGN(auto direct, backend::OpenRedisBackend(
                                        backend::testing::TestRedisOptions((*g)->replica->url())));
  FailoverUnderLoad((*g)->url(), "sentinel",
                    [&]() -> std::function<bool()> {
                      (*g)->master->Kill();
                      return [&] { return (*g)->MasterPortNamed() == (*g)->replica->port(); };
                    },
                    *direct);
}

TEST(EngineFailoverTest, ClusterMasterKilledUnderLoad) {
  auto g = backend::testing::ClusterGroup::Start(1000);
  if (!g.ok()) GTEST_SKIP() << "no Redis Cluster: " << g.status();
  // The master holding the list of series (finex:series, what ScanPrefix of
  // a new symbol reads first) is the one killed.
  const int slot = backend::RedisKeySlot(backend::RedisBackend::kSeriesSetKey);
  const auto [master, replica] = (*g)->SlotOwners(slot);
  ASSERT_GT(replica, 0);
  backend::RedisOptions ro = backend::testing::TestRedisOptions((*g)->url());
  ro.lazy_connect = true;
  ASSERT_OK_AND_ASSIGN(auto direct, backend::OpenRedisBackend(ro));
  FailoverUnderLoad((*g)->url(), "cluster",
                    [&, master = master, replica = replica]() -> std::function<bool()> {
                      (*g)->ByPort(master)->Kill();
                      return [&, slot, replica] { return (*g)->SlotOwners(slot).first == replica; };
                    },
                    *direct);
}

}  // namespace
}  // namespace finex::engine
