// Retry policy: which errors are worth another attempt, and how long to wait
// (exponential backoff with jitter). STYLE.md §2: kUnavailable and
// kDeadlineExceeded retry with backoff; kResourceExhausted retries after the
// provider's Retry-After; everything else (NotFound, InvalidArgument,
// OutOfRange, Unauthenticated, DataLoss, ...) is final.
//
// Thread-safety: pure functions; the Rng is the caller's.
#pragma once

#include <cstdint>
#include <random>

#include "finex/core/status.h"

namespace finex::provider {

struct RetryOptions {
  int max_attempts = 3;              // total attempts including the first. Default 3.
  int64_t initial_backoff_ms = 200;  // first retry delay before jitter. Default 200 ms.
  double multiplier = 2.0;           // growth per retry. Default 2.
  int64_t max_backoff_ms = 10000;    // cap before jitter. Default 10 s.
  double jitter = 0.2;               // ± fraction of the delay, uniform. Default 0.2.
};

bool IsRetryable(const Status& s);

// Delay before retry number `retry` (1 = the first retry), in microseconds:
// min(max, initial * multiplier^(retry-1)) * (1 ± jitter).
int64_t BackoffMicros(const RetryOptions& opt, int retry, std::mt19937_64& rng);

}  // namespace finex::provider
