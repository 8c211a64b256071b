// ResilientProvider: a Provider decorator that wraps one adapter with a
// token-bucket RateLimiter (the provider's calls_per_minute unless
// configured, Retry-After honoured), a DailyBudget (calls per UTC day, if
// configured), retries with exponential backoff and
// jitter for retryable errors only, a CircuitBreaker and a QualityScore.
// Health() exposes breaker state, score and tokens for the planner and
// /readyz.
//
// Weight (Binance): every attempt also takes its weight from the weight
// bucket (a klines page 2 of 6000 a minute; extra pages of one History are
// charged after it), and when the provider reports more weight used this
// minute than finex counted (X-MBX-USED-WEIGHT-1M: another process on the
// IP), the bucket is cut to what is left of the provider's minute.
//
// Per call: refuse without calling upstream when today's budget is spent
// (ResourceExhausted, retry_after_s = the seconds to 00:00 UTC, so the cache
// falls back to another provider or answers 429 with Retry-After); wait for a token (sleeping
// through the injected SleepFn, at most max_wait_ms in total, else ResourceExhausted with
// retry_after_s); ask the breaker (open → Unavailable "circuit open" with retry_after_s); call; on
// a retryable error wait backoff (or the provider's retry_after for ResourceExhausted, which also
// pauses the limiter) and try again, up to retry.max_attempts. Every attempt is an upstream call
// and takes one of the day's budget (the further pages/months of a History and symbols
// of a Quote are charged after it); history answers report the total in http_calls. A
// ResourceExhausted whose retry_after lasts until the next 00:00 UTC (Alpha
// Vantage's "…requests per day" answer) marks the day's budget spent.
//
// Time: all waiting goes through Clock& + SleepFn, so unit tests use
// FakeClock and a sleep that advances it (no real sleeping).
// Thread-safety: thread-safe (the adapter is; the parts lock themselves).
// Ownership: owns the wrapped adapter; borrows the Clock (must outlive).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/provider/provider.h"
#include "finex/provider/resilience/circuit_breaker.h"
#include "finex/provider/resilience/daily_budget.h"
#include "finex/provider/resilience/quality_score.h"
#include "finex/provider/resilience/rate_limiter.h"
#include "finex/provider/resilience/retry.h"
#include "finex/provider/traits.h"

namespace finex::provider {

struct ResilienceOptions {
  // per_minute 0 (the default here) = the adapter's calls_per_minute().
  RateLimiterOptions limiter{0, 0};
  // Calls per UTC day (DailyBudget). Default 0 = no daily budget.
  int64_t calls_per_day = 0;
  // Request weight per minute (a second bucket, burst = one minute's worth);
  // each call takes its kind's weight from the provider's facts
  // (ProviderFacts::history_call_weight...). Default -1 = the facts'
  // weight_per_minute (Binance 6000; others none); 0 = no weight bucket.
  double weight_per_minute = -1;
  RetryOptions retry;
  CircuitBreakerOptions breaker;
  QualityOptions quality;
  // Longest total time one call may spend waiting (tokens, backoff,
  // Retry-After) before giving up. Default 30 s.
  int64_t max_wait_ms = 30000;
  // Seed of the jitter generator. Default 0 = random.
  uint64_t seed = 0;
};

// Sleeps for the given microseconds. The default really sleeps.
using SleepFn = std::function<void(int64_t micros)>;
SleepFn RealSleep();

struct ProviderHealth {
  std::string provider;
  BreakerState breaker = BreakerState::kClosed;
  double score = 1, reliability = 1, completeness = 1;
  double tokens = 0;
  int64_t calls_per_day = 0;           // the daily budget; 0 = none
  int64_t daily_calls_remaining = -1;  // calls left today; -1 = no daily budget
  int64_t calls = 0, failures = 0;
  std::string last_error;  // "" if the last call succeeded
};

class ResilientProvider final : public Provider {
 public:
  ResilientProvider(std::unique_ptr<Provider> inner, ResilienceOptions options, Clock& clock,
                    SleepFn sleep = RealSleep());

  ProviderId id() const override { return inner_->id(); }
  Result<HistoryResponse> History(const HistoryRequest& req) override;
  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override;
  Result<std::vector<SearchResult>> Search(std::string_view query) override;
  CallLimits Limits(Interval iv) const override { return inner_->Limits(iv); }
  double calls_per_minute() const override { return limiter_.per_minute(); }
  bool Handles(std::string_view symbol) const override { return inner_->Handles(symbol); }
  int QuoteCalls(std::span<const std::string> symbols) const override {
    return inner_->QuoteCalls(symbols);
  }

  ProviderHealth Health() const;
  Provider& inner() { return *inner_; }

 private:
  // Runs `call` under the policy; `attempts` receives the attempts made
  // (upstream calls), also set on a failure's StatusDetails::upstream_calls.
  // `weight`: the request weight of one attempt (1 without a weight bucket).
  template <typename T>
  Result<T> Run(const std::function<Result<T>()>& call, int* attempts, double weight);
  template <typename T>
  Result<T> RunAttempts(const std::function<Result<T>()>& call, int* attempts, double weight);
  // Cuts the weight bucket to what the provider reports left this minute.
  void ObserveReportedWeight();
  static bool IsHealthFailure(const Status& s);
  struct FactsWeights {
    double history = 1, quote = 1, search = 1;
  };
  // The request weight of each kind of call, from the provider's facts.
  FactsWeights Weights() const {
    const ProviderFacts& f = FactsOf(inner_->id());
    return {static_cast<double>(f.history_call_weight), static_cast<double>(f.quote_call_weight),
            static_cast<double>(f.search_call_weight)};
  }

  std::unique_ptr<Provider> inner_;
  const ResilienceOptions opt_;
  Clock& clock_;
  SleepFn sleep_;
  RateLimiter limiter_;
  const double weight_per_minute_;  // 0 = no weight bucket
  RateLimiter weight_;              // request weight (used when weight_per_minute_ > 0)
  DailyBudget daily_;
  CircuitBreaker breaker_;
  QualityScore quality_;
  mutable Mutex mu_;
  std::mt19937_64 rng_ FINEX_GUARDED_BY(mu_);
  std::string last_error_ FINEX_GUARDED_BY(mu_);
};

}  // namespace finex::provider
