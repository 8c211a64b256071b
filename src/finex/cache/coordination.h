// Coordinator: what a SmartCache needs from other nodes sharing its backend
// (issue 6), without depending on Redis: cross-node single-flight leases and
// a broadcast of invalidations. The default (NoCoordinator) does nothing: a
// lone node. engine.cc implements it over RedisLeases + RedisInvalidationBus
// for backend = "redis".
//
// Thread-safety: every method is thread-safe. Handlers set by OnInvalidation
// run on the coordinator's thread; setting an empty handler waits until no
// handler call is running (the cache clears it in its destructor).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex::cache {

class Coordinator {
 public:
  virtual ~Coordinator() = default;

  struct LeaseHandle {
    std::string name, token;  // opaque to the cache (Redis: the lease key and its owner token)
  };
  // A lease on `name` when acquired; nullopt if another node holds it;
  // kUnavailable when coordination is down (proceed without it).
  virtual Result<std::optional<LeaseHandle>> TryLease(std::string_view name) {
    (void)name;
    return UnavailableError("no coordination");
  }
  virtual void Release(const LeaseHandle& lease) { (void)lease; }

  enum class WaitOutcome { kReady, kGone, kTimeout };
  // Polls ready() until it answers true (kReady), the lease on `name`
  // disappears with ready() still false (kGone) or the wait timeout passes.
  virtual Result<WaitOutcome> Wait(std::string_view name,
                                   const std::function<Result<bool>()>& ready) {
    (void)name;
    (void)ready;
    return WaitOutcome::kGone;
  }

  // Tells the other nodes that keys matching `pattern` were invalidated.
  virtual void PublishInvalidation(std::string_view pattern) { (void)pattern; }

  // handler(pattern): keys matching pattern were invalidated by another node
  // (the coordinator has already dropped them from this node's L1).
  // handler("") : messages may have been lost (bus resubscribed): drop every
  // locally held copy. Empty handler = none.
  using InvalidationHandler = std::function<void(std::string_view pattern)>;
  virtual void OnInvalidation(InvalidationHandler handler) { (void)handler; }
};

}  // namespace finex::cache
