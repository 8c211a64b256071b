// FetchExecutor: carries out a plan's fetches (fragment::Plan) — the one
// place provider calls for history are made:
//   - providers are tried in the plan's order (the request's own alone);
//     each fallback re-plans what is still missing for its own limits;
//   - one plan's fetches run in parallel on the engine's Executor (at most
//     max_parallel at once; rate limits live in the ResilientProvider);
//   - every answer is stored through the Ingester, whatever else happens;
//   - a provider that answered in another currency than asked is remembered
//     for a day (a negative cache: no repeat call); the request fails with
//     a currency mismatch (IsCurrencyMismatch) and SmartCache converts;
//   - a call refused as beyond the provider's reach teaches the roster a
//     shorter lookback (ProviderRoster::LearnLookback: the days the refusal
//     states, else half the call's reach back) and is asked again within
//     it; what lies beyond is unreachable, never a failure of data the
//     provider does serve;
//   - an error that will not change by retrying (bad request, no API key)
//     stops the fallback; an earlier provider's "no such symbol" beats a
//     later one's refusal.
// Columns one call carries anyway are always asked for (FetchFields), so a
// later request for adj_close is a hit.
//
// Thread-safety: thread-safe. Ownership: borrows everything it is given
// (must outlive it); owns the currency negative cache.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "finex/cache/ingest.h"
#include "finex/cache/providers.h"
#include "finex/cache/stats.h"
#include "finex/core/clock.h"
#include "finex/core/executor.h"
#include "finex/core/mutex.h"
#include "finex/fragment/planner.h"

namespace finex::cache {

// Whether `s` is Execute's "the provider answered in another currency" failure.
bool IsCurrencyMismatch(const Status& s);

// The fields a fetch for `asked` requests: asked ∪ ohlcv ∪ adj_close.
FieldSet FetchFields(FieldSet asked);

struct FetchOutcome {
  int api_calls = 0;                   // upstream calls made (retries included)
  std::vector<std::string> providers;  // that answered with data
  std::vector<FramePtr> unstored;      // answers served this once, not stored
};

class FetchExecutor {
 public:
  FetchExecutor(const ProviderRoster& providers, const fragment::Planner& planner,
                Ingester& ingester, StatsRecorder& stats, Executor& executor, Clock& clock,
                size_t max_parallel);

  // Runs plan.fetches for pr (see file comment), adding to *out. OK when
  // every gap was fetched and stored (or served as unstored); otherwise the
  // most telling provider error (Unavailable when none said more).
  Status Execute(const fragment::Plan& plan, const fragment::PlanRequest& pr,
                 const calendar::Calendar& cal, FetchOutcome* out) FINEX_EXCLUDES(currency_mu_);

 private:
  static constexpr size_t kMaxCurrencyMisses = 10000;

  const ProviderRoster& providers_;
  const fragment::Planner& planner_;
  Ingester& ingester_;
  StatsRecorder& stats_;
  Executor& executor_;
  Clock& clock_;
  const size_t max_parallel_;
  Mutex currency_mu_;
  // provider|symbol|interval|currency -> (native currency, until when).
  std::unordered_map<std::string, std::pair<std::string, Timestamp>> currency_misses_
      FINEX_GUARDED_BY(currency_mu_);
};

}  // namespace finex::cache
