#include "finex/backend/redis/redis_tier.h"

namespace finex::backend {

Result<SharedRedisTier> OpenSharedRedisTier(RedisOptions options, TieredOptions tiered) {
  options.lazy_connect = true;
  FINEX_ASSIGN_OR_RETURN(std::shared_ptr<RedisClient> client, RedisClient::Open(options));
  SharedRedisTier t;
  t.client = client;
  t.backend = NewTieredBackend(std::make_unique<RedisBackend>(client), tiered);
  t.leases = std::make_unique<RedisLeases>(client);
  // Learn the state now rather than on the first request.
  if (!t.backend->l2().Ping().ok()) (void)t.backend->Get("finex:_probe:_:_");
  return t;
}

}  // namespace finex::backend
