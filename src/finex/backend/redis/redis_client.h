// RedisClient: a small synchronous hiredis connection pool shared by the
// Redis backend, the invalidation bus and the lease helpers (one pool per
// process and URL).
//
// - URL: redis://[[user]:password@]host[:port][/db]  (defaults: port 6379,
//   db 0). ParseRedisUrl validates it and says what is wrong; rediss:// (TLS)
//   and unix sockets are rejected as unsupported.
// - Sentinel: redis-sentinel://[[user]:password@]host[:port],host[:port].../db#master
//   (sentinel port default 26379; the password is the master's, sentinels
//   are asked without AUTH). The master's address is asked from the sentinels
//   (SENTINEL get-master-addr-by-name, trying each in turn, the last one that
//   answered first) whenever a connection is made after a failure, and every
//   new connection checks ROLE is "master". A broken connection, a connect
//   failure or a READONLY reply (the master was demoted) drops the pool and
//   makes the next connect ask the sentinels again; so after a failover the
//   pool, the pub/sub bus and the leases follow the promoted master within one
//   reconnect backoff (<= reconnect_backoff_max_ms) of the sentinels switching.
// - Cluster: redis-cluster://[[user]:password@]host[:port],host[:port]...
//   (seed nodes, db 0): Pipeline/Command route by key slot, follow MOVED/ASK
//   and failovers; see redis_cluster.h.
// - Every connection gets a connect timeout, a command (socket read/write)
//   timeout, TCP keep-alive, AUTH and SELECT from the URL.
// - A failed connection is dropped; a command that fails on a pooled (maybe
//   stale) connection is retried once on a fresh one, and all idle
//   connections are discarded (after a server restart they are all dead).
// - When connecting fails, further attempts are gated by an exponential
//   backoff (min..max, default 25..250 ms) and calls fail fast with
//   kUnavailable meanwhile, so an outage never piles up blocked callers and a
//   restarted server is used again within max backoff.
//
// Thread-safety: all methods are thread-safe; each call holds one pooled
// connection for its duration. Ownership: shared (std::shared_ptr) by the
// components built on it; it must outlive nothing else.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/mutex.h"
#include "finex/core/status.h"

struct redisContext;
struct redisReply;

namespace finex::backend {

struct RedisOptions {
  // Server URL. Default: "redis://127.0.0.1:6379/0".
  std::string url = "redis://127.0.0.1:6379/0";
  // Maximum pooled connections. Default: 8.
  int pool_size = 8;
  // TCP connect timeout. Default: 500 ms.
  int connect_timeout_ms = 500;
  // Per-command socket timeout (a hung server fails the call after this).
  // Default: 500 ms.
  int command_timeout_ms = 500;
  // How long a call waits for a free pooled connection. Default: 500 ms.
  int pool_wait_timeout_ms = 500;
  // Reconnect backoff bounds. Defaults: 25 ms, 250 ms.
  int reconnect_backoff_min_ms = 25;
  int reconnect_backoff_max_ms = 250;
  // When false, Open fails with kUnavailable if the server does not answer;
  // when true, Open succeeds and connects on first use. Default: false.
  bool lazy_connect = false;
};

struct RedisAddress {
  std::string host;
  int port = 0;
};

struct RedisEndpoint {
  // The server (redis://). Empty/0 for redis-sentinel://: the master is then
  // resolved through `sentinels` at connect time.
  std::string host;
  int port = 6379;
  int db = 0;
  std::string user;      // empty: AUTH <password> (legacy) when password set
  std::string password;  // empty: no AUTH
  // redis-sentinel:// only: the sentinels to ask and the master's name.
  std::vector<RedisAddress> sentinels;
  std::string master_name;
  bool sentinel() const { return !sentinels.empty(); }
  // redis-cluster:// only: the seed nodes (redis_cluster.h).
  std::vector<RedisAddress> seeds;
  bool cluster() const { return !seeds.empty(); }
};

// InvalidArgument (param "url") naming the problem, e.g. "redis url
// 'http://x' must start with redis://".
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

// Owned hiredis reply.
struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

// Owned hiredis context.
struct RedisContextDeleter {
  void operator()(redisContext* c) const;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;

// One command: its argument strings (binary safe). Views must stay valid for
// the duration of the call.
using RedisCommand = std::vector<std::string_view>;

class RedisCluster;

class RedisClient {
 public:
  static Result<std::shared_ptr<RedisClient>> Open(const RedisOptions& options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends all commands in one round trip and returns one reply per command,
  // in order. kUnavailable when the server is unreachable or the connection
  // fails mid-way (after one retry on a fresh connection). A Redis error
  // reply is returned as a reply of type REDIS_REPLY_ERROR; use ReplyError.
  Result<std::vector<RedisReplyPtr>> Pipeline(const std::vector<RedisCommand>& commands);
  // One command.
  Result<RedisReplyPtr> Command(const RedisCommand& command);

  // A new dedicated connection (not pooled), authenticated and on the right
  // db, e.g. for SUBSCRIBE; with Sentinel, to the current master.
  // kUnavailable on failure.
  Result<RedisContextPtr> ConnectDedicated(int command_timeout_ms) const;

  // Sentinel only: the master's address the sentinels named last ("" host
  // before the first resolution); and asks them again now.
  RedisAddress master() const;
  Result<RedisAddress> ResolveMaster() const;

  // True after the last connect/command succeeded.
  bool healthy() const;
  // Whether this is a redis-cluster:// client (multi-key commands must then
  // stay within one slot).
  bool cluster() const { return cluster_ != nullptr; }
  const RedisEndpoint& endpoint() const { return endpoint_; }
  const RedisOptions& options() const { return options_; }
  // "host:port/db" for messages.
  std::string Describe() const;

 private:
  friend class RedisCluster;  // builds one (plain) client per node
  RedisClient(RedisOptions options, RedisEndpoint endpoint);
  // A pooled connection (fresh=true when just created), or kUnavailable.
  Result<redisContext*> Acquire(bool* fresh);
  void Release(redisContext* c, bool broken);
  Result<std::vector<RedisReplyPtr>> RunOn(redisContext* c, const std::vector<RedisCommand>& cmds);

  // Sentinel: the master to connect to (resolved first when stale).
  Result<RedisAddress> Target() const;
  void MarkStale() const;

  const RedisOptions options_;
  const RedisEndpoint endpoint_;
  // Set for redis-cluster:// (then the pool below is unused).
  std::unique_ptr<RedisCluster> cluster_;

  mutable Mutex addr_mu_;  // never held together with mu_
  mutable RedisAddress master_ FINEX_GUARDED_BY(addr_mu_);
  mutable bool master_stale_ FINEX_GUARDED_BY(addr_mu_) = true;
  mutable size_t sentinel_first_ FINEX_GUARDED_BY(addr_mu_) = 0;

  mutable Mutex mu_;
  CondVar cv_;
  std::vector<redisContext*> idle_ FINEX_GUARDED_BY(mu_);
  // Connections created and not freed.
  int open_ FINEX_GUARDED_BY(mu_) = 0;
  // Backoff gate (monotonic).
  int64_t next_connect_us_ FINEX_GUARDED_BY(mu_) = 0;
  int backoff_ms_ FINEX_GUARDED_BY(mu_) = 0;
  std::string last_error_ FINEX_GUARDED_BY(mu_);
  bool healthy_ FINEX_GUARDED_BY(mu_) = false;
};

// True for a READONLY error reply (a write reached a replica: with Sentinel,
// the master was demoted).
bool IsReadOnlyError(const redisReply* r);

// For a reply of type error: Internal("redis: <message>") (or Unavailable for
// LOADING/BUSY/MASTERDOWN/TRYAGAIN); OK otherwise.
Status ReplyError(const redisReply* r, std::string_view context);

}  // namespace finex::backend
