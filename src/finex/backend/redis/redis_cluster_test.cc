// Redis Cluster (issue 15): slot hashing, command routing, redis-cluster://
// URLs; and against a real cluster started here on loopback (3 masters + 3
// replicas, redis_test_support.h ClusterGroup; skipped without redis-server /
// redis-cli): the conformance suite, pub/sub and leases across nodes, and a
// master killed under load.
#include "finex/backend/redis/redis_cluster.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_shared.h"
#include "finex/backend/redis/redis_test_support.h"
#include "finex/backend/redis/redis_tier.h"
#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using ::finex::testing::StatusIs;
using ::finex::testing::WaitFor;
using testing::ClusterGroup;

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(RedisClusterSlotTest, Crc16AndKeySlotsMatchRedis) {
  EXPECT_EQ(RedisCrc16("123456789"), 0x31C3);  // the CRC16/XMODEM check value
  EXPECT_EQ(RedisKeySlot("foo"), 12182);       // redis-cli CLUSTER KEYSLOT foo
  EXPECT_EQ(RedisKeySlot("123456789"), 0x31C3 % 16384);
  // Hash tags: the first {...} with something inside.
  EXPECT_EQ(RedisKeySlot("{user1000}.following"), RedisKeySlot("{user1000}.followers"));
  EXPECT_EQ(RedisKeySlot("{user1000}.following"), RedisKeySlot("user1000"));
  EXPECT_EQ(RedisKeySlot("foo{}{bar}"), RedisCrc16("foo{}{bar}") % 16384);
  EXPECT_EQ(RedisKeySlot("foo{{bar}}zap"), RedisKeySlot("{bar"));
  EXPECT_EQ(RedisKeySlot("foo{bar}{zap}"), RedisKeySlot("bar"));
  // finex's layout keeps a series in one slot.
  const std::string key = "finex:AAPL:1d:1704067200:1706745599:yahoo:usd:ohlcv_v1";
  const std::string series = RedisBackend::SeriesOf(key);
  EXPECT_EQ(RedisKeySlot(RedisBackend::DataKey(key)), RedisKeySlot(RedisBackend::IndexKey(series)));
  EXPECT_NE(RedisKeySlot(RedisBackend::IndexKey("finex:AAPL:1d")),
            RedisKeySlot(RedisBackend::IndexKey("finex:MSFT:1d")));
}

TEST(RedisClusterSlotTest, CommandsRouteByTheirKey) {
  EXPECT_EQ(RedisCommandKey({"GET", "k"}).value_or("-"), "k");
  EXPECT_EQ(RedisCommandKey({"SET", "k", "v", "PX", "5"}).value_or("-"), "k");
  EXPECT_EQ(RedisCommandKey({"EVAL", "return 1", "2", "a", "b", "x"}).value_or("-"), "a");
  EXPECT_FALSE(RedisCommandKey({"EVAL", "return 1", "0"}).has_value());
  EXPECT_FALSE(RedisCommandKey({"PING"}).has_value());
  EXPECT_FALSE(RedisCommandKey({"PUBLISH", "chan", "msg"}).has_value());
  EXPECT_FALSE(RedisCommandKey({"INFO", "memory"}).has_value());
}

TEST(ParseRedisUrlTest, ClusterForm) {
  ASSERT_OK_AND_ASSIGN(RedisEndpoint ep,
                       ParseRedisUrl("redis-cluster://:pw@127.0.0.1:7000,h2,[::1]:7002"));
  ASSERT_TRUE(ep.cluster());
  ASSERT_EQ(ep.seeds.size(), 3u);
  EXPECT_EQ(ep.seeds[0].port, 7000);
  EXPECT_EQ(ep.seeds[1].host, "h2");
  EXPECT_EQ(ep.seeds[1].port, 6379);
  EXPECT_EQ(ep.seeds[2].host, "::1");
  EXPECT_EQ(ep.password, "pw");
  EXPECT_THAT(ParseRedisUrl("redis-cluster://h:1/2"),
              StatusIs(StatusCode::kInvalidArgument, "only database 0"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://h:1,"),
              StatusIs(StatusCode::kInvalidArgument, "ends with ','"));
  EXPECT_THAT(ParseRedisUrl("redis-cluster://h:1#x"),
              StatusIs(StatusCode::kInvalidArgument, "fragments"));
}

ClusterGroup* SharedCluster(std::string* skip) {
  static std::string why;
  static std::unique_ptr<ClusterGroup> g = [] {
    auto r = ClusterGroup::Start(5000);
    if (!r.ok()) {
      why = "no Redis Cluster: " + r.status().message();
      return std::unique_ptr<ClusterGroup>();
    }
    return std::move(r).value();
  }();
  *skip = why;
  return g.get();
}

TEST(RedisClusterTest, KeysSpreadOverTheMastersAndBusAndLeasesWorkAcrossNodes) {
  std::string skip;
  ClusterGroup* g = SharedCluster(&skip);
  if (g == nullptr) GTEST_SKIP() << skip;
  RedisOptions o = testing::TestRedisOptions(g->url());
  ASSERT_OK_AND_ASSIGN(auto a, RedisClient::Open(o));
  ASSERT_OK_AND_ASSIGN(auto b, RedisClient::Open(o));
  RedisBackend backend(a);
  std::vector<std::string> keys;
  std::set<int> masters;
  for (const char* sym : {"AAPL", "MSFT", "NVDA", "AMZN", "META", "TSLA", "IBM", "ORCL"}) {
    keys.push_back(std::string("finex:") + sym + ":1d:1:2:yahoo:usd:ohlcv_v1");
    ASSERT_OK(backend.Put(keys.back(), sym));
  }
  // The values really sit on different masters: read each from its node.
  int found = 0;
  for (const auto& k : keys) {
    auto [port, replica] = g->SlotOwners(RedisKeySlot(RedisBackend::DataKey(k)));
    masters.insert(port);
    ASSERT_OK_AND_ASSIGN(auto node, RedisClient::Open(testing::TestRedisOptions(
                                        "redis://127.0.0.1:" + std::to_string(port) + "/0")));
    ASSERT_OK_AND_ASSIGN(auto r, node->Command({"EXISTS", RedisBackend::DataKey(k)}));
    found += r->integer == 1;
  }
  EXPECT_EQ(found, static_cast<int>(keys.size()));
  EXPECT_GE(masters.size(), 2u) << "8 series all on one master";
  ASSERT_OK_AND_ASSIGN(auto multi, backend.GetMultiple(keys));
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_TRUE(multi[i].has_value()) << keys[i];

  // Pub/sub: a subscriber (on whichever node) hears a publish (on whichever).
  std::atomic<int> got{0};
  ASSERT_OK_AND_ASSIGN(auto bus, RedisInvalidationBus::Start(
                                     a, {}, [&](std::string_view, std::string_view) { ++got; }));
  ASSERT_OK_AND_ASSIGN(
      auto other, RedisInvalidationBus::Start(b, {}, [](std::string_view, std::string_view) {}));
  ASSERT_TRUE(bus->WaitSubscribed(5000));
  ASSERT_TRUE(WaitFor([&] {
    (void)other->Publish("finex:AAPL:*");
    return got.load() > 0;
  }));
  // Leases: exclusive across clients.
  RedisLeases la(a), lb(b);
  ASSERT_OK_AND_ASSIGN(auto lease, la.TryAcquire("AAPL:1d:x", 5000));
  ASSERT_TRUE(lease.has_value());
  ASSERT_OK_AND_ASSIGN(auto lost, lb.TryAcquire("AAPL:1d:x", 5000));
  EXPECT_FALSE(lost.has_value());
  ASSERT_OK_AND_ASSIGN(bool released, la.Release(*lease));
  EXPECT_TRUE(released);
  for (const auto& k : keys) ASSERT_OK(backend.Delete(k));
}

// A master is SIGKILLed while two nodes (tiered backend over the cluster)
// read and write: zero failed calls, the replica is promoted, both nodes
// write to it again.
TEST(RedisClusterFailoverTest, MasterKilledUnderLoadZeroFailedCallsWritesResume) {
  auto started = ClusterGroup::Start(1000);
  if (!started.ok()) GTEST_SKIP() << "no Redis Cluster: " << started.status();
  std::unique_ptr<ClusterGroup> g = std::move(started).value();
  RedisOptions ro = testing::TestRedisOptions(g->url());
  ro.command_timeout_ms = 200;
  SharedRedisTier nodes[2];
  for (auto& n : nodes) {
    ASSERT_OK_AND_ASSIGN(
        n, OpenSharedRedisTier(ro, {.probe_interval_ms = 50, .health_interval_ms = 200}));
    ASSERT_FALSE(n.backend->degraded());
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 24; ++i) {
    keys.push_back("finex:S" + std::to_string(i) + ":1d:1:2:yahoo:usd:ohlcv_v1");
    ASSERT_OK(nodes[0].backend->Put(keys.back(), "v" + std::to_string(i)));
  }
  const int slot = RedisKeySlot(RedisBackend::DataKey(keys[0]));
  // Plain locals, not a structured binding: lambdas below capture them
  // (clang 14 cannot capture a binding).
  const auto owners = g->SlotOwners(slot);
  const auto old_master = owners.first;
  const auto replica = owners.second;
  ASSERT_GT(old_master, 0);
  ASSERT_GT(replica, 0);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> calls{0}, failed{0};
  std::vector<std::thread> load;
  for (int n = 0; n < 2; ++n)
    load.emplace_back([&, n] {
      TieredBackend& b = *nodes[n].backend;
      for (uint64_t i = 0; !stop.load(); ++i) {
        Status s = i % 4 == 0 ? b.Put("finex:L" + std::to_string(i % 64) +
                                          ":1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1",
                                      "x")
                              : b.Get(keys[i % keys.size()]).status();
        calls.fetch_add(1);
        if (!s.ok()) failed.fetch_add(1);
      }
    });
  // A failed ASSERT below must not leave the load threads running.
  struct StopAndJoin {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~StopAndJoin() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } guard{stop, load};
  ASSERT_TRUE(WaitFor([&] { return calls.load() >= 500; }));

  const auto t_kill = std::chrono::steady_clock::now();
  g->ByPort(old_master)->Kill();
  ASSERT_TRUE(
      WaitFor([&] { return g->SlotOwners(slot).first == replica; }, std::chrono::seconds(30)))
      << "the replica was not promoted";
  const double failover_ms = MsSince(t_kill);
  const auto t_switch = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto direct, RedisClient::Open(testing::TestRedisOptions(
                                        "redis://127.0.0.1:" + std::to_string(replica) + "/0")));
  double back_ms[2] = {-1, -1};
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; MsSince(t_switch) < 10000; ++i) {
      // Same series as keys[0] (same slot): it must land on the promoted replica.
      const std::string k = "finex:S0:1d:" + std::to_string(100 + i) + ":" + std::to_string(n) +
                            ":yahoo:usd:ohlcv_v1";
      ASSERT_OK(nodes[n].backend->Put(k, "back"));
      auto r = direct->Command({"EXISTS", RedisBackend::DataKey(k)});
      if (r.ok() && (*r)->integer == 1) {
        back_ms[n] = MsSince(t_switch);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  stop = true;
  for (auto& t : load) t.join();  // (the guard finds them joined)
  std::printf(
      "[ measure  ] calls=%llu failed=%llu; failover (kill master %d -> replica %d serves slot "
      "%d) %.0f ms; writes on it after the switch: node A %.0f ms, node B %.0f ms\n",
      static_cast<unsigned long long>(calls.load()), static_cast<unsigned long long>(failed.load()),
      old_master, replica, slot, failover_ms, back_ms[0], back_ms[1]);
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_GE(back_ms[0], 0);
  EXPECT_GE(back_ms[1], 0);
  EXPECT_LT(back_ms[0], 1000);
  EXPECT_LT(back_ms[1], 1000);
}

}  // namespace

std::unique_ptr<Backend> MakeClusterOrNull() {
  std::string skip;
  testing::ClusterGroup* g = SharedCluster(&skip);
  if (g == nullptr) return nullptr;
  auto b = OpenRedisBackend(testing::TestRedisOptions(g->url()));
  if (!b.ok()) {
    ADD_FAILURE() << "OpenRedisBackend(" << g->url() << "): " << b.status();
    return nullptr;
  }
  return std::move(b).value();
}

}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(RedisCluster, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "redis_cluster", backend::MakeClusterOrNull, /*ttl=*/true,
                             "no Redis Cluster (redis-server + redis-cli needed)"}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
