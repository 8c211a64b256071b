#include "finex/provider/resilience/resilient_provider.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace finex::provider {

SleepFn RealSleep() {
  return [](int64_t us) {
    if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
  };
}

namespace {
RateLimiterOptions LimiterFor(const ResilienceOptions& o, const Provider& p) {
  RateLimiterOptions l = o.limiter;
  if (l.per_minute <= 0) l.per_minute = p.calls_per_minute();
  return l;
}
double WeightPerMinute(const ResilienceOptions& o, const Provider& p) {
  if (o.weight_per_minute >= 0) return o.weight_per_minute;
  return static_cast<double>(FactsOf(p.id()).weight_per_minute);
}
}  // namespace

ResilientProvider::ResilientProvider(std::unique_ptr<Provider> inner, ResilienceOptions options,
                                     Clock& clock, SleepFn sleep)
    : inner_(std::move(inner)),
      opt_(options),
      clock_(clock),
      sleep_(std::move(sleep)),
      limiter_(LimiterFor(options, *inner_), clock),
      weight_per_minute_(WeightPerMinute(options, *inner_)),
      // A minute's weight may be used at once: Binance meters per minute.
      weight_({std::max(1.0, weight_per_minute_), std::max(1.0, weight_per_minute_)}, clock),
      daily_(options.calls_per_day, clock),
      breaker_(options.breaker, clock),
      quality_(options.quality),
      rng_(options.seed ? options.seed : std::random_device{}()) {}

bool ResilientProvider::IsHealthFailure(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
    case StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

void ResilientProvider::ObserveReportedWeight() {
  if (weight_per_minute_ <= 0) return;
  const Provider::ReportedWeight w = inner_->reported_weight();
  if (w.used < 0 || w.minute != FloorDiv(clock_.Now(), 60)) return;  // an older minute's
  weight_.CapAt(weight_per_minute_ - static_cast<double>(w.used));
}

template <typename T>
Result<T> ResilientProvider::Run(const std::function<Result<T>()>& call, int* attempts,
                                 double weight) {
  Result<T> r = RunAttempts(call, attempts, weight);
  if (!r.ok()) return r.status().WithUpstreamCalls(*attempts);  // what the cache counts
  return r;
}

template <typename T>
Result<T> ResilientProvider::RunAttempts(const std::function<Result<T>()>& call, int* attempts,
                                         double weight) {
  const std::string name(ProviderName(inner_->id()));
  const int64_t budget_us = opt_.max_wait_ms * 1000;
  int64_t waited_us = 0;
  const int max_attempts = std::max(1, opt_.retry.max_attempts);
  *attempts = 0;
  // Refused locally: no upstream call, no breaker or quality record.
  auto local_refusal = [&](Status s) {
    MutexLock l(mu_);
    last_error_ = s.message();
    return s;
  };
  auto day_spent = [&](Timestamp wait_s) {
    return local_refusal(ResourceExhaustedError(name + ": daily call budget spent (" +
                                                std::to_string(daily_.per_day()) +
                                                " calls per day); it resets at 00:00 UTC")
                             .WithProvider(name)
                             .WithRetryAfter(static_cast<double>(wait_s)));
  };
  for (int attempt = 1;; ++attempt) {
    // 0. Today's budget (before a token is taken for a call that cannot be made).
    if (daily_.remaining() == 0) return day_spent(SecondsToUtcMidnight(clock_.Now()));
    // 1. A token.
    for (int64_t wait = limiter_.TryAcquire(); wait > 0; wait = limiter_.TryAcquire()) {
      if (waited_us + wait > budget_us) {
        return ResourceExhaustedError(name + ": local rate limit reached (" +
                                      std::to_string(static_cast<int>(limiter_.per_minute())) +
                                      "/min)")
            .WithProvider(name)
            .WithRetryAfter(wait / 1e6);
      }
      sleep_(wait);
      waited_us += wait;
    }
    // 1b. Its request weight (Binance), before the breaker so a refusal
    // there takes no probe slot.
    if (weight_per_minute_ > 0) {
      for (int64_t wait = weight_.TryAcquire(weight); wait > 0; wait = weight_.TryAcquire(weight)) {
        if (waited_us + wait > budget_us) {
          return local_refusal(
              ResourceExhaustedError(name + ": request weight budget reached (" +
                                     std::to_string(static_cast<int64_t>(weight_per_minute_)) +
                                     " per minute)")
                  .WithProvider(name)
                  .WithRetryAfter(wait / 1e6));
        }
        sleep_(wait);
        waited_us += wait;
      }
    }
    // 2. The breaker.
    if (!breaker_.Allow()) {
      quality_.RecordCall(false);
      const int64_t rem = breaker_.open_remaining_us();
      Status s =
          UnavailableError(name + ": circuit open after repeated failures").WithProvider(name);
      if (rem > 0) s = s.WithRetryAfter(rem / 1e6);
      MutexLock l(mu_);
      last_error_ = s.message();
      return s;
    }
    // 3. The call, paid from today's budget.
    if (const Timestamp wait = daily_.TryTake(); wait > 0) return day_spent(wait);
    ++*attempts;
    Result<T> r = call();
    ObserveReportedWeight();
    const Status st = r.status();
    if (st.ok() || !IsHealthFailure(st)) {
      if (st.code() == StatusCode::kResourceExhausted) {
        breaker_.RecordNeutral();
      } else {
        breaker_.RecordSuccess();
        quality_.RecordCall(true);
      }
    } else {
      breaker_.RecordFailure();
      quality_.RecordCall(false);
    }
    {
      MutexLock l(mu_);
      last_error_ = st.ok() ? "" : st.message();
    }
    // A throttle lasting until the day's reset is the provider's daily limit.
    if (st.code() == StatusCode::kResourceExhausted && daily_.per_day() > 0 &&
        st.details().retry_after_s >= static_cast<double>(SecondsToUtcMidnight(clock_.Now())) - 1)
      daily_.MarkSpent();
    // The provider's Retry-After (429/418, throttle-as-200) holds every
    // later call too, this one's retry or not.
    const bool throttled =
        st.code() == StatusCode::kResourceExhausted && st.details().retry_after_s >= 0;
    if (throttled) limiter_.PauseFor(st.details().retry_after_s);
    if (st.ok() || !IsRetryable(st) || attempt >= max_attempts) return r;
    // 4. Wait before the next attempt.
    int64_t delay;
    if (throttled) {
      delay = 0;  // the limiter makes the next TryAcquire wait
      if (waited_us + static_cast<int64_t>(st.details().retry_after_s * 1e6) > budget_us) return r;
    } else {
      {
        MutexLock l(mu_);
        delay = BackoffMicros(opt_.retry, attempt, rng_);
      }
      if (waited_us + delay > budget_us) return r;
    }
    if (delay > 0) {
      sleep_(delay);
      waited_us += delay;
    }
  }
}

Result<HistoryResponse> ResilientProvider::History(const HistoryRequest& req) {
  int attempts = 0;
  int inner_calls_failed = 0;
  const FactsWeights w = Weights();
  Result<HistoryResponse> r = Run<HistoryResponse>(
      [&]() -> Result<HistoryResponse> {
        Result<HistoryResponse> x = inner_->History(req);
        if (!x.ok()) ++inner_calls_failed;
        return x;
      },
      &attempts, w.history);
  if (r.ok() && r->http_calls > 1) {
    // The pages (Binance) or months (Alpha Vantage intraday) after the first.
    daily_.Charge(r->http_calls - 1);
    if (weight_per_minute_ > 0) {
      weight_.Charge(w.history * (r->http_calls - 1));
      ObserveReportedWeight();  // what the provider reported stays the bound
    }
  }
  if (r.ok()) {
    // Failed attempts were upstream calls too.
    r->http_calls += inner_calls_failed;
    const Frame& f = *r->frame;
    if (!f.empty()) {
      size_t complete = 0;
      for (size_t i = 0; i < f.rows(); ++i) {
        complete += f.open().IsValid(i) && f.high().IsValid(i) && f.low().IsValid(i) &&
                    f.close().IsValid(i) && f.volume().IsValid(i);
      }
      quality_.RecordCompleteness(static_cast<double>(complete) / static_cast<double>(f.rows()));
    }
  }
  return r;
}

Result<std::vector<finex::Quote>> ResilientProvider::Quote(std::span<const std::string> symbols) {
  int attempts = 0;
  const int calls = std::max(1, inner_->QuoteCalls(symbols));
  auto r = Run<std::vector<finex::Quote>>([&] { return inner_->Quote(symbols); }, &attempts,
                                          Weights().quote * static_cast<double>(calls));
  // Run charged the day one call; the adapter's others are calls too.
  if (attempts > 0 && calls > 1) daily_.Charge(calls - 1);
  return r;
}

Result<std::vector<SearchResult>> ResilientProvider::Search(std::string_view query) {
  int attempts = 0;
  return Run<std::vector<SearchResult>>([&] { return inner_->Search(query); }, &attempts,
                                        Weights().search);
}

ProviderHealth ResilientProvider::Health() const {
  ProviderHealth h;
  h.provider = std::string(ProviderName(inner_->id()));
  h.breaker = breaker_.state();
  h.score = quality_.score();
  h.reliability = quality_.reliability();
  h.completeness = quality_.completeness();
  h.tokens = limiter_.tokens();
  h.calls_per_day = daily_.per_day();
  h.daily_calls_remaining = daily_.remaining();
  h.calls = quality_.calls();
  h.failures = quality_.failures();
  MutexLock l(mu_);
  h.last_error = last_error_;
  return h;
}

}  // namespace finex::provider
