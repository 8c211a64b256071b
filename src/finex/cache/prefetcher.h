// Prefetcher: the background half of prefetch (issue 7, behind
// `prefetch_enabled`). SmartCache reports every user history request per
// series (symbol|interval|provider|currency) with its resolved half-open
// range; a PrefetchPredictor (prefetch.h) turns them into predictions; Tick()
// takes the due ones and, one at a time and only while ShouldPrefetch()
// allows, runs them through the cache's normal History path (attached by the
// SmartCache), so only truly missing or expired pieces are fetched.
//
// Never starves users: one prediction at a time, at most `per_tick` per tick,
// and a tick stops as soon as a user request is in progress; the gate needs a
// low recent user rate and rate-limit headroom (token share) on the provider
// that would serve the series.
//
// Time: everything asks the injected Clock. Start() runs Tick(clock.Now())
// every `tick_ms` on a thread that waits on a condition variable (real time,
// for the engine); tests never Start() and call Tick(now) themselves.
//
// Thread-safety: every method is thread-safe. Ownership: borrows the Clock;
// the runner attached by the SmartCache is detached (waiting for a running
// prefetch) before the cache goes away.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "finex/cache/prefetch.h"
#include "finex/calendar/calendar.h"
#include "finex/core/clock.h"
#include "finex/core/interval.h"
#include "finex/core/mutex.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"

namespace finex::cache {

struct PrefetchSeries {
  std::string symbol;
  Interval interval = Interval::k1d;
  std::string provider;  // "" = finex picks
  std::string currency;  // "" = native
};
// "symbol|interval|provider|currency" ('|' is not a symbol character).
std::string PrefetchSeriesKey(const PrefetchSeries& s);
Result<PrefetchSeries> ParsePrefetchSeriesKey(std::string_view key);

struct PrefetchRun {
  int api_calls = 0;  // provider calls the prefetch made
  uint64_t rows = 0;  // rows of the predicted range now cached (when it made calls)
};

struct PrefetcherOptions {
  PrefetchOptions predict;       // predictor + gate thresholds (prefetch.h)
  int64_t tick_ms = 1000;        // background tick period (Start()). Default 1 s
  size_t per_tick = 4;           // predictions run per tick at most. Default 4
  Timestamp rate_window_s = 10;  // window for the recent user rate. Default 10 s
};

struct PrefetcherStats {
  uint64_t observed = 0;      // user requests observed (per series)
  uint64_t runs = 0;          // predictions run
  uint64_t skipped_gate = 0;  // predictions dropped by the gate (busy, closed, no headroom)
  uint64_t skipped_busy = 0;  // ticks cut short by an active user request
  uint64_t skipped_live = 0;  // predictions reaching into future trading time
  uint64_t api_calls = 0;     // provider calls made by prefetch
  uint64_t rows = 0;          // rows prefetched
};

class Prefetcher {
 public:
  using Runner = std::function<Result<PrefetchRun>(const PrefetchSeries&, TimeRange)>;
  // Share (0..1) of the rate-limit budget left on the provider serving
  // `series`; empty = always 1.
  using TokenShareFn = std::function<double(const PrefetchSeries&)>;
  using CalendarFn = std::function<const calendar::Calendar&(std::string_view symbol)>;

  Prefetcher(Clock& clock, PrefetcherOptions opts = {}, TokenShareFn token_share = {},
             CalendarFn calendar_for = {});
  ~Prefetcher();  // Stop()s
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // Set by the SmartCache; Detach waits for a running prefetch to finish.
  void Attach(Runner run);
  void Detach();

  // A user history request for `range` of `series` (called by the cache).
  void OnUserRequest(const PrefetchSeries& series, TimeRange range, Timestamp now);
  // Brackets a user request in progress (prefetch yields meanwhile).
  void UserBegin() { active_.fetch_add(1); }
  void UserEnd() { active_.fetch_sub(1); }

  // Runs the due predictions the gate allows; returns how many ran.
  size_t Tick(Timestamp now);
  double RecentUserRate(Timestamp now);  // user requests per second lately

  void Start();
  void Stop();
  PrefetcherStats stats() const;

 private:
  Clock& clock_;
  const PrefetcherOptions opts_;
  const TokenShareFn token_share_;
  const CalendarFn calendar_for_;
  PrefetchPredictor predictor_;
  std::atomic<int> active_{0};

  Mutex rate_mu_;
  std::deque<Timestamp> recent_ FINEX_GUARDED_BY(rate_mu_);

  // One prefetch runs at a time; Detach waits for it. No lock is held while
  // it runs (it calls providers): `running_` marks it.
  Mutex run_mu_;
  CondVar run_cv_;
  Runner run_ FINEX_GUARDED_BY(run_mu_);
  bool running_ FINEX_GUARDED_BY(run_mu_) = false;

  mutable Mutex stats_mu_;
  PrefetcherStats stats_ FINEX_GUARDED_BY(stats_mu_);

  Mutex thread_mu_;
  CondVar cv_;
  bool stop_ FINEX_GUARDED_BY(thread_mu_) = false;
  std::thread thread_;
};

}  // namespace finex::cache
