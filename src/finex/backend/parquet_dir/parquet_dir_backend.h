// ParquetDirBackend: the CLI's persistent default store. One file per
// fragment, plain Parquet as the codec wrote it, in a directory tree that
// DuckDB, pandas or Spark can read directly:
//
//   <root>/<symbol>/<interval>/<key>.parquet       the value, byte for byte
//   <root>/<symbol>/<interval>/<key>.parquet.fxm   sidecar: checksum, TTL, key
//   <root>/%other/<key>.parquet (+ .fxm)           keys not shaped finex:SYM:INT:...
//
//   SELECT * FROM '<root>/AAPL/1d/*.parquet'        -- DuckDB
//
// Names are percent-escaped reversibly (A-Z a-z 0-9 . _ - are kept; a leading
// '.' and everything else become %XX; BTC/USDT -> BTC%2FUSDT), so symbols
// cannot escape the tree. Names that would exceed NAME_MAX are shortened to
// "<escaped prefix>%%<xxh64 hex>" (never produced by escaping) and the full
// key is read from the sidecar. docs/backends.md "Parquet directory layout".
//
// Sidecar ("FXPD1" text: xxh64, size, expires_at_ms or 0, key): the integrity
// check and the TTL live there so the .parquet stays untouched. A value whose
// bytes disagree with its sidecar (after re-reading twice, so a concurrent
// writer between its two renames is not mistaken for damage) is a miss, is
// deleted, and counted in stats().corrupt. Expiry uses the wall clock (shared
// by every process on the machine); expired entries are deleted when met.
//
// Writes are atomic and crash-safe: temp files (".tmp-<pid>-<random>", never
// matched by *.parquet) in the same directory, fsync, then under an exclusive
// flock(2) on "<dir>/.lock" rename data and sidecar, then fsync the directory.
// Readers hold the shared flock while reading the pair, so a value is never
// paired with another writer's sidecar. Several processes may share one root
// (flock is per open file, cross-process; no in-process-only locks). A crash
// between the two renames leaves a mismatched pair: treated as damage.
//
// Thread-safety: all methods are thread-safe. Ownership: owns nothing but
// the options; the directory is shared with other processes.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "finex/backend/backend.h"

namespace finex::backend {

struct ParquetDirOptions {
  // Root directory; created (with parents) if missing. Required.
  std::string root;
  // fsync files and directories on write. Default: true. (Tests may turn it
  // off for speed; durability then depends on the OS flushing.)
  bool fsync = true;
};

// InvalidArgument (param "root") for an empty root or one that is not a
// directory; PermissionDenied/Unavailable when it cannot be created/written.
Result<std::unique_ptr<Backend>> OpenParquetDirBackend(const ParquetDirOptions& options);

class ParquetDirBackend final : public Backend {
 public:
  explicit ParquetDirBackend(ParquetDirOptions options);

  std::string_view name() const override { return "parquet_dir"; }
  bool supports_ttl() const override { return true; }
  bool durable() const override { return true; }
  bool shared() const override { return true; }  // other processes may write the directory
  BackendStats stats() const override;

  // The data file path for key (exposed for tests and docs).
  std::string PathFor(std::string_view key) const;
  // Reversible file-name escaping.
  static std::string EscapeName(std::string_view s);
  static bool UnescapeName(std::string_view s, std::string* out);

 private:
  Result<std::optional<Bytes>> DoGet(std::string_view key) override;
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override;
  Status DoDelete(std::string_view key) override;
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override;
  Result<size_t> DoDeletePrefix(std::string_view prefix) override;
  Status DoPing() override;

  std::string DirFor(std::string_view key) const;
  // Scans one directory, appending matching live keys.
  void ScanDir(const std::string& dir, std::string_view prefix,
               std::vector<std::string>* out) const;

  const ParquetDirOptions options_;
  mutable std::atomic<uint64_t> corrupt_{0}, expired_{0};
};

}  // namespace finex::backend
