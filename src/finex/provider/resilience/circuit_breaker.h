// CircuitBreaker: stops calling a provider that keeps failing.
//   closed    → calls pass; `failure_threshold` consecutive failures open it.
//   open      → calls are refused until `open_duration_ms` has passed, then
//               half-open.
//   half-open → at most `half_open_max_calls` probes in flight; a success
//               closes it (after `success_threshold` successes), a failure
//               re-opens it for another open_duration.
// Only failures that say the provider is unhealthy count (the caller decides:
// ResilientProvider counts Unavailable, DeadlineExceeded, DataLoss, Internal,
// Unknown — not NotFound or bad input).
//
// Thread-safety: thread-safe. Ownership: borrows the Clock.
#pragma once

#include <cstdint>
#include <string_view>

#include "finex/core/clock.h"
#include "finex/core/mutex.h"

namespace finex::provider {

struct CircuitBreakerOptions {
  int failure_threshold = 5;         // consecutive failures that open. Default 5.
  int64_t open_duration_ms = 30000;  // how long it stays open. Default 30 s.
  int half_open_max_calls = 1;       // probes allowed while half-open. Default 1.
  int success_threshold = 1;         // probe successes that close. Default 1.
};

enum class BreakerState : uint8_t { kClosed, kOpen, kHalfOpen };
std::string_view BreakerStateName(BreakerState s);  // "closed" | "open" | "half_open"

class CircuitBreaker {
 public:
  CircuitBreaker(CircuitBreakerOptions options, const Clock& clock);

  // Whether a call may go out now; a true while half-open reserves a probe
  // slot that the next Record* releases.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  // A call that was allowed but ended neither way (e.g. rate-limited).
  void RecordNeutral();

  BreakerState state() const;
  // Microseconds until an open breaker turns half-open (0 if not open).
  int64_t open_remaining_us() const;
  int consecutive_failures() const;

 private:
  void MaybeHalfOpenLocked(int64_t now) const FINEX_REQUIRES(mu_);
  CircuitBreakerOptions opt_;  // sanitized in the constructor, then read-only
  const Clock& clock_;
  mutable Mutex mu_;
  mutable BreakerState state_ FINEX_GUARDED_BY(mu_) = BreakerState::kClosed;
  int failures_ FINEX_GUARDED_BY(mu_) = 0;
  int successes_ FINEX_GUARDED_BY(mu_) = 0;
  mutable int in_flight_ FINEX_GUARDED_BY(mu_) = 0;
  int64_t opened_at_us_ FINEX_GUARDED_BY(mu_) = 0;
};

}  // namespace finex::provider
