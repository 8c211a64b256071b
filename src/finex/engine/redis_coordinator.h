// RedisCoordinator: the cache's Coordinator (cache/coordination.h) for nodes
// sharing one Redis (docs/backends.md): RedisLeases for cross-node
// single-flight of provider fetches, RedisInvalidationBus for broadcasting
// invalidations. Every Redis failure means "proceed without coordination".
//
// Thread-safety: every method is thread-safe; the invalidation handler runs
// on the bus thread. Ownership: shares the Redis client, owns the leases and
// the bus (joined by the destructor), borrows the tiered backend whose L1 it
// drops on a received invalidation (must outlive it).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "finex/backend/redis/redis_client.h"
#include "finex/backend/redis/redis_shared.h"
#include "finex/backend/tiered/tiered_backend.h"
#include "finex/cache/coordination.h"
#include "finex/core/mutex.h"

namespace finex::engine {

class RedisCoordinator final : public cache::Coordinator {
 public:
  RedisCoordinator(std::shared_ptr<backend::RedisClient> client,
                   std::unique_ptr<backend::RedisLeases> leases, backend::TieredBackend* tier);
  ~RedisCoordinator() override;

  // Subscribes to the invalidation channel; Unavailable never (the bus
  // reconnects by itself), InvalidArgument for bad options.
  Status StartBus();

  Result<std::optional<LeaseHandle>> TryLease(std::string_view name) override;
  void Release(const LeaseHandle& lease) override;
  Result<WaitOutcome> Wait(std::string_view name,
                           const std::function<Result<bool>()>& ready) override;
  void PublishInvalidation(std::string_view pattern) override;
  void OnInvalidation(InvalidationHandler handler) override FINEX_EXCLUDES(mu_);

 private:
  static constexpr int64_t kLeaseTtlMs = 30000, kWaitMs = 15000;
  // On the bus thread. Only while a cache listens: it owns the tier's users,
  // and the engine destroys the cache (which clears the handler) first.
  void Deliver(std::string_view pattern) FINEX_EXCLUDES(mu_);

  std::shared_ptr<backend::RedisClient> client_;
  std::unique_ptr<backend::RedisLeases> leases_;
  backend::TieredBackend* tier_;
  Mutex mu_;
  InvalidationHandler handler_ FINEX_GUARDED_BY(mu_);
  std::unique_ptr<backend::RedisInvalidationBus> bus_;
};

}  // namespace finex::engine
