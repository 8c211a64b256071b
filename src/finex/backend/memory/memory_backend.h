// MemoryBackend: the primary, in-process Backend (the role ETS plays in the
// seed design). Bytes live in RAM; nothing survives a restart.
//
// Layout: keys are spread over `shards` shards by hash. Each shard holds a
// hash map (point reads/writes) plus an ordered index of the same keys, so
// ScanPrefix/DeletePrefix are range scans in every shard, merged into one
// ascending list — never a walk of unrelated keys. A shard is guarded by a
// reader/writer lock: Gets on any shards run in parallel; a write locks one
// shard.
//
// TTL: an entry put with ttl_ms > 0 expires at clock.NowMicros() + ttl. An
// expired entry is never returned (Get, GetMultiple, ScanPrefix check the
// clock) even before it is reclaimed; a sweeper thread (every
// sweep_interval_ms) removes expired entries using a per-shard expiry index,
// so a sweep costs O(expired), not O(keys). SweepExpired() does the same on
// demand (tests with a FakeClock call it).
//
// Bytes: stats().bytes is exactly the sum of key.size() + value.size() over
// held entries (including expired entries not yet swept). With a byte budget
// (max_bytes > 0) each shard keeps within max_bytes / shards by evicting
// entries in CLOCK order (a second-chance approximation of LRU: a Get marks
// an entry referenced); an entry larger than a shard's budget is refused with
// kResourceExhausted.
//
// Thread-safety: every method may be called concurrently from any thread.
// Ownership: borrows the Clock (must outlive the backend); owns its sweeper
// thread, which the destructor stops and joins.
#pragma once

#include <cstdint>
#include <memory>

#include "finex/backend/backend.h"
#include "finex/core/clock.h"

namespace finex::backend {

struct MemoryBackendOptions {
  // Number of shards; REQUIRES 1..4096. Default: 16.
  size_t shards = 16;
  // How often the sweeper thread reclaims expired entries; 0 = no sweeper
  // (expired entries are still never returned; call SweepExpired()).
  // Default: 1000 ms.
  int64_t sweep_interval_ms = 1000;
  // Clock for TTLs; nullptr = SystemClock(). Borrowed. Default: nullptr.
  Clock* clock = nullptr;
  // Byte budget (keys + values); 0 = unlimited. Default: 0.
  uint64_t max_bytes = 0;
};

class MemoryBackend;

// REQUIRES: options are valid (see MemoryBackendOptions); aborts otherwise.
std::unique_ptr<Backend> NewMemoryBackend(const MemoryBackendOptions& options = {});

class MemoryBackend final : public Backend {
 public:
  // REQUIRES: options are valid; aborts otherwise.
  explicit MemoryBackend(const MemoryBackendOptions& options = {});
  ~MemoryBackend() override;
  MemoryBackend(const MemoryBackend&) = delete;
  MemoryBackend& operator=(const MemoryBackend&) = delete;

  std::string_view name() const override { return "memory"; }
  bool supports_ttl() const override { return true; }
  bool durable() const override { return false; }
  bool in_process() const override { return true; }
  BackendStats stats() const override;
  // Reports evictions (byte budget) and TTL sweeps (Backend::SetDropListener).
  void SetDropListener(DropListener listener) override;

  // Removes every entry whose TTL has passed; returns how many.
  size_t SweepExpired();

 private:
  struct Shard;

  Result<std::optional<Bytes>> DoGet(std::string_view key) override;
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override;
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override;
  Status DoDelete(std::string_view key) override;
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override;
  Result<size_t> DoDeletePrefix(std::string_view prefix) override;

  Shard& ShardFor(std::string_view key) const;
  void SweeperLoop();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace finex::backend
