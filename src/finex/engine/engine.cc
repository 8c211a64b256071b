#include "finex/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/coordination.h"
#include "finex/cache/prefetcher.h"
#include "finex/cache/smart_cache.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/executor.h"
#include "finex/core/heap_trim.h"
#include "finex/core/symbol.h"
#include "finex/fragment/alignment.h"
#include "finex/provider/curl_http_client.h"
#include "finex/provider/factory.h"
#include "finex/provider/resilience/resilient_provider.h"
// Optional backends (FINEX_WITH_REDIS / _POSTGRES / _PARQUET): engine/ is the
// one module that knows which were built; the definitions come from its
// CMakeLists.
#if FINEX_ENGINE_WITH_REDIS
#include "finex/backend/redis/redis_tier.h"
#include "finex/engine/redis_coordinator.h"
#endif
#if FINEX_ENGINE_WITH_POSTGRES
#include "finex/backend/postgres/postgres_backend.h"
#include "finex/backend/tiered/tiered_backend.h"
#endif
#if FINEX_ENGINE_WITH_PARQUET_DIR
#include "finex/backend/parquet_dir/parquet_dir_backend.h"
#endif
#if FINEX_ENGINE_WITH_INFLUXDB
#include "finex/backend/influxdb/influxdb_backend.h"
#include "finex/backend/tiered/tiered_backend.h"
#include "finex/key/cache_key.h"
#endif

namespace finex::engine {

using cache::CachedApi;
using cache::Coordinator;
using cache::Prefetcher;
using cache::PrefetchSeries;
namespace {

// Owns every service the SmartCache borrows; members are destroyed in
// reverse order, so the cache (last) goes first.
class EngineImpl final : public Engine {
 public:
  CachedApi& api() override { return *api_; }
  std::vector<BackendHealth> backend_health() const override {
    std::vector<BackendHealth> out;
#if FINEX_ENGINE_WITH_REDIS
    if (tiered) {
      const backend::TieredHealth h = tiered->health();
      out.push_back({"redis", h.degraded, h.last_error, h.degraded_for_ms, h.degradations,
                     h.recoveries, h.last_outage_ms});
    }
#endif
    return out;
  }

  Clock* clock = nullptr;
  std::shared_ptr<void> shared_tier;   // Redis client + leases behind a shared backend
  Coordinator* coordinator = nullptr;  // owned by shared_tier; nullptr = a lone node
  std::unique_ptr<backend::Backend> backend;
#if FINEX_ENGINE_WITH_REDIS
  backend::TieredBackend* tiered = nullptr;  // `backend` when it is the Redis tier
#endif
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<provider::HttpClient> http;
  std::vector<std::unique_ptr<provider::ResilientProvider>> providers;
  std::unique_ptr<Executor> executor;      // request fan-out; outlives the cache
  std::unique_ptr<Prefetcher> prefetcher;  // stopped after the cache detached it
  std::unique_ptr<CachedApi> api_;
  std::unique_ptr<HeapTrimmer> trimmer;  // last: stops first
};

// max_memory_mb bounds ALL cached data held in this process: 45% for the
// encoded fragments of an in-process store (memory backend, memory L1 in
// front of Redis), 40% for the hot tier of decoded frames, and the rest for
// what indexes them (the registry: ~0.6 KB per stored piece, counted in
// memory_bytes). 0 = unlimited.
// The engine's fan-out pool never exceeds this many threads.
constexpr int kMaxPoolThreads = 256;

uint64_t BudgetShare(const EngineOptions& o, uint64_t percent) {
  return o.max_memory_mb > 0 ? (static_cast<uint64_t>(o.max_memory_mb) << 20) / 100 * percent : 0;
}
uint64_t StoreBudget(const EngineOptions& o) { return BudgetShare(o, 45); }
uint64_t HotBudget(const EngineOptions& o) { return BudgetShare(o, 40); }

#if FINEX_ENGINE_WITH_INFLUXDB
// The bars of a fragment being stored in InfluxDB, as points of measurement
// `bars` (docs/backends.md "InfluxDB"); "" for keys that are not OHLCV
// fragments or values that do not decode. backend/ cannot decode (it must
// not know codec/), so the engine does.
std::string InfluxBarPoints(const codec::FrameCodec& codec, std::string_view key, ByteView value) {
  auto k = key::CacheKey::Parse(key);
  if (!k.ok() || k->is_empty_answer() || !k->fields.Has(FieldSet::kOhlcv)) return "";
  auto d = codec.Decode(value);
  if (!d.ok() || d->frame == nullptr) return "";
  const Frame& f = *d->frame;
  const size_t n = f.rows();
  auto col = [n](const DoubleColumn& c) {
    std::vector<double> v(n, NAN);
    for (size_t i = 0; i < n && i < c.size(); ++i)
      if (c.IsValid(i)) v[i] = c[i];
    return v;
  };
  std::vector<double> volume(n, NAN);
  for (size_t i = 0; i < n && i < f.volume().size(); ++i)
    if (f.volume().IsValid(i)) volume[i] = static_cast<double>(f.volume()[i]);
  return backend::FormatBarPoints(
      {k->symbol, std::string(IntervalName(k->interval)), k->provider, k->currency},
      f.timestamps().values(), col(f.open()), col(f.high()), col(f.low()), col(f.close()), volume);
}
#endif

Result<std::unique_ptr<backend::Backend>> OpenBackend(const EngineOptions& o, Clock& clock,
                                                      std::shared_ptr<void>* keep_alive,
                                                      Coordinator** coordinator, void** tiered) {
  if (o.backend == "memory") {
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.max_bytes = StoreBudget(o);
    return NewMemoryBackend(mo);
  }
  if (o.backend == "redis") {
#if FINEX_ENGINE_WITH_REDIS
    // Memory L1 + Redis L2 shared by every node (issue 6); starts degraded
    // (L1 only) while Redis is down.
    backend::RedisOptions ro;
    ro.url = o.redis_url;
    backend::TieredOptions to;
    to.l1_max_bytes = StoreBudget(o);
    auto tier = backend::OpenSharedRedisTier(ro, to);
    if (!tier.ok()) return tier.status().WithParam("redis_url");
    auto coord = std::make_shared<RedisCoordinator>(tier->client, std::move(tier->leases),
                                                    tier->backend.get());
    FINEX_RETURN_IF_ERROR(coord->StartBus());
    *coordinator = coord.get();
    *keep_alive = coord;
    *tiered = tier->backend.get();
    return std::unique_ptr<backend::Backend>(std::move(tier->backend));
#else
    return UnimplementedError("backend 'redis' is not built into this finex").WithParam("backend");
#endif
  }
  if (o.backend == "postgres") {
#if FINEX_ENGINE_WITH_POSTGRES
    // A durable archive: the hot tier of decoded frames stays in front of it.
    if (o.postgres_dsn.empty())
      return InvalidArgumentError("backend 'postgres' needs a dsn ([backends.postgres] dsn)")
          .WithParam("postgres_dsn");
    backend::PostgresOptions po;
    po.dsn = o.postgres_dsn;
    auto b = backend::OpenPostgresBackend(po);
    if (!b.ok()) return b.status().WithParam("postgres_dsn");
    // Degrades like Redis (issue 15): a memory L1 in front, L2 skipped while
    // PostgreSQL is down and used again within ~1 s of it coming back.
    backend::TieredOptions to;
    to.l1_max_bytes = StoreBudget(o);
    return std::unique_ptr<backend::Backend>(backend::NewTieredBackend(std::move(b).value(), to));
#else
    return UnimplementedError(
               "backend 'postgres' is not built into this finex (FINEX_WITH_POSTGRES=OFF)")
        .WithParam("backend");
#endif
  }
  if (o.backend == "parquet_dir") {
#if FINEX_ENGINE_WITH_PARQUET_DIR
    if (o.parquet_dir.empty())
      return InvalidArgumentError(
                 "backend 'parquet_dir' needs a directory ([backends.parquet_dir] path)")
          .WithParam("parquet_dir");
    backend::ParquetDirOptions po;
    po.root = o.parquet_dir;
    auto b = backend::OpenParquetDirBackend(po);
    if (!b.ok()) return b.status().WithParam("parquet_dir");
    return std::move(b).value();
#else
    return UnimplementedError(
               "backend 'parquet_dir' is not built into this finex (FINEX_WITH_PARQUET=OFF)")
        .WithParam("backend");
#endif
  }
  if (o.backend == "influxdb") {
#if FINEX_ENGINE_WITH_INFLUXDB
    // A memory L1 in front (degrades like Redis); every stored fragment's
    // bars also become InfluxQL-queryable points.
    backend::InfluxDbOptions io;
    io.url = o.influxdb_url;
    io.database = o.influxdb_database;
    std::shared_ptr<codec::FrameCodec> codec = codec::NewParquetCodec();
    io.bar_points = [codec](std::string_view key, ByteView value) {
      return InfluxBarPoints(*codec, key, value);
    };
    auto b = backend::OpenInfluxDbBackend(io);
    if (!b.ok()) return b.status().WithParam("influxdb_url");
    backend::TieredOptions to;
    to.l1_max_bytes = StoreBudget(o);
    return std::unique_ptr<backend::Backend>(backend::NewTieredBackend(std::move(b).value(), to));
#else
    return UnimplementedError(
               "backend 'influxdb' is not built into this finex (FINEX_WITH_INFLUXDB=OFF)")
        .WithParam("backend");
#endif
  }
  return InvalidArgumentError("backend '" + Printable(o.backend, 32) +
                              "' is not one of memory, redis, postgres, parquet_dir, influxdb")
      .WithParam("backend");
}

}  // namespace

Result<std::unique_ptr<Engine>> OpenEngine(const EngineOptions& opts) {
  auto e = std::make_unique<EngineImpl>();
  e->clock = opts.clock ? opts.clock : &SystemClock();
  FINEX_ASSIGN_OR_RETURN(fragment::FragmentSize size,
                         fragment::ParseFragmentSize(opts.fragment_size));
  if (!(opts.ttl_multiplier > 0))
    return InvalidArgumentError("ttl_multiplier must be > 0").WithParam("ttl_multiplier");
  if (opts.max_memory_mb < 0)
    return InvalidArgumentError("max_memory_mb must be >= 0").WithParam("max_memory_mb");
  if (opts.worker_threads < 1 || opts.worker_threads > 256)
    return InvalidArgumentError("worker_threads must be in 1..256").WithParam("worker_threads");
  if (opts.heap_trim_interval_ms < 0)
    return InvalidArgumentError("heap_trim_interval_ms must be >= 0")
        .WithParam("heap_trim_interval_ms");
  void* tiered = nullptr;
  FINEX_ASSIGN_OR_RETURN(e->backend,
                         OpenBackend(opts, *e->clock, &e->shared_tier, &e->coordinator, &tiered));
#if FINEX_ENGINE_WITH_REDIS
  e->tiered = static_cast<backend::TieredBackend*>(tiered);
#endif
  e->codec = codec::NewParquetCodec();
  e->http = std::make_unique<provider::CurlHttpClient>();

  // Providers: the fallback order first, then the rest by name.
  std::vector<std::string> names = opts.provider_order;
  for (const auto& [name, po] : opts.providers)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  cache::SmartCacheDeps deps;
  for (const std::string& name : names) {
    auto it = opts.providers.find(name);
    if (it == opts.providers.end())
      return InvalidArgumentError("provider_order names '" + Printable(name, 32) +
                                  "', which is not configured")
          .WithParam("provider_order");
    const ProviderOptions& po = it->second;
    if (!po.enabled) continue;
    FINEX_ASSIGN_OR_RETURN(provider::ProviderId id, provider::ParseProviderId(name));
    if (!(po.rate_limit_per_min > 0))
      return InvalidArgumentError("providers." + name + ".rate_limit_per_min must be > 0")
          .WithParam("rate_limit_per_min");
    provider::ProviderConfig pc;
    pc.base_url = po.base_url;
    pc.api_key = po.api_key;
    pc.timeout_ms = po.timeout_ms;
    pc.plan = po.plan;
    auto adapter = provider::OpenProvider(id, pc, *e->http, *e->clock);
    if (!adapter.ok()) return adapter.status().WithContext("providers." + name);
    provider::ResilienceOptions ro;
    ro.limiter.per_minute = po.rate_limit_per_min;
    if (po.calls_per_day < 0)
      return InvalidArgumentError("providers." + name + ".calls_per_day must be >= 0")
          .WithParam("calls_per_day");
    ro.calls_per_day = po.calls_per_day;
    ro.retry.max_attempts = std::max(1, po.max_retries + 1);
    ro.breaker.failure_threshold = std::max(1, po.breaker_failures);
    ro.breaker.open_duration_ms = std::max(1, po.breaker_open_ms);
    auto rp =
        std::make_unique<provider::ResilientProvider>(std::move(adapter).value(), ro, *e->clock);
    provider::ResilientProvider* raw = rp.get();
    deps.providers.push_back(
        {raw, [raw] { return raw->Health().score; },
         [raw] { return std::string(provider::BreakerStateName(raw->Health().breaker)); },
         [raw] { return raw->Health().daily_calls_remaining; }});
    e->providers.push_back(std::move(rp));
  }
  deps.backend = e->backend.get();
  deps.codec = e->codec.get();
  deps.clock = e->clock;
  deps.coordinator = e->coordinator;
  cache::SmartCacheOptions so;
  so.planner.fragment_size = size;
  // [features] aggressive_widening = false keeps fetches to whole fragment
  // buckets (docs/planner.md); default on.
  if (auto it = opts.features.find("aggressive_widening"); it != opts.features.end() && !it->second)
    so.planner.widen = fragment::WidenPolicy::kBucket;
  so.ttl.ttl_multiplier = opts.ttl_multiplier;
  so.ttl.live_refresh_s = opts.live_refresh_s;
  so.hot_tier_bytes = HotBudget(opts);
  so.memory_budget_bytes = static_cast<uint64_t>(opts.max_memory_mb) << 20;
  // One request fans out to at most worker_threads symbols at a time, each
  // to at most worker_threads fetches; the engine's pool (shared by every
  // request, no thread created per request) bounds the total.
  so.max_parallel = opts.worker_threads;
  e->executor = std::make_unique<Executor>(
      std::min(opts.worker_threads * opts.worker_threads, kMaxPoolThreads));
  deps.executor = e->executor.get();
  if (opts.prefetch_enabled) {
    // Token share of the provider that would serve the series: tokens left in
    // its bucket over the bucket size (max(1, per_minute / 12), the
    // RateLimiter default the engine uses).
    std::vector<provider::ResilientProvider*> rps;
    for (const auto& p : e->providers) rps.push_back(p.get());
    auto share = [rps](const PrefetchSeries& s) {
      for (provider::ResilientProvider* p : rps) {
        if (s.provider.empty() ? !p->Handles(s.symbol) : p->name() != s.provider) continue;
        const double burst = std::max(1.0, p->calls_per_minute() / 12);
        return std::clamp(p->Health().tokens / burst, 0.0, 1.0);
      }
      return 0.0;  // nobody serves it
    };
    e->prefetcher = std::make_unique<Prefetcher>(*e->clock, cache::PrefetcherOptions{}, share,
                                                 deps.calendar_for);
    deps.prefetcher = e->prefetcher.get();
  }
  e->api_ = cache::NewSmartCache(std::move(deps), so);
  if (e->prefetcher) e->prefetcher->Start();
  if (opts.heap_trim_interval_ms > 0)
    e->trimmer = std::make_unique<HeapTrimmer>(
        std::chrono::milliseconds(opts.heap_trim_interval_ms), uint64_t{2} << 20);
  return std::unique_ptr<Engine>(std::move(e));
}

}  // namespace finex::engine
