// Test-only helpers for the Redis backend tests: one redis-server per test
// binary (or FINEX_TEST_REDIS_URL), shared by every test in it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_client.h"
#include "tests/testutil/redis_server.h"

namespace finex::backend::testing {

// The binary-wide target (launched on first use, torn down at exit).
inline ::finex::testing::TestRedisTarget& SharedRedis() {
  static ::finex::testing::TestRedisTarget t = ::finex::testing::TestRedis();
  return t;
}

inline RedisOptions TestRedisOptions(const std::string& url) {
  RedisOptions o;
  o.url = url;
  o.pool_size = 4;
  return o;
}

}  // namespace finex::backend::testing

#define FINEX_REQUIRE_REDIS()                                               \
  do {                                                                      \
    if (!::finex::backend::testing::SharedRedis().skip_reason.empty())      \
      GTEST_SKIP() << ::finex::backend::testing::SharedRedis().skip_reason; \
  } while (0)
