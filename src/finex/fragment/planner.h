// Planner: turns a request for one series into "what the cache already
// answers" and "what to ask a provider for" (DESIGN.md "Planning a query";
// docs/planner.md).
//
//   1. usable fragments: the named provider (any when none is named), the
//      asked currency (when none is asked: the currency group covering most of
//      the request), not expired, vouched range meeting the request, holding
//      at least one requested field (known-empty pieces answer every field);
//   2. gaps = trading time of the request (calendar) − for each requested
//      field, the vouched time of fragments holding it; time after "now" can
//      hold no bar and is never a gap;
//   3. fetches: gaps are merged while one call can carry them (the provider's
//      max rows / max span per call: providers charge per call, not per row),
//      split where one call cannot, dropped where beyond the provider's
//      lookback, then WIDENED (the cost model: providers charge per call,
//      not per row, so a call should carry all it can). Policy kAggressive
//      tries, widest first: the whole reachable window (everything from the
//      provider's lookback — or kWholeHistoryStart — to now: Yahoo's daily
//      history, its 60 days of 15m, its 730 days of 1h); the fixed call block
//      holding the call (blocks of max_rows bars or max_span seconds aligned
//      to the epoch, so neighbouring windows asked later land in blocks
//      already fetched; a call straddling two blocks slides one full call
//      over the boundary instead; calendar months where one call answers
//      one month);
//      the widen unit (a decade of daily bars, a month of 15m..1h, a UTC day
//      of 1m/5m); the fragment bucket. Policy kBucket tries only the bucket.
//      The first candidate that one call carries and that stays within
//      max_widen_rows (the memory budget) wins. Widening
//      never enters time vouched by fresh fragments of the series, those
//      outside the request included (Plan::fresh): a refetch of one expired
//      piece never rewrites its fresh neighbours;
//   4. provider order: the named one; else those that handle the symbol and
//      interval, healthy first, then by cached coverage, then config order.
//
// Invariants (property-tested): the fills of all fetches ∪ the vouched time
// of usable fragments ⊇ the requested trading time (bar the unreachable
// part); no fill overlaps a usable fragment's vouched time; fetch calls are
// disjoint and each fits the provider's limits.
//
// Thread-safety: a Planner is immutable; Build/PlanFetches are const and
// thread-safe. The Calendar& passed in is borrowed for the call only.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/field_set.h"
#include "finex/core/time_range.h"
#include "finex/fragment/alignment.h"
#include "finex/fragment/fragment.h"

namespace finex::fragment {

// What one provider call can carry (mirrors provider::CallLimits; fragment/
// does not depend on provider/).
struct FetchLimits {
  int64_t max_rows = 0;          // 0 = unlimited
  Timestamp max_span_s = 0;      // 0 = unlimited
  Timestamp max_lookback_s = 0;  // 0 = unlimited
  bool whole_history = false;    // every call returns the whole series
  bool supported = true;         // the provider has this interval
  bool month_per_call = false;   // one call answers one calendar month (UTC)
};

struct ProviderCandidate {
  std::string name;
  FetchLimits limits;
  double health = 1.0;  // 0..1 quality score; < 0.5 sorts after healthy ones
  bool handles = true;  // provider can serve this symbol at all
};

enum class WidenPolicy : uint8_t { kNone, kBucket, kAggressive };

// Where "the whole history" starts for a provider without a lookback limit:
// 1970-01-01 (Yahoo's period1=0 answers from the listing on; older bars are
// still fetched when a request asks for them).
inline constexpr Timestamp kWholeHistoryStart = 0;

// The length of the fixed, epoch-aligned call blocks for `limits` (max_rows
// bars of `iv`, or max_span_s, whichever is shorter); 0 = no block (the
// provider's calls are unbounded, or month-aligned).
Timestamp CallBlockSeconds(const FetchLimits& limits, Interval iv);

struct PlannerOptions {
  FragmentSize fragment_size = FragmentSize::kOptimized;  // Default: optimized.
  WidenPolicy widen = WidenPolicy::kAggressive;           // Default: aggressive.
  // Most rows a widened call may bring in (memory budget): a daily history
  // since 1970 (~20,000 calendar days, as estimated) fits. Default: 50000.
  int64_t max_widen_rows = 50000;
};

struct PlanRequest {
  std::string symbol;
  Interval interval = Interval::k1d;
  TimeRange range;  // half-open; REQUIRES: non-empty
  FieldSet fields = FieldSet::Ohlcv();
  std::string provider;  // "" = any
  std::string currency;  // "" = native (the best-covered group)
};

struct FetchPlan {
  TimeRange call;      // the range to ask the provider for
  TimeRangeSet fills;  // call − usable vouched time: what the call adds
};

struct Plan {
  std::vector<FragmentPtr> use;    // usable fragments meeting the request, by vouched start
  std::vector<FragmentPtr> stale;  // expired ones meeting it (stale-if-error)
  std::string currency;            // currency group chosen ("" when nothing cached)
  TimeRangeSet covered;            // time every requested field is vouched for
  // `covered` plus fresh neighbouring fragments that do not meet the request
  // (as far as widening could reach): what a fetch must neither bring again
  // nor widen into. Pass it to PlanFetches as `covered`. Set only when
  // there are gaps.
  TimeRangeSet fresh;
  TimeRangeSet gaps;                   // trading time still missing (empty = full hit)
  TimeRangeSet unreachable;            // gaps beyond the first provider's lookback
  Timestamp trading_seconds = -1;      // requested trading time; -1 = not computed (full hit)
  std::vector<std::string> providers;  // try order
  std::vector<FetchPlan> fetches;      // planned for providers[0]
  bool full_hit() const { return gaps.empty(); }
};

class Planner {
 public:
  explicit Planner(PlannerOptions opts = {}) : opts_(opts) {}
  const PlannerOptions& options() const { return opts_; }

  // Plans one series. `fragments` is a registry snapshot of (symbol,
  // interval); `candidates` come in configuration order.
  Plan Build(const PlanRequest& req, std::span<const FragmentPtr> fragments,
             const calendar::Calendar& cal, Timestamp now,
             std::span<const ProviderCandidate> candidates) const;

  // Fetches covering `gaps` for a provider with `limits` (used for
  // providers[0] by Build and again for each fallback). `covered` is the
  // vouched time a fetch need not bring again. Gaps beyond the lookback are
  // added to *unreachable when given.
  std::vector<FetchPlan> PlanFetches(const TimeRangeSet& gaps, const TimeRangeSet& covered,
                                     const FetchLimits& limits, Interval iv,
                                     const calendar::Calendar& cal, Timestamp now,
                                     TimeRangeSet* unreachable = nullptr) const;

  // Upper estimate of the bars of `iv` in r (trading time / bar length).
  static int64_t EstimateRows(TimeRange r, Interval iv, const calendar::Calendar& cal);

 private:
  PlannerOptions opts_;
};

}  // namespace finex::fragment
