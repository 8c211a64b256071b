// PostgresBackend: a durable archive tier over libpq.
//
// Schema (version 1, created on first use under an advisory lock, recorded in
// finex_schema_version; docs/backends.md "PostgreSQL schema"):
//   CREATE TABLE <table> (
//     key        text COLLATE "C" PRIMARY KEY,  -- byte order: prefix scans are
//     value      bytea  NOT NULL,               --   PK range scans
//     checksum   bigint NOT NULL,               -- XXH64(value), verified on read
//     series     text COLLATE "C" NOT NULL,     -- key up to its 3rd ':'
//     expires_at timestamptz,                   -- NULL = never
//     updated_at timestamptz NOT NULL DEFAULT now());
//   + index (series, key), partial index on expires_at.
// A database whose recorded version is newer than this build understands is
// refused (FailedPrecondition) rather than misread.
//
// Reads filter expired rows (server clock); a background thread deletes them
// every sweep_interval_ms in batches. Writes are upserts (INSERT ... ON
// CONFLICT DO UPDATE). Statements are prepared once per pooled connection and
// executed with binary results. A row whose value fails its checksum is a
// miss, is deleted (only if unchanged), counted in stats().corrupt, never
// served.
//
// Failure handling: a small pool; connect_timeout and statement_timeout bound
// every call; a broken connection is dropped and the call retried once on a
// fresh one; connect failures back off (25..250 ms) and fail fast meanwhile
// with kUnavailable.
//
// Thread-safety: all methods are thread-safe. Ownership: owns its
// connections and the sweeper thread (joined in the destructor).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/core/mutex.h"

struct pg_conn;

namespace finex::backend {

struct PostgresOptions {
  // libpq connection string or URL ("host=... port=... user=... dbname=..."
  // or "postgresql://user@host:port/db"). Required.
  std::string dsn;
  // Table name ([a-z_][a-z0-9_]{0,62}). Default: "finex_fragments".
  std::string table = "finex_fragments";
  // Pooled connections. Default: 4.
  int pool_size = 4;
  // Connect timeout (libpq counts whole seconds, minimum 2). Default: 2000.
  int connect_timeout_ms = 2000;
  // Server-side statement_timeout for every statement. Default: 2000 ms.
  int statement_timeout_ms = 2000;
  // Wait for a free pooled connection. Default: 1000 ms.
  int pool_wait_timeout_ms = 1000;
  // Expired-row sweep period; 0 disables the sweeper. Default: 60000 ms.
  int sweep_interval_ms = 60000;
  // When true, Open does not require the server to be up. Default: false.
  bool lazy_connect = false;
};

// InvalidArgument for bad options (empty dsn, bad table name), Unavailable
// when the server cannot be reached, FailedPrecondition for a newer schema.
Result<std::unique_ptr<Backend>> OpenPostgresBackend(const PostgresOptions& options);

class PostgresBackend final : public Backend {
 public:
  ~PostgresBackend() override;

  std::string_view name() const override { return "postgres"; }
  bool supports_ttl() const override { return true; }
  bool durable() const override { return true; }
  bool shared() const override { return true; }
  BackendStats stats() const override;

  static constexpr int kSchemaVersion = 1;

  // Deletes expired rows now; returns how many.
  Result<size_t> SweepExpired();

 private:
  friend Result<std::unique_ptr<Backend>> OpenPostgresBackend(const PostgresOptions&);
  struct Conn;
  explicit PostgresBackend(PostgresOptions options);

  Result<std::optional<Bytes>> DoGet(std::string_view key) override;
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override;
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override;
  Status DoDelete(std::string_view key) override;
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override;
  Result<size_t> DoDeletePrefix(std::string_view prefix) override;
  Status DoPing() override;

  Status EnsureSchema();
  Result<Conn*> Acquire(bool* fresh) const;
  void Release(Conn* c, bool broken) const;
  // Runs fn on a pooled connection, retrying once on a fresh connection when
  // a reused one turns out to be broken.
  template <typename Fn>
  auto WithConn(Fn&& fn, bool need_statements = true) const -> decltype(fn(std::declval<Conn&>()));
  void SweepLoop();
  // Verifies a row; on damage deletes it and returns nullopt.
  std::optional<Bytes> Verify(std::string_view key, std::string_view value, int64_t checksum);

  const PostgresOptions options_;
  mutable Mutex mu_;
  mutable CondVar cv_;
  mutable std::vector<Conn*> idle_ FINEX_GUARDED_BY(mu_);
  mutable int open_ FINEX_GUARDED_BY(mu_) = 0;
  mutable int64_t next_connect_us_ FINEX_GUARDED_BY(mu_) = 0;
  mutable int backoff_ms_ FINEX_GUARDED_BY(mu_) = 0;
  mutable std::string last_error_ FINEX_GUARDED_BY(mu_);
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
  mutable std::atomic<uint64_t> corrupt_{0}, expired_{0};
  std::atomic<bool> schema_ready_{false};
};

}  // namespace finex::backend
