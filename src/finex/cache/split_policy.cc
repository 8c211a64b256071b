#include "finex/cache/split_policy.h"

#include <algorithm>

namespace finex::cache {

std::vector<std::string> StaleAfterAction(std::span<const FragmentFacts> fragments,
                                          const provider::CorporateAction& action,
                                          Timestamp known_since, Timestamp restatement_window_s) {
  std::vector<std::string> stale;
  for (const FragmentFacts& f : fragments) {
    if (f.fetched_at >= action.timestamp + restatement_window_s) continue;  // already restated
    if (f.fetched_at >= known_since) continue;      // fetched once the provider had restated
    if (f.first_bar >= action.timestamp) continue;  // no bar before the ex-date
    const bool has_adj = f.fields.Has(FieldSet::kAdjClose);
    bool is_stale = false;
    if (action.kind == provider::CorporateAction::Kind::kSplit) {
      is_stale = has_adj || (f.ohlc_split_adjusted && f.fields.Has(FieldSet::kOhlcv));
    } else {
      is_stale = has_adj;
    }
    if (is_stale) stale.push_back(f.key);
  }
  return stale;
}

Timestamp ActionLedger::KnownSince(std::string_view series, const provider::CorporateAction& action,
                                   Timestamp fetched_at) {
  MutexLock lock(mu_);
  auto [it, inserted] = known_.try_emplace(
      Key{std::string(series), static_cast<uint8_t>(action.kind), action.timestamp}, fetched_at);
  if (!inserted) it->second = std::min(it->second, fetched_at);
  return it->second;
}

}  // namespace finex::cache
