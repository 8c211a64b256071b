// QuoteCache: latest quotes, kept for the quote TTL (ttl_policy.h; 15 s by
// default) per (provider asked, symbol). Missing symbols are asked of the
// providers in LookupOrder, batched per provider (one call per batch), each
// provider asked only for symbols it handles when none is named; a symbol
// one provider does not know is asked of the next. When every provider
// fails, an expired quote is served (stale-if-error, info.stale). A partial
// answer names the symbols it lacks in info.note.
//
// Thread-safety: thread-safe (one mutex for the entries, never held across
// provider calls). Ownership: borrows roster, stats and clock.
#pragma once

#include <span>
#include <string>
#include <unordered_map>

#include "finex/cache/cached_api.h"
#include "finex/cache/providers.h"
#include "finex/cache/stats.h"
#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/fragment/ttl_policy.h"

namespace finex::cache {

class QuoteCache {
 public:
  QuoteCache(const ProviderRoster& providers, StatsRecorder& stats, Clock& clock,
             fragment::TtlOptions ttl);

  // REQUIRES: symbols validated (ValidateSymbols) and opts.provider
  // configured or "". NotFound (param "symbols") when no provider knows any
  // of them; the provider error when all failed and nothing is cached.
  Result<QuoteResult> Get(std::span<const std::string> symbols, const QuoteOptions& opts)
      FINEX_EXCLUDES(mu_);

 private:
  struct Entry {
    finex::Quote quote;
    Timestamp expires = 0;
  };
  const ProviderRoster& providers_;
  StatsRecorder& stats_;
  Clock& clock_;
  const fragment::TtlOptions ttl_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ FINEX_GUARDED_BY(mu_);  // provider|symbol
};

}  // namespace finex::cache
