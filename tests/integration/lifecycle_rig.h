// Shared rig of the lifecycle tests (issue 7 "Must show"): `finex sim` in
// process on a loopback port, and a SmartCache built from the same parts
// OpenEngine uses (memory backend, Parquet codec, libcurl, the Yahoo adapter
// pointed at the simulator) but assembled here so a test can choose the
// eviction policy and budgets, read the stored fragments' metadata (final,
// expires_at) and see the exact ranges asked upstream (RecordingHttp).
// One FakeClock is shared by the simulator, the backend and the cache.
//
// Thread-safety: RecordingHttp is thread-safe; a Rig is used from one test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/smart_cache.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/fragment/fragment.h"
#include "finex/key/cache_key.h"
#include "finex/provider/curl_http_client.h"
#include "finex/provider/factory.h"
#include "finex/sim/simulator.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/status_matchers.h"

namespace finex::lifecycle {

inline Timestamp T(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour + mm * 60 + ss;
}
inline Timestamp EndOf(int y, int m, int d) { return T(y, m, d) + kSecondsPerDay - 1; }

// Value of query parameter `name` in `url`, or -1.
inline Timestamp QueryInt(const std::string& url, const std::string& name) {
  const std::string needle = name + "=";
  for (size_t pos = url.find(needle); pos != std::string::npos; pos = url.find(needle, pos + 1)) {
    if (pos == 0 || url[pos - 1] == '?' || url[pos - 1] == '&')
      return std::strtoll(url.c_str() + pos + needle.size(), nullptr, 10);
  }
  return -1;
}

// Forwards to libcurl and records every URL asked.
class RecordingHttp final : public provider::HttpClient {
 public:
  Result<provider::HttpResponse> Get(const provider::HttpRequest& req) override {
    {
      std::lock_guard lock(mu_);
      urls_.push_back(req.url);
    }
    return curl_.Get(req);
  }
  std::vector<std::string> TakeUrls() {
    std::lock_guard lock(mu_);
    return std::exchange(urls_, {});
  }
  // Ranges [period1, period2) of the chart calls recorded since the last Take.
  std::vector<TimeRange> TakeChartRanges() {
    std::vector<TimeRange> out;
    for (const std::string& u : TakeUrls())
      if (u.find("/v8/finance/chart/") != std::string::npos)
        out.push_back({QueryInt(u, "period1"), QueryInt(u, "period2")});
    return out;
  }

 private:
  provider::CurlHttpClient curl_;
  std::mutex mu_;
  std::vector<std::string> urls_;
};

struct RigOptions {
  cache::EvictionKind eviction = cache::EvictionKind::kGdsf;
  uint64_t hot_tier_bytes = 0;     // 0 = unlimited
  uint64_t backend_max_bytes = 0;  // 0 = unlimited
  Timestamp start = T(2024, 3, 15, 15);
  std::string sim_data_dir;  // `finex sim --data`; "" = generator only
};

// The memory budget whose 85% are the hot tier and the store (OpenEngine's split).
inline uint64_t BudgetOf(const RigOptions& o) {
  return (o.hot_tier_bytes + o.backend_max_bytes) * 100 / 85;
}

struct Rig {
  explicit Rig(const RigOptions& o = {}) : clock(o.start) {
    sim::SimOptions so;
    so.listen = "127.0.0.1:0";
    so.clock = &clock;
    so.data_dir = o.sim_data_dir;
    auto s = sim::Simulator::Start(so);
    FINEX_CHECK(s.ok());
    sim = std::move(s).value();
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.max_bytes = o.backend_max_bytes;
    backend = backend::NewMemoryBackend(mo);
    codec = codec::NewParquetCodec();
    provider::ProviderConfig pc;
    pc.base_url = sim->BaseUrl("yahoo");
    auto y = provider::OpenProvider(provider::ProviderId::kYahoo, pc, http, clock);
    FINEX_CHECK(y.ok());
    yahoo = std::move(y).value();
    cache::SmartCacheDeps deps;
    deps.backend = backend.get();
    deps.codec = codec.get();
    deps.clock = &clock;
    deps.providers.push_back({yahoo.get(), {}});
    cache::SmartCacheOptions co;
    co.eviction = o.eviction;
    co.hot_tier_bytes = o.hot_tier_bytes;
    // The memory backend keeps its bytes in this process: they count in
    // memory_bytes, as do the registry and the assembler's memos. As
    // OpenEngine splits it, the hot tier and the store get 85% of the budget.
    if (o.hot_tier_bytes > 0 && o.backend_max_bytes > 0) co.memory_budget_bytes = BudgetOf(o);
    co.max_parallel = 2;
    api = cache::NewSmartCache(std::move(deps), co);
  }
  ~Rig() {
    api.reset();
    if (sim) sim->Stop();
  }

  Result<cache::HistoryResult> H(const std::string& sym, Interval iv, Timestamp s, Timestamp e,
                                 FieldSet f = FieldSet::Ohlcv()) {
    cache::HistoryOptions o;
    o.interval = iv;
    o.start = s;
    o.end = e;
    o.fields = f;
    return api->History(std::span<const std::string>(&sym, 1), o);
  }
  int64_t Calls() const { return sim->stats().total; }

  // The fragments stored for a series, with the metadata the cache wrote.
  std::vector<fragment::Fragment> Fragments(const std::string& sym, Interval iv) {
    std::vector<fragment::Fragment> out;
    auto prefix = key::SeriesPrefix(sym, iv);
    if (!prefix.ok()) return out;
    auto keys = backend->ScanPrefix(*prefix);
    if (!keys.ok()) return out;
    for (const std::string& k : *keys) {
      auto v = backend->Get(k);
      if (!v.ok() || !*v) continue;
      auto f = fragment::FragmentFromKey(k, 0);
      auto d = codec->Decode(**v);
      if (!f.ok() || !d.ok() || !fragment::ApplyMetadata(d->metadata, &*f).ok()) continue;
      out.push_back(std::move(f).value());
    }
    return out;
  }

  finex::testing::FakeClock clock;
  std::unique_ptr<sim::Simulator> sim;
  RecordingHttp http;
  std::unique_ptr<backend::Backend> backend;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<provider::Provider> yahoo;
  std::unique_ptr<cache::CachedApi> api;
};

}  // namespace finex::lifecycle
