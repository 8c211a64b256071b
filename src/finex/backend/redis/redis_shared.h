// Shared-tier primitives for several finex nodes on one Redis (issue 6):
//
// RedisInvalidationBus — broadcast of invalidation patterns over Redis
//   pub/sub. Publish() sends "<node_id>\n<message>" on the channel (default
//   "finex:invalidate"); a background subscriber thread on a dedicated
//   connection delivers (origin node id, message) to a callback. After any
//   disconnect it reconnects with backoff and resubscribes, then calls
//   on_resubscribed: messages published while it was away are lost (pub/sub
//   is fire-and-forget), so the cache should drop what it cannot vouch for
//   (e.g. clear its L1/hot tier). A PING every second detects a hung server.
//
// RedisLeases — short exclusive leases for "one node fetches a miss":
//   `SET finex:lease:{name} <token> NX PX ttl`; Release/Extend only if the
//   caller still owns it (compare-and-delete Lua). WaitForResult lets the
//   nodes that lost the race poll a readiness check (e.g. "is the fragment in
//   L2 now?") until it answers, the lease disappears (owner done or dead,
//   then the caller retries/fetches itself), or a timeout passes.
//
// Thread-safety: all methods are thread-safe. The bus callback runs on the
// subscriber thread, one message at a time; it must not block for long and
// must not destroy the bus. Ownership: both share the RedisClient (pooled
// connections; the subscriber owns one extra dedicated connection). The bus
// destructor stops and joins the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "finex/backend/redis/redis_client.h"
#include "finex/core/mutex.h"
#include "finex/core/status.h"

namespace finex::backend {

struct InvalidationBusOptions {
  // Pub/sub channel. Default: "finex:invalidate".
  std::string channel = "finex:invalidate";
  // This node's id, sent with each message (no '\n'). Default: random hex.
  std::string node_id;
  // Deliver messages this node published itself. Default: false.
  bool deliver_own = false;
  // Resubscribe backoff cap. Default: 250 ms.
  int reconnect_backoff_max_ms = 250;
};

class RedisInvalidationBus {
 public:
  using MessageCallback =
      std::function<void(std::string_view origin_node, std::string_view message)>;
  using ResubscribedCallback = std::function<void()>;

  // Starts the subscriber thread (it connects in the background: Start
  // succeeds even when Redis is down). InvalidArgument for a bad channel or
  // node id. on_resubscribed may be empty.
  static Result<std::unique_ptr<RedisInvalidationBus>> Start(
      std::shared_ptr<RedisClient> client, InvalidationBusOptions options,
      MessageCallback on_message, ResubscribedCallback on_resubscribed = {});
  ~RedisInvalidationBus();

  // Publishes to every subscribed node. Returns how many subscribers Redis
  // delivered to, or kUnavailable.
  Result<int64_t> Publish(std::string_view message);

  // True while the subscription is live.
  bool subscribed() const { return subscribed_.load(); }
  // Wait until subscribed() or timeout; true if subscribed.
  bool WaitSubscribed(int timeout_ms) const;
  // Successful (re)subscriptions so far (1 after the first).
  uint64_t subscriptions() const { return subscriptions_.load(); }
  const std::string& node_id() const { return options_.node_id; }

 private:
  RedisInvalidationBus(std::shared_ptr<RedisClient> client, InvalidationBusOptions options,
                       MessageCallback on_message, ResubscribedCallback on_resubscribed);
  void Run();
  // One connected session; returns when the connection fails or stop_.
  void Session();
  void SleepInterruptibly(int ms);

  std::shared_ptr<RedisClient> client_;
  InvalidationBusOptions options_;
  MessageCallback on_message_;
  ResubscribedCallback on_resubscribed_;
  std::atomic<bool> stop_{false};
  mutable std::atomic<bool> subscribed_{false};
  std::atomic<uint64_t> subscriptions_{0};
  // Only for cv_'s waits: the state it signals is in the atomics above.
  mutable Mutex mu_;
  mutable CondVar cv_;
  std::thread thread_;
};

struct Lease {
  std::string key;    // Redis key of the lease
  std::string token;  // proves ownership
};

class RedisLeases {
 public:
  // prefix: Redis key prefix. Default: "finex:lease:".
  explicit RedisLeases(std::shared_ptr<RedisClient> client, std::string prefix = "finex:lease:");

  // The lease if acquired; nullopt if another owner holds it; kUnavailable on
  // Redis failure (callers then proceed without coordination).
  // REQUIRES: ttl_ms > 0 (else InvalidArgument).
  Result<std::optional<Lease>> TryAcquire(std::string_view name, int64_t ttl_ms);
  // True if released; false if it was no longer ours (expired/taken over).
  Result<bool> Release(const Lease& lease);
  // Pushes the expiry to now + ttl_ms if still ours; false otherwise.
  Result<bool> Extend(const Lease& lease, int64_t ttl_ms);
  // Whether anyone holds `name` now.
  Result<bool> IsHeld(std::string_view name);

  enum class WaitOutcome { kReady, kLeaseGone, kTimeout };
  // Polls `ready` (5 ms, growing to 50 ms) until it returns true (kReady),
  // the lease on `name` is gone and ready() is still false (kLeaseGone), or
  // timeout_ms passes (kTimeout). Errors from ready or Redis are returned.
  Result<WaitOutcome> WaitForResult(std::string_view name,
                                    const std::function<Result<bool>()>& ready, int64_t timeout_ms);

  std::string LeaseKey(std::string_view name) const;

 private:
  std::shared_ptr<RedisClient> client_;
  std::string prefix_;
};

// 128 random bits as 32 hex characters.
std::string RandomHexToken();

}  // namespace finex::backend
