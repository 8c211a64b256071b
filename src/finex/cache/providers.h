// ProviderRoster: the configured providers in fallback order, and the one
// place that answers "which provider" questions outside the history planner:
// is a named provider configured, how healthy is it, what can one call carry
// (the planner's candidates), in which order quotes and searches ask them,
// and whether any can serve at all (readiness). History's provider choice
// (request's own, then coverage and health) is the planner's (planner.h);
// this roster feeds it.
//
// Learned reach: a provider that refuses a window its facts said it serves
// ("…must be within the last 60 days", CoinGecko's 365 days for a keyless
// plan) teaches the roster a shorter lookback for that interval
// (LearnLookback); every later plan uses it (LimitsOf, Candidates) for
// kLearnedReachS, after which the facts are tried again.
//
// Thread-safety: thread-safe (the learned reach is under a lock; the rest is
// immutable); the health/breaker callbacks must be thread-safe. Ownership:
// borrows the providers and the clock (must outlive it).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/fragment/planner.h"
#include "finex/provider/provider.h"

namespace finex::cache {

// What one call carries, in the planner's terms (fragment/ does not see
// provider/): every field of `l` the planner reads. The one conversion, for
// the candidates and for re-planning a fallback or a learned reach.
fragment::FetchLimits PlannerLimits(const provider::CallLimits& l);

struct ProviderSlot {
  provider::Provider* provider = nullptr;  // borrowed; REQUIRES non-null
  // Health score 0..1 for provider choice (ResilientProvider::Health().score);
  // empty = always 1.
  std::function<double()> health;
  // Circuit-breaker state for stats ("closed" | "open" | "half_open",
  // BreakerStateName); empty = always "closed".
  std::function<std::string()> breaker;
  // Calls left today of the provider's daily budget (ResilientProvider::
  // Health().daily_calls_remaining); -1 or empty = no daily budget.
  std::function<int64_t()> daily_calls_remaining;
};

// Upstream calls a failed provider call made (retries included; 0 when it
// was refused locally, e.g. by an open breaker); 1 when unknown.
int UpstreamCalls(const Status& failed_call);

class ProviderRoster {
 public:
  // How long a learned lookback holds before the facts are tried again.
  static constexpr Timestamp kLearnedReachS = 24 * 3600;

  // `clock` dates learned reach; null = nothing is learned.
  explicit ProviderRoster(std::vector<ProviderSlot> slots, Clock* clock = nullptr);

  // nullptr when `name` is not configured.
  provider::Provider* Find(std::string_view name) const;
  // 0..1; 0 for a provider not configured.
  double HealthOf(std::string_view name) const;
  // OK for "" (finex picks) and configured names; InvalidArgument (param
  // "provider") naming the configured ones otherwise.
  Status Validate(std::string_view name) const;
  // What each provider can do for (symbol, iv), in configuration order.
  std::vector<fragment::ProviderCandidate> Candidates(std::string_view symbol, Interval iv) const
      FINEX_EXCLUDES(mu_);
  // p->Limits(iv) with a learned lookback applied. REQUIRES: p configured here.
  provider::CallLimits LimitsOf(const provider::Provider& p, Interval iv) const FINEX_EXCLUDES(mu_);
  // Remembers that `provider` serves `iv` only `lookback_s` back from now.
  // Only shortens: a longer lookback than the one known changes nothing.
  // Returns whether the limits changed.
  bool LearnLookback(std::string_view provider, Interval iv, Timestamp lookback_s) const
      FINEX_EXCLUDES(mu_);
  // Whether a provider the request may use (`named`, or any when "") serves
  // (symbol, iv) in whatever currency it is asked (CallLimits::any_currency):
  // then a currency request goes to it; otherwise finex converts.
  bool QuotesInAnyCurrency(std::string_view symbol, Interval iv, std::string_view named) const;
  // Order to ask for quotes and searches: the named provider alone, else the
  // configured ones with healthy (score >= 0.5) ones first.
  std::vector<std::string> LookupOrder(std::string_view named) const;
  std::vector<ProviderState> States() const;
  // Readiness: Unavailable when none is configured or every one's health is 0.
  Status AnyAvailable() const;

 private:
  struct Learned {
    Timestamp lookback_s = 0;
    Timestamp until = 0;
  };
  static std::string ReachKey(std::string_view provider, Interval iv);

  std::vector<ProviderSlot> slots_;
  Clock* const clock_;
  mutable Mutex mu_;
  mutable std::map<std::string, Learned, std::less<>> learned_ FINEX_GUARDED_BY(mu_);
};

}  // namespace finex::cache
