// Backend: a thread-safe byte store for encoded fragments, keyed by
// key::CacheKey::Encode() strings. Backends store opaque bytes and never see a
// Frame (codec/ turns frames into bytes; cache/ puts the two together).
//
// Implementations: memory/ (primary, in-process), redis/, postgres/,
// parquet_dir/. Every implementation must pass tests/conformance.
//
// Shape (STYLE.md §3): public non-virtual wrappers validate keys and record
// metrics, then call the private Do* virtuals (NVI). Capabilities are asked
// with supports_*() — never dynamic_cast.
//
// Key rules (checked by the wrappers; InvalidArgument with param "key"):
// 1..1024 bytes, printable ASCII (0x21..0x7e), no whitespace or control bytes.
// Prefixes for ScanPrefix/DeletePrefix follow the same rules but may be empty
// only for ScanPrefix.
//
// Thread-safety: every method may be called concurrently from any thread.
// Ownership: one owner holds the std::unique_ptr<Backend>; others borrow a
// Backend& that must not outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/backend/detail/striped_counter.h"
#include "finex/core/bytes.h"
#include "finex/core/status.h"

namespace finex::backend {

// Longest TTL a Put accepts (100 years); longer is InvalidArgument.
inline constexpr int64_t kMaxTtlMs = 100LL * 365 * 24 * 3600 * 1000;

struct PutOptions {
  // Time to live in milliseconds; 0 = never expires; 0..kMaxTtlMs. Default: 0.
  int64_t ttl_ms = 0;
};

struct BackendStats {
  uint64_t keys = 0;   // live keys (may include expired-but-not-swept)
  uint64_t bytes = 0;  // key + value bytes held, as exact as the store allows
  uint64_t gets = 0, hits = 0, puts = 0, deletes = 0, errors = 0;
  uint64_t expired = 0;  // entries dropped because their TTL passed
  uint64_t evicted = 0;  // entries dropped to stay within a byte budget
  uint64_t corrupt = 0;  // values that failed integrity checks: dropped, deleted, never served
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The value, std::nullopt on miss (absent or expired), or non-OK if the
  // store failed (kUnavailable: retry later).
  Result<std::optional<Bytes>> Get(std::string_view key);
  // One result per key, in order. All-or-nothing: a store failure fails all.
  Result<std::vector<std::optional<Bytes>>> GetMultiple(std::span<const std::string> keys);
  // Stores value under key, overwriting (value and TTL). ttl_ms > 0 makes it
  // expire; ttl_ms < 0 or > kMaxTtlMs is InvalidArgument (param "ttl_ms").
  Status Put(std::string_view key, ByteView value, const PutOptions& opts = {});
  // Deleting a missing key is OK.
  Status Delete(std::string_view key);
  // Live keys starting with prefix, in ascending byte order, at most `limit`
  // (0 = all). Never walks unrelated keyspace where the store allows.
  Result<std::vector<std::string>> ScanPrefix(std::string_view prefix, size_t limit = 0);
  // Deletes every key starting with prefix (non-empty); returns how many.
  Result<size_t> DeletePrefix(std::string_view prefix);
  // Health probe for /readyz: OK when the store answers.
  Status Ping();

  virtual std::string_view name() const = 0;
  // Whether PutOptions::ttl_ms is enforced by the store.
  virtual bool supports_ttl() const { return true; }
  // Whether data survives a process restart.
  virtual bool durable() const { return false; }
  // Whether other processes may write to the store, so keys this process
  // never wrote can appear (Redis, PostgreSQL, a directory). The cache then
  // rescans a series before paying for a fetch.
  virtual bool shared() const { return false; }
  // Whether the stored bytes live in this process's memory, so stats().bytes
  // count toward the memory budget (memory backend, a memory L1 in front).
  virtual bool in_process() const { return false; }
  virtual BackendStats stats() const = 0;

  // Called with each key the store drops on its own — evicted for its byte
  // budget or reclaimed after its TTL — so an index of keys (the cache's
  // registry) can forget it at once instead of holding it until a read
  // misses. Called after the fact, on the thread that dropped the key, with
  // no lock of the store held; keys deleted through Delete/DeletePrefix are
  // not reported. Stores that cannot tell (remote ones) never call it.
  // Replaces any earlier listener; nullptr clears it. Once this returns, the
  // previous listener is not running and is never called again (so its
  // owner may go away).
  using DropListener = std::function<void(std::string_view key)>;
  virtual void SetDropListener(DropListener listener) { (void)listener; }

 protected:
  // Adds the operation counters the public wrappers keep (gets, hits, puts,
  // deletes, errors) to *s. Implementations call it from stats(); they fill
  // keys, bytes, expired and evicted themselves.
  void AddOpStats(BackendStats* s) const;

  // Defaults an implementation may keep or call from its override:
  // DoGetMultiple loops DoGet (first failure fails all); DoDeletePrefix scans
  // with DoScanPrefix and deletes each key with DoDelete.
  virtual Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys);
  virtual Result<size_t> DoDeletePrefix(std::string_view prefix);
  virtual Status DoPing() { return OkStatus(); }

 private:
  // Called only after the public wrapper validated the arguments.
  virtual Result<std::optional<Bytes>> DoGet(std::string_view key) = 0;
  virtual Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) = 0;
  virtual Status DoDelete(std::string_view key) = 0;
  virtual Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) = 0;

  // Counted by the public wrappers. `errors` counts store failures (non-OK
  // results from Do*), not rejected arguments.
  detail::StripedCounter gets_, hits_, puts_, deletes_, errors_;
};

// Longest key a backend accepts.
inline constexpr size_t kMaxBackendKeyLength = 1024;

// Validates a key per the rules above (InvalidArgument, param "key").
Status ValidateBackendKey(std::string_view key);
// Validates a ScanPrefix/DeletePrefix prefix: the key rules, except that it
// may be empty when allow_empty (InvalidArgument, param "prefix").
Status ValidateBackendPrefix(std::string_view prefix, bool allow_empty);

}  // namespace finex::backend
