// InfluxDbBackend: the Backend interface over the InfluxDB 1.x HTTP API
// (Debian's influxdb 1.6), with libcurl.
//
// InfluxDB is a time-series database, not a key-value store; finex uses it as
// one so that an InfluxDB shop can keep finex's shared tier there, and — the
// point of it — so the cached bars themselves become queryable InfluxQL data
// (`SELECT close FROM bars WHERE symbol='AAPL'`) for Grafana and the `influx`
// CLI. docs/backends.md "InfluxDB" says what it is good for and what not.
//
// Layout (version 1), all in `database`:
//   <kv_rp>.fragments   one point per chunk of a stored value, time 0:
//     tags   k = hex(key) (hex keeps byte order and prefixes; no escaping),
//            c = chunk index ("0", "1", ...)
//     fields d = base64 of up to 48 KiB of the value (64 KiB of text: the
//                limit of an InfluxDB string field), n = chunk count,
//            g = generation (random, per Put), x = expiry (Unix ms, 0 =
//            never), h = XXH64 of the whole value (hex), key = the key
//            (chunk 0, for people looking).
//     A Put rewrites every chunk (same series + same time = overwrite); a
//     value is read back only if chunks 0..n-1 all carry chunk 0's
//     generation and the reassembled bytes match h — a concurrent Put of the
//     same key yields a miss, a damaged value a miss that is counted
//     (stats().corrupt), dropped, and never served. Chunks >= n left by an
//     earlier, longer value are ignored (and dropped with the key).
//   <kv_rp> is created with DURATION INF (finex's own retention policy: a
//     database default RP with a finite duration would drop time-0 points).
//   TTL: x is checked on every read (the local wall clock); expired keys are
//     misses, dropped when met, and a sweeper drops them in the background.
//   bars (the database's default RP): when `bar_points` is set (engine/ sets
//     it: it decodes the fragment with the codec, which backend/ must not
//     know), each Put also writes the fragment's bars as points
//     `bars,symbol=..,interval=..,provider=..,currency=.. open=..,high=..,
//     low=..,close=..,volume=.. <time>` (FormatBarPoints below).
//
// Calls: Get = one SELECT; GetMultiple = one SELECT per 100 keys (k = .. OR
// ..); Put = one /write (all chunks) [+ one for bars]; Delete/DeletePrefix =
// DROP SERIES; ScanPrefix = SELECT over chunk 0 with a regex on the hex key.
//
// Thread-safety: all methods are thread-safe (a pool of curl handles).
// Ownership: owns its curl handles and the sweeper thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/core/mutex.h"

namespace finex::backend {

struct InfluxDbOptions {
  // Server URL (http only). Default: "http://127.0.0.1:8086".
  std::string url = "http://127.0.0.1:8086";
  // Database; created if missing. Default: "finex".
  std::string database = "finex";
  // Retention policy holding the key-value points; created if missing
  // (DURATION INF). Default: "finex_kv".
  std::string kv_retention_policy = "finex_kv";
  // Basic auth (empty user = none).
  std::string user, password;
  // Connect timeout. Default: 500 ms.
  int connect_timeout_ms = 500;
  // Whole-request timeout. Default: 10000 ms.
  int request_timeout_ms = 10000;
  // Pooled curl handles. Default: 8.
  int pool_size = 8;
  // Expired-key sweep period; 0 disables it. Default: 60000 ms.
  int sweep_interval_ms = 60000;
  // When true, Open does not require the server to answer. Default: false.
  bool lazy_connect = false;
  // Optional: the bars of a fragment being stored, as line-protocol points
  // for the `bars` measurement (see FormatBarPoints); "" = none (the key is
  // not a fragment of bars, or the value does not decode). Called on Put.
  std::function<std::string(std::string_view key, ByteView value)> bar_points;
};

// InvalidArgument for bad options; Unavailable when the server does not
// answer (unless lazy_connect).
Result<std::unique_ptr<Backend>> OpenInfluxDbBackend(const InfluxDbOptions& options);

// The bars of one fragment as line protocol for measurement `bars`.
struct BarSeriesTags {
  std::string symbol, interval, provider, currency;
};
// One line per row i: timestamps_s[i] (Unix seconds) with the OHLCV fields;
// NaN fields are left out (a row with none is skipped). REQUIRES: all spans
// have the same length.
std::string FormatBarPoints(const BarSeriesTags& tags, std::span<const int64_t> timestamps_s,
                            std::span<const double> open, std::span<const double> high,
                            std::span<const double> low, std::span<const double> close,
                            std::span<const double> volume);

}  // namespace finex::backend
