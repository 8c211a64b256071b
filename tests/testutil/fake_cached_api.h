// FakeCachedApi: an in-memory CachedApi for service-face tests (server/,
// cli/). It serves bars, quotes and search rows that the test adds, slices
// history to the requested inclusive range, can be told to fail the next
// calls with a given Status, and counts calls so tests can assert that an
// answer came from the server's own answer cache instead of the engine.
// "Provider calls": the first History/Quote call for a given request reports
// api_calls_made = 1, later identical calls report 0 (a cache hit), the way
// the real engine does after the first fetch.
//
// Thread-safety: all methods are thread-safe (one mutex). Header-only so
// testutil does not link modules above core.
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/mutex.h"

namespace finex::testing {

class FakeCachedApi : public cache::CachedApi {
 public:
  // Adds `n` daily bars for symbol starting at `first` (00:00 UTC), skipping
  // nothing (calendar-free), price walking from `base`.
  void AddDailyBars(const std::string& symbol, Timestamp first, int n, double base = 100) {
    MutexLock lock(mu_);
    for (int i = 0; i < n; ++i) {
      Bar b;
      b.symbol = symbol;
      b.timestamp = first + i * kSecondsPerDay;
      b.open = base + i;
      b.high = base + i + 2;
      b.low = base + i - 1;
      b.close = base + i + 0.5;
      b.volume = 1000000 + i;
      b.adj_close = base + i + 0.25;
      b.provider = "yahoo";
      b.currency = "usd";
      b.timezone = "America/New_York";
      bars_.push_back(b);
    }
  }
  void AddQuote(const finex::Quote& q) {
    MutexLock lock(mu_);
    quotes_[q.symbol] = q;
  }
  void AddSearchResult(const SearchResult& r) {
    MutexLock lock(mu_);
    search_.push_back(r);
  }
  // The next `times` engine calls (History/Quote/Search) fail with s.
  void FailNext(Status s, int times = 1) {
    MutexLock lock(mu_);
    fail_ = std::move(s);
    fail_times_ = times;
  }
  void SetReady(Status s) {
    MutexLock lock(mu_);
    ready_ = std::move(s);
  }
  // Marks answers as served stale (provider failed, cache answered).
  void SetStale(bool stale) {
    MutexLock lock(mu_);
    stale_ = stale;
  }

  int history_calls() const { return history_calls_.load(); }
  int quote_calls() const { return quote_calls_.load(); }
  int search_calls() const { return search_calls_.load(); }
  cache::HistoryOptions last_history_options() const {
    MutexLock lock(mu_);
    return last_history_;
  }
  std::vector<std::string> invalidated() const {
    MutexLock lock(mu_);
    return invalidated_;
  }
  std::vector<cache::WarmRequest> warm_requests() const {
    MutexLock lock(mu_);
    return warm_;
  }

  Result<cache::HistoryResult> History(std::span<const std::string> symbols,
                                       const cache::HistoryOptions& opts) override {
    ++history_calls_;
    MutexLock lock(mu_);
    last_history_ = opts;
    if (Status s = TakeFailure(); !s.ok()) return s;
    const Timestamp end = opts.end.value_or(1735689599);
    Timestamp start = opts.start.value_or(end - 365 * kSecondsPerDay);
    if (!opts.period.empty()) {
      auto r = ResolvePeriodStart(opts.period, end);
      if (r.ok()) start = *r;
    }
    FrameBuilder b(opts.fields);
    std::vector<std::string> keys;
    for (const std::string& sym : symbols) {
      bool known = false;
      for (const Bar& bar : bars_) {
        if (bar.symbol != sym) continue;
        known = true;
        if (bar.timestamp >= start && bar.timestamp <= end) b.Add(bar);
      }
      if (!known) return NotFoundError("unknown symbol '" + sym + "'").WithParam("symbols");
      keys.push_back("finex:" + sym + ":" + std::string(IntervalName(opts.interval)) + ":" +
                     std::to_string(start) + ":" + std::to_string(end) +
                     ":yahoo:usd:" + opts.fields.Name() + "_v1");
    }
    auto frame = std::move(b).Finish();
    if (!frame.ok()) return frame.status();
    cache::HistoryResult r;
    r.frame = *frame;
    std::string req_key = keys.empty() ? "" : keys.front() + std::to_string(keys.size());
    r.info.api_calls_made = seen_.insert("h" + req_key).second ? 1 : 0;
    r.info.hit_rate = r.info.api_calls_made ? 0.0 : 1.0;
    r.info.cache_keys_used = keys;
    r.info.response_time_ms = 0.25;
    r.info.data_freshness_s = 300;
    r.info.stale = stale_;
    if (stale_) r.info.note = "provider yahoo unavailable; served cached data";
    r.query.symbols.assign(symbols.begin(), symbols.end());
    r.query.interval = opts.interval;
    r.query.start = start;
    r.query.end = end;
    r.query.provider = opts.provider.empty() ? "yahoo" : opts.provider;
    r.query.currency = opts.currency.empty() ? "usd" : opts.currency;
    r.query.fields = opts.fields;
    return r;
  }

  Result<cache::QuoteResult> Quote(std::span<const std::string> symbols,
                                   const cache::QuoteOptions& opts) override {
    ++quote_calls_;
    MutexLock lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    cache::QuoteResult r;
    std::string key = "q";
    for (const std::string& sym : symbols) {
      auto it = quotes_.find(sym);
      if (it == quotes_.end())
        return NotFoundError("unknown symbol '" + sym + "'").WithParam("symbols");
      r.quotes.push_back(it->second);
      key += sym + ",";
    }
    r.info.api_calls_made = seen_.insert(key).second ? 1 : 0;
    r.info.hit_rate = r.info.api_calls_made ? 0.0 : 1.0;
    r.info.data_freshness_s = 2;
    r.info.stale = stale_;
    return r;
  }

  Result<cache::SearchResults> Search(std::string_view query,
                                      const cache::SearchOptions& opts) override {
    ++search_calls_;
    MutexLock lock(mu_);
    if (Status s = TakeFailure(); !s.ok()) return s;
    cache::SearchResults r;
    std::string q(query);
    std::transform(q.begin(), q.end(), q.begin(), ::tolower);
    for (const SearchResult& s : search_) {
      std::string n = s.name + " " + s.symbol;
      std::transform(n.begin(), n.end(), n.begin(), ::tolower);
      if (n.find(q) != std::string::npos && r.results.size() < opts.limit) r.results.push_back(s);
    }
    r.info.api_calls_made = seen_.insert("s" + q).second ? 1 : 0;
    return r;
  }

  cache::CacheStats cache_stats() const override {
    MutexLock lock(mu_);
    cache::CacheStats s;
    s.hits = 90;
    s.misses = 10;
    s.hit_rate = 0.9;
    s.api_calls = 10;
    s.api_calls_saved = 90;
    s.reduction = 0.9;
    s.by_provider = {{"yahoo", 90, 10, 10}};
    s.by_symbol = {{"AAPL", 60, 5, 5}, {"MSFT", 30, 5, 5}};
    s.fragments = 12;
    s.bytes = 123456;
    s.evictions = 1;
    s.memory_bytes = 2 << 20;
    s.memory_budget_bytes = 8192ull << 20;
    s.providers = {{"yahoo", "closed", 1.0},
                   {"binance", "open", 0.25},
                   {"alpha_vantage", "closed", 1.0, 7}};  // 7 calls left today
    return s;
  }

  Result<std::string> warm_cache(const cache::WarmRequest& req) override {
    MutexLock lock(mu_);
    warm_.push_back(req);
    return "w" + std::to_string(warm_.size());
  }
  Result<cache::WarmStatus> warm_status(std::string_view id) const override {
    MutexLock lock(mu_);
    for (size_t i = 0; i < warm_.size(); ++i) {
      if (id == "w" + std::to_string(i + 1)) {
        cache::WarmStatus s;
        s.id = std::string(id);
        s.state = "done";
        s.total = static_cast<int>(warm_[i].symbols.size() * warm_[i].intervals.size() *
                                   warm_[i].ranges.size());
        s.completed = s.total;
        return s;
      }
    }
    return NotFoundError("no warm job '" + std::string(id) + "'");
  }
  Result<size_t> invalidate_cache(std::string_view pattern) override {
    MutexLock lock(mu_);
    if (pattern.rfind("finex:", 0) != 0 || pattern.find_first_of("?[]") != std::string_view::npos) {
      return InvalidArgumentError("pattern must start with 'finex:'").WithParam("pattern");
    }
    invalidated_.emplace_back(pattern);
    seen_.clear();
    return size_t{3};
  }
  Status Ready() const override {
    MutexLock lock(mu_);
    return ready_;
  }
  // Every invalidate_cache() call counts (as one seen from another node would).
  uint64_t invalidations() const override {
    MutexLock lock(mu_);
    return invalidated_.size();
  }

 private:
  Status TakeFailure() FINEX_REQUIRES(mu_) {
    if (fail_times_ > 0) {
      --fail_times_;
      return fail_;
    }
    return OkStatus();
  }

  mutable Mutex mu_;
  std::vector<Bar> bars_ FINEX_GUARDED_BY(mu_);
  std::map<std::string, finex::Quote> quotes_ FINEX_GUARDED_BY(mu_);
  std::vector<SearchResult> search_ FINEX_GUARDED_BY(mu_);
  std::set<std::string> seen_ FINEX_GUARDED_BY(mu_);
  Status fail_ FINEX_GUARDED_BY(mu_);
  int fail_times_ FINEX_GUARDED_BY(mu_) = 0;
  Status ready_ FINEX_GUARDED_BY(mu_);
  bool stale_ FINEX_GUARDED_BY(mu_) = false;
  cache::HistoryOptions last_history_ FINEX_GUARDED_BY(mu_);
  std::vector<std::string> invalidated_ FINEX_GUARDED_BY(mu_);
  std::vector<cache::WarmRequest> warm_ FINEX_GUARDED_BY(mu_);
  std::atomic<int> history_calls_{0}, quote_calls_{0}, search_calls_{0};
};

}  // namespace finex::testing
