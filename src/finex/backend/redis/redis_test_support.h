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

// A Redis Cluster on loopback, started by the test: 3 masters + 3 replicas
// (redis-server --cluster-enabled yes, joined by redis-cli --cluster create
// --cluster-replicas 1), node timeout `node_timeout_ms`. Start() returns once
// every node reports cluster_state:ok.
struct ClusterGroup {
  std::vector<std::unique_ptr<::finex::testing::RedisServer>> nodes;

  // "redis-cluster://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c".
  std::string url() const {
    std::string u = "redis-cluster://";
    for (size_t i = 0; i < 3; ++i)
      u += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(nodes[i]->port());
    return u;
  }
  ::finex::testing::RedisServer* ByPort(int port) {
    for (auto& n : nodes)
      if (n->port() == port) return n.get();
    return nullptr;
  }
  // The master and first replica ports serving `slot`, as a live node sees it
  // (0, 0 if unknown).
  std::pair<int, int> SlotOwners(int slot) const {
    for (const auto& n : nodes) {
      if (!n->running()) continue;
      auto c = RedisClient::Open(TestRedisOptions(n->url()));
      if (!c.ok()) continue;
      auto r = (*c)->Command({"CLUSTER", "SLOTS"});
      if (!r.ok() || (*r)->type != REDIS_REPLY_ARRAY) continue;
      for (size_t i = 0; i < (*r)->elements; ++i) {
        const redisReply* e = (*r)->element[i];
        if (e->element[0]->integer <= slot && slot <= e->element[1]->integer)
          return {static_cast<int>(e->element[2]->element[1]->integer),
                  e->elements > 3 ? static_cast<int>(e->element[3]->element[1]->integer) : 0};
      }
    }
    return {0, 0};
  }

  static Result<std::unique_ptr<ClusterGroup>> Start(int node_timeout_ms) {
    auto g = std::make_unique<ClusterGroup>();
    for (int i = 0; i < 6; ++i) {
      // The cluster bus port defaults to port + 10000, which does not exist
      // for ephemeral ports above 55535: give it its own free port.
      FINEX_ASSIGN_OR_RETURN(
          auto s, ::finex::testing::RedisServer::Start(
                      {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                       "--cluster-node-timeout", std::to_string(node_timeout_ms), "--cluster-port",
                       std::to_string(::finex::testing::PickFreeLoopbackPort())}));
      g->nodes.push_back(std::move(s));
    }
    std::string cmd = "redis-cli --cluster create";
    for (const auto& n : g->nodes) cmd += " 127.0.0.1:" + std::to_string(n->port());
    cmd += " --cluster-replicas 1 --cluster-yes >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0)
      return UnavailableError("redis-cli --cluster create failed: " + cmd);
    const bool ok = ::finex::testing::WaitFor(
        [&] {
          for (const auto& n : g->nodes) {
            auto c = RedisClient::Open(TestRedisOptions(n->url()));
            if (!c.ok()) return false;
            auto r = (*c)->Command({"CLUSTER", "INFO"});
            if (!r.ok() || (*r)->type != REDIS_REPLY_STRING ||
                std::string_view((*r)->str, (*r)->len).find("cluster_state:ok") ==
                    std::string_view::npos)
              return false;
            // ... and every slot range lists its replica.
            auto slots = (*c)->Command({"CLUSTER", "SLOTS"});
            if (!slots.ok() || (*slots)->type != REDIS_REPLY_ARRAY || (*slots)->elements < 3)
              return false;
            for (size_t i = 0; i < (*slots)->elements; ++i)
              if ((*slots)->element[i]->elements < 4) return false;
          }
          return true;
        },
        std::chrono::seconds(30));
    if (!ok)
      return UnavailableError(
          "redis cluster did not reach cluster_state:ok with a replica per master within 30 s");
    return g;
  }
};

}  // namespace finex::backend::testing

#define FINEX_REQUIRE_REDIS()                                               \
  do {                                                                      \
    if (!::finex::backend::testing::SharedRedis().skip_reason.empty())      \
      GTEST_SKIP() << ::finex::backend::testing::SharedRedis().skip_reason; \
  } while (0)
