#include "finex/cache/smart_cache.h"

#include <algorithm>
#include <atomic>
#include <limits>

#include "finex/cache/assembler.h"
#include "finex/cache/coordination.h"
#include "finex/cache/currency.h"
#include "finex/cache/fetch_executor.h"
#include "finex/cache/fragment_store.h"
#include "finex/cache/ingest.h"
#include "finex/cache/prefetcher.h"
#include "finex/cache/quote_cache.h"
#include "finex/cache/request.h"
#include "finex/cache/search_cache.h"
#include "finex/cache/single_flight.h"
#include "finex/cache/stats.h"
#include "finex/cache/warmer.h"

namespace finex::cache {
namespace {

using fragment::FragmentPtr;
using fragment::Plan;
using fragment::PlanRequest;

// How often one history lookup re-plans after a piece's bytes vanished
// between planning and reading before it gives up.
constexpr int kMaxVanishedRetries = 8;
// Planning rounds of one lookup (waits, rescans and fetches included).
constexpr int kMaxRounds = 16;
// Currency conversion (currency.h): FX bars are asked from this long before
// the request's start, and a bar takes the latest FX close at most this old
// (long holidays; weekends for crypto and intraday bars).
constexpr Timestamp kFxLookbackS = 10 * kSecondsPerDay;
constexpr Timestamp kFxMaxGapDailyS = 7 * kSecondsPerDay;
constexpr Timestamp kFxMaxGapIntradayS = 4 * kSecondsPerDay;

// The memory budget the cache holds itself to (0 = unlimited).
uint64_t MemoryBudget(const SmartCacheOptions& o) {
  return o.memory_budget_bytes > 0 ? o.memory_budget_bytes : o.hot_tier_bytes;
}

uint64_t MemoBudget(const SmartCacheOptions& o) {
  if (o.memo_budget_bytes > 0) return o.memo_budget_bytes;
  if (o.memory_budget_bytes > 0) return o.memory_budget_bytes / 20;
  return o.hot_tier_bytes / 8;
}

// The planner's options with widening bounded by the memory budget: one
// widened call brings at most 1/8 of the budget (~64 bytes per bar stored
// and decoded), so what it adds is not evicted before it is used.
fragment::PlannerOptions BoundedPlanner(const SmartCacheOptions& o) {
  fragment::PlannerOptions p = o.planner;
  if (const uint64_t budget = MemoryBudget(o); budget > 0) {
    constexpr uint64_t kBytesPerBar = 64;
    const auto cap = static_cast<int64_t>(budget / 8 / kBytesPerBar);
    p.max_widen_rows = std::min(p.max_widen_rows, std::max<int64_t>(cap, 1000));
  }
  return p;
}

// What one symbol's lookup produced.
struct SymbolOutcome {
  Status error;
  FramePtr frame;
  std::vector<std::string> keys;
  int api_calls = 0;
  double hit_rate = 1.0;
  Timestamp oldest_fetch = std::numeric_limits<Timestamp>::max();
  bool stale = false;
  bool hit = true;
  std::string note;
  std::vector<std::string> providers;  // that served rows
  std::vector<CurrencyConversion> conversions;
};

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

class SmartCache final : public CachedApi {
 public:
  SmartCache(SmartCacheDeps deps, SmartCacheOptions opts)
      : deps_(std::move(deps)),
        opts_(opts),
        own_executor_(deps_.executor ? nullptr
                                     : std::make_unique<Executor>(static_cast<int>(
                                           opts.max_parallel * opts.max_parallel))),
        executor_(deps_.executor ? *deps_.executor : *own_executor_),
        roster_(deps_.providers, deps_.clock),
        planner_(BoundedPlanner(opts)),
        store_(*deps_.backend, *deps_.codec,
               {opts.hot_tier_bytes, opts.eviction, opts.stale_keep_s,
                opts.memory_budget_bytes > 0 ? opts.memory_budget_bytes - MemoBudget(opts) : 0}),
        ingester_(store_, stats_,
                  {opts.planner.fragment_size, opts.ttl, opts.validate, opts.validation}),
        fetcher_(roster_, planner_, ingester_, stats_, executor_, *deps_.clock, opts.max_parallel),
        assembler_(store_, opts.memo_max_rows, MemoBudget(opts)),
        quotes_(roster_, stats_, *deps_.clock, opts.ttl),
        searches_(roster_, stats_, *deps_.clock, opts.ttl),
        warmer_(*this) {
    FINEX_CHECK(deps_.backend && deps_.codec && deps_.clock);
    if (deps_.prefetcher)
      deps_.prefetcher->Attach(
          [this](const PrefetchSeries& s, TimeRange r) { return PrefetchHistory(s, r); });
    if (deps_.coordinator)
      deps_.coordinator->OnInvalidation([this](std::string_view pattern) { DropLocal(pattern); });
  }

  ~SmartCache() override {
    if (deps_.coordinator) deps_.coordinator->OnInvalidation({});  // waits for a running handler
    if (deps_.prefetcher) deps_.prefetcher->Detach();              // waits for a running prefetch
    warmer_.Stop();  // joins: no History call runs on a half-destroyed cache
  }

  Result<HistoryResult> History(std::span<const std::string> symbols,
                                const HistoryOptions& opts) override;
  Result<QuoteResult> Quote(std::span<const std::string> symbols,
                            const QuoteOptions& opts) override {
    FINEX_RETURN_IF_ERROR(ValidateSymbols(symbols, opts_.max_symbols));
    FINEX_RETURN_IF_ERROR(roster_.Validate(opts.provider));
    return quotes_.Get(symbols, opts);
  }
  Result<SearchResults> Search(std::string_view query, const SearchOptions& opts) override {
    FINEX_ASSIGN_OR_RETURN(std::string_view q, NormalizeSearchQuery(query));
    FINEX_RETURN_IF_ERROR(roster_.Validate(opts.provider));
    return searches_.Get(q, opts);
  }
  CacheStats cache_stats() const override;
  Result<std::string> warm_cache(const WarmRequest& req) override {
    FINEX_RETURN_IF_ERROR(ValidateSymbols(req.symbols, 10000));
    FINEX_RETURN_IF_ERROR(roster_.Validate(req.provider));
    return warmer_.Start(req);
  }
  Result<WarmStatus> warm_status(std::string_view id) const override { return warmer_.Status(id); }
  Result<size_t> invalidate_cache(std::string_view pattern) override;
  uint64_t invalidations() const override { return invalidations_.load(); }
  Status Ready() const override {
    FINEX_RETURN_IF_ERROR(deps_.backend->Ping());
    return roster_.AnyAvailable();
  }

 private:
  const calendar::Calendar& CalendarOf(std::string_view symbol) const {
    return deps_.calendar_for ? deps_.calendar_for(symbol) : calendar::CalendarFor(symbol);
  }
  // One symbol's lookup in the requested currency: the series itself when
  // a provider quotes it in that currency, else its native series converted
  // (currency.h) with an FX series looked up like any other.
  SymbolOutcome HistoryOne(const HistoryQuery& q, const std::string& symbol);
  // One series' lookup (file comment of smart_cache.h).
  SymbolOutcome Series(const HistoryQuery& q, const std::string& symbol);
  // out (native prices) converted into q.currency; out.error on failure.
  void Convert(const HistoryQuery& q, const std::string& symbol, SymbolOutcome* out);
  // Plans and fetches until nothing is missing or no progress is made.
  // Returns the provider failure (OK when none); *plan is the last plan.
  Status FetchMissing(const HistoryQuery& q, const PlanRequest& pr, const calendar::Calendar& cal,
                      SymbolOutcome* out, FetchOutcome* fetched, Plan* plan, uint64_t* generation,
                      double* miss_ratio);
  // A prediction run through the normal path; not a user hit/miss.
  Result<PrefetchRun> PrefetchHistory(const PrefetchSeries& series, TimeRange range);
  // An invalidation from another node (coordination.h): drops matching
  // registry and hot-tier entries; "" = drop every decoded copy and memo.
  void DropLocal(std::string_view pattern);

  SmartCacheDeps deps_;
  const SmartCacheOptions opts_;
  std::unique_ptr<Executor> own_executor_;  // only without deps.executor
  Executor& executor_;
  const ProviderRoster roster_;
  const fragment::Planner planner_;
  StatsRecorder stats_;
  FragmentStore store_;
  Ingester ingester_;
  FetchExecutor fetcher_;
  FlightTable flights_;
  Assembler assembler_;
  QuoteCache quotes_;
  SearchCache searches_;
  std::atomic<uint64_t> invalidations_{0};  // invalidate_cache + DropLocal calls
  Warmer warmer_;                           // last: stopped first
};

Status SmartCache::FetchMissing(const HistoryQuery& q, const PlanRequest& pr,
                                const calendar::Calendar& cal, SymbolOutcome* out,
                                FetchOutcome* fetched_out, Plan* plan, uint64_t* generation,
                                double* miss_ratio) {
  const std::string& symbol = pr.symbol;
  bool rescanned = !store_.shared_backend(), fetched = false;
  Timestamp last_gap = std::numeric_limits<Timestamp>::max();
  for (int round = 0; round < kMaxRounds; ++round) {
    const Timestamp now = deps_.clock->Now();
    // Per round: a provider may have taught a shorter reach (providers.h).
    const auto candidates = roster_.Candidates(symbol, q.interval);
    bool stop = false;
    FlightTable::Joined joined = flights_.Join(symbol, q.interval, [&] {
      FlightTable::Need need;
      auto snap = store_.Snapshot(symbol, q.interval);
      *generation = snap.generation;
      *plan = planner_.Build(pr, *snap.fragments, cal, now, candidates);
      if (*miss_ratio < 0 && !plan->full_hit() && plan->trading_seconds > 0)
        *miss_ratio = static_cast<double>(plan->gaps.TotalLength()) /
                      static_cast<double>(plan->trading_seconds);
      if (plan->full_hit() || plan->fetches.empty()) return need;
      // Another round only while fetching makes progress (a provider may
      // return fewer rows than asked, e.g. when it caps rows per call).
      if (fetched && plan->gaps.TotalLength() >= last_gap) {
        stop = true;
        return need;
      }
      last_gap = plan->gaps.TotalLength();
      need.fetch = true;
      need.wanted = {plan->gaps, pr.fields, pr.provider, pr.currency};
      for (const fragment::FetchPlan& fp : plan->fetches)
        need.flying.fills = need.flying.fills.Union(fp.fills);
      need.flying.fields = FetchFields(pr.fields);
      need.flying.provider = pr.provider;
      need.flying.currency = pr.currency;
      need.may_fly = rescanned;
      return need;
    });
    if (joined.nothing_to_fetch || stop) return OkStatus();
    if (!joined.waits.empty()) {
      if (deps_.on_flight_wait) deps_.on_flight_wait();
      Status failure;
      for (const auto& w : joined.waits)
        if (Status st = w.get(); !st.ok()) failure = st;
      if (!failure.ok()) return failure;  // the call we waited for failed: do not repeat it
      continue;
    }
    if (!joined.ticket) {  // another node may have fetched it already
      rescanned = true;
      FINEX_RETURN_IF_ERROR(store_.LoadNew(symbol, q.interval));
      continue;
    }
    FlightTable::Ticket& ticket = *joined.ticket;
    out->hit = false;
    // Cross-node single-flight: one node fetches these gaps, the others wait
    // for its pieces to appear in the shared backend.
    TimeRangeSet flying;
    for (const fragment::FetchPlan& fp : plan->fetches) flying = flying.Union(fp.fills);
    auto [outcome, lease] = NodeLease::Acquire(
        deps_.coordinator, FlightLeaseName(symbol, q.interval, pr.provider, plan->gaps),
        [&]() -> Result<bool> {
          FINEX_RETURN_IF_ERROR(store_.LoadNew(symbol, q.interval));
          auto snap = store_.Snapshot(symbol, q.interval);
          Plan p = planner_.Build(pr, *snap.fragments, cal, deps_.clock->Now(), candidates);
          return p.full_hit() || p.fetches.empty() || p.gaps.Intersect(flying).empty();
        });
    if (outcome == NodeLease::Outcome::kOtherNode) {
      flights_.Land(symbol, q.interval, ticket, OkStatus());
      continue;  // plans again: now served from the shared backend
    }
    if (q.gate) {  // the caller's say before a provider call goes out
      if (Status refused = q.gate(); !refused.ok()) {
        { NodeLease release = std::move(lease); }
        flights_.Land(symbol, q.interval, ticket, refused);
        return refused;
      }
    }
    const uint64_t invalidated_before = ingester_.split_invalidations();
    Status st = fetcher_.Execute(*plan, pr, cal, fetched_out);
    { NodeLease release = std::move(lease); }
    // A reported split/dividend dropped stale pieces: the gaps grew for a
    // good reason, so the next round may fetch them again.
    if (ingester_.split_invalidations() != invalidated_before)
      last_gap = std::numeric_limits<Timestamp>::max();
    flights_.Land(symbol, q.interval, ticket, st);
    fetched = true;
    if (!st.ok()) return st;
  }
  return OkStatus();
}

SymbolOutcome SmartCache::HistoryOne(const HistoryQuery& q, const std::string& symbol) {
  int calls_before = 0;
  if (!q.currency.empty() && roster_.QuotesInAnyCurrency(symbol, q.interval, q.provider)) {
    SymbolOutcome direct = Series(q, symbol);
    if (!IsCurrencyMismatch(direct.error)) return direct;
    calls_before = direct.api_calls;  // it answered natively: convert that
  }
  HistoryQuery native = q;
  native.currency.clear();
  SymbolOutcome out = Series(native, symbol);
  out.api_calls += calls_before;
  if (out.error.ok() && !q.currency.empty()) Convert(q, symbol, &out);
  return out;
}

void SmartCache::Convert(const HistoryQuery& q, const std::string& symbol, SymbolOutcome* out) {
  const Frame& f = *out->frame;
  std::vector<std::string> natives;
  for (size_t i = 0; i < f.rows(); ++i) {
    const std::string c(f.currency()[i]);
    if (c != q.currency && std::find(natives.begin(), natives.end(), c) == natives.end())
      natives.push_back(c);
  }
  FramePtr frame = out->frame;
  for (const std::string& from : natives) {
    if (from.empty()) {
      out->error = UnavailableError("the provider did not state " + symbol +
                                    "'s currency, so it cannot be converted to " + q.currency)
                       .WithParam("currency");
      return;
    }
    auto route = FxRouteFor(from, q.currency);
    if (!route.ok()) {
      out->error = route.status();
      return;
    }
    CurrencyConversion conv{symbol, from, q.currency, route->fx_symbol, Interval::k1d, {}};
    Result<FramePtr> converted = InvalidArgumentError("not converted");
    if (route->fx_symbol.empty()) {
      converted = ConvertFrame(*frame, from, q.currency, *route, nullptr, q.interval, 0);
    } else {
      // Same-interval FX bars for intraday where a provider has them, else
      // (and for daily and longer bars) daily rates.
      std::vector<Interval> tries;
      if (IsIntraday(q.interval)) tries.push_back(q.interval);
      tries.push_back(Interval::k1d);
      for (Interval fx_iv : tries) {
        HistoryQuery fq;
        fq.symbols = {route->fx_symbol};
        fq.interval = fx_iv;
        fq.range = {q.range.start - kFxLookbackS, q.range.end};
        fq.start = fq.range.start;
        fq.end = fq.range.end - 1;
        fq.fields = FieldSet::Ohlcv();
        fq.gate = q.gate;
        SymbolOutcome fx = Series(fq, route->fx_symbol);
        out->api_calls += fx.api_calls;
        if (!fx.error.ok()) {
          converted = fx.error.WithContext("fetching " + from + "→" + q.currency + " rates (" +
                                           route->fx_symbol + ")");
          continue;
        }
        converted = ConvertFrame(*frame, from, q.currency, *route, fx.frame.get(), q.interval,
                                 IsIntraday(fx_iv) ? kFxMaxGapIntradayS : kFxMaxGapDailyS);
        if (!converted.ok()) continue;
        conv.fx_interval = fx_iv;
        conv.fx_keys = fx.keys;
        out->keys.insert(out->keys.end(), fx.keys.begin(), fx.keys.end());
        out->hit = out->hit && fx.hit;
        out->hit_rate = std::min(out->hit_rate, fx.hit_rate);
        out->oldest_fetch = std::min(out->oldest_fetch, fx.oldest_fetch);
        out->stale = out->stale || fx.stale;
        if (!fx.note.empty())
          out->note += (out->note.empty() ? "" : "; ") + route->fx_symbol + ": " + fx.note;
        break;
      }
    }
    if (!converted.ok()) {
      out->error = converted.status();
      return;
    }
    frame = *converted;
    out->conversions.push_back(std::move(conv));
  }
  out->frame = std::move(frame);
}

SymbolOutcome SmartCache::Series(const HistoryQuery& q, const std::string& symbol) {
  SymbolOutcome out;
  if (Status st = store_.EnsureLoaded(symbol, q.interval); !st.ok()) {
    out.error = st.WithContext("loading cached fragments of " + symbol);
    return out;
  }
  const calendar::Calendar& cal = CalendarOf(symbol);
  PlanRequest pr;
  pr.symbol = symbol;
  pr.interval = q.interval;
  pr.range = q.range;
  pr.fields = q.fields;
  pr.provider = q.provider;
  pr.currency = q.currency;
  FetchOutcome fetched;
  for (int attempt = 0;; ++attempt) {
    out.stale = false;
    out.note.clear();
    Plan plan;
    uint64_t generation = 0;
    double miss_ratio = -1;  // share of the requested trading time that was missing
    Status failure = FetchMissing(q, pr, cal, &out, &fetched, &plan, &generation, &miss_ratio);
    out.api_calls = fetched.api_calls;
    for (const std::string& p : fetched.providers) AddUnique(&out.providers, p);
    if (!failure.ok()) out.hit = false;
    if (failure.ok() && fetched.api_calls == 0 && !plan.full_hit() && plan.fetches.empty() &&
        plan.providers.empty()) {
      // Bars are missing and no configured provider serves this series.
      failure = UnavailableError("no configured provider serves " + symbol + " at " +
                                 std::string(IntervalName(q.interval)))
                    .WithParam("provider");
      if (plan.use.empty()) {
        out.error = failure;
        return out;
      }
      out.note = failure.message() + "; served what is cached";
      failure = OkStatus();
    }
    // Assemble (stale pieces too when a provider failed).
    std::vector<FragmentPtr> use = plan.use;
    if (!failure.ok()) {
      if (plan.use.empty() && plan.stale.empty() && fetched.unstored.empty()) {
        out.error = failure;
        return out;
      }
      use.insert(use.end(), plan.stale.begin(), plan.stale.end());
      out.stale = true;
      out.note = "provider failed (" + failure.ToString() + "); served cached data";
    } else if (!plan.unreachable.empty()) {
      out.note = "part of the range is beyond the provider's reach for this interval";
    }
    auto assembled = assembler_.Assemble(use, pr, fetched.unstored, deps_.clock->Now(),
                                         failure.ok() ? generation : ~0ull);
    if (!assembled.ok()) {
      out.error = assembled.status();
      return out;
    }
    if (assembled->vanished()) {
      // A piece's bytes vanished (TTL, eviction, another node): forget it and
      // answer again, a bounded number of times.
      store_.Forget(assembled->vanished_key);
      if (attempt + 1 >= kMaxVanishedRetries) {
        out.error =
            UnavailableError("cached pieces of " + symbol + " kept vanishing while being read (" +
                             assembled->vanished_key + ")");
        return out;
      }
      continue;
    }
    out.frame = std::move(assembled->frame);
    for (const FragmentPtr& f : use) {
      out.keys.push_back(f->key);
      out.oldest_fetch = std::min(out.oldest_fetch, f->fetched_at);
      AddUnique(&out.providers, f->provider());
    }
    stats_.RecordPiecesServed(symbol, use);
    out.hit_rate = miss_ratio < 0 ? 1.0 : 1.0 - miss_ratio;
    return out;
  }
}

Result<HistoryResult> SmartCache::History(std::span<const std::string> symbols,
                                          const HistoryOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  FINEX_ASSIGN_OR_RETURN(HistoryQuery q, ResolveHistory(symbols, opts, deps_.clock->Now(),
                                                        opts_.max_symbols, roster_));
  struct UserActive {  // prefetch yields while a user request runs
    Prefetcher* p;
    ~UserActive() {
      if (p) p->UserEnd();
    }
  } user_active{deps_.prefetcher};
  if (deps_.prefetcher) {
    deps_.prefetcher->UserBegin();
    const Timestamp now = deps_.clock->Now();
    for (const std::string& sym : q.symbols)
      deps_.prefetcher->OnUserRequest({sym, q.interval, q.provider, q.currency}, q.range, now);
  }
  std::vector<SymbolOutcome> outs(q.symbols.size());
  executor_.ParallelFor(
      q.symbols.size(), [&](size_t i) { outs[i] = HistoryOne(q, q.symbols[i]); },
      opts_.max_parallel);
  HistoryResult r;
  std::vector<size_t> order(q.symbols.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return q.symbols[a] < q.symbols[b]; });
  std::vector<FramePtr> frames;
  Timestamp oldest = std::numeric_limits<Timestamp>::max();
  double hit_sum = 0;
  std::vector<std::string> providers;
  for (size_t i : order) {
    SymbolOutcome& o = outs[i];
    stats_.RecordSymbol(q.symbols[i], o.hit && o.error.ok(), o.api_calls, o.providers);
    r.info.api_calls_made += o.api_calls;
    if (!o.error.ok()) return o.error.WithContext(q.symbols[i]);  // calls already made still count
    frames.push_back(o.frame);
    r.info.cache_keys_used.insert(r.info.cache_keys_used.end(), o.keys.begin(), o.keys.end());
    oldest = std::min(oldest, o.oldest_fetch);
    hit_sum += o.hit_rate;
    r.info.stale = r.info.stale || o.stale;
    if (!o.note.empty())
      r.info.note += (r.info.note.empty() ? "" : "; ") + q.symbols[i] + ": " + o.note;
    for (const std::string& p : o.providers) AddUnique(&providers, p);
    for (CurrencyConversion& c : o.conversions) r.info.conversions.push_back(std::move(c));
  }
  if (frames.size() == 1) {
    r.frame = frames[0];
  } else {
    auto c = Frame::Concat(frames);
    r.frame = c.ok() ? *c : Frame::Merge(frames);
  }
  r.info.hit_rate = hit_sum / static_cast<double>(frames.size());
  const double now_s = static_cast<double>(deps_.clock->NowMicros()) / 1e6;
  r.info.data_freshness_s = oldest == std::numeric_limits<Timestamp>::max()
                                ? 0
                                : std::max(0.0, now_s - static_cast<double>(oldest));
  r.query.symbols = q.symbols;
  r.query.interval = q.interval;
  r.query.start = q.start;
  r.query.end = q.end;
  r.query.currency = q.currency;
  r.query.fields = q.fields;
  for (const std::string& p : providers)
    r.query.provider += (r.query.provider.empty() ? "" : ",") + p;
  if (r.query.provider.empty()) r.query.provider = q.provider;
  stats_.AddRowsServed(r.frame->rows());
  if (r.info.api_calls_made == 0) stats_.AddBonusRowsReused(r.frame->rows());
  r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
  stats_.RecordLatency(r.info.response_time_ms);
  return r;
}

Result<PrefetchRun> SmartCache::PrefetchHistory(const PrefetchSeries& series, TimeRange range) {
  if (range.empty()) return PrefetchRun{};
  HistoryQuery q;
  q.symbols = {series.symbol};
  q.interval = series.interval;
  q.range = range;
  q.start = range.start;
  q.end = range.end - 1;
  q.fields = FieldSet::Ohlcv();  // fetches carry adj_close too (FetchFields)
  q.provider = series.provider;
  q.currency = series.currency;
  SymbolOutcome o = HistoryOne(q, series.symbol);
  PrefetchRun r;
  r.api_calls = o.api_calls;
  if (o.api_calls > 0 && o.frame) r.rows = o.frame->rows();
  stats_.AddPrefetch(static_cast<uint64_t>(r.api_calls), r.rows);
  if (!o.error.ok()) return o.error;
  return r;
}

CacheStats SmartCache::cache_stats() const {
  CacheStats s;
  stats_.Fill(&s);
  s.fragments = store_.fragment_count();
  s.bytes = store_.stored_bytes();
  s.evictions = store_.evictions();
  s.memory_bytes = store_.memory_bytes() + assembler_.memo_bytes();
  s.memory_budget_bytes =
      opts_.memory_budget_bytes ? opts_.memory_budget_bytes : store_.hot_budget_bytes();
  s.providers = roster_.States();
  return s;
}

Result<size_t> SmartCache::invalidate_cache(std::string_view pattern) {
  FINEX_ASSIGN_OR_RETURN(size_t removed, store_.Invalidate(pattern));
  invalidations_.fetch_add(1);
  if (deps_.coordinator) deps_.coordinator->PublishInvalidation(pattern);
  return removed;
}

void SmartCache::DropLocal(std::string_view pattern) {
  store_.DropLocal(pattern);
  if (pattern.empty()) assembler_.DropMemos();
  invalidations_.fetch_add(1);  // after the drop: answers built before it are then refused
}

}  // namespace

std::unique_ptr<CachedApi> NewSmartCache(SmartCacheDeps deps, SmartCacheOptions opts) {
  return std::make_unique<SmartCache>(std::move(deps), opts);
}

}  // namespace finex::cache
