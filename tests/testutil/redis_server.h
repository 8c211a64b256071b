// RedisServer: a throwaway redis-server for tests, on a free loopback port in
// a private temp dir, with persistence off (no RDB, no AOF). Tests use it to
// exercise the Redis backend against a real server and to inject faults
// (Kill, Stop, Restart on the same port).
//
// TestRedis() is what tests call: it honours FINEX_TEST_REDIS_URL (an
// externally managed server; fault injection is then unavailable), else it
// launches a RedisServer, else it reports why Redis tests must be skipped.
//
// Thread-safety: a RedisServer is driven from one thread (the test body).
// Ownership: the RedisServer owns the child process and its temp dir; the
// destructor kills the child and removes the dir.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "finex/core/status.h"
#include "tests/testutil/process_util.h"  // PickFreeLoopbackPort, LoopbackPortOpen

namespace finex::testing {

class RedisServer {
 public:
  // Starts redis-server (from $PATH) on a free 127.0.0.1 port and waits until
  // it answers PING (up to 5 s). Unavailable when the binary is missing or the
  // server does not come up (the log tail is in the message).
  static Result<std::unique_ptr<RedisServer>> Start();
  // The same with extra redis-server arguments, e.g. {"--replicaof",
  // "127.0.0.1", "6380"} or {"--cluster-enabled", "yes"}.
  static Result<std::unique_ptr<RedisServer>> Start(std::vector<std::string> extra_args);
  // A redis-sentinel (from $PATH; Debian package redis-sentinel) monitoring
  // the master `name` at 127.0.0.1:master_port with `quorum`, declaring it
  // down after down_after_ms, with its own config file in its temp dir.
  static Result<std::unique_ptr<RedisServer>> StartSentinel(const std::string& name,
                                                            int master_port, int quorum,
                                                            int down_after_ms);
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  // "redis://127.0.0.1:<port>/0".
  std::string url() const;
  bool running() const { return pid_ > 0; }

  // SIGKILL (a crash: clients see resets). No-op when not running.
  void Kill();
  // SIGTERM and wait (a clean shutdown). No-op when not running.
  void Stop();
  // Starts again on the same port (after Kill/Stop); waits for PING.
  Status Restart();
  // SIGSTOP / SIGCONT: the server hangs without closing sockets (a "slow" L2).
  void Pause();
  void Resume();

 private:
  RedisServer() = default;
  Status Launch();

  std::string dir_;
  std::vector<std::string> extra_args_;
  std::string sentinel_conf_;  // non-empty: this is a redis-sentinel
  int port_ = 0;
  pid_t pid_ = -1;
};

// Either an URL to use (maybe with the server that serves it) or a reason to
// skip.
struct TestRedisTarget {
  std::string url;                      // empty when skip_reason is set
  std::unique_ptr<RedisServer> server;  // null when FINEX_TEST_REDIS_URL is used
  std::string skip_reason;
};
// FINEX_TEST_REDIS_URL if set, else a freshly launched RedisServer.
TestRedisTarget TestRedis();

}  // namespace finex::testing
