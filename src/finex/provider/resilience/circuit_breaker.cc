#include "finex/provider/resilience/circuit_breaker.h"

#include <algorithm>

namespace finex::provider {

std::string_view BreakerStateName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const Clock& clock)
    : opt_(options), clock_(clock) {
  opt_.failure_threshold = std::max(1, opt_.failure_threshold);
  opt_.half_open_max_calls = std::max(1, opt_.half_open_max_calls);
  opt_.success_threshold = std::max(1, opt_.success_threshold);
  opt_.open_duration_ms = std::max<int64_t>(0, opt_.open_duration_ms);
}

void CircuitBreaker::MaybeHalfOpenLocked(int64_t now) const {
  if (state_ == BreakerState::kOpen && now - opened_at_us_ >= opt_.open_duration_ms * 1000) {
    state_ = BreakerState::kHalfOpen;
    in_flight_ = 0;
  }
}

bool CircuitBreaker::Allow() {
  MutexLock l(mu_);
  MaybeHalfOpenLocked(clock_.NowMicros());
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      return false;
    case BreakerState::kHalfOpen:
      if (in_flight_ >= opt_.half_open_max_calls) return false;
      ++in_flight_;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  MutexLock l(mu_);
  failures_ = 0;
  if (state_ == BreakerState::kHalfOpen) {
    in_flight_ = std::max(0, in_flight_ - 1);
    if (++successes_ >= opt_.success_threshold) {
      state_ = BreakerState::kClosed;
      successes_ = 0;
    }
  }
}

void CircuitBreaker::RecordFailure() {
  MutexLock l(mu_);
  const int64_t now = clock_.NowMicros();
  if (state_ == BreakerState::kHalfOpen) {
    state_ = BreakerState::kOpen;
    opened_at_us_ = now;
    in_flight_ = 0;
    successes_ = 0;
    return;
  }
  if (state_ == BreakerState::kClosed && ++failures_ >= opt_.failure_threshold) {
    state_ = BreakerState::kOpen;
    opened_at_us_ = now;
  }
}

void CircuitBreaker::RecordNeutral() {
  MutexLock l(mu_);
  if (state_ == BreakerState::kHalfOpen) in_flight_ = std::max(0, in_flight_ - 1);
}

BreakerState CircuitBreaker::state() const {
  MutexLock l(mu_);
  MaybeHalfOpenLocked(clock_.NowMicros());
  return state_;
}

int64_t CircuitBreaker::open_remaining_us() const {
  MutexLock l(mu_);
  const int64_t now = clock_.NowMicros();
  MaybeHalfOpenLocked(now);
  if (state_ != BreakerState::kOpen) return 0;
  return std::max<int64_t>(0, opened_at_us_ + opt_.open_duration_ms * 1000 - now);
}

int CircuitBreaker::consecutive_failures() const {
  MutexLock l(mu_);
  return failures_;
}

}  // namespace finex::provider
