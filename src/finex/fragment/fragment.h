// Fragment: what finex knows about one stored piece of one series (symbol,
// interval, provider, currency). The bars themselves live in a Backend as
// codec bytes under `key`; this is the index entry the planner reasons on.
//
//   actual   [first bar, start of the bar after the last) — from the key
//   vouched  the time this piece answers for: (requested ∪ actual) clipped to
//            what could exist at fetch time (nothing after "now"), cut to the
//            piece's bucket. A week asked for that held a holiday vouches for
//            the holiday; a known-empty piece (fields "empty") vouches for a
//            span in which the provider had no bars at all.
//   fetched_at / expires_at / final  freshness: a piece whose last bar may
//            still be forming is never final and expires quickly.
//
// The range parts live in the key, so a registry can be rebuilt from a prefix
// scan; the rest travels as codec key-value metadata (ToMetadata /
// ApplyMetadata, names "finex.*", versioned by "finex.fragment_version").
//
// Thread-safety: plain values; FragmentPtr points to an immutable Fragment.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"
#include "finex/key/cache_key.h"

namespace finex::fragment {

// Same shape as codec::KeyValueMetadata (fragment/ does not depend on codec/).
using Metadata = std::vector<std::pair<std::string, std::string>>;

// Currency part used in keys when a provider never states one.
inline constexpr std::string_view kUnknownCurrency = "xxx";
inline constexpr int kFragmentMetadataVersion = 1;

struct Fragment {
  std::string key;       // encoded CacheKey
  key::CacheKey parsed;  // its parts
  TimeRange actual;      // empty for a known-empty piece
  TimeRange vouched;     // never empty
  Timestamp fetched_at = 0;
  Timestamp expires_at = 0;     // freshness deadline (the planner ignores it after this)
  bool final = false;           // every bar in it is complete
  bool details_loaded = false;  // false: built from the key alone (conservative)
  uint64_t rows = 0;
  uint64_t bytes = 0;  // stored value size

  const std::string& symbol() const { return parsed.symbol; }
  Interval interval() const { return parsed.interval; }
  const std::string& provider() const { return parsed.provider; }
  const std::string& currency() const { return parsed.currency; }
  FieldSet fields() const { return parsed.fields; }
  bool is_empty_answer() const { return parsed.is_empty_answer(); }
  bool expired(Timestamp now) const { return now >= expires_at; }
  // True when this piece answers `want` fields (a known-empty piece answers all).
  bool Answers(FieldSet want) const { return is_empty_answer() || fields().Contains(want); }
};
using FragmentPtr = std::shared_ptr<const Fragment>;

// Builds a fragment from its key alone (registry rebuild before the value's
// metadata is read): actual = [start_ts, NextBar(end_ts)), vouched = actual
// (for known-empty keys: [start_ts, end_ts + 1)); expires_at = fetched_at = 0
// is NOT used — expiry defaults to `assume_expires_at`.
// InvalidArgument (param "key") for anything that is not a finex key.
Result<Fragment> FragmentFromKey(std::string_view key, Timestamp assume_expires_at);

// Builds the key of a piece. For a known-empty piece pass fields = {} and
// first/last = vouched.start / vouched.end - 1. InvalidArgument for bad parts.
Result<std::string> MakeFragmentKey(std::string_view symbol, Interval iv, Timestamp first_bar,
                                    Timestamp last_bar, std::string_view provider,
                                    std::string_view currency, FieldSet fields);

// The metadata entries describing f (vouched range, fetched_at, expires_at,
// final, rows, version).
Metadata ToMetadata(const Fragment& f);
// Fills vouched/fetched_at/expires_at/final/rows from metadata written by
// ToMetadata; DataLoss naming the entry when one is missing or malformed, or
// when the vouched range does not contain the actual range.
Status ApplyMetadata(const Metadata& md, Fragment* f);

}  // namespace finex::fragment
