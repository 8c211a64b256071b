#include "finex/provider/resilience/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace finex::provider {

RateLimiter::RateLimiter(RateLimiterOptions options, const Clock& clock)
    : rate_per_s_(std::max(1e-9, options.per_minute) / 60.0),
      burst_(options.burst > 0 ? options.burst : std::max(1.0, options.per_minute / 12.0)),
      clock_(clock),
      tokens_(burst_),
      last_us_(clock.NowMicros()) {}

void RateLimiter::RefillLocked(int64_t now_us) const {
  if (now_us > last_us_) {
    tokens_ =
        std::min(burst_, tokens_ + static_cast<double>(now_us - last_us_) * rate_per_s_ / 1e6);
    last_us_ = now_us;
  }
}

int64_t RateLimiter::TryAcquire(double cost) {
  cost = std::min(cost, burst_);
  MutexLock l(mu_);
  const int64_t now = clock_.NowMicros();
  if (now < paused_until_us_) return paused_until_us_ - now;
  RefillLocked(now);
  if (tokens_ >= cost) {
    tokens_ -= cost;
    return 0;
  }
  return std::max<int64_t>(1,
                           static_cast<int64_t>(std::ceil((cost - tokens_) / rate_per_s_ * 1e6)));
}

void RateLimiter::Charge(double cost) {
  MutexLock l(mu_);
  RefillLocked(clock_.NowMicros());
  tokens_ -= std::max(0.0, cost);
}

void RateLimiter::CapAt(double available) {
  MutexLock l(mu_);
  RefillLocked(clock_.NowMicros());
  tokens_ = std::min(tokens_, available);
}

void RateLimiter::PauseFor(double seconds) {
  MutexLock l(mu_);
  const int64_t now = clock_.NowMicros();
  RefillLocked(now);
  paused_until_us_ =
      std::max(paused_until_us_, now + static_cast<int64_t>(std::max(0.0, seconds) * 1e6));
  tokens_ = 0;
  last_us_ = std::max(last_us_, paused_until_us_);  // no refill credit for the pause itself
}

double RateLimiter::tokens() const {
  MutexLock l(mu_);
  const int64_t now = clock_.NowMicros();
  if (now < paused_until_us_) return 0;
  RefillLocked(now);
  return tokens_;
}

}  // namespace finex::provider
