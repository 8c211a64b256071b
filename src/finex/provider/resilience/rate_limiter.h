// RateLimiter: a token bucket per provider. Tokens refill continuously at
// per_minute/60 per second up to `burst`; a call takes one (or its cost: a
// weight bucket, Binance's request weight, takes the call's weight). PauseFor()
// honours a provider's Retry-After (or a throttle-as-200 wait): no token is
// handed out before that instant, whatever the bucket holds.
//
// Time comes from the injected Clock (FakeClock in tests); the limiter never
// sleeps itself: TryAcquire says how long to wait and the caller decides.
// Thread-safety: thread-safe. Ownership: borrows the Clock (must outlive).
#pragma once

#include <cstdint>

#include "finex/core/clock.h"
#include "finex/core/mutex.h"

namespace finex::provider {

struct RateLimiterOptions {
  // Sustained calls per minute. Default 60. REQUIRES: > 0.
  double per_minute = 60;
  // Bucket size (calls allowed back to back). Default 0 = max(1, per_minute/12)
  // (five seconds' worth).
  double burst = 0;
};

class RateLimiter {
 public:
  RateLimiter(RateLimiterOptions options, const Clock& clock);

  // Takes `cost` tokens (1 = one call) and returns 0 when they are available
  // now; otherwise takes nothing and returns the microseconds until they will
  // be. A cost above the burst is taken as the burst. REQUIRES: cost > 0.
  int64_t TryAcquire(double cost = 1);
  // Takes `cost` more tokens after the fact (extra pages of a call), going
  // into debt if needed: later acquisitions wait for the refill.
  void Charge(double cost);
  // The provider reports that only `available` tokens are left in its own
  // window (another process shares the quota): holds at most that many.
  // Never raises the count.
  void CapAt(double available);
  // No token before now + seconds (Retry-After). Later pauses extend, earlier
  // ones never shorten. Also empties the bucket.
  void PauseFor(double seconds);
  // Tokens available now (fractional).
  double tokens() const;
  double per_minute() const { return rate_per_s_ * 60; }

 private:
  void RefillLocked(int64_t now_us) const FINEX_REQUIRES(mu_);
  const double rate_per_s_;
  const double burst_;
  const Clock& clock_;
  mutable Mutex mu_;
  mutable double tokens_ FINEX_GUARDED_BY(mu_);
  mutable int64_t last_us_ FINEX_GUARDED_BY(mu_);
  int64_t paused_until_us_ FINEX_GUARDED_BY(mu_) = 0;
};

}  // namespace finex::provider
