// TieredBackend: a node's in-process L1 (memory) in front of a shared L2
// (redis/postgres/parquet_dir), with graceful degradation.
//
// - Reads: L1, then L2 on a miss; an L2 hit is copied into L1 (TTL
//   l1_fill_ttl_ms, since L2's remaining TTL is not known). GetMultiple sends
//   only L1's misses to L2, in one call.
// - Writes: write-through (L1 then L2). While degraded, L1 only.
// - Degradation: an L2 error (Unavailable, timeout, anything non-OK) marks the
//   tier degraded at once. While degraded, L2 is not called at all: reads are
//   answered from L1 or are misses (so the cache asks the provider), writes
//   stay local. Nothing waits on a dead L2: the only wait is the one L2 call
//   that failed, bounded by L2's own connect/command timeouts (Redis default
//   500 ms; PostgreSQL statement_timeout), which should be set <= the
//   request budget.
// - Recovery: a prober thread pings L2 every probe_interval_ms while
//   degraded (default 100 ms) and every health_interval_ms otherwise (default
//   1000 ms, to notice an outage even without traffic). The first successful
//   ping clears degraded(): with Redis' reconnect backoff capped at 250 ms,
//   L2 is used again well within a second of coming back, without restart.
//   Writes made while degraded are not replayed into L2.
// - Delete/DeletePrefix apply to both; when L2 cannot be reached they still
//   apply to L1 but return kUnavailable (an invalidation that did not reach
//   the shared tier must not look successful). InvalidateLocal touches L1
//   only: use it for invalidations received from other nodes over the bus.
// - Ping() reports L1 (this node can serve); degraded() and health() report
//   L2 for /readyz and metrics.
//
// Thread-safety: all methods are thread-safe. Ownership: owns L1, L2 and the
// prober thread (joined in the destructor).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "finex/backend/backend.h"
#include "finex/core/mutex.h"

namespace finex::backend {

struct TieredOptions {
  // TTL of L1 copies filled from L2 reads; 0 = no TTL. Default: 60000 ms.
  int64_t l1_fill_ttl_ms = 60000;
  // Ping period while degraded. Default: 100 ms.
  int probe_interval_ms = 100;
  // Ping period while healthy; 0 = only on errors. Default: 1000 ms.
  int health_interval_ms = 1000;
  // Byte budget of the memory L1 built by NewTieredBackend (and
  // OpenSharedRedisTier); 0 = unlimited. Default: 0.
  uint64_t l1_max_bytes = 0;
};

struct TieredHealth {
  bool degraded = false;
  std::string last_error;       // the L2 error that degraded the tier
  int64_t degraded_for_ms = 0;  // how long the current outage has lasted
  uint64_t l2_errors = 0;       // L2 calls that failed
  uint64_t l2_skipped = 0;      // L2 calls not made because degraded
  uint64_t degradations = 0, recoveries = 0;
  int64_t last_outage_ms = 0;  // duration of the last finished outage
};

class TieredBackend final : public Backend {
 public:
  // REQUIRES: l1 and l2 non-null; probe_interval_ms >= 1.
  TieredBackend(std::unique_ptr<Backend> l1, std::unique_ptr<Backend> l2,
                TieredOptions options = {});
  ~TieredBackend() override;

  std::string_view name() const override { return "tiered"; }
  bool supports_ttl() const override { return l1_->supports_ttl() && l2_->supports_ttl(); }
  bool durable() const override { return l2_->durable(); }
  bool shared() const override { return l2_->shared(); }
  bool in_process() const override { return l1_->in_process(); }
  // Own operation counters; keys/bytes from L1; expired/corrupt summed.
  BackendStats stats() const override;

  bool degraded() const { return degraded_.load(std::memory_order_acquire); }
  TieredHealth health() const;
  // Drops keys starting with prefix from L1 only ("" = everything in L1).
  Result<size_t> InvalidateLocal(std::string_view prefix);

  Backend& l1() const { return *l1_; }
  Backend& l2() const { return *l2_; }

 private:
  Result<std::optional<Bytes>> DoGet(std::string_view key) override;
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override;
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override;
  Status DoDelete(std::string_view key) override;
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override;
  Result<size_t> DoDeletePrefix(std::string_view prefix) override;
  Status DoPing() override { return l1_->Ping(); }

  // True if L2 may be called now (counts a skip otherwise).
  bool UseL2();
  void MarkFailure(const Status& s);
  void MarkRecovered();
  void ProbeLoop();

  std::unique_ptr<Backend> l1_, l2_;
  const TieredOptions options_;
  std::atomic<bool> degraded_{false};
  std::atomic<uint64_t> l2_errors_{0}, l2_skipped_{0}, degradations_{0}, recoveries_{0};
  mutable Mutex mu_;
  CondVar cv_;
  std::string last_error_ FINEX_GUARDED_BY(mu_);
  int64_t degraded_since_us_ FINEX_GUARDED_BY(mu_) = 0;
  int64_t last_outage_ms_ FINEX_GUARDED_BY(mu_) = 0;
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  std::thread prober_;
};

// L1 = a fresh memory backend (default options), L2 = `shared`.
std::unique_ptr<TieredBackend> NewTieredBackend(std::unique_ptr<Backend> shared,
                                                TieredOptions options = {});

}  // namespace finex::backend
