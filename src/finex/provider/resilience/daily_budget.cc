#include "finex/provider/resilience/daily_budget.h"

#include <algorithm>

namespace finex::provider {

Timestamp SecondsToUtcMidnight(Timestamp now) {
  return (FloorDiv(now, kSecondsPerDay) + 1) * kSecondsPerDay - now;
}

DailyBudget::DailyBudget(int64_t per_day, const Clock& clock)
    : per_day_(std::max<int64_t>(0, per_day)),
      clock_(clock),
      day_(FloorDiv(clock.Now(), kSecondsPerDay)),
      used_(0) {}

void DailyBudget::RollLocked(Timestamp now) const {
  const int64_t day = FloorDiv(now, kSecondsPerDay);
  if (day != day_) {  // a new UTC day (or a replay clock set back): a fresh budget
    day_ = day;
    used_ = 0;
  }
}

Timestamp DailyBudget::TryTake() {
  if (per_day_ == 0) return 0;
  MutexLock l(mu_);
  const Timestamp now = clock_.Now();
  RollLocked(now);
  if (used_ >= per_day_) return SecondsToUtcMidnight(now);
  ++used_;
  return 0;
}

void DailyBudget::Charge(int64_t calls) {
  if (per_day_ == 0 || calls <= 0) return;
  MutexLock l(mu_);
  RollLocked(clock_.Now());
  used_ = std::min(per_day_, used_ + calls);
}

void DailyBudget::MarkSpent() {
  if (per_day_ == 0) return;
  MutexLock l(mu_);
  RollLocked(clock_.Now());
  used_ = per_day_;
}

int64_t DailyBudget::remaining() const {
  if (per_day_ == 0) return -1;
  MutexLock l(mu_);
  RollLocked(clock_.Now());
  return per_day_ - used_;
}

}  // namespace finex::provider
