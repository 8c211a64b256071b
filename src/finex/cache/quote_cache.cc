#include "finex/cache/quote_cache.h"

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

namespace finex::cache {
QuoteCache::QuoteCache(const ProviderRoster& providers, StatsRecorder& stats, Clock& clock,
                       fragment::TtlOptions ttl)
    : providers_(providers), stats_(stats), clock_(clock), ttl_(ttl) {}

Result<QuoteResult> QuoteCache::Get(std::span<const std::string> symbols,
                                    const QuoteOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  const Timestamp now = clock_.Now();
  QuoteResult r;
  std::map<std::string, finex::Quote> got;
  std::vector<std::string> missing;
  std::map<std::string, finex::Quote> stale;
  {
    MutexLock lock(mu_);
    for (const std::string& s : symbols) {
      auto it = entries_.find(opts.provider + "|" + s);
      if (it != entries_.end() && now < it->second.expires) {
        got[s] = it->second.quote;
      } else {
        if (it != entries_.end()) stale[s] = it->second.quote;
        missing.push_back(s);
      }
    }
  }
  Status failure;
  if (!missing.empty()) {
    std::vector<std::string> left = missing;
    if (opts.gate) failure = opts.gate();
    const bool refused = !failure.ok();  // the gate said no: no provider is asked
    for (const std::string& name : providers_.LookupOrder(opts.provider)) {
      if (refused) break;
      if (left.empty()) break;
      provider::Provider* p = providers_.Find(name);
      std::vector<std::string> batch, rest;
      for (const std::string& s : left)
        (opts.provider.empty() && !p->Handles(s) ? rest : batch).push_back(s);
      if (batch.empty()) continue;
      auto res = p->Quote(batch);
      const int calls = res.ok() ? p->QuoteCalls(batch) : UpstreamCalls(res.status());
      stats_.RecordProviderCalls(name, calls);
      r.info.api_calls_made += calls;
      if (!res.ok()) {
        failure = res.status();
        continue;  // try the next provider for the same batch
      }
      std::unordered_set<std::string> answered;
      {
        MutexLock lock(mu_);
        for (const finex::Quote& qt : *res) {
          if (std::find(batch.begin(), batch.end(), qt.symbol) == batch.end()) continue;
          got[qt.symbol] = qt;
          answered.insert(qt.symbol);
          entries_[opts.provider + "|" + qt.symbol] = Entry{qt, now + fragment::QuoteTtl(ttl_)};
        }
      }
      for (const std::string& s : batch)
        if (!answered.count(s)) rest.push_back(s);  // unknown here; another may know it
      left = std::move(rest);
    }
    for (const std::string& s : left) {
      auto it = stale.find(s);
      if (it != stale.end()) {
        got[s] = it->second;
        r.info.stale = true;
      }
    }
  }
  if (got.empty() && !failure.ok()) return failure;
  if (got.empty()) return NotFoundError("no provider knows " + symbols[0]).WithParam("symbols");
  Timestamp oldest = now;
  for (const std::string& s : symbols) {
    auto it = got.find(s);
    if (it == got.end()) continue;
    r.quotes.push_back(it->second);
    oldest = std::min(oldest, it->second.timestamp > 0 ? it->second.timestamp : now);
  }
  const size_t cached = symbols.size() - missing.size();
  r.info.hit_rate = static_cast<double>(cached) / static_cast<double>(symbols.size());
  r.info.data_freshness_s = static_cast<double>(now - oldest);
  if (r.info.stale)
    r.info.note = "provider failed (" + failure.ToString() + "); served cached quotes";
  std::string absent;  // a partial answer says which symbols it lacks
  std::unordered_set<std::string> named;
  for (const std::string& sym : symbols)
    if (!got.count(sym) && named.insert(sym).second) absent += (absent.empty() ? "" : ", ") + sym;
  if (!absent.empty()) {
    if (!r.info.note.empty()) r.info.note += "; ";
    r.info.note += "no quote for " + absent +
                   (failure.ok() ? " (no provider knows it)" : " (" + failure.ToString() + ")");
  }
  stats_.RecordLookup(missing.empty());
  r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
  return r;
}

}  // namespace finex::cache
