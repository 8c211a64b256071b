#include "finex/cache/providers.h"

#include <algorithm>

#include "finex/core/symbol.h"

namespace finex::cache {

int UpstreamCalls(const Status& s) {
  return s.details().upstream_calls >= 0 ? s.details().upstream_calls : 1;
}

fragment::FetchLimits PlannerLimits(const provider::CallLimits& l) {
  fragment::FetchLimits f;
  f.max_rows = l.max_rows;
  f.max_span_s = l.max_span_s;
  f.max_lookback_s = l.max_lookback_s;
  f.whole_history = l.whole_history;
  f.supported = l.supported;
  f.month_per_call = l.month_per_call;
  return f;
}

ProviderRoster::ProviderRoster(std::vector<ProviderSlot> slots, Clock* clock)
    : slots_(std::move(slots)), clock_(clock) {
  for (const ProviderSlot& s : slots_) FINEX_CHECK(s.provider != nullptr);
}

provider::Provider* ProviderRoster::Find(std::string_view name) const {
  for (const ProviderSlot& s : slots_)
    if (s.provider->name() == name) return s.provider;
  return nullptr;
}

double ProviderRoster::HealthOf(std::string_view name) const {
  for (const ProviderSlot& s : slots_)
    if (s.provider->name() == name) return s.health ? s.health() : 1.0;
  return 0;
}

Status ProviderRoster::Validate(std::string_view name) const {
  if (name.empty() || Find(name)) return OkStatus();
  std::string known;
  for (const ProviderSlot& s : slots_)
    known += (known.empty() ? "" : ", ") + std::string(s.provider->name());
  return InvalidArgumentError(
             "provider '" + Printable(name, 32) +
             "' is not configured (configured: " + (known.empty() ? "none" : known) + ")")
      .WithParam("provider");
}

std::string ProviderRoster::ReachKey(std::string_view provider, Interval iv) {
  return std::string(provider) + "|" + std::string(IntervalName(iv));
}

provider::CallLimits ProviderRoster::LimitsOf(const provider::Provider& p, Interval iv) const {
  provider::CallLimits l = p.Limits(iv);
  if (!clock_) return l;
  MutexLock lock(mu_);
  auto it = learned_.find(ReachKey(p.name(), iv));
  if (it == learned_.end() || clock_->Now() >= it->second.until) return l;
  if (l.max_lookback_s == 0 || it->second.lookback_s < l.max_lookback_s)
    l.max_lookback_s = it->second.lookback_s;
  return l;
}

bool ProviderRoster::LearnLookback(std::string_view provider, Interval iv,
                                   Timestamp lookback_s) const {
  provider::Provider* p = Find(provider);
  if (!clock_ || !p || lookback_s <= 0) return false;
  const provider::CallLimits known = LimitsOf(*p, iv);
  if (known.max_lookback_s > 0 && lookback_s >= known.max_lookback_s) return false;
  MutexLock lock(mu_);
  learned_[ReachKey(provider, iv)] = {lookback_s, clock_->Now() + kLearnedReachS};
  return true;
}

std::vector<fragment::ProviderCandidate> ProviderRoster::Candidates(std::string_view symbol,
                                                                    Interval iv) const {
  std::vector<fragment::ProviderCandidate> out;
  out.reserve(slots_.size());
  for (const ProviderSlot& s : slots_) {
    const provider::CallLimits l = LimitsOf(*s.provider, iv);
    fragment::ProviderCandidate c;
    c.name = std::string(s.provider->name());
    c.limits = PlannerLimits(l);
    c.health = s.health ? s.health() : 1.0;
    c.handles = s.provider->Handles(symbol);
    out.push_back(std::move(c));
  }
  return out;
}

bool ProviderRoster::QuotesInAnyCurrency(std::string_view symbol, Interval iv,
                                         std::string_view named) const {
  for (const ProviderSlot& s : slots_) {
    if (!named.empty() && s.provider->name() != named) continue;
    const provider::CallLimits l = s.provider->Limits(iv);
    if (l.supported && l.any_currency && s.provider->Handles(symbol)) return true;
  }
  return false;
}

std::vector<std::string> ProviderRoster::LookupOrder(std::string_view named) const {
  if (!named.empty()) return {std::string(named)};
  std::vector<std::string> order;
  for (const ProviderSlot& s : slots_) order.push_back(std::string(s.provider->name()));
  std::stable_sort(order.begin(), order.end(),
                   [&](auto& a, auto& b) { return (HealthOf(a) >= 0.5) > (HealthOf(b) >= 0.5); });
  return order;
}

std::vector<ProviderState> ProviderRoster::States() const {
  std::vector<ProviderState> out;
  for (const ProviderSlot& p : slots_)
    out.push_back({std::string(p.provider->name()), p.breaker ? p.breaker() : "closed",
                   p.health ? p.health() : 1.0,
                   p.daily_calls_remaining ? p.daily_calls_remaining() : -1});
  return out;
}

Status ProviderRoster::AnyAvailable() const {
  if (slots_.empty()) return UnavailableError("no provider is configured");
  for (const ProviderSlot& s : slots_)
    if (!s.health || s.health() > 0) return OkStatus();
  return UnavailableError("every provider is unavailable (circuit breakers open)");
}

}  // namespace finex::cache
