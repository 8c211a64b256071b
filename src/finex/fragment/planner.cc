#include "finex/fragment/planner.h"

#include <algorithm>
#include <limits>
#include <map>

namespace finex::fragment {

namespace {

constexpr FieldSet::Bit kBits[] = {FieldSet::kOhlcv, FieldSet::kAdjClose, FieldSet::kMarketCap};

TimeRange Hull(TimeRange a, TimeRange b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.start, b.start), std::max(a.end, b.end)};
}

bool CurrencyMatches(const Fragment& f, std::string_view currency) {
  return f.currency() == currency || (f.is_empty_answer() && f.currency() == kUnknownCurrency);
}

}  // namespace

Timestamp CallBlockSeconds(const FetchLimits& limits, Interval iv) {
  if (limits.month_per_call || limits.whole_history) return 0;
  Timestamp block = 0;
  if (limits.max_rows > 0) block = limits.max_rows * NominalSeconds(iv);
  if (limits.max_span_s > 0)
    block = block == 0 ? limits.max_span_s : std::min(block, limits.max_span_s);
  return block;
}

int64_t Planner::EstimateRows(TimeRange r, Interval iv, const calendar::Calendar& cal) {
  if (r.empty()) return 0;
  const Timestamp nominal = NominalSeconds(iv);
  int64_t rows = 0;
  const TimeRangeSet trading = cal.TradingTime(r, iv);
  for (const TimeRange& t : trading.ranges()) rows += (t.length() + nominal - 1) / nominal;
  return rows;
}

std::vector<FetchPlan> Planner::PlanFetches(const TimeRangeSet& gaps, const TimeRangeSet& covered,
                                            const FetchLimits& limits, Interval iv,
                                            const calendar::Calendar& cal, Timestamp now,
                                            TimeRangeSet* unreachable) const {
  std::vector<FetchPlan> out;
  const Timestamp horizon = now + 1;  // no bar can start after now
  TimeRangeSet want = gaps;
  if (!want.empty()) want.Remove({horizon, std::max(horizon, want.ranges().back().end) + 1});
  Timestamp floor_ts = std::numeric_limits<Timestamp>::min();
  if (limits.max_lookback_s > 0 && !want.empty()) {
    // A call starting exactly at the edge would be refused a moment later
    // (the provider's clock moved on): keep a bar's length, at least an
    // hour, inside the window.
    floor_ts = now - limits.max_lookback_s + std::max(NominalSeconds(iv), kSecondsPerHour);
    const TimeRange beyond{want.ranges().front().start, floor_ts};
    if (!beyond.empty()) {
      if (unreachable) *unreachable = unreachable->Union(want.Intersect(beyond));
      want.Remove(beyond);
    }
  }
  if (want.empty() || !limits.supported) return out;

  auto make = [&](TimeRange call) {
    FetchPlan f;
    f.call = call;
    f.fills = TimeRangeSet(call).Subtract(covered);
    return f;
  };
  if (limits.whole_history) {
    // One call brings everything; ask for the hull of what is missing.
    out.push_back(make({want.ranges().front().start, want.ranges().back().end}));
    return out;
  }

  const Timestamp nominal = NominalSeconds(iv);
  auto fits = [&](TimeRange r) {
    if (limits.max_span_s > 0 && r.length() > limits.max_span_s) return false;
    if (limits.month_per_call && BucketOf(r.start, BucketUnit::kMonth).end < r.end) return false;
    if (limits.max_rows > 0 && EstimateRows(r, iv, cal) > limits.max_rows) return false;
    return true;
  };

  // Cut each gap into pieces one call can carry.
  std::vector<TimeRange> pieces;
  for (const TimeRange& g : want.ranges()) {
    if (fits(g)) {
      pieces.push_back(g);
      continue;
    }
    Timestamp s = g.start;
    while (s < g.end) {
      Timestamp e = g.end;
      if (limits.max_span_s > 0) e = std::min(e, s + limits.max_span_s);
      if (limits.month_per_call) e = std::min(e, BucketOf(s, BucketUnit::kMonth).end);
      if (limits.max_rows > 0) {
        int64_t rows = 0;
        const TimeRangeSet trading = cal.TradingTime({s, e}, iv);
        for (const TimeRange& t : trading.ranges()) {
          const int64_t n = (t.length() + nominal - 1) / nominal;
          if (rows + n <= limits.max_rows) {
            rows += n;
            continue;
          }
          e = t.start + (limits.max_rows - rows) * nominal;
          break;
        }
      }
      if (e <= s) e = std::min(g.end, s + nominal);
      pieces.push_back({s, e});
      s = e;
    }
  }

  // Merge neighbours while one call still carries them.
  std::vector<TimeRange> calls;
  for (const TimeRange& p : pieces) {
    if (!calls.empty() && fits({calls.back().start, p.end})) {
      calls.back().end = p.end;
    } else {
      calls.push_back(p);
    }
  }

  // Widen into un-vouched time: the first candidate (header comment, step 3)
  // one call carries within the memory budget.
  const Timestamp block = CallBlockSeconds(limits, iv);
  Timestamp prev_end = floor_ts;
  for (size_t i = 0; i < calls.size(); ++i) {
    const TimeRange c = calls[i];
    Timestamp lo = prev_end, hi = horizon;
    if (i + 1 < calls.size()) hi = std::min(hi, calls[i + 1].start);
    for (const TimeRange& v : covered.ranges()) {
      if (v.end <= c.start) lo = std::max(lo, v.end);
      if (v.start >= c.end) hi = std::min(hi, v.start);
    }
    std::vector<TimeRange> candidates;
    if (opts_.widen == WidenPolicy::kAggressive) {
      const Timestamp whole_lo =
          lo == std::numeric_limits<Timestamp>::min() ? std::min(kWholeHistoryStart, c.start) : lo;
      candidates.push_back({whole_lo, hi});
      if (limits.month_per_call) {
        candidates.push_back(AlignOutward(c, BucketUnit::kMonth));
      } else if (block > 0) {
        const Timestamp b0 = FloorDiv(c.start, block) * block;
        const Timestamp b1 = FloorDiv(c.end - 1, block) * block;
        candidates.push_back({b0, b0 + block});
        if (b1 != b0) {
          candidates.push_back({b1, b1 + block});
          // Straddling two blocks, neither of which one call carries with
          // it: one full call slid over the boundary, leaving the smaller
          // sliver of the block it enters for later.
          const TimeRange forward{c.start, c.start + block}, backward{c.end - block, c.end};
          const bool ahead = b1 - c.start <= c.end - b1;
          candidates.push_back(ahead ? forward : backward);
          candidates.push_back(ahead ? backward : forward);
        }
      }
      candidates.push_back(AlignOutward(c, WidenUnit(iv)));
    }
    if (opts_.widen != WidenPolicy::kNone)
      candidates.push_back(AlignOutward(c, FragmentBucketUnit(iv, opts_.fragment_size)));
    const int64_t row_budget = std::max<int64_t>(opts_.max_widen_rows, EstimateRows(c, iv, cal));
    TimeRange chosen = c;
    for (TimeRange w : candidates) {
      w.start = std::max(w.start, lo);
      w.end = std::min(w.end, hi);
      w = Hull(w, c);
      if (w == c) continue;
      if (fits(w) && EstimateRows(w, iv, cal) <= row_budget) {
        chosen = w;
        break;
      }
    }
    out.push_back(make(chosen));
    prev_end = chosen.end;
  }
  return out;
}

Plan Planner::Build(const PlanRequest& req, std::span<const FragmentPtr> fragments,
                    const calendar::Calendar& cal, Timestamp now,
                    std::span<const ProviderCandidate> candidates) const {
  Plan p;
  const Timestamp horizon = now + 1;
  // 1. Candidates: provider, currency (when asked), fields, overlap.
  std::vector<const FragmentPtr*> cand;
  cand.reserve(fragments.size());
  for (const FragmentPtr& f : fragments) {
    if (!f->vouched.Overlaps(req.range)) continue;
    if (!req.provider.empty() && f->provider() != req.provider) continue;
    if (!req.currency.empty() && !CurrencyMatches(*f, req.currency)) continue;
    if (!f->is_empty_answer() && f->fields().Intersect(req.fields).empty()) continue;
    cand.push_back(&f);
  }
  // Currency group: the asked one, else the one covering most of the request.
  p.currency = req.currency;
  if (p.currency.empty()) {
    std::map<std::string_view, Timestamp> cover;
    for (const FragmentPtr* f : cand) {
      if ((*f)->expired(now) || (*f)->is_empty_answer()) continue;
      cover[(*f)->currency()] += (*f)->vouched.Intersect(req.range).length();
    }
    Timestamp best = -1;
    for (const auto& [c, len] : cover)
      if (len > best) best = len, p.currency = std::string(c);
  }
  TimeRangeSet by_field[3];
  for (const FragmentPtr* fp : cand) {
    const FragmentPtr& f = *fp;
    if (!p.currency.empty() && !CurrencyMatches(*f, p.currency)) continue;
    if (f->expired(now)) {
      p.stale.push_back(f);
      continue;
    }
    p.use.push_back(f);
    for (int b = 0; b < 3; ++b)
      if (req.fields.Has(kBits[b]) && (f->is_empty_answer() || f->fields().Has(kBits[b])))
        by_field[b].Add(f->vouched);
  }
  bool first = true;
  for (int b = 0; b < 3; ++b) {
    if (!req.fields.Has(kBits[b])) continue;
    p.covered = first ? by_field[b] : p.covered.Intersect(by_field[b]);
    first = false;
  }

  // 2. Gaps: only trading time before the horizon can hold a missing bar.
  const TimeRange live = req.range.Intersect({req.range.start, std::max(req.range.start, horizon)});
  if (live.empty()) return p;
  TimeRangeSet uncovered = TimeRangeSet(live).Subtract(p.covered);
  if (uncovered.empty()) return p;  // full hit: no calendar work needed
  const TimeRangeSet trading = cal.TradingTime(live, req.interval);
  p.trading_seconds = trading.TotalLength();
  p.gaps = trading.Intersect(uncovered);
  // A bar is named by its start: a sliver of trading time in which no bar
  // starts (the tail of a bar whose start is vouched for, the weekend a
  // Friday daily bar spans) misses nothing. Long pieces always hold starts.
  for (const TimeRange& g : std::vector<TimeRange>(p.gaps.ranges())) {
    if (g.length() <= 4 * kSecondsPerDay && cal.BarStarts(g, req.interval).empty())
      p.gaps.Remove(g);
  }
  if (p.gaps.empty()) return p;

  // Fresh neighbours: usable fragments of the series around the request (as
  // far as a widened call could reach) that do not meet it. Widening stops at
  // them, so a refetch never rewrites fresh pieces outside the request.
  if (opts_.widen != WidenPolicy::kNone) {
    // (Aggressive widening may reach the whole history: every fresh piece.)
    TimeRange reach =
        AlignOutward(req.range, FragmentBucketUnit(req.interval, opts_.fragment_size));
    if (opts_.widen == WidenPolicy::kAggressive)
      reach = {std::numeric_limits<Timestamp>::min(), std::numeric_limits<Timestamp>::max()};
    for (const FragmentPtr& f : fragments) {
      if (f->vouched.Overlaps(req.range) || !f->vouched.Overlaps(reach)) continue;
      if (!req.provider.empty() && f->provider() != req.provider) continue;
      if (!p.currency.empty() && !CurrencyMatches(*f, p.currency)) continue;
      if (f->expired(now)) continue;
      for (int b = 0; b < 3; ++b)
        if (req.fields.Has(kBits[b]) && (f->is_empty_answer() || f->fields().Has(kBits[b])))
          by_field[b].Add(f->vouched);
    }
  }
  first = true;
  for (int b = 0; b < 3; ++b) {
    if (!req.fields.Has(kBits[b])) continue;
    p.fresh = first ? by_field[b] : p.fresh.Intersect(by_field[b]);
    first = false;
  }

  // 3. Provider order.
  std::vector<std::pair<const ProviderCandidate*, Timestamp>> order;
  for (const ProviderCandidate& c : candidates) {
    if (!req.provider.empty()) {
      if (c.name == req.provider) order.push_back({&c, 0});
      continue;
    }
    if (!c.handles || !c.limits.supported) continue;
    Timestamp cov = 0;
    for (const FragmentPtr& f : p.use)
      if (f->provider() == c.name) cov += f->vouched.Intersect(req.range).length();
    order.push_back({&c, cov});
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const bool ha = a.first->health >= 0.5, hb = b.first->health >= 0.5;
    if (ha != hb) return ha;
    return a.second > b.second;
  });
  for (const auto& [c, cov] : order) p.providers.push_back(c->name);
  if (!req.provider.empty() && p.providers.empty()) p.providers.push_back(req.provider);

  // 4. Fetches for the first choice.
  FetchLimits limits;
  if (!order.empty()) limits = order.front().first->limits;
  p.fetches = PlanFetches(p.gaps, p.fresh, limits, req.interval, cal, now, &p.unreachable);
  return p;
}

}  // namespace finex::fragment
