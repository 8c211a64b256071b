// Test-only helpers for the Redis backend tests: one redis-server per test
// binary (or FINEX_TEST_REDIS_URL), shared by every test in it.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_client.h"
#include "tests/testutil/redis_server.h"
#include "tests/testutil/wait.h"

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

// A Sentinel group on loopback, started by the test: one master, one replica
// of it, three sentinels (quorum 2) naming the master `kSentinelMaster`.
// Start() returns once the replica is in sync and every sentinel knows the
// replica and the two other sentinels (so a failover can happen at once).
struct SentinelGroup {
  static constexpr const char* kSentinelMaster = "finex";
  std::unique_ptr<::finex::testing::RedisServer> master, replica;
  std::vector<std::unique_ptr<::finex::testing::RedisServer>> sentinels;

  // "redis-sentinel://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c/0#finex".
  std::string url() const {
    std::string u = "redis-sentinel://";
    for (size_t i = 0; i < sentinels.size(); ++i)
      u += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(sentinels[i]->port());
    return u + "/0#" + kSentinelMaster;
  }
  // The master the first live sentinel names (port), or 0.
  int MasterPortNamed() const {
    for (const auto& s : sentinels) {
      if (!s->running()) continue;
      auto c = RedisClient::Open(TestRedisOptions(s->url()));
      if (!c.ok()) continue;
      auto r = (*c)->Command({"SENTINEL", "get-master-addr-by-name", kSentinelMaster});
      if (r.ok() && (*r)->type == REDIS_REPLY_ARRAY && (*r)->elements == 2)
        return std::atoi((*r)->element[1]->str);
    }
    return 0;
  }

  static Result<std::unique_ptr<SentinelGroup>> Start(int down_after_ms) {
    auto g = std::make_unique<SentinelGroup>();
    FINEX_ASSIGN_OR_RETURN(g->master, ::finex::testing::RedisServer::Start());
    FINEX_ASSIGN_OR_RETURN(g->replica,
                           ::finex::testing::RedisServer::Start(
                               {"--replicaof", "127.0.0.1", std::to_string(g->master->port()),
                                "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}));
    for (int i = 0; i < 3; ++i) {
      FINEX_ASSIGN_OR_RETURN(auto s, ::finex::testing::RedisServer::StartSentinel(
                                         kSentinelMaster, g->master->port(), 2, down_after_ms));
      g->sentinels.push_back(std::move(s));
    }
    auto count = [](const std::string& url, const RedisCommand& cmd) -> int64_t {
      auto c = RedisClient::Open(TestRedisOptions(url));
      if (!c.ok()) return -1;
      auto r = (*c)->Command(cmd);
      if (!r.ok()) return -1;
      return (*r)->type == REDIS_REPLY_ARRAY ? static_cast<int64_t>((*r)->elements) : -1;
    };
    auto in_sync = [&] {
      auto c = RedisClient::Open(TestRedisOptions(g->replica->url()));
      if (!c.ok()) return false;
      auto r = (*c)->Command({"INFO", "replication"});
      return r.ok() && (*r)->type == REDIS_REPLY_STRING &&
             std::string_view((*r)->str, (*r)->len).find("master_link_status:up") !=
                 std::string_view::npos;
    };
    const bool ready = ::finex::testing::WaitFor(
        [&] {
          if (!in_sync()) return false;
          for (const auto& s : g->sentinels)
            if (count(s->url(), {"SENTINEL", "replicas", kSentinelMaster}) < 1 ||
                count(s->url(), {"SENTINEL", "sentinels", kSentinelMaster}) < 2)
              return false;
          return true;
        },
        std::chrono::seconds(30));
    if (!ready)
      return UnavailableError(
          "sentinel group did not settle within 30 s (replica sync, "
          "sentinels discovering each other)");
    return g;
  }
};

}  // namespace finex::backend::testing

#define FINEX_REQUIRE_REDIS()                                               \
  do {                                                                      \
    if (!::finex::backend::testing::SharedRedis().skip_reason.empty())      \
      GTEST_SKIP() << ::finex::backend::testing::SharedRedis().skip_reason; \
  } while (0)
