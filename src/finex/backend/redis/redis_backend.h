// RedisBackend: the shared tier. Many finex nodes point at one Redis; each
// sees the fragments the others wrote (ScanPrefix rebuilds a series' fragment
// list from the index below, never by walking the keyspace).
//
// Key layout (docs/backends.md "Redis layout", version 1). The series of a
// key is its text up to the third ':' (finex:SYMBOL:INTERVAL for cache keys),
// or the whole key if it has fewer than three ':'. In the tag below '%', '{'
// and '}' of the series are percent-escaped.
//   {<series>}:v:<key>   STRING  sealed value (integrity envelope), PX = TTL
//   {<series>}:idx       ZSET    score 0, members = keys of the series (lex)
//   finex:series         ZSET    score 0, members = every series ever written
// The hash tag keeps a series (values + index) in one cluster slot. Index
// entries whose value expired or vanished are pruned by the scan script.
//
// Values are verified on read: a value that fails its checksum is a miss, is
// deleted (only if unchanged since read), counted in stats().corrupt, and is
// never returned.
//
// Thread-safety: all methods are thread-safe (pooled connections).
// Ownership: holds a shared RedisClient; the bus and lease helpers
// (redis_shared.h) may share the same client.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "finex/backend/backend.h"
#include "finex/backend/redis/redis_client.h"

namespace finex::backend {

// Opens a RedisClient with `options` and a backend over it. InvalidArgument
// for a bad URL/options, Unavailable/Unauthenticated if the server cannot be
// reached (unless options.lazy_connect).
Result<std::unique_ptr<Backend>> OpenRedisBackend(const RedisOptions& options);

class RedisBackend final : public Backend {
 public:
  // REQUIRES: client != nullptr.
  explicit RedisBackend(std::shared_ptr<RedisClient> client);

  std::string_view name() const override { return "redis"; }
  bool supports_ttl() const override { return true; }
  // Redis here runs without persistence by default; durability is the
  // server's configuration, not ours to promise.
  bool durable() const override { return false; }
  bool shared() const override { return true; }
  BackendStats stats() const override;

  const std::shared_ptr<RedisClient>& client() const { return client_; }

  // Layout helpers (exposed for tests and docs).
  static std::string SeriesOf(std::string_view key);
  static std::string DataKey(std::string_view key);
  static std::string IndexKey(std::string_view series);
  static constexpr std::string_view kSeriesSetKey = "finex:series";

 private:
  Result<std::optional<Bytes>> DoGet(std::string_view key) override;
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override;
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override;
  Status DoDelete(std::string_view key) override;
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override;
  Result<size_t> DoDeletePrefix(std::string_view prefix) override;
  Status DoPing() override;

  // Verifies a raw stored value; on damage deletes it (if unchanged) and
  // returns nullopt.
  std::optional<Bytes> Verify(std::string_view key, std::string_view raw);

  std::shared_ptr<RedisClient> client_;
  mutable std::atomic<uint64_t> corrupt_{0};
};

}  // namespace finex::backend
