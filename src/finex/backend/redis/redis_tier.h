// OpenSharedRedisTier: the bundle a finex node needs to share one Redis with
// other nodes (issue 6), in one call, for engine/'s OpenEngine:
//   - backend: TieredBackend = memory L1 + RedisBackend L2 (degrades to L1
//     when Redis is down/slow, back within ~1 s; see tiered_backend.h);
//   - leases:  RedisLeases for cross-node single-flight of provider fetches;
//   - client:  the shared connection pool, to start the invalidation bus:
//       RedisInvalidationBus::Start(tier.client, {.node_id = ...},
//           [&](auto origin, auto pattern) { /* drop hot tier + L1 (InvalidateLocal) */ },
//           [&] { /* resubscribed: drop what may have been missed */ });
// The client connects lazily, so a node starts (degraded) while Redis is down.
//
// Thread-safety: every member is thread-safe. Ownership: the caller owns the
// bundle; leases and the bus borrow/share the client.
#pragma once

#include <memory>

#include "finex/backend/redis/redis_backend.h"
#include "finex/backend/redis/redis_client.h"
#include "finex/backend/redis/redis_shared.h"
#include "finex/backend/tiered/tiered_backend.h"

namespace finex::backend {

struct SharedRedisTier {
  std::shared_ptr<RedisClient> client;
  std::unique_ptr<TieredBackend> backend;
  std::unique_ptr<RedisLeases> leases;
};

// InvalidArgument for a bad URL/options; never fails because Redis is down
// (options.lazy_connect is forced on; the tier starts degraded if so).
Result<SharedRedisTier> OpenSharedRedisTier(RedisOptions options, TieredOptions tiered = {});

}  // namespace finex::backend
