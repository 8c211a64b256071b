// ProviderRoster: the configured providers in fallback order, and the one
// place that answers "which provider" questions outside the history planner:
// is a named provider configured, how healthy is it, what can one call carry
// (the planner's candidates), in which order quotes and searches ask them,
// and whether any can serve at all (readiness). History's provider choice
// (request's own, then coverage and health) is the planner's (planner.h);
// this roster feeds it.
//
// Thread-safety: immutable after construction; the health/breaker callbacks
// must be thread-safe. Ownership: borrows the providers (must outlive it).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/fragment/planner.h"
#include "finex/provider/provider.h"

namespace finex::cache {

struct ProviderSlot {
  provider::Provider* provider = nullptr;  // borrowed; REQUIRES non-null
  // Health score 0..1 for provider choice (ResilientProvider::Health().score);
  // empty = always 1.
  std::function<double()> health;
  // Circuit-breaker state for stats ("closed" | "open" | "half_open",
  // BreakerStateName); empty = always "closed".
  std::function<std::string()> breaker;
};

// Upstream calls a failed provider call made (retries included; 0 when it
// was refused locally, e.g. by an open breaker); 1 when unknown.
int UpstreamCalls(const Status& failed_call);

class ProviderRoster {
 public:
  explicit ProviderRoster(std::vector<ProviderSlot> slots);

  // nullptr when `name` is not configured.
  provider::Provider* Find(std::string_view name) const;
  // 0..1; 0 for a provider not configured.
  double HealthOf(std::string_view name) const;
  // OK for "" (finex picks) and configured names; InvalidArgument (param
  // "provider") naming the configured ones otherwise.
  Status Validate(std::string_view name) const;
  // What each provider can do for (symbol, iv), in configuration order.
  std::vector<fragment::ProviderCandidate> Candidates(std::string_view symbol, Interval iv) const;
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
  std::vector<ProviderSlot> slots_;
};

}  // namespace finex::cache
