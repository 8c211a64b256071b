#include "finex/engine/redis_coordinator.h"

#include <utility>

#include "finex/key/pattern.h"

namespace finex::engine {

RedisCoordinator::RedisCoordinator(std::shared_ptr<backend::RedisClient> client,
                                   std::unique_ptr<backend::RedisLeases> leases,
                                   backend::TieredBackend* tier)
    : client_(std::move(client)), leases_(std::move(leases)), tier_(tier) {}

RedisCoordinator::~RedisCoordinator() { bus_.reset(); }  // joins the subscriber before members go

Status RedisCoordinator::StartBus() {
  FINEX_ASSIGN_OR_RETURN(
      bus_,
      backend::RedisInvalidationBus::Start(
          client_, {}, [this](std::string_view, std::string_view pattern) { Deliver(pattern); },
          [this] { Deliver(""); }));
  return OkStatus();
}

Result<std::optional<cache::Coordinator::LeaseHandle>> RedisCoordinator::TryLease(
    std::string_view name) {
  FINEX_ASSIGN_OR_RETURN(std::optional<backend::Lease> l, leases_->TryAcquire(name, kLeaseTtlMs));
  if (!l) return std::optional<LeaseHandle>();
  return std::optional<LeaseHandle>(LeaseHandle{std::move(l->key), std::move(l->token)});
}

void RedisCoordinator::Release(const LeaseHandle& lease) {
  (void)leases_->Release({lease.name, lease.token});
}

Result<cache::Coordinator::WaitOutcome> RedisCoordinator::Wait(
    std::string_view name, const std::function<Result<bool>()>& ready) {
  FINEX_ASSIGN_OR_RETURN(backend::RedisLeases::WaitOutcome w,
                         leases_->WaitForResult(name, ready, kWaitMs));
  switch (w) {
    case backend::RedisLeases::WaitOutcome::kReady:
      return WaitOutcome::kReady;
    case backend::RedisLeases::WaitOutcome::kLeaseGone:
      return WaitOutcome::kGone;
    default:
      return WaitOutcome::kTimeout;
  }
}

void RedisCoordinator::PublishInvalidation(std::string_view pattern) {
  if (bus_) (void)bus_->Publish(pattern);
}

void RedisCoordinator::OnInvalidation(InvalidationHandler handler) {
  MutexLock lock(mu_);
  handler_ = std::move(handler);
}

void RedisCoordinator::Deliver(std::string_view pattern) {
  MutexLock lock(mu_);
  if (!handler_) return;
  if (pattern.empty()) {
    (void)tier_->InvalidateLocal("");
  } else if (auto p = key::Pattern::Parse(pattern); p.ok()) {
    (void)tier_->InvalidateLocal(p->scan_prefix());
  } else {
    return;
  }
  handler_(pattern);
}

}  // namespace finex::engine
