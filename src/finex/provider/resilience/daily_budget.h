// DailyBudget: a provider's calls per UTC day (Alpha Vantage's free key: 25;
// Twelve Data Basic: 800, both reset at 00:00 UTC; ProviderFacts::
// calls_per_day). Each upstream call takes one; once the day's calls are
// spent, TryTake refuses until the next 00:00 UTC, so finex stops calling a
// provider that would only answer "come back tomorrow". MarkSpent records a
// provider's own "daily limit reached" answer (learned: another process may
// share the key).
//
// Days are counted on the injected Clock (the engine's, so a ReplayClock
// crosses midnight at replay speed; FakeClock in tests).
// Thread-safety: thread-safe. Ownership: borrows the Clock (must outlive).
#pragma once

#include <cstdint>

#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/core/time.h"

namespace finex::provider {

// Seconds from `now` to the next 00:00 UTC (1..86400).
Timestamp SecondsToUtcMidnight(Timestamp now);

class DailyBudget {
 public:
  // per_day 0 = no budget: TryTake always succeeds. REQUIRES: per_day >= 0.
  DailyBudget(int64_t per_day, const Clock& clock);

  // Takes one call of today's budget and returns 0; when today's calls are
  // spent, takes nothing and returns the seconds until the next 00:00 UTC.
  Timestamp TryTake();
  // Counts `calls` more upstream calls after the fact (the extra months or
  // symbols of one call); may spend the day.
  void Charge(int64_t calls);
  // Today's budget is spent (the provider said so), whatever was counted.
  // No-op without a budget.
  void MarkSpent();
  // Calls left today; -1 without a budget.
  int64_t remaining() const;
  int64_t per_day() const { return per_day_; }

 private:
  void RollLocked(Timestamp now) const FINEX_REQUIRES(mu_);
  const int64_t per_day_;
  const Clock& clock_;
  mutable Mutex mu_;
  mutable int64_t day_ FINEX_GUARDED_BY(mu_);   // DayOf(now) of the counted day
  mutable int64_t used_ FINEX_GUARDED_BY(mu_);  // calls taken that day
};

}  // namespace finex::provider
