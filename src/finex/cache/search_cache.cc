#include "finex/cache/search_cache.h"

#include <optional>

#include "finex/cache/request.h"

namespace finex::cache {
SearchCache::SearchCache(const ProviderRoster& providers, StatsRecorder& stats, Clock& clock,
                         fragment::TtlOptions ttl)
    : providers_(providers), stats_(stats), clock_(clock), ttl_(ttl) {}

Result<SearchResults> SearchCache::Get(std::string_view qv, const SearchOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  const size_t limit = opts.limit == 0 ? 20 : std::min<size_t>(opts.limit, 100);
  const std::string key = opts.provider + "|" + Lower(qv);
  const Timestamp now = clock_.Now();
  SearchResults r;
  auto finish = [&](std::vector<SearchResult> results) {
    r.results = std::move(results);
    if (r.results.size() > limit) r.results.resize(limit);
    r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
    return r;
  };
  std::optional<std::vector<SearchResult>> stale;
  {
    MutexLock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (now < it->second.expires) {
        r.info.hit_rate = 1;
        stats_.RecordLookup(true);
        return finish(it->second.results);
      }
      stale = it->second.results;
    }
  }
  stats_.RecordLookup(false);
  Status failure = UnavailableError("no provider is configured");
  const Status gate = opts.gate ? opts.gate() : OkStatus();  // refused: no provider is asked
  if (!gate.ok()) failure = gate;
  for (const std::string& name :
       gate.ok() ? providers_.LookupOrder(opts.provider) : std::vector<std::string>{}) {
    auto res = providers_.Find(name)->Search(qv);
    stats_.RecordProviderCalls(name, res.ok() ? 1 : UpstreamCalls(res.status()));
    r.info.api_calls_made += 1;
    if (!res.ok()) {
      failure = res.status();
      if (!opts.provider.empty()) break;
      continue;
    }
    {
      MutexLock lock(mu_);
      entries_[key] = Entry{*res, now + fragment::SearchTtl(ttl_)};
    }
    return finish(std::move(res).value());
  }
  if (!stale) return failure;
  r.info.stale = true;
  r.info.note = "provider failed (" + failure.ToString() + "); served cached results";
  return finish(std::move(*stale));
}

}  // namespace finex::cache
