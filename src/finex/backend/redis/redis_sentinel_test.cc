// Redis Sentinel (issue 15): redis-sentinel:// URLs, master discovery, and
// failover under load. Every server is started here on loopback: a master, a
// replica and three sentinels (redis_test_support.h SentinelGroup); the tests
// skip when redis-server or redis-sentinel is missing.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_client.h"
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
using testing::SentinelGroup;

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(ParseRedisUrlTest, SentinelForm) {
  ASSERT_OK_AND_ASSIGN(
      RedisEndpoint ep,
      ParseRedisUrl("redis-sentinel://:pw@10.0.0.1:26380,h2,[::1]:26381/2#my-master"));
  ASSERT_TRUE(ep.sentinel());
  ASSERT_EQ(ep.sentinels.size(), 3u);
  EXPECT_EQ(ep.sentinels[0].host, "10.0.0.1");
  EXPECT_EQ(ep.sentinels[0].port, 26380);
  EXPECT_EQ(ep.sentinels[1].host, "h2");
  EXPECT_EQ(ep.sentinels[1].port, 26379);  // the sentinel default port
  EXPECT_EQ(ep.sentinels[2].host, "::1");
  EXPECT_EQ(ep.sentinels[2].port, 26381);
  EXPECT_EQ(ep.db, 2);
  EXPECT_EQ(ep.password, "pw");
  EXPECT_EQ(ep.master_name, "my-master");
  ASSERT_OK_AND_ASSIGN(RedisEndpoint plain, ParseRedisUrl("redis://h:1"));
  EXPECT_FALSE(plain.sentinel());
}

TEST(ParseRedisUrlTest, SentinelRejectsWithClearErrors) {
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:1"),
              StatusIs(StatusCode::kInvalidArgument, "names no master"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:1#"),
              StatusIs(StatusCode::kInvalidArgument, "master name"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:1#a b"),
              StatusIs(StatusCode::kInvalidArgument, "master name"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:1,#m"),
              StatusIs(StatusCode::kInvalidArgument, "ends with ','"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:1,:2#m"),
              StatusIs(StatusCode::kInvalidArgument, "no host"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h:99999#m"),
              StatusIs(StatusCode::kInvalidArgument, "port"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://#m"),
              StatusIs(StatusCode::kInvalidArgument, "no host"));
  EXPECT_THAT(ParseRedisUrl("redis-sentinel://h/x#m"),
              StatusIs(StatusCode::kInvalidArgument, "database"));
  EXPECT_THAT(ParseRedisUrl("redis://a:1,b:2"),
              StatusIs(StatusCode::kInvalidArgument, "several hosts"));
}

TEST(RedisSentinelTest, UnknownMasterOrDeadSentinelsAreUnavailable) {
  const int port = ::finex::testing::PickFreeLoopbackPort();
  RedisOptions o;
  o.url = "redis-sentinel://127.0.0.1:" + std::to_string(port) + "/0#finex";
  EXPECT_THAT(RedisClient::Open(o), StatusIs(StatusCode::kUnavailable, "sentinel"));
}

// One group for the conformance suite and the discovery test (no failover).
SentinelGroup* SharedGroup(std::string* skip) {
  static std::string why;
  static std::unique_ptr<SentinelGroup> g = [] {
    auto r = SentinelGroup::Start(5000);
    if (!r.ok()) {
      why = "no Redis Sentinel group: " + r.status().message();
      return std::unique_ptr<SentinelGroup>();
    }
    return std::move(r).value();
  }();
  *skip = why;
  return g.get();
}

TEST(RedisSentinelTest, FindsTheMasterThroughTheSentinels) {
  std::string skip;
  SentinelGroup* g = SharedGroup(&skip);
  if (g == nullptr) GTEST_SKIP() << skip;
  RedisOptions o = testing::TestRedisOptions(g->url());
  ASSERT_OK_AND_ASSIGN(auto client, RedisClient::Open(o));
  EXPECT_EQ(client->master().port, g->master->port());
  EXPECT_NE(client->Describe().find("master 'finex'"), std::string::npos) << client->Describe();
  // A sentinel that is down is skipped: list a dead one first.
  o.url = "redis-sentinel://127.0.0.1:" + std::to_string(::finex::testing::PickFreeLoopbackPort()) +
          "," + g->url().substr(std::string("redis-sentinel://").size());
  ASSERT_OK_AND_ASSIGN(auto client2, RedisClient::Open(o));
  EXPECT_EQ(client2->master().port, g->master->port());
  // An unknown master name is a clear Unavailable naming it.
  o.url = g->url().substr(0, g->url().find('#')) + "#nosuch";
  EXPECT_THAT(RedisClient::Open(o), StatusIs(StatusCode::kUnavailable, "nosuch"));
}

// Two nodes (a tiered backend, the invalidation bus and leases each, as
// OpenEngine builds them) under read+write load; the master is SIGKILLed.
// Must show: zero failed calls; the sentinels promote the replica; both
// nodes write to the promoted master within 1 s of the switch; the bus and
// the leases work on the new master.
TEST(RedisSentinelFailoverTest, MasterKilledUnderLoadNodesFollowThePromotedMaster) {
  auto started = SentinelGroup::Start(1000);
  if (!started.ok()) GTEST_SKIP() << "no Redis Sentinel group: " << started.status();
  std::unique_ptr<SentinelGroup> g = std::move(started).value();
  RedisOptions ro = testing::TestRedisOptions(g->url());
  ro.command_timeout_ms = 200;
  struct Node {
    SharedRedisTier tier;
    std::unique_ptr<RedisInvalidationBus> bus;
    std::atomic<int> received{0};
  };
  Node nodes[2];
  for (Node& n : nodes) {
    ASSERT_OK_AND_ASSIGN(
        n.tier, OpenSharedRedisTier(ro, {.probe_interval_ms = 50, .health_interval_ms = 200}));
    ASSERT_OK_AND_ASSIGN(n.bus, RedisInvalidationBus::Start(
                                    n.tier.client, {}, [&n](std::string_view, std::string_view) {
                                      n.received.fetch_add(1);
                                    }));
    ASSERT_TRUE(n.bus->WaitSubscribed(5000));
    ASSERT_FALSE(n.tier.backend->degraded());
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    keys.push_back("finex:SENT:1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1");
    ASSERT_OK(nodes[0].tier.backend->Put(keys.back(), "v" + std::to_string(i)));
  }

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> calls{0}, failed{0};
  std::vector<std::thread> load;
  for (int n = 0; n < 2; ++n)
    load.emplace_back([&, n] {
      TieredBackend& b = *nodes[n].tier.backend;
      for (uint64_t i = 0; !stop.load(); ++i) {
        Status s = i % 4 == 0 ? b.Put("finex:LOAD" + std::to_string(n) +
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

  const int old_port = g->master->port(), new_port = g->replica->port();
  const auto t_kill = std::chrono::steady_clock::now();
  g->master->Kill();
  ASSERT_TRUE(WaitFor([&] { return g->MasterPortNamed() == new_port; }, std::chrono::seconds(30)))
      << "the sentinels did not promote the replica";
  const double failover_ms = MsSince(t_kill);
  const auto t_switch = std::chrono::steady_clock::now();

  // Each node writes a fresh key; it must land on the promoted master.
  ASSERT_OK_AND_ASSIGN(auto direct, OpenRedisBackend(testing::TestRedisOptions(g->replica->url())));
  double back_ms[2] = {-1, -1};
  for (int n = 0; n < 2; ++n) {
    for (int i = 0; MsSince(t_switch) < 10000; ++i) {
      const std::string k =
          "finex:BACK" + std::to_string(n) + ":1d:" + std::to_string(i) + ":1:yahoo:usd:ohlcv_v1";
      ASSERT_OK(nodes[n].tier.backend->Put(k, "back"));
      auto r = direct->Get(k);
      if (r.ok() && r->has_value()) {
        back_ms[n] = MsSince(t_switch);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  stop = true;
  for (auto& t : load) t.join();  // (the guard finds them joined)

  // Pub/sub and leases on the new master.
  ASSERT_TRUE(WaitFor([&] { return nodes[0].bus->subscribed() && nodes[1].bus->subscribed(); }));
  const int before = nodes[1].received.load();
  ASSERT_TRUE(WaitFor([&] {
    (void)nodes[0].bus->Publish("finex:SENT:*");
    return nodes[1].received.load() > before;
  }));
  ASSERT_OK_AND_ASSIGN(auto lease, nodes[0].tier.leases->TryAcquire("SENT:1d:x", 5000));
  ASSERT_TRUE(lease.has_value());
  ASSERT_OK_AND_ASSIGN(auto other, nodes[1].tier.leases->TryAcquire("SENT:1d:x", 5000));
  EXPECT_FALSE(other.has_value()) << "the lease is held across nodes on the new master";
  EXPECT_EQ(nodes[0].tier.client->master().port, new_port);
  EXPECT_EQ(nodes[1].tier.client->master().port, new_port);

  std::printf(
      "[ measure  ] calls=%llu failed=%llu; failover (kill -> sentinels name %d instead of %d) "
      "%.0f ms; writes on the promoted master after the switch: node A %.0f ms, node B %.0f ms\n",
      static_cast<unsigned long long>(calls.load()), static_cast<unsigned long long>(failed.load()),
      new_port, old_port, failover_ms, back_ms[0], back_ms[1]);
  ::testing::Test::RecordProperty("failover_ms", std::to_string(failover_ms));
  EXPECT_EQ(failed.load(), 0u);
  EXPECT_GE(back_ms[0], 0);
  EXPECT_GE(back_ms[1], 0);
  EXPECT_LT(back_ms[0], 1000);
  EXPECT_LT(back_ms[1], 1000);
}

}  // namespace

std::unique_ptr<Backend> MakeSentinelOrNull() {
  std::string skip;
  SentinelGroup* g = SharedGroup(&skip);
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
INSTANTIATE_TEST_SUITE_P(RedisSentinel, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "redis_sentinel", backend::MakeSentinelOrNull, /*ttl=*/true,
                             "no Redis Sentinel group (redis-server + redis-sentinel needed)"}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
