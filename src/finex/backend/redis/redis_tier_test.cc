#include "finex/backend/redis/redis_tier.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testutil/redis_server.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

TEST(SharedRedisTierTest, StartsWhileRedisIsDownAndUsesItOnceUp) {
  auto server = ::finex::testing::RedisServer::Start();
  if (!server.ok()) GTEST_SKIP() << "cannot launch redis-server: " << server.status();
  (*server)->Kill();
  RedisOptions o;
  o.url = (*server)->url();
  ASSERT_OK_AND_ASSIGN(SharedRedisTier tier, OpenSharedRedisTier(o, {.probe_interval_ms = 20}));
  EXPECT_TRUE(tier.backend->degraded());
  ASSERT_OK(tier.backend->Put("finex:A:1d:1:1:yahoo:usd:ohlcv_v1", "local"));  // L1 only
  EXPECT_THAT(tier.leases->TryAcquire("x", 1000),
              ::finex::testing::StatusIs(StatusCode::kUnavailable));
  ASSERT_OK((*server)->Restart());
  EXPECT_TRUE(::finex::testing::WaitFor([&] { return !tier.backend->degraded(); }));
  EXPECT_FALSE(tier.backend->degraded());
  ASSERT_OK(tier.backend->Put("finex:A:1d:2:2:yahoo:usd:ohlcv_v1", "shared"));
  ASSERT_OK_AND_ASSIGN(auto in_l2, tier.backend->l2().Get("finex:A:1d:2:2:yahoo:usd:ohlcv_v1"));
  EXPECT_EQ(in_l2, std::optional<Bytes>("shared"));
  ASSERT_OK_AND_ASSIGN(auto lease, tier.leases->TryAcquire("x", 1000));
  EXPECT_TRUE(lease.has_value());
}

TEST(SharedRedisTierTest, RejectsBadUrl) {
  RedisOptions o;
  o.url = "http://nope";
  EXPECT_THAT(OpenSharedRedisTier(o), ::finex::testing::StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace finex::backend
