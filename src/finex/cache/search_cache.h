// SearchCache: symbol-search answers, kept for the search TTL (ttl_policy.h;
// one day by default) per (provider asked, lower-cased query). A miss asks
// the providers in LookupOrder until one answers; when all fail, an expired
// answer is served (stale-if-error, info.stale).
//
// Thread-safety: thread-safe (one mutex for the entries, never held across
// provider calls). Ownership: borrows roster, stats and clock.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/cache/providers.h"
#include "finex/cache/stats.h"
#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/fragment/ttl_policy.h"

namespace finex::cache {

class SearchCache {
 public:
  SearchCache(const ProviderRoster& providers, StatsRecorder& stats, Clock& clock,
              fragment::TtlOptions ttl);

  // REQUIRES: query normalized (NormalizeSearchQuery) and opts.provider
  // configured or "". At most opts.limit results (0 = 20; capped at 100).
  Result<SearchResults> Get(std::string_view query, const SearchOptions& opts) FINEX_EXCLUDES(mu_);

 private:
  struct Entry {
    std::vector<SearchResult> results;
    Timestamp expires = 0;
  };
  const ProviderRoster& providers_;
  StatsRecorder& stats_;
  Clock& clock_;
  const fragment::TtlOptions ttl_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ FINEX_GUARDED_BY(mu_);  // provider|query
};

}  // namespace finex::cache
