#include "finex/cache/smart_cache.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "finex/cache/coordination.h"
#include "finex/cache/hot_tier.h"
#include "finex/cache/prefetcher.h"
#include "finex/cache/split_policy.h"
#include "finex/core/symbol.h"
#include "finex/fragment/registry.h"
#include "finex/key/cache_key.h"
#include "finex/key/pattern.h"

namespace finex::cache {
namespace {

using fragment::Fragment;
using fragment::FragmentPtr;
using fragment::Plan;
using fragment::PlanRequest;

// One provider fetch being made for a series; others with overlapping gaps
// wait on `done` instead of calling the provider themselves.
struct Flight {
  TimeRangeSet fills;
  FieldSet fields;
  std::string provider;  // "" = whichever finex picked
  std::string currency;  // as requested ("" = native)
  std::shared_future<Status> done;
};

// The merged frame of a series' usable fragments, reused while the series
// has not changed (generation) and none of them expired.
struct Memo {
  uint64_t generation = 0;
  std::string provider, currency;
  std::vector<const Fragment*> ids;  // sorted
  std::vector<FragmentPtr> hold;
  FramePtr merged;
  Timestamp min_expires = 0;
};

struct Series {
  std::mutex mu;  // guards inflight and loading
  std::vector<std::shared_ptr<Flight>> inflight;
  std::mutex memo_mu;
  std::shared_ptr<const Memo> memo;  // GUARDED_BY(memo_mu)
};

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
};

struct ResolvedHistory {
  std::vector<std::string> symbols;
  Interval interval = Interval::k1d;
  TimeRange range;
  Timestamp start = 0, end = 0;
  FieldSet fields;
  std::string provider, currency;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

FieldSet FetchFields(FieldSet asked) { return asked.Union(FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)); }

// Upstream calls a failed provider call made (retries included; 0 when it
// was refused locally, e.g. by an open breaker); 1 when unknown.
int UpstreamCalls(const Status& s) { return s.details().upstream_calls >= 0 ? s.details().upstream_calls : 1; }

bool Retryable(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
    case StatusCode::kFailedPrecondition:
      return false;
    default:
      return true;
  }
}

// Runs fn(i) for i in [0, n) on up to `threads` threads (the caller's included).
void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& fn) {
  if (n <= 1 || threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> ts;
  const size_t extra = std::min<size_t>(n, static_cast<size_t>(threads)) - 1;
  for (size_t t = 0; t < extra; ++t) ts.emplace_back(worker);
  worker();
  for (auto& t : ts) t.join();
}

class LatencyWindow {
 public:
  void Add(double ms) {
    std::lock_guard lock(mu_);
    if (v_.size() < kCap) {
      v_.push_back(ms);
    } else {
      v_[pos_] = ms;
    }
    pos_ = (pos_ + 1) % kCap;
  }
  std::pair<double, double> P50P99() const {
    std::vector<double> c;
    {
      std::lock_guard lock(mu_);
      c = v_;
    }
    if (c.empty()) return {0, 0};
    std::sort(c.begin(), c.end());
    return {c[c.size() / 2], c[std::min(c.size() - 1, c.size() * 99 / 100)]};
  }

 private:
  static constexpr size_t kCap = 4096;
  mutable std::mutex mu_;
  std::vector<double> v_;
  size_t pos_ = 0;
};

class SmartCache final : public CachedApi {
 public:
  SmartCache(SmartCacheDeps deps, SmartCacheOptions opts)
      : deps_(std::move(deps)),
        opts_(opts),
        planner_(opts.planner),
        hot_(opts.hot_tier_bytes, opts.eviction) {
    FINEX_CHECK(deps_.backend && deps_.codec && deps_.clock);
    for (const ProviderSlot& s : deps_.providers) FINEX_CHECK(s.provider != nullptr);
    if (deps_.prefetcher)
      deps_.prefetcher->Attach([this](const PrefetchSeries& s, TimeRange r) { return PrefetchHistory(s, r); });
    if (deps_.coordinator)
      deps_.coordinator->OnInvalidation([this](std::string_view pattern) { DropLocal(pattern); });
  }

  ~SmartCache() override {
    if (deps_.coordinator) deps_.coordinator->OnInvalidation({});  // waits for a running handler
    if (deps_.prefetcher) deps_.prefetcher->Detach();  // waits for a running prefetch
    {
      std::lock_guard lock(warm_mu_);
      warm_stop_ = true;
    }
    warm_cv_.notify_all();
    if (warm_thread_.joinable()) warm_thread_.join();
  }

  Result<HistoryResult> History(std::span<const std::string> symbols, const HistoryOptions& opts) override;
  Result<QuoteResult> Quote(std::span<const std::string> symbols, const QuoteOptions& opts) override;
  Result<SearchResults> Search(std::string_view query, const SearchOptions& opts) override;
  CacheStats cache_stats() const override;
  Result<std::string> warm_cache(const WarmRequest& req) override;
  Result<WarmStatus> warm_status(std::string_view id) const override;
  Result<size_t> invalidate_cache(std::string_view pattern) override;
  uint64_t invalidations() const override { return invalidations_.load(); }
  Status Ready() const override;

 private:
  const calendar::Calendar& CalendarOf(std::string_view symbol) const {
    return deps_.calendar_for ? deps_.calendar_for(symbol) : calendar::CalendarFor(symbol);
  }
  provider::Provider* FindProvider(std::string_view name) const {
    for (const ProviderSlot& s : deps_.providers)
      if (s.provider->name() == name) return s.provider;
    return nullptr;
  }
  double HealthOf(std::string_view name) const {
    for (const ProviderSlot& s : deps_.providers)
      if (s.provider->name() == name) return s.health ? s.health() : 1.0;
    return 0;
  }
  Status ValidateProvider(std::string_view name) const;
  Result<ResolvedHistory> Resolve(std::span<const std::string> symbols, const HistoryOptions& opts) const;
  std::vector<fragment::ProviderCandidate> Candidates(std::string_view symbol, Interval iv) const;
  Series& SeriesFor(const std::string& symbol, Interval iv);

  Status EnsureLoaded(const std::string& symbol, Interval iv, Series& s);
  Status LoadNewKeys(const std::string& symbol, Interval iv);
  // Decoded frame of a fragment: hot tier, else backend + codec. nullptr when
  // the backend no longer holds it.
  Result<FramePtr> FrameOf(const Fragment& f);

  SymbolOutcome HistoryOne(const ResolvedHistory& q, const std::string& symbol);
  Status ExecuteFetches(const Plan& plan, const PlanRequest& pr, const calendar::Calendar& cal,
                        SymbolOutcome* out, std::vector<FramePtr>* unstored);
  Status Store(const PlanRequest& pr, const std::string& provider_name, TimeRange call,
               const provider::HistoryResponse& resp, const provider::CallLimits& limits,
               const calendar::Calendar& cal, Timestamp now, std::vector<FramePtr>* unstored);
  Status PutFragment(Fragment& f, const FramePtr& bars, Timestamp ttl);
  // Drops the symbol's fragments that `actions` (splits/dividends the
  // provider just reported) make stale; see split_policy.h.
  void InvalidateForActions(const std::string& symbol, const std::string& provider_name,
                            const std::vector<provider::CorporateAction>& actions, Timestamp now);
  void SupersedeAndCoalesce(const std::string& symbol, Interval iv, const std::vector<FragmentPtr>& added,
                            Timestamp now);
  // Assembles from fragments (+ frames fetched but not stored). NotFound when
  // a fragment's bytes vanished from the backend (the caller replans).
  Result<FramePtr> Assemble(Series& s, const std::vector<FragmentPtr>& use, const PlanRequest& pr,
                            const std::vector<FramePtr>& extra, Timestamp now, uint64_t generation);

  // One history lookup of `symbol`; a hit also counts for each provider
  // whose stored rows answered it.
  void RecordSymbol(const std::string& symbol, bool hit, int calls, const std::vector<std::string>& providers);
  void RecordProviderCalls(const std::string& provider, int calls, bool failed);

  // An invalidation from another node (coordination.h): drops matching
  // registry and hot-tier entries; "" = drop every decoded copy and memo.
  void DropLocal(std::string_view pattern);

  void WarmLoop();
  // A prediction run through the normal path; not a user hit/miss.
  Result<PrefetchRun> PrefetchHistory(const PrefetchSeries& series, TimeRange range);

  SmartCacheDeps deps_;
  const SmartCacheOptions opts_;
  const fragment::Planner planner_;
  fragment::FragmentRegistry registry_;
  HotTier hot_;

  std::mutex series_mu_;
  std::map<std::pair<std::string, Interval>, std::unique_ptr<Series>> series_;  // GUARDED_BY(series_mu_)

  // Quote / search caches.
  struct QuoteEntry {
    finex::Quote quote;
    Timestamp expires = 0;
  };
  struct SearchEntry {
    std::vector<SearchResult> results;
    Timestamp expires = 0;
  };
  std::mutex qs_mu_;
  std::unordered_map<std::string, QuoteEntry> quotes_;    // GUARDED_BY(qs_mu_)
  std::unordered_map<std::string, SearchEntry> searches_;  // GUARDED_BY(qs_mu_)
  // provider|symbol|interval|currency -> (native currency, until when): a
  // provider answered in another currency than asked; finex does not convert,
  // so asking again within a day would be a wasted call.
  std::unordered_map<std::string, std::pair<std::string, Timestamp>> currency_misses_;  // GUARDED_BY(qs_mu_)

  // Stats.
  std::atomic<uint64_t> hits_{0}, misses_{0}, api_calls_{0}, saved_{0};
  std::atomic<uint64_t> rows_served_{0}, rows_stored_{0}, bonus_rows_{0}, validation_rejects_{0};
  std::atomic<uint64_t> prefetch_calls_{0}, prefetched_rows_{0};
  std::atomic<uint64_t> split_invalidations_{0};  // fragments dropped for splits/dividends
  ActionLedger action_ledger_;  // when each split/dividend became known (split_policy.h)
  std::atomic<uint64_t> invalidations_{0};        // invalidate_cache + DropLocal calls
  mutable std::mutex stats_mu_;
  std::map<std::string, NamedCount> by_provider_;  // GUARDED_BY(stats_mu_)
  std::map<std::string, NamedCount> by_symbol_;    // GUARDED_BY(stats_mu_)
  LatencyWindow latency_;

  // Warm jobs.
  struct WarmJob {
    WarmRequest req;
    WarmStatus status;
  };
  mutable std::mutex warm_mu_;
  std::condition_variable warm_cv_;
  std::map<std::string, std::shared_ptr<WarmJob>, std::less<>> warm_jobs_;  // GUARDED_BY(warm_mu_)
  std::deque<std::shared_ptr<WarmJob>> warm_queue_;                         // GUARDED_BY(warm_mu_)
  bool warm_stop_ = false;                                                  // GUARDED_BY(warm_mu_)
  uint64_t warm_seq_ = 0;                                                   // GUARDED_BY(warm_mu_)
  std::thread warm_thread_;
};

// ---------------------------------------------------------------------------
// Resolution and validation.

Status SmartCache::ValidateProvider(std::string_view name) const {
  if (name.empty() || FindProvider(name)) return OkStatus();
  std::string known;
  for (const ProviderSlot& s : deps_.providers) known += (known.empty() ? "" : ", ") + std::string(s.provider->name());
  return InvalidArgumentError("provider '" + Printable(name, 32) + "' is not configured (configured: " +
                              (known.empty() ? "none" : known) + ")")
      .WithParam("provider");
}

Status ValidateSymbols(std::span<const std::string> symbols, size_t max_symbols) {
  if (symbols.empty()) return InvalidArgumentError("no symbols given").WithParam("symbols");
  if (symbols.size() > max_symbols)
    return InvalidArgumentError("too many symbols: " + std::to_string(symbols.size()) + " > " +
                                std::to_string(max_symbols))
        .WithParam("symbols");
  std::unordered_set<std::string_view> seen;
  for (const std::string& s : symbols) {
    FINEX_RETURN_IF_ERROR(ValidateSymbol(s));
    if (!seen.insert(s).second)
      return InvalidArgumentError("symbol '" + s + "' is given twice").WithParam("symbols");
  }
  return OkStatus();
}

Result<ResolvedHistory> SmartCache::Resolve(std::span<const std::string> symbols,
                                            const HistoryOptions& opts) const {
  FINEX_RETURN_IF_ERROR(ValidateSymbols(symbols, opts_.max_symbols));
  ResolvedHistory q;
  q.symbols.assign(symbols.begin(), symbols.end());
  q.interval = opts.interval;
  if (static_cast<uint8_t>(opts.interval) > static_cast<uint8_t>(Interval::k1mo))
    return InvalidArgumentError("interval is not one of 1m 5m 15m 30m 1h 1d 1w 1mo").WithParam("interval");
  if (opts.fields.empty()) return InvalidArgumentError("fields must not be empty").WithParam("fields");
  q.fields = opts.fields;
  if (!opts.period.empty() && opts.start)
    return InvalidArgumentError("give either period or start, not both").WithParam("period");
  const Timestamp now = deps_.clock->Now();
  q.end = opts.end.value_or(now);
  if (opts.start) {
    q.start = *opts.start;
  } else if (!opts.period.empty()) {
    auto s = ResolvePeriodStart(opts.period, q.end);
    if (!s.ok()) return s.status().WithParam("period");
    q.start = *s;
  } else {
    q.start = q.end - 365 * kSecondsPerDay;
  }
  if (q.start < key::kMinKeyTimestamp || q.end > key::kMaxKeyTimestamp)
    return InvalidArgumentError("start/end must lie in years 0001..9999").WithParam("start");
  FINEX_ASSIGN_OR_RETURN(q.range, TimeRange::FromInclusive(q.start, q.end));
  FINEX_RETURN_IF_ERROR(ValidateProvider(opts.provider));
  q.provider = opts.provider;
  q.currency = Lower(opts.currency);
  if (!q.currency.empty()) FINEX_RETURN_IF_ERROR(key::ValidateCurrencyCode(q.currency));
  return q;
}

std::vector<fragment::ProviderCandidate> SmartCache::Candidates(std::string_view symbol, Interval iv) const {
  std::vector<fragment::ProviderCandidate> out;
  for (const ProviderSlot& s : deps_.providers) {
    const provider::CallLimits l = s.provider->Limits(iv);
    fragment::ProviderCandidate c;
    c.name = std::string(s.provider->name());
    c.limits = {l.max_rows, l.max_span_s, l.max_lookback_s, l.whole_history, l.supported};
    c.health = s.health ? s.health() : 1.0;
    c.handles = s.provider->Handles(symbol);
    out.push_back(std::move(c));
  }
  return out;
}

Series& SmartCache::SeriesFor(const std::string& symbol, Interval iv) {
  std::lock_guard lock(series_mu_);
  auto& p = series_[{symbol, iv}];
  if (!p) p = std::make_unique<Series>();
  return *p;
}

// ---------------------------------------------------------------------------
// Loading from the backend.

Status SmartCache::EnsureLoaded(const std::string& symbol, Interval iv, Series& s) {
  if (registry_.loaded(symbol, iv)) return OkStatus();
  std::lock_guard lock(s.mu);
  if (registry_.loaded(symbol, iv)) return OkStatus();
  FINEX_RETURN_IF_ERROR(LoadNewKeys(symbol, iv));
  registry_.MarkLoaded(symbol, iv);
  return OkStatus();
}

Status SmartCache::LoadNewKeys(const std::string& symbol, Interval iv) {
  FINEX_ASSIGN_OR_RETURN(std::string prefix, key::SeriesPrefix(symbol, iv));
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, deps_.backend->ScanPrefix(prefix));
  const auto snap = registry_.Snapshot(symbol, iv);
  std::unordered_set<std::string_view> known;
  for (const FragmentPtr& f : *snap.fragments) known.insert(f->key);
  std::vector<std::string> fresh;
  for (std::string& k : keys)
    if (!known.count(k)) fresh.push_back(std::move(k));
  if (fresh.empty()) return OkStatus();
  FINEX_ASSIGN_OR_RETURN(auto values, deps_.backend->GetMultiple(fresh));
  std::vector<FragmentPtr> add;
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (!values[i]) continue;  // expired between scan and get
    auto f = fragment::FragmentFromKey(fresh[i], 0);
    if (!f.ok()) continue;  // not a fragment key of ours
    auto decoded = deps_.codec->Decode(*values[i]);
    if (!decoded.ok()) continue;  // unreadable: never served; it will be refetched
    if (!fragment::ApplyMetadata(decoded->metadata, &*f).ok()) continue;
    f->bytes = values[i]->size();
    hot_.Put(fresh[i], decoded->frame, EvictionCost(iv, decoded->frame->rows()));
    add.push_back(std::make_shared<const Fragment>(std::move(f).value()));
  }
  if (!add.empty()) registry_.Replace(add, {});
  return OkStatus();
}

Result<FramePtr> SmartCache::FrameOf(const Fragment& f) {
  if (FramePtr fr = hot_.Get(f.key)) return fr;
  FINEX_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, deps_.backend->Get(f.key));
  if (!bytes) return FramePtr();
  FINEX_ASSIGN_OR_RETURN(codec::DecodedFrame d, deps_.codec->Decode(*bytes));
  hot_.Put(f.key, d.frame, EvictionCost(f.interval(), d.frame->rows()));
  return d.frame;
}

// ---------------------------------------------------------------------------
// Storing provider answers.

Status SmartCache::PutFragment(Fragment& f, const FramePtr& bars, Timestamp ttl) {
  FINEX_ASSIGN_OR_RETURN(Bytes bytes, deps_.codec->Encode(*bars, fragment::ToMetadata(f)));
  f.bytes = bytes.size();
  backend::PutOptions po;
  po.ttl_ms = (ttl + opts_.stale_keep_s) * 1000;
  FINEX_RETURN_IF_ERROR(deps_.backend->Put(f.key, bytes, po));
  hot_.Put(f.key, bars, EvictionCost(f.interval(), bars->rows()));
  return OkStatus();
}

Status SmartCache::Store(const PlanRequest& pr, const std::string& provider_name, TimeRange call,
                         const provider::HistoryResponse& resp, const provider::CallLimits& limits,
                         const calendar::Calendar& cal, Timestamp now, std::vector<FramePtr>* unstored) {
  const Interval iv = pr.interval;
  FramePtr frame = resp.frame ? resp.frame : Frame::Empty(pr.fields);
  if (!frame->empty() && frame->symbol().dictionary().size() > 1) frame = frame->SliceSymbol(pr.symbol);
  // Bars at or after the end of the call are not part of its answer (Yahoo
  // appends a bar at the latest trade time after a past range): kept, they
  // would make the piece vouch for everything between the call's end and
  // them. Only a whole-history answer speaks for the time after the call.
  bool partial_flag = resp.last_bar_partial;
  if (!limits.whole_history && !frame->empty() && frame->last_timestamp() >= call.end) {
    frame = frame->Slice({std::min(frame->first_timestamp(), call.start), call.end});
    partial_flag = false;  // the flag spoke of a bar that is gone; the rest is judged by the calendar
  }
  // Validation hook: nothing bad is cached as good data.
  if (opts_.validate && !frame->empty()) {
    std::vector<Timestamp> splits;
    for (const provider::CorporateAction& a : resp.actions)
      if (a.kind == provider::CorporateAction::Kind::kSplit) splits.push_back(a.timestamp);
    const ValidationReport report = ValidateBars(*frame, iv, now, splits, opts_.validation);
    if (!report.clean()) validation_rejects_.fetch_add(report.issues.size());
    if (report.suspect_series && opts_.validation.policy == ValidationPolicy::kReject) {
      unstored->push_back(frame);  // served once, never stored
      return OkStatus();
    }
    frame = ApplyValidation(frame, report, opts_.validation);
  }
  // A split or dividend newer than what stored pieces knew makes them stale:
  // drop them before this answer's pieces are stored and anything is served.
  if (!resp.actions.empty()) InvalidateForActions(pr.symbol, provider_name, resp.actions, now);
  std::string currency = Lower(resp.currency);
  if (currency.empty() || !key::ValidateCurrencyCode(currency).ok()) currency = std::string(fragment::kUnknownCurrency);
  const FieldSet fields = frame->fields().Union(pr.fields);
  TimeRange actual;
  if (!frame->empty()) actual = {frame->first_timestamp(), NextBar(frame->last_timestamp(), iv)};
  // Vouched: what was asked (up to now) and what came back. A call cut short
  // by the provider's row limit vouches only up to its last bar.
  TimeRangeSet vouched(call.Intersect({call.start, std::max(call.start, now + 1)}));
  if (limits.max_rows > 0 && static_cast<int64_t>(frame->rows()) >= limits.max_rows && !actual.empty())
    vouched = TimeRangeSet(TimeRange{std::min(call.start, actual.start), actual.end});
  vouched.Add(actual);

  // Live time: from the first bar that is not final yet (or the start of the
  // bar containing now) on. It is stored in its own short-lived pieces, so the
  // finished bars of the same bucket stay final and long-lived.
  Timestamp live_from = FloorToBar(now, iv);
  for (size_t i = frame->rows(); i-- > 0;) {
    const Timestamp ts = frame->timestamps()[i];
    const bool forming = partial_flag && i + 1 == frame->rows();
    if (!forming && IsFinal(cal, iv, ts, now, opts_.ttl)) break;
    live_from = std::min(live_from, ts);
  }
  const Timestamp live_ttl = std::max<Timestamp>(
      1, static_cast<Timestamp>(static_cast<double>(std::clamp<Timestamp>(NominalSeconds(iv) / 4, 15, 300)) *
                                opts_.ttl.ttl_multiplier));
  // Before today's session opens, a live piece (known empty so far) must not
  // outlive the open: today's daily bar (stamped 00:00, inside the piece)
  // appears then, and a split reported with it must not wait for the TTL.
  Timestamp live_until = std::numeric_limits<Timestamp>::max();
  if (const std::optional<calendar::Session> today = cal.SessionOn(cal.LocalDate(now)); today && now < today->open)
    live_until = today->open;

  const fragment::BucketUnit unit = fragment::FragmentBucketUnit(iv, opts_.planner.fragment_size);
  std::vector<TimeRange> pieces;
  for (const TimeRange& v : vouched.ranges()) {
    for (const TimeRange& b : fragment::SplitAlongBuckets(v, unit)) {
      if (b.start < live_from && live_from < b.end) {
        pieces.push_back({b.start, live_from});
        pieces.push_back({live_from, b.end});
      } else {
        pieces.push_back(b);
      }
    }
  }
  std::vector<FragmentPtr> added;
  for (const TimeRange& b : pieces) {
    {
      FramePtr bars = frame->Slice(b);
      const bool empty = bars->empty();
      const Timestamp first = empty ? b.start : bars->first_timestamp();
      const Timestamp last = empty ? b.end - 1 : bars->last_timestamp();
      auto key = fragment::MakeFragmentKey(pr.symbol, iv, first, last, provider_name, currency,
                                           empty ? FieldSet() : fields);
      if (!key.ok()) return key.status();
      auto f = fragment::FragmentFromKey(*key, 0);
      if (!f.ok()) return f.status();
      f->vouched = empty ? b : TimeRange{std::min(b.start, first), std::max(b.end, NextBar(last, iv))};
      const bool live = b.start >= live_from;
      f->final = !live;
      Timestamp ttl = live ? live_ttl : FragmentTtl(cal, iv, last, empty, now, opts_.ttl);
      if (live && empty) ttl = std::min(ttl, live_until - now);
      f->fetched_at = now;
      f->expires_at = now + std::max<Timestamp>(1, ttl);
      f->rows = bars->rows();
      f->details_loaded = true;
      Status st = PutFragment(*f, empty ? Frame::Empty(pr.fields) : bars, ttl);
      if (!st.ok()) {
        if (!empty) unstored->push_back(bars);
        continue;
      }
      rows_stored_.fetch_add(bars->rows());
      added.push_back(std::make_shared<const Fragment>(std::move(f).value()));
    }
  }
  if (!added.empty()) {
    registry_.Replace(added, {});
    SupersedeAndCoalesce(pr.symbol, iv, added, now);
  }
  return OkStatus();
}

void SmartCache::InvalidateForActions(const std::string& symbol, const std::string& provider_name,
                                      const std::vector<provider::CorporateAction>& actions, Timestamp now) {
  // Yahoo restates OHLC on splits; Alpha Vantage's daily series are as-traded
  // (only its adjusted close is restated); Binance and CoinGecko have no
  // corporate actions. Unknown providers are treated as restating (safe).
  const bool ohlc_restated = provider_name != "alpha_vantage";
  std::vector<std::string> stale;
  for (Interval iv : kAllIntervals) {
    auto snap = registry_.Snapshot(symbol, iv);
    if (!snap.fragments || snap.fragments->empty()) continue;
    std::vector<FragmentFacts> facts;
    for (const FragmentPtr& f : *snap.fragments) {
      if (f->provider() != provider_name) continue;
      // A piece rebuilt from its key alone has no fetch time: assume old.
      facts.push_back({f->key, f->actual.empty() ? f->vouched.start : f->actual.start,
                       f->details_loaded ? f->fetched_at : 0, f->fields(), ohlc_restated});
    }
    for (const provider::CorporateAction& a : actions) {
      if (a.timestamp > now) continue;  // not effective yet
      // Reported again (every answer reaching today does on the ex-date):
      // pieces fetched since it was first known are already restated.
      const Timestamp known_since = action_ledger_.KnownSince(symbol + "|" + provider_name, a, now);
      for (std::string& k : StaleAfterAction(facts, a, known_since)) stale.push_back(std::move(k));
    }
  }
  if (stale.empty()) return;
  std::sort(stale.begin(), stale.end());
  stale.erase(std::unique(stale.begin(), stale.end()), stale.end());
  registry_.Replace({}, stale);
  for (const std::string& k : stale) {
    deps_.backend->Delete(k).IgnoreError();
    hot_.Erase(k);
  }
  split_invalidations_.fetch_add(stale.size());
}

// Drops older pieces a fresh one fully replaces, and merges the pieces of one
// bucket that touch (same provider, currency and fields) into one, keeping
// every bar (Frame::Merge; the newer fetch wins a shared timestamp).
void SmartCache::SupersedeAndCoalesce(const std::string& symbol, Interval iv,
                                      const std::vector<FragmentPtr>& added, Timestamp now) {
  const calendar::Calendar& cal = CalendarOf(symbol);
  std::unordered_set<std::string_view> added_keys;
  for (const FragmentPtr& a : added) added_keys.insert(a->key);
  auto snap = registry_.Snapshot(symbol, iv);
  std::vector<std::string> remove;
  for (const FragmentPtr& old : *snap.fragments) {
    if (added_keys.count(old->key)) continue;
    for (const FragmentPtr& a : added) {
      if (old->provider() != a->provider() || old->currency() != a->currency()) continue;
      if (!a->vouched.Contains(old->vouched)) continue;
      if (a->is_empty_answer() || old->is_empty_answer() || a->fields().Contains(old->fields())) {
        remove.push_back(old->key);
        break;
      }
    }
  }
  if (!remove.empty()) {
    registry_.Replace({}, remove);
    for (const std::string& k : remove) {
      deps_.backend->Delete(k).IgnoreError();
      hot_.Erase(k);
    }
    snap = registry_.Snapshot(symbol, iv);
  }
  const fragment::BucketUnit unit = fragment::FragmentBucketUnit(iv, opts_.planner.fragment_size);
  std::unordered_set<std::string> done;
  for (const FragmentPtr& a : added) {
    if (done.count(a->key)) continue;
    const TimeRange bucket = fragment::BucketOf(a->vouched.start, unit);
    std::vector<FragmentPtr> group;
    for (const FragmentPtr& f : *snap.fragments) {
      if (f->provider() != a->provider() || f->currency() != a->currency() || f->expired(now)) continue;
      if (fragment::BucketOf(f->vouched.start, unit).start != bucket.start) continue;
      if (!(f->is_empty_answer() || a->is_empty_answer() || f->fields() == a->fields())) continue;
      if (f->final != a->final) continue;  // live pieces stay apart from final ones
      group.push_back(f);
    }
    if (group.size() < 2) continue;
    std::sort(group.begin(), group.end(), [](auto& x, auto& y) { return x->vouched.start < y->vouched.start; });
    // The connected run containing `a`.
    std::vector<FragmentPtr> run;
    TimeRange hull;
    for (const FragmentPtr& f : group) {
      // Pieces separated only by closed time (a weekend) are neighbours.
      if (!run.empty() && f->vouched.start > hull.end &&
          !cal.TradingTime({hull.end, f->vouched.start}, iv).empty()) {
        if (std::find(run.begin(), run.end(), a) != run.end()) break;
        run.clear();
      }
      if (run.empty()) hull = f->vouched;
      run.push_back(f);
      hull = {std::min(hull.start, f->vouched.start), std::max(hull.end, f->vouched.end)};
    }
    if (run.size() < 2 || std::find(run.begin(), run.end(), a) == run.end()) continue;
    // Newer fetches last, so their values win.
    std::stable_sort(run.begin(), run.end(), [](auto& x, auto& y) { return x->fetched_at < y->fetched_at; });
    std::vector<FramePtr> frames;
    FieldSet fields;
    bool ok = true;
    Fragment merged;
    merged.fetched_at = std::numeric_limits<Timestamp>::max();
    merged.expires_at = std::numeric_limits<Timestamp>::max();
    merged.final = true;
    // The merged piece is as old as its oldest bars: a known-empty neighbour
    // (closed time before the open) holds none, so a refetched day merged
    // with it keeps its own fetch time (data_freshness stays honest).
    Timestamp empty_fetched_at = std::numeric_limits<Timestamp>::max();
    for (const FragmentPtr& f : run) {
      if (f->is_empty_answer()) empty_fetched_at = std::min(empty_fetched_at, f->fetched_at);
      if (!f->is_empty_answer()) {
        auto fr = FrameOf(*f);
        if (!fr.ok() || !*fr) {
          ok = false;
          break;
        }
        frames.push_back(*fr);
        fields = fields.Union(f->fields());
      }
      if (!f->is_empty_answer()) merged.fetched_at = std::min(merged.fetched_at, f->fetched_at);
      merged.expires_at = std::min(merged.expires_at, f->expires_at);
      merged.final = merged.final && f->final;
    }
    if (!ok) continue;
    if (frames.empty()) merged.fetched_at = empty_fetched_at;
    FramePtr bars = frames.empty() ? Frame::Empty(a->fields().empty() ? FieldSet::Ohlcv() : a->fields())
                                   : Frame::Merge(frames);
    const bool empty = bars->empty();
    auto key = fragment::MakeFragmentKey(symbol, iv, empty ? hull.start : bars->first_timestamp(),
                                         empty ? hull.end - 1 : bars->last_timestamp(), a->provider(),
                                         a->currency(), empty ? FieldSet() : fields);
    if (!key.ok()) continue;
    auto f = fragment::FragmentFromKey(*key, 0);
    if (!f.ok()) continue;
    f->vouched = hull;
    f->fetched_at = merged.fetched_at;
    f->expires_at = merged.expires_at;
    f->final = merged.final;
    f->rows = bars->rows();
    f->details_loaded = true;
    if (!PutFragment(*f, bars, std::max<Timestamp>(1, f->expires_at - now)).ok()) continue;
    std::vector<std::string> gone;
    for (const FragmentPtr& r : run) {
      done.insert(r->key);
      if (r->key != *key) gone.push_back(r->key);
    }
    FragmentPtr fp = std::make_shared<const Fragment>(std::move(f).value());
    registry_.Replace(std::span<const FragmentPtr>(&fp, 1), gone);
    for (const std::string& k : gone) {
      deps_.backend->Delete(k).IgnoreError();
      hot_.Erase(k);
    }
    snap = registry_.Snapshot(symbol, iv);
  }
}

// ---------------------------------------------------------------------------
// Fetching.

Status SmartCache::ExecuteFetches(const Plan& plan, const PlanRequest& pr, const calendar::Calendar& cal,
                                  SymbolOutcome* out, std::vector<FramePtr>* unstored) {
  if (plan.providers.empty())
    return UnavailableError("no configured provider serves " + pr.symbol + " at " +
                            std::string(IntervalName(pr.interval)));
  std::vector<fragment::FetchPlan> pending = plan.fetches;
  Status last_error;
  // Columns one call carries anyway are asked for too (bonus fields): a later
  // request for adj_close is then a hit.
  PlanRequest fetch_req = pr;
  fetch_req.fields = FetchFields(pr.fields);
  for (size_t pi = 0; pi < plan.providers.size() && !pending.empty(); ++pi) {
    const std::string& name = plan.providers[pi];
    provider::Provider* p = FindProvider(name);
    if (!p) continue;
    const provider::CallLimits limits = p->Limits(pr.interval);
    const Timestamp now = deps_.clock->Now();
    if (pi > 0) {  // re-plan what failed for this provider's limits
      TimeRangeSet fills;
      for (const fragment::FetchPlan& f : pending) fills = fills.Union(f.fills);
      pending = planner_.PlanFetches(fills, plan.fresh,
                                     {limits.max_rows, limits.max_span_s, limits.max_lookback_s,
                                      limits.whole_history, limits.supported},
                                     pr.interval, cal, now);
    }
    const std::string miss_key = name + "|" + pr.symbol + "|" + std::string(IntervalName(pr.interval)) + "|" + pr.currency;
    auto currency_error = [&](const std::string& native) {
      return UnimplementedError(name + " serves " + pr.symbol + " in " + native + ", not " + pr.currency +
                                "; finex does not convert currencies")
          .WithParam("currency");
    };
    if (!pr.currency.empty()) {
      std::lock_guard lock(qs_mu_);
      if (auto it = currency_misses_.find(miss_key); it != currency_misses_.end() && now < it->second.second) {
        last_error = currency_error(it->second.first);
        continue;  // known: no call; the next provider may serve the currency
      }
    }
    std::vector<Status> results(pending.size());
    std::mutex out_mu;
    ParallelFor(pending.size(), opts_.worker_threads, [&](size_t i) {
      provider::HistoryRequest req;
      req.symbol = pr.symbol;
      req.interval = pr.interval;
      req.range = pending[i].call;
      req.fields = fetch_req.fields;
      req.currency = pr.currency;
      auto resp = p->History(req);
      const int calls = resp.ok() ? std::max(1, resp->http_calls) : UpstreamCalls(resp.status());
      RecordProviderCalls(name, calls, !resp.ok());
      std::lock_guard lock(out_mu);
      out->api_calls += calls;
      if (!resp.ok()) {
        results[i] = resp.status();
        return;
      }
      std::vector<FramePtr> local;
      results[i] = Store(fetch_req, name, pending[i].call, *resp, limits, cal, deps_.clock->Now(), &local);
      const std::string native = Lower(resp->currency);
      const bool has_rows = resp->frame && resp->frame->rows() > 0;
      if (!pr.currency.empty() && native != pr.currency && (has_rows || !native.empty())) {
        // Stored under its own currency (a native request reuses it), but it
        // does not answer this one.
        const std::string shown = native.empty() ? "an unstated currency" : native;
        results[i] = currency_error(shown);
        std::lock_guard qlock(qs_mu_);
        if (currency_misses_.size() >= 10000) currency_misses_.clear();  // bounded
        currency_misses_[miss_key] = {shown, deps_.clock->Now() + kSecondsPerDay};
      }
      unstored->insert(unstored->end(), local.begin(), local.end());
      if (std::find(out->providers.begin(), out->providers.end(), name) == out->providers.end())
        out->providers.push_back(name);
    });
    std::vector<fragment::FetchPlan> failed;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (results[i].ok()) continue;
      // An earlier provider's "no such symbol" says more than a later one's
      // refusal to serve at all (no API key, unsupported request).
      if (!(last_error.code() == StatusCode::kNotFound && !Retryable(results[i]))) last_error = results[i];
      failed.push_back(pending[i]);
    }
    pending = std::move(failed);
    if (!pending.empty() && (!pr.provider.empty() || !Retryable(last_error))) break;
  }
  if (pending.empty()) return OkStatus();
  return last_error.ok() ? UnavailableError("no provider could serve " + pr.symbol) : last_error;
}

// ---------------------------------------------------------------------------
// Assembly.

Result<FramePtr> SmartCache::Assemble(Series& s, const std::vector<FragmentPtr>& use, const PlanRequest& pr,
                                      const std::vector<FramePtr>& extra, Timestamp now, uint64_t generation) {
  std::vector<FragmentPtr> frags;
  frags.reserve(use.size());
  for (const FragmentPtr& f : use)
    if (!f->is_empty_answer()) frags.push_back(f);
  auto finish = [&](FramePtr merged) -> FramePtr {
    FramePtr out = merged->Slice(pr.range);
    if (!pr.fields.Contains(out->fields())) out = out->Project(pr.fields);
    return out;
  };
  // Memo: the merged frame of the series' usable pieces.
  std::vector<const Fragment*> ids;
  ids.reserve(frags.size());
  for (const FragmentPtr& f : frags) ids.push_back(f.get());
  std::sort(ids.begin(), ids.end());
  if (extra.empty()) {
    std::shared_ptr<const Memo> memo;
    {
      std::lock_guard lock(s.memo_mu);
      memo = s.memo;
    }
    if (memo && memo->generation == generation && now < memo->min_expires && memo->provider == pr.provider &&
        memo->currency == pr.currency &&
        std::includes(memo->ids.begin(), memo->ids.end(), ids.begin(), ids.end()))
      return finish(memo->merged);
  }
  std::vector<FramePtr> frames;
  std::vector<FragmentPtr> order = frags;
  std::sort(order.begin(), order.end(), [](auto& a, auto& b) { return a->actual.start < b->actual.start; });
  bool disjoint = true;
  for (size_t i = 1; i < order.size(); ++i) disjoint = disjoint && order[i - 1]->actual.end <= order[i]->actual.start;
  if (!disjoint)
    std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a->fetched_at < b->fetched_at; });
  Timestamp min_expires = std::numeric_limits<Timestamp>::max();
  size_t rows = 0;
  for (const FragmentPtr& f : order) {
    FINEX_ASSIGN_OR_RETURN(FramePtr fr, FrameOf(*f));
    if (!fr) return NotFoundError(f->key);
    frames.push_back(fr);
    rows += fr->rows();
    min_expires = std::min(min_expires, f->expires_at);
  }
  for (const FramePtr& e : extra) frames.push_back(e);
  FramePtr merged = Frame::Merge(frames);
  if (extra.empty() && rows <= opts_.memo_max_rows) {
    auto memo = std::make_shared<Memo>();
    memo->generation = generation;
    memo->provider = pr.provider;
    memo->currency = pr.currency;
    memo->ids = ids;
    memo->hold = frags;
    memo->merged = merged;
    memo->min_expires = min_expires;
    std::lock_guard lock(s.memo_mu);
    s.memo = std::move(memo);
  }
  return finish(merged);
}

// ---------------------------------------------------------------------------
// History.

SymbolOutcome SmartCache::HistoryOne(const ResolvedHistory& q, const std::string& symbol) {
  SymbolOutcome out;
  Series& s = SeriesFor(symbol, q.interval);
  if (Status st = EnsureLoaded(symbol, q.interval, s); !st.ok()) {
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
  const auto candidates = Candidates(symbol, q.interval);
  std::vector<FramePtr> unstored;
  bool rescanned = !opts_.rescan_before_fetch, fetched = false;
  Status failure;
  Plan plan;
  uint64_t generation = 0;
  double miss_ratio = -1;  // share of the requested trading time that was missing
  Timestamp last_gap = std::numeric_limits<Timestamp>::max();
  for (int round = 0; round < 16; ++round) {
    const Timestamp now = deps_.clock->Now();
    std::shared_ptr<Flight> mine;
    std::vector<std::shared_ptr<Flight>> waits;
    std::promise<Status> promise;
    {
      std::lock_guard lock(s.mu);
      auto snap = registry_.Snapshot(symbol, q.interval);
      generation = snap.generation;
      plan = planner_.Build(pr, *snap.fragments, cal, now, candidates);
      if (miss_ratio < 0 && !plan.full_hit() && plan.trading_seconds > 0)
        miss_ratio = static_cast<double>(plan.gaps.TotalLength()) / static_cast<double>(plan.trading_seconds);
      if (plan.full_hit() || plan.fetches.empty()) break;
      // Another round only while fetching makes progress (a provider may
      // return fewer rows than asked, e.g. when it caps rows per call).
      if (fetched && plan.gaps.TotalLength() >= last_gap) break;
      last_gap = plan.gaps.TotalLength();
      for (const auto& f : s.inflight) {
        if (!f->fields.Contains(pr.fields)) continue;
        if (!pr.provider.empty() && f->provider != pr.provider) continue;
        if (f->currency != pr.currency) continue;
        if (!f->fills.Intersect(plan.gaps).empty()) waits.push_back(f);
      }
      if (waits.empty() && rescanned) {
        mine = std::make_shared<Flight>();
        for (const fragment::FetchPlan& fp : plan.fetches) mine->fills = mine->fills.Union(fp.fills);
        mine->fields = FetchFields(pr.fields);
        mine->provider = pr.provider;
        mine->currency = pr.currency;
        mine->done = promise.get_future().share();
        s.inflight.push_back(mine);
      }
    }
    if (!waits.empty()) {
      for (const auto& w : waits) {
        Status st = w->done.get();
        if (!st.ok()) failure = st;
      }
      if (!failure.ok()) break;  // the call we waited for failed: do not repeat it
      continue;
    }
    if (!rescanned) {  // another node may have fetched it already
      rescanned = true;
      if (Status st = LoadNewKeys(symbol, q.interval); !st.ok()) failure = st;
      continue;
    }
    out.hit = false;
    // Cross-node single-flight: one node fetches these gaps, the others wait
    // for its fragments to appear in the shared backend (coordination.h).
    std::optional<Coordinator::LeaseHandle> lease;
    if (deps_.coordinator) {
      const TimeRange& first = plan.gaps.ranges().front();
      const std::string name = symbol + ":" + std::string(IntervalName(q.interval)) + ":" +
                               (pr.provider.empty() ? std::string("any") : pr.provider) + ":" +
                               std::to_string(first.start) + ":" + std::to_string(plan.gaps.ranges().back().end);
      auto got = deps_.coordinator->TryLease(name);
      if (got.ok() && *got) {
        lease = std::move(**got);
      } else if (got.ok()) {  // another node is fetching: wait for its result
        auto ready = [&]() -> Result<bool> {
          FINEX_RETURN_IF_ERROR(LoadNewKeys(symbol, q.interval));
          auto snap = registry_.Snapshot(symbol, q.interval);
          Plan p = planner_.Build(pr, *snap.fragments, cal, deps_.clock->Now(), candidates);
          return p.full_hit() || p.fetches.empty() || p.gaps.Intersect(mine->fills).empty();
        };
        auto w = deps_.coordinator->Wait(name, ready);
        if (w.ok() && *w == Coordinator::WaitOutcome::kReady) {
          {
            std::lock_guard lock(s.mu);
            s.inflight.erase(std::remove(s.inflight.begin(), s.inflight.end(), mine), s.inflight.end());
          }
          promise.set_value(OkStatus());
          continue;  // plans again: now served from the shared backend
        }
      }  // kUnavailable, timeout or lease gone: fetch ourselves
    }
    const uint64_t invalidated_before = split_invalidations_.load();
    Status st = ExecuteFetches(plan, pr, cal, &out, &unstored);
    if (lease) deps_.coordinator->Release(*lease);
    // A reported split/dividend dropped stale pieces: the gaps grew for a
    // good reason, so the next round may fetch them again.
    if (split_invalidations_.load() != invalidated_before) last_gap = std::numeric_limits<Timestamp>::max();
    {
      std::lock_guard lock(s.mu);
      s.inflight.erase(std::remove(s.inflight.begin(), s.inflight.end(), mine), s.inflight.end());
    }
    promise.set_value(st);
    fetched = true;
    if (!st.ok()) {
      failure = st;
      break;
    }
  }
  if (!failure.ok()) out.hit = false;
  if (failure.ok() && !fetched && !plan.full_hit() && plan.fetches.empty() && plan.providers.empty()) {
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
    if (plan.use.empty() && plan.stale.empty() && unstored.empty()) {
      out.error = failure;
      return out;
    }
    use.insert(use.end(), plan.stale.begin(), plan.stale.end());
    out.stale = true;
    out.note = "provider failed (" + failure.ToString() + "); served cached data";
  } else if (!plan.unreachable.empty()) {
    out.note = "part of the range is beyond the provider's reach for this interval";
  }
  const Timestamp now = deps_.clock->Now();
  auto frame = Assemble(s, use, pr, unstored, now, failure.ok() ? generation : ~0ull);
  if (!frame.ok() && frame.status().code() == StatusCode::kNotFound) {
    // A piece vanished from the backend (TTL, eviction, another node): forget
    // it and answer again.
    registry_.Remove(frame.status().message());
    return HistoryOne(q, symbol);
  }
  if (!frame.ok()) {
    out.error = frame.status();
    return out;
  }
  out.frame = *frame;
  for (const FragmentPtr& f : use) {
    out.keys.push_back(f->key);
    out.oldest_fetch = std::min(out.oldest_fetch, f->fetched_at);
    if (std::find(out.providers.begin(), out.providers.end(), f->provider()) == out.providers.end())
      out.providers.push_back(f->provider());
  }
  out.hit_rate = miss_ratio < 0 ? 1.0 : 1.0 - miss_ratio;
  return out;
}

Result<HistoryResult> SmartCache::History(std::span<const std::string> symbols, const HistoryOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  FINEX_ASSIGN_OR_RETURN(ResolvedHistory q, Resolve(symbols, opts));
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
  ParallelFor(q.symbols.size(), opts_.worker_threads, [&](size_t i) { outs[i] = HistoryOne(q, q.symbols[i]); });
  HistoryResult r;
  std::vector<size_t> order(q.symbols.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return q.symbols[a] < q.symbols[b]; });
  std::vector<FramePtr> frames;
  Timestamp oldest = std::numeric_limits<Timestamp>::max();
  double hit_sum = 0;
  std::vector<std::string> providers;
  for (size_t i : order) {
    SymbolOutcome& o = outs[i];
    RecordSymbol(q.symbols[i], o.hit && o.error.ok(), o.api_calls, o.providers);
    r.info.api_calls_made += o.api_calls;
    if (!o.error.ok()) {
      // Calls already made still count; the error names the symbol.
      return o.error.WithContext(q.symbols[i]);
    }
    frames.push_back(o.frame);
    r.info.cache_keys_used.insert(r.info.cache_keys_used.end(), o.keys.begin(), o.keys.end());
    oldest = std::min(oldest, o.oldest_fetch);
    hit_sum += o.hit_rate;
    r.info.stale = r.info.stale || o.stale;
    if (!o.note.empty()) r.info.note += (r.info.note.empty() ? "" : "; ") + q.symbols[i] + ": " + o.note;
    for (const std::string& p : o.providers)
      if (std::find(providers.begin(), providers.end(), p) == providers.end()) providers.push_back(p);
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
  for (const std::string& p : providers) r.query.provider += (r.query.provider.empty() ? "" : ",") + p;
  if (r.query.provider.empty()) r.query.provider = q.provider;
  rows_served_.fetch_add(r.frame->rows());
  if (r.info.api_calls_made == 0) bonus_rows_.fetch_add(r.frame->rows());
  r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
  latency_.Add(r.info.response_time_ms);
  return r;
}

Result<PrefetchRun> SmartCache::PrefetchHistory(const PrefetchSeries& series, TimeRange range) {
  if (range.empty()) return PrefetchRun{};
  ResolvedHistory q;
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
  prefetch_calls_.fetch_add(static_cast<uint64_t>(r.api_calls));
  prefetched_rows_.fetch_add(r.rows);
  if (!o.error.ok()) return o.error;
  return r;
}

// ---------------------------------------------------------------------------
// Quote and search.

Result<QuoteResult> SmartCache::Quote(std::span<const std::string> symbols, const QuoteOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  FINEX_RETURN_IF_ERROR(ValidateSymbols(symbols, opts_.max_symbols));
  FINEX_RETURN_IF_ERROR(ValidateProvider(opts.provider));
  const Timestamp now = deps_.clock->Now();
  QuoteResult r;
  std::map<std::string, finex::Quote> got;
  std::vector<std::string> missing;
  std::map<std::string, finex::Quote> stale;
  {
    std::lock_guard lock(qs_mu_);
    for (const std::string& s : symbols) {
      auto it = quotes_.find(opts.provider + "|" + s);
      if (it != quotes_.end() && now < it->second.expires) {
        got[s] = it->second.quote;
      } else {
        if (it != quotes_.end()) stale[s] = it->second.quote;
        missing.push_back(s);
      }
    }
  }
  Status failure;
  if (!missing.empty()) {
    // Group the missing symbols by the provider that will be asked first.
    std::vector<std::string> order;
    if (!opts.provider.empty()) {
      order.push_back(opts.provider);
    } else {
      for (const ProviderSlot& s : deps_.providers) order.push_back(std::string(s.provider->name()));
      std::stable_sort(order.begin(), order.end(),
                       [&](auto& a, auto& b) { return (HealthOf(a) >= 0.5) > (HealthOf(b) >= 0.5); });
    }
    std::vector<std::string> left = missing;
    for (const std::string& name : order) {
      if (left.empty()) break;
      provider::Provider* p = FindProvider(name);
      std::vector<std::string> batch, rest;
      for (const std::string& s : left) (opts.provider.empty() && !p->Handles(s) ? rest : batch).push_back(s);
      if (batch.empty()) continue;
      auto res = p->Quote(batch);
      const int calls = res.ok() ? 1 : UpstreamCalls(res.status());
      RecordProviderCalls(name, calls, !res.ok());
      r.info.api_calls_made += calls;
      if (!res.ok()) {
        failure = res.status();
        continue;  // try the next provider for the same batch
      }
      std::unordered_set<std::string> answered;
      {
        std::lock_guard lock(qs_mu_);
        for (const finex::Quote& qt : *res) {
          if (std::find(batch.begin(), batch.end(), qt.symbol) == batch.end()) continue;
          got[qt.symbol] = qt;
          answered.insert(qt.symbol);
          QuoteEntry e{qt, now + QuoteTtl(opts_.ttl)};
          quotes_[opts.provider + "|" + qt.symbol] = e;
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
  if (r.info.stale) r.info.note = "provider failed (" + failure.ToString() + "); served cached quotes";
  std::string absent;  // a partial answer says which symbols it lacks
  std::unordered_set<std::string> named;
  for (const std::string& sym : symbols)
    if (!got.count(sym) && named.insert(sym).second) absent += (absent.empty() ? "" : ", ") + sym;
  if (!absent.empty()) {
    if (!r.info.note.empty()) r.info.note += "; ";
    r.info.note += "no quote for " + absent + (failure.ok() ? " (no provider knows it)" : " (" + failure.ToString() + ")");
  }
  if (missing.empty()) {
    hits_.fetch_add(1);
    saved_.fetch_add(1);
  } else {
    misses_.fetch_add(1);
  }
  r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
  return r;
}

Result<SearchResults> SmartCache::Search(std::string_view query, const SearchOptions& opts) {
  const int64_t t0 = MonotonicMicros();
  std::string_view qv = query;
  while (!qv.empty() && qv.front() == ' ') qv.remove_prefix(1);
  while (!qv.empty() && qv.back() == ' ') qv.remove_suffix(1);
  if (qv.empty()) return InvalidArgumentError("search query is empty").WithParam("q");
  if (qv.size() > 100) return InvalidArgumentError("search query is longer than 100 characters").WithParam("q");
  for (char c : qv)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return InvalidArgumentError("search query holds control characters").WithParam("q");
  FINEX_RETURN_IF_ERROR(ValidateProvider(opts.provider));
  const size_t limit = opts.limit == 0 ? 20 : std::min<size_t>(opts.limit, 100);
  const std::string key = opts.provider + "|" + Lower(qv);
  const Timestamp now = deps_.clock->Now();
  SearchResults r;
  std::optional<std::vector<SearchResult>> stale;
  {
    std::lock_guard lock(qs_mu_);
    auto it = searches_.find(key);
    if (it != searches_.end()) {
      if (now < it->second.expires) {
        r.results = it->second.results;
        if (r.results.size() > limit) r.results.resize(limit);
        r.info.hit_rate = 1;
        hits_.fetch_add(1);
        saved_.fetch_add(1);
        r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
        return r;
      }
      stale = it->second.results;
    }
  }
  misses_.fetch_add(1);
  std::vector<std::string> order;
  if (!opts.provider.empty()) {
    order.push_back(opts.provider);
  } else {
    for (const ProviderSlot& s : deps_.providers) order.push_back(std::string(s.provider->name()));
    std::stable_sort(order.begin(), order.end(),
                     [&](auto& a, auto& b) { return (HealthOf(a) >= 0.5) > (HealthOf(b) >= 0.5); });
  }
  Status failure = UnavailableError("no provider is configured");
  for (const std::string& name : order) {
    auto res = FindProvider(name)->Search(qv);
    RecordProviderCalls(name, res.ok() ? 1 : UpstreamCalls(res.status()), !res.ok());
    r.info.api_calls_made += 1;
    if (!res.ok()) {
      failure = res.status();
      if (!opts.provider.empty()) break;
      continue;
    }
    {
      std::lock_guard lock(qs_mu_);
      searches_[key] = SearchEntry{*res, now + SearchTtl(opts_.ttl)};
    }
    r.results = std::move(res).value();
    if (r.results.size() > limit) r.results.resize(limit);
    r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
    return r;
  }
  if (stale) {
    r.results = *stale;
    if (r.results.size() > limit) r.results.resize(limit);
    r.info.stale = true;
    r.info.note = "provider failed (" + failure.ToString() + "); served cached results";
    r.info.response_time_ms = static_cast<double>(MonotonicMicros() - t0) / 1000.0;
    return r;
  }
  return failure;
}

// ---------------------------------------------------------------------------
// Stats, invalidation, readiness.

void SmartCache::RecordSymbol(const std::string& symbol, bool hit, int calls,
                              const std::vector<std::string>& providers) {
  (hit ? hits_ : misses_).fetch_add(1);
  if (hit) saved_.fetch_add(1);
  std::lock_guard lock(stats_mu_);
  if (hit)
    for (const std::string& p : providers) {
      NamedCount& c = by_provider_[p];
      c.name = p;
      c.hits += 1;
    }
  if (by_symbol_.size() >= 10000 && !by_symbol_.count(symbol)) return;  // bounded
  NamedCount& c = by_symbol_[symbol];
  c.name = symbol;
  (hit ? c.hits : c.misses) += 1;
  c.api_calls += static_cast<uint64_t>(calls);
}

void SmartCache::RecordProviderCalls(const std::string& provider, int calls, bool failed) {
  api_calls_.fetch_add(static_cast<uint64_t>(calls));
  std::lock_guard lock(stats_mu_);
  NamedCount& c = by_provider_[provider];
  c.name = provider;
  c.api_calls += static_cast<uint64_t>(calls);
  c.misses += 1;
}

CacheStats SmartCache::cache_stats() const {
  CacheStats s;
  s.hits = hits_.load();
  s.misses = misses_.load();
  s.hit_rate = s.hits + s.misses ? static_cast<double>(s.hits) / static_cast<double>(s.hits + s.misses) : 0;
  s.api_calls = api_calls_.load();
  s.api_calls_saved = saved_.load();
  s.reduction = s.api_calls + s.api_calls_saved
                    ? static_cast<double>(s.api_calls_saved) / static_cast<double>(s.api_calls + s.api_calls_saved)
                    : 0;
  {
    std::lock_guard lock(stats_mu_);
    for (const auto& [k, v] : by_provider_) s.by_provider.push_back(v);
    for (const auto& [k, v] : by_symbol_) s.by_symbol.push_back(v);
  }
  std::sort(s.by_symbol.begin(), s.by_symbol.end(),
            [](auto& a, auto& b) { return a.hits + a.misses > b.hits + b.misses; });
  if (s.by_symbol.size() > 50) s.by_symbol.resize(50);
  s.fragments = registry_.fragment_count();
  s.bytes = registry_.stored_bytes();
  s.evictions = hot_.evictions();
  s.bonus_rows_reused = bonus_rows_.load();
  s.rows_served = rows_served_.load();
  s.rows_stored = rows_stored_.load();
  s.validation_rejects = validation_rejects_.load();
  auto [p50, p99] = latency_.P50P99();
  s.p50_ms = p50;
  s.p99_ms = p99;
  s.memory_bytes = hot_.bytes() + (opts_.backend_in_process ? deps_.backend->stats().bytes : 0);
  s.memory_budget_bytes = opts_.memory_budget_bytes ? opts_.memory_budget_bytes : hot_.budget_bytes();
  for (const ProviderSlot& p : deps_.providers)
    s.providers.push_back({std::string(p.provider->name()), p.breaker ? p.breaker() : "closed",
                           p.health ? p.health() : 1.0});
  s.prefetch_calls = prefetch_calls_.load();
  s.prefetched_rows = prefetched_rows_.load();
  return s;
}

Result<size_t> SmartCache::invalidate_cache(std::string_view pattern_text) {
  FINEX_ASSIGN_OR_RETURN(key::Pattern pattern, key::Pattern::Parse(pattern_text));
  std::unordered_set<std::string> removed;
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, deps_.backend->ScanPrefix(pattern.scan_prefix()));
  for (const std::string& k : keys) {
    if (!pattern.Matches(k)) continue;
    FINEX_RETURN_IF_ERROR(deps_.backend->Delete(k));
    removed.insert(k);
  }
  for (std::string& k : registry_.RemoveIf([&](const Fragment& f) { return pattern.Matches(f.key); }))
    removed.insert(std::move(k));
  hot_.EraseIf([&](std::string_view k) { return pattern.Matches(k); });
  invalidations_.fetch_add(1);
  if (deps_.coordinator) deps_.coordinator->PublishInvalidation(pattern_text);
  return removed.size();
}

void SmartCache::DropLocal(std::string_view pattern_text) {
  struct Count {  // after the drop: answers built before it are then refused
    std::atomic<uint64_t>& n;
    ~Count() { n.fetch_add(1); }
  } count{invalidations_};
  if (pattern_text.empty()) {
    hot_.EraseIf([](std::string_view) { return true; });
    std::lock_guard lock(series_mu_);
    for (auto& [id, series] : series_) {
      std::lock_guard memo_lock(series->memo_mu);
      series->memo.reset();
    }
    return;
  }
  auto pattern = key::Pattern::Parse(pattern_text);
  if (!pattern.ok()) return;
  registry_.RemoveIf([&](const Fragment& f) { return pattern->Matches(f.key); });
  hot_.EraseIf([&](std::string_view k) { return pattern->Matches(k); });
}

Status SmartCache::Ready() const {
  FINEX_RETURN_IF_ERROR(deps_.backend->Ping());
  if (deps_.providers.empty()) return UnavailableError("no provider is configured");
  for (const ProviderSlot& s : deps_.providers)
    if (!s.health || s.health() > 0) return OkStatus();
  return UnavailableError("every provider is unavailable (circuit breakers open)");
}

// ---------------------------------------------------------------------------
// Warming.

Result<std::string> SmartCache::warm_cache(const WarmRequest& req) {
  FINEX_RETURN_IF_ERROR(ValidateSymbols(req.symbols, 10000));
  FINEX_RETURN_IF_ERROR(ValidateProvider(req.provider));
  if (req.ranges.empty()) return InvalidArgumentError("warm needs at least one range").WithParam("ranges");
  for (const auto& [a, b] : req.ranges)
    if (a > b) return InvalidArgumentError("warm range start " + FormatIsoUtc(a) + " is after its end").WithParam("ranges");
  auto job = std::make_shared<WarmJob>();
  job->req = req;
  if (job->req.intervals.empty()) job->req.intervals.push_back(Interval::k1d);
  std::lock_guard lock(warm_mu_);
  job->status.id = "warm-" + std::to_string(++warm_seq_);
  job->status.state = "queued";
  job->status.total = static_cast<int>(req.symbols.size() * job->req.intervals.size() * req.ranges.size());
  warm_jobs_[job->status.id] = job;
  warm_queue_.push_back(job);
  if (!warm_thread_.joinable()) warm_thread_ = std::thread([this] { WarmLoop(); });
  warm_cv_.notify_one();
  return job->status.id;
}

Result<WarmStatus> SmartCache::warm_status(std::string_view id) const {
  std::lock_guard lock(warm_mu_);
  auto it = warm_jobs_.find(id);
  if (it == warm_jobs_.end()) return NotFoundError("no warm job '" + Printable(id, 40) + "'").WithParam("id");
  return it->second->status;
}

void SmartCache::WarmLoop() {
  for (;;) {
    std::shared_ptr<WarmJob> job;
    {
      std::unique_lock lock(warm_mu_);
      warm_cv_.wait(lock, [&] { return warm_stop_ || !warm_queue_.empty(); });
      if (warm_stop_) return;
      job = warm_queue_.front();
      warm_queue_.pop_front();
      job->status.state = "running";
    }
    int failed = 0;
    for (const std::string& sym : job->req.symbols) {
      for (Interval iv : job->req.intervals) {
        for (const auto& [a, b] : job->req.ranges) {
          {
            std::lock_guard lock(warm_mu_);
            if (warm_stop_) return;
          }
          HistoryOptions o;
          o.interval = iv;
          o.start = a;
          o.end = b;
          o.provider = job->req.provider;
          auto r = History(std::span<const std::string>(&sym, 1), o);
          std::lock_guard lock(warm_mu_);
          job->status.completed += 1;
          if (!r.ok()) {
            ++failed;
            if (job->status.errors.size() < 100)
              job->status.errors.push_back(sym + " " + std::string(IntervalName(iv)) + ": " + r.status().ToString());
          }
        }
      }
    }
    std::lock_guard lock(warm_mu_);
    job->status.state = failed == job->status.total && failed > 0 ? "failed" : "done";
  }
}

}  // namespace

std::unique_ptr<CachedApi> NewSmartCache(SmartCacheDeps deps, SmartCacheOptions opts) {
  return std::make_unique<SmartCache>(std::move(deps), opts);
}

}  // namespace finex::cache
