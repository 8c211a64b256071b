#include "finex/backend/redis/redis_shared.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "finex/backend/redis/redis_test_support.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using ::finex::testing::StatusIs;
using testing::SharedRedis;
using testing::TestRedisOptions;

struct Inbox {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;
  void Add(std::string_view o, std::string_view m) {
    std::lock_guard<std::mutex> l(mu);
    got.emplace_back(std::string(o), std::string(m));
  }
  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return got.size();
  }
  bool WaitFor(size_t n, int ms) {
    return ::finex::testing::WaitFor([&] { return size() >= n; }, std::chrono::milliseconds(ms));
  }
};

TEST(InvalidationBusTest, BroadcastsToOtherNodesNotSelf) {
  FINEX_REQUIRE_REDIS();
  ASSERT_OK_AND_ASSIGN(auto ca, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  ASSERT_OK_AND_ASSIGN(auto cb, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  Inbox ia, ib;
  InvalidationBusOptions oa, ob;
  oa.channel = ob.channel = "finex:test:bus:" + RandomHexToken();
  oa.node_id = "A";
  ob.node_id = "B";
  ASSERT_OK_AND_ASSIGN(auto a,
                       RedisInvalidationBus::Start(ca, oa, [&](auto o, auto m) { ia.Add(o, m); }));
  ASSERT_OK_AND_ASSIGN(auto b,
                       RedisInvalidationBus::Start(cb, ob, [&](auto o, auto m) { ib.Add(o, m); }));
  ASSERT_TRUE(a->WaitSubscribed(3000));
  ASSERT_TRUE(b->WaitSubscribed(3000));
  ASSERT_OK_AND_ASSIGN(int64_t receivers, b->Publish("finex:AAPL:*"));
  EXPECT_EQ(receivers, 2);
  ASSERT_TRUE(ia.WaitFor(1, 2000));
  EXPECT_EQ(ia.got[0], (std::pair<std::string, std::string>("B", "finex:AAPL:*")));
  // B's own message is dropped: once B has received a later message from A,
  // its own earlier one has been through the filter (one connection, in order).
  ASSERT_OK(a->Publish("marker").status());
  ASSERT_TRUE(ib.WaitFor(1, 2000));
  EXPECT_EQ(ib.size(), 1u) << "own messages are not delivered by default";
  EXPECT_EQ(ib.got[0], (std::pair<std::string, std::string>("A", "marker")));
}

TEST(InvalidationBusTest, ResubscribesAfterRedisRestart) {
  auto s = ::finex::testing::RedisServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch redis-server: " << s.status();
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(TestRedisOptions((*s)->url())));
  Inbox in;
  std::atomic<int> resubscribed{0};
  InvalidationBusOptions o;
  o.deliver_own = true;
  ASSERT_OK_AND_ASSIGN(auto bus,
                       RedisInvalidationBus::Start(
                           c, o, [&](auto og, auto m) { in.Add(og, m); }, [&] { ++resubscribed; }));
  ASSERT_TRUE(bus->WaitSubscribed(3000));
  (*s)->Kill();
  EXPECT_THAT(bus->Publish("lost"), StatusIs(StatusCode::kUnavailable));
  ::finex::testing::WaitFor([&] { return !bus->subscribed(); }, std::chrono::seconds(3));
  EXPECT_FALSE(bus->subscribed());
  ASSERT_OK((*s)->Restart());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(bus->WaitSubscribed(3000));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 1000) << "resubscribed " << ms << " ms after restart";
  ::finex::testing::WaitFor([&] { return resubscribed.load() > 0; }, std::chrono::seconds(3));
  EXPECT_EQ(resubscribed.load(), 1);
  // Publishing works again once the pool reconnects.
  ASSERT_TRUE(::finex::testing::WaitFor([&] { return bus->Publish("after").ok(); },
                                        std::chrono::seconds(3)));
  ASSERT_TRUE(in.WaitFor(1, 2000));
  EXPECT_EQ(in.got.back().second, "after");
}

TEST(LeaseTest, OnlyOneOwnerAndOwnerOnlyRelease) {
  FINEX_REQUIRE_REDIS();
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  RedisLeases leases(c);
  const std::string name = "finex:AAPL:1d:test" + RandomHexToken();
  ASSERT_OK_AND_ASSIGN(auto first, leases.TryAcquire(name, 5000));
  ASSERT_TRUE(first.has_value());
  ASSERT_OK_AND_ASSIGN(auto second, leases.TryAcquire(name, 5000));
  EXPECT_FALSE(second.has_value());
  Lease forged{first->key, "not-the-token"};
  ASSERT_OK_AND_ASSIGN(bool forged_released, leases.Release(forged));
  EXPECT_FALSE(forged_released);
  ASSERT_OK_AND_ASSIGN(bool held, leases.IsHeld(name));
  EXPECT_TRUE(held);
  ASSERT_OK_AND_ASSIGN(bool extended, leases.Extend(*first, 10000));
  EXPECT_TRUE(extended);
  ASSERT_OK_AND_ASSIGN(bool released, leases.Release(*first));
  EXPECT_TRUE(released);
  ASSERT_OK_AND_ASSIGN(bool released_twice, leases.Release(*first));
  EXPECT_FALSE(released_twice);
  EXPECT_THAT(leases.TryAcquire(name, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(LeaseTest, ConcurrentContendersExactlyOneWins) {
  FINEX_REQUIRE_REDIS();
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  RedisLeases leases(c);
  const std::string name = "race" + RandomHexToken();
  std::atomic<int> winners{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 16; ++i)
    ts.emplace_back([&] {
      auto r = leases.TryAcquire(name, 5000);
      if (r.ok() && r->has_value()) ++winners;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST(LeaseTest, ExpiredLeaseCanBeTakenAndOldOwnerCannotRelease) {
  FINEX_REQUIRE_REDIS();
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  RedisLeases leases(c);
  const std::string name = "exp" + RandomHexToken();
  ASSERT_OK_AND_ASSIGN(auto old, leases.TryAcquire(name, 30));
  ASSERT_TRUE(old.has_value());
  ASSERT_TRUE(::finex::testing::WaitFor([&] {  // the 30 ms lease lapses in Redis
    auto held = leases.IsHeld(name);
    return held.ok() && !*held;
  }));
  ASSERT_OK_AND_ASSIGN(auto fresh, leases.TryAcquire(name, 5000));
  ASSERT_TRUE(fresh.has_value());
  ASSERT_OK_AND_ASSIGN(bool released, leases.Release(*old));
  EXPECT_FALSE(released);
  ASSERT_OK_AND_ASSIGN(bool held, leases.IsHeld(name));
  EXPECT_TRUE(held);
}

TEST(LeaseTest, WaiterSeesOwnersResult) {
  FINEX_REQUIRE_REDIS();
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
  RedisLeases leases(c);
  const std::string name = "wait" + RandomHexToken();
  const std::string result_key = "finex:test:result:" + name;
  ASSERT_OK_AND_ASSIGN(auto owner, leases.TryAcquire(name, 5000));
  ASSERT_TRUE(owner.has_value());
  std::thread fetcher([&] {
    // The owner's "work": the waiter must really wait for it (the thing tested).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c->Command({"SET", result_key, "bars", "PX", "10000"}).status().IgnoreError();
    leases.Release(*owner).status().IgnoreError();
  });
  auto ready = [&]() -> Result<bool> {
    FINEX_ASSIGN_OR_RETURN(auto r, c->Command({"EXISTS", result_key}));
    return r->integer == 1;
  };
  ASSERT_OK_AND_ASSIGN(auto outcome, leases.WaitForResult(name, ready, 3000));
  EXPECT_EQ(outcome, RedisLeases::WaitOutcome::kReady);
  fetcher.join();
  // Nobody holds it and nothing was produced: kLeaseGone at once.
  ASSERT_OK_AND_ASSIGN(auto gone, leases.WaitForResult(
                                      "none" + name, [] { return Result<bool>(false); }, 3000));
  EXPECT_EQ(gone, RedisLeases::WaitOutcome::kLeaseGone);
  // A held lease with no result: kTimeout after the deadline.
  ASSERT_OK_AND_ASSIGN(auto held, leases.TryAcquire("held" + name, 5000));
  ASSERT_OK_AND_ASSIGN(auto to, leases.WaitForResult(
                                    "held" + name, [] { return Result<bool>(false); }, 100));
  EXPECT_EQ(to, RedisLeases::WaitOutcome::kTimeout);
}

}  // namespace
}  // namespace finex::backend
