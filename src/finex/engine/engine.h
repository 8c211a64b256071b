// Engine: the owning bundle behind a CachedApi — backends, codec, providers
// (with their HTTP client, rate limiters, breakers), calendars, the clock and
// background workers — built from plain options. server/ and cli/ translate
// finex.toml (+ env + flags) into EngineOptions and call OpenEngine; library
// users may do the same directly.
//
// Thread-safety: api() is thread-safe (see cached_api.h). Ownership: the
// Engine owns everything it builds; the Clock in options (if given) is
// borrowed and must outlive the Engine.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/clock.h"
#include "finex/core/status.h"

namespace finex::engine {

struct ProviderOptions {
  bool enabled = true;
  std::string base_url;  // e.g. "http://127.0.0.1:9100/yahoo"; "" = the real provider
  int timeout_ms = 5000;
  std::string plan = "auto";       // provider::ProviderConfig::plan: auto | free | premium
  double rate_limit_per_min = 60;  // token bucket
  int64_t calls_per_day = 0;       // daily budget, reset at 00:00 UTC; 0 = none
  std::string api_key;             // resolved from the env var named in config; never logged
  int max_retries = 2;
  int breaker_failures = 5;     // consecutive failures that open the breaker
  int breaker_open_ms = 30000;  // how long it stays open before half-open
};

struct EngineOptions {
  // Backend for L2 / persistence: "memory" | "redis" | "postgres" | "parquet_dir" |
  // "influxdb".
  std::string backend = "memory";
  // redis://... or redis-sentinel://host:port,.../db#master.
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string influxdb_url = "http://127.0.0.1:8086";  // InfluxDB 1.x HTTP API
  std::string influxdb_database = "finex";
  std::string postgres_dsn;                 // libpq connection string
  std::string parquet_dir;                  // root directory for parquet_dir
  std::string fragment_size = "optimized";  // "small" | "optimized"
  double ttl_multiplier = 1.0;
  int64_t live_refresh_s = 0;  // forming-bar refresh period; 0 = per interval (ttl_policy.h)
  bool prefetch_enabled = false;
  bool monitoring_enabled = true;
  int64_t max_memory_mb = 8192;          // budget for cached data (hot tier + memory backend)
  std::map<std::string, bool> features;  // experimental flags
  std::map<std::string, ProviderOptions> providers;  // by provider name
  std::vector<std::string> provider_order;           // fallback order when none is named
  Clock* clock = nullptr;                            // nullptr = SystemClock(); borrowed
  // Fan-out of one request: symbols in parallel, and fetches of one symbol
  // in parallel, each up to this many; the engine's pool has its square
  // (at most 256 threads), shared by every request.
  int worker_threads = 4;
  // How often the heap trimmer looks at RSS; it gives the free heap pages
  // back once RSS grew by max(2 MiB, 2.5%) since its last trim, and once more
  // after the burst (core/heap_trim.h:
  // eviction churn and refetch bursts otherwise ratchet RSS up); 0 = never.
  int64_t heap_trim_interval_ms = 1000;
};

// Health of a shared backend tier (Redis behind the in-process L1).
struct BackendHealth {
  std::string name;  // "redis"
  bool degraded = false;
  std::string last_error;
  int64_t degraded_for_ms = 0;
  uint64_t degradations = 0, recoveries = 0;
  int64_t last_outage_ms = 0;  // the last finished outage: the recovery time
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual cache::CachedApi& api() = 0;
  // One entry per shared backend tier (empty for a lone memory, postgres or
  // parquet_dir backend). Thread-safe.
  virtual std::vector<BackendHealth> backend_health() const { return {}; }
};

// Builds the engine; InvalidArgument naming the option at fault, Unavailable
// when a configured backend cannot be reached at start.
Result<std::unique_ptr<Engine>> OpenEngine(const EngineOptions& opts);

}  // namespace finex::engine
