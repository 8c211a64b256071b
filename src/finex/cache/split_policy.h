// Splits and dividends (issue 7): which stored fragments a newly reported
// corporate action makes stale.
//
// Providers restate history when an action happens: Yahoo's OHLC are
// split-adjusted and its adjclose is split- and dividend-adjusted; Alpha
// Vantage's adjusted close likewise. A fragment fetched BEFORE an action's
// ex-date holds prices from before the restatement, so once the action is
// known:
//   - a split makes every such fragment with bars before the ex-date stale
//     when the provider split-adjusts OHLC, and its adj_close stale always;
//   - a dividend makes the adj_close of such fragments stale (OHLC are not
//     dividend-adjusted by any provider finex speaks).
// Stale fragments are invalidated (deleted) and refetched on demand; nothing
// re-derives prices locally, so finex never serves numbers a provider did not
// publish. Fragments fetched after the ex-date (plus the restatement window)
// already carry the restated prices and stay.
//
// On the ex-date every answer that reaches today reports the action again.
// Only pieces fetched before the action became known to the cache (the
// earliest fetch whose answer reported it, ActionLedger) can hold pre-action
// prices: the provider had restated its history by then. So a repeated
// report drops nothing fetched after the first one (no ping-pong between
// intervals). The ledger lives in memory: after a restart the first report
// counts as new again (at worst one more refetch, never a stale price).
//
// Thread-safety: StaleAfterAction is a pure function; ActionLedger is
// thread-safe.
#pragma once

#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/mutex.h"
#include "finex/provider/provider.h"

namespace finex::cache {

struct FragmentFacts {
  std::string key;
  Timestamp first_bar = 0;  // first bar held (known-empty: start of the vouched range)
  Timestamp fetched_at = 0;
  FieldSet fields;
  bool ohlc_split_adjusted = true;  // the provider restates OHLC on splits (Yahoo: yes)
};

// Keys of fragments made stale by `action` (see file comment). Actions are
// stamped 00:00 UTC of the ex-date, but providers restate history during the
// ex-date (at its session open or later), so a fragment fetched before
// ex-date + `restatement_window_s` may still hold old prices and counts as
// stale. Default: one day (a few extra refetches on the ex-date itself, never
// a stale price). A fragment fetched at or after `known_since` (when the
// action became known, see ActionLedger) already holds restated prices and
// stays. Default: never known before (every older fragment is judged).
std::vector<std::string> StaleAfterAction(
    std::span<const FragmentFacts> fragments, const provider::CorporateAction& action,
    Timestamp known_since = std::numeric_limits<Timestamp>::max(),
    Timestamp restatement_window_s = 86400);

// When each corporate action of a series became known: the fetch time of the
// earliest answer that reported it.
class ActionLedger {
 public:
  // Records that an answer fetched at `fetched_at` reported `action` for
  // `series` (e.g. "AAPL|yahoo") and returns the earliest such fetch time.
  Timestamp KnownSince(std::string_view series, const provider::CorporateAction& action,
                       Timestamp fetched_at);

 private:
  using Key = std::tuple<std::string, uint8_t, Timestamp>;  // series, kind, ex-date
  Mutex mu_;
  std::map<Key, Timestamp> known_ FINEX_GUARDED_BY(mu_);
};

}  // namespace finex::cache
