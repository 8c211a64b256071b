#include "finex/cache/prefetcher.h"

#include <chrono>

namespace finex::cache {

std::string PrefetchSeriesKey(const PrefetchSeries& s) {
  return s.symbol + "|" + std::string(IntervalName(s.interval)) + "|" + s.provider + "|" +
         s.currency;
}

Result<PrefetchSeries> ParsePrefetchSeriesKey(std::string_view key) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    const size_t bar = key.find('|');
    if (bar == std::string_view::npos) return InvalidArgumentError("bad prefetch series key");
    parts[i] = key.substr(0, bar);
    key.remove_prefix(bar + 1);
  }
  parts[3] = key;
  PrefetchSeries s;
  s.symbol = std::string(parts[0]);
  FINEX_ASSIGN_OR_RETURN(s.interval, ParseInterval(parts[1]));
  s.provider = std::string(parts[2]);
  s.currency = std::string(parts[3]);
  return s;
}

Prefetcher::Prefetcher(Clock& clock, PrefetcherOptions opts, TokenShareFn token_share,
                       CalendarFn calendar_for)
    : clock_(clock),
      opts_(opts),
      token_share_(std::move(token_share)),
      calendar_for_(std::move(calendar_for)),
      predictor_(opts.predict) {}

Prefetcher::~Prefetcher() { Stop(); }

void Prefetcher::Attach(Runner run) {
  MutexLock lock(run_mu_);
  while (running_) run_cv_.Wait(run_mu_);
  run_ = std::move(run);
}

void Prefetcher::Detach() {
  MutexLock lock(run_mu_);
  while (running_) run_cv_.Wait(run_mu_);  // waits for a running prefetch
  run_ = nullptr;
}

void Prefetcher::OnUserRequest(const PrefetchSeries& series, TimeRange range, Timestamp now) {
  predictor_.Observe(PrefetchSeriesKey(series), range, now);
  {
    MutexLock lock(rate_mu_);
    recent_.push_back(now);
    while (!recent_.empty() && recent_.front() <= now - opts_.rate_window_s) recent_.pop_front();
    while (recent_.size() > 100000) recent_.pop_front();
  }
  MutexLock lock(stats_mu_);
  stats_.observed += 1;
}

double Prefetcher::RecentUserRate(Timestamp now) {
  MutexLock lock(rate_mu_);
  while (!recent_.empty() && recent_.front() <= now - opts_.rate_window_s) recent_.pop_front();
  return static_cast<double>(recent_.size()) /
         static_cast<double>(std::max<Timestamp>(1, opts_.rate_window_s));
}

size_t Prefetcher::Tick(Timestamp now) {
  if (active_.load() > 0) {  // users first: try again next tick
    MutexLock lock(stats_mu_);
    stats_.skipped_busy += 1;
    return 0;
  }
  const double rps = RecentUserRate(now);
  if (rps > opts_.predict.low_usage_rps) return 0;  // busy: predictions stay pending
  size_t ran = 0;
  for (const Prediction& p : predictor_.TakeDue(now, opts_.per_tick)) {
    if (active_.load() > 0) {
      MutexLock lock(stats_mu_);
      stats_.skipped_busy += 1;
      break;
    }
    auto series = ParsePrefetchSeriesKey(p.series);
    if (!series.ok()) continue;
    const calendar::Calendar& cal =
        calendar_for_ ? calendar_for_(series->symbol) : calendar::CalendarFor(series->symbol);
    const double share = token_share_ ? token_share_(*series) : 1.0;
    if (!ShouldPrefetch(cal, now, rps, share, opts_.predict)) {
      MutexLock lock(stats_mu_);
      stats_.skipped_gate += 1;
      continue;
    }
    // A range reaching past now into trading time (a window ending "now"
    // while the market is open) needs a call at request time anyway for its
    // tail: fetching the rest now would only spend a call.
    if (p.range.end > now && !cal.TradingTime({now, p.range.end}, series->interval).empty()) {
      MutexLock lock(stats_mu_);
      stats_.skipped_live += 1;
      continue;
    }
    Runner run;
    {
      MutexLock lock(run_mu_);
      while (running_) run_cv_.Wait(run_mu_);  // one prefetch at a time
      if (!run_) return ran;
      run = run_;
      running_ = true;
    }
    auto r = run(*series, p.range);  // no lock held: it calls providers
    {
      MutexLock lock(run_mu_);
      running_ = false;
    }
    run_cv_.SignalAll();
    ++ran;
    MutexLock lock(stats_mu_);
    stats_.runs += 1;
    if (r.ok()) {
      stats_.api_calls += static_cast<uint64_t>(r->api_calls);
      stats_.rows += r->rows;
    }
  }
  return ran;
}

void Prefetcher::Start() {
  MutexLock lock(thread_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    for (;;) {
      {
        MutexLock lock(thread_mu_);
        cv_.WaitFor(thread_mu_, std::chrono::milliseconds(std::max<int64_t>(1, opts_.tick_ms)),
                    [&] {
                      thread_mu_.AssertHeld();
                      return stop_;
                    });
        if (stop_) return;
      }
      Tick(clock_.Now());
    }
  });
}

void Prefetcher::Stop() {
  {
    MutexLock lock(thread_mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

PrefetcherStats Prefetcher::stats() const {
  MutexLock lock(stats_mu_);
  return stats_;
}

}  // namespace finex::cache
