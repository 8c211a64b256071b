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
// bytes agree with neither its sidecar nor a pending one (read under the
// directory's shared lock, so a live writer is never mistaken for damage) is
// a miss, is deleted, and counted in stats().corrupt. Expiry uses the wall clock (shared
// by every process on the machine); expired entries are deleted when met.
//
// Writes are atomic and crash-safe: temp files (".tmp-<pid>-<random>", never
// matched by *.parquet) in the same directory, fsync, then under an exclusive
// flock(2) on "<dir>/.lock" three renames — sidecar to "<key>.parquet.fxn"
// (pending), data to "<key>.parquet", pending to "<key>.parquet.fxm" — then
// fsync the directory. Readers hold the shared flock while reading, so a value
// is never paired with another writer's sidecar, and accept data described by
// either sidecar: a writer SIGKILLed between any two renames leaves the old
// value or the new one, whole and verified, never a mismatched pair. Several
// processes may share one root (flock is per open file, cross-process, and is
// released by the kernel when a process dies: no lock outlives its holder).
// Opening runs Recover(): dead processes' temp files are removed, pending
// sidecars committed or dropped, orphaned sidecars removed.
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
  // Settle what killed processes left (ParquetDirBackend::Recover) when
  // opening. Default: true.
  bool recover_on_open = true;
};

// What ParquetDirBackend::Recover found and settled.
struct ParquetDirRecovery {
  size_t dirs_scanned = 0;
  size_t temp_files_removed = 0;       // .tmp-* of processes that are gone (or > 1 h old)
  size_t pending_committed = 0;        // a .fxn describing its data: renamed over the .fxm
  size_t pending_dropped = 0;          // a .fxn whose data rename never happened: removed
  size_t orphan_sidecars_removed = 0;  // a .fxm whose data file is gone (killed delete)
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

  // Walks the tree once and settles what processes killed mid-write or
  // mid-delete left behind (see ParquetDirRecovery); safe while other
  // processes use the root. Run by OpenParquetDirBackend; cost: one readdir
  // per directory, plus reading the few data files with a pending sidecar.
  ParquetDirRecovery Recover();
  // What the Recover run at open found (zeros when recover_on_open is off).
  const ParquetDirRecovery& recovery() const { return recovery_; }

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

  friend Result<std::unique_ptr<Backend>> OpenParquetDirBackend(const ParquetDirOptions& options);

  const ParquetDirOptions options_;
  ParquetDirRecovery recovery_;  // written once by OpenParquetDirBackend, before sharing
  mutable std::atomic<uint64_t> corrupt_{0}, expired_{0};
};

}  // namespace finex::backend
