#include "finex/provider/resilience/retry.h"

#include <algorithm>
#include <cmath>

namespace finex::provider {

bool IsRetryable(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

int64_t BackoffMicros(const RetryOptions& opt, int retry, std::mt19937_64& rng) {
  const double base = static_cast<double>(std::max<int64_t>(0, opt.initial_backoff_ms)) *
                      std::pow(std::max(1.0, opt.multiplier), std::max(0, retry - 1));
  const double capped =
      std::min(base, static_cast<double>(std::max<int64_t>(0, opt.max_backoff_ms)));
  const double j = std::clamp(opt.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> dist(1.0 - j, 1.0 + j);
  return static_cast<int64_t>(capped * (j > 0 ? dist(rng) : 1.0) * 1000.0);
}

}  // namespace finex::provider
