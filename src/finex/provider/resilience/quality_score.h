// QualityScore: how much the planner should trust a provider right now, for
// choosing and falling back between providers. Two exponentially weighted
// moving averages, both starting at 1.0:
//   reliability  — 1 for a call that succeeded (including NotFound and other
//                  definite answers), 0 for a failed one (5xx, timeout,
//                  corrupt body, refused by the breaker);
//   completeness — per non-empty history answer, the fraction of bars that
//                  carry all of open/high/low/close/volume.
// score = reliability_weight * reliability + (1 - reliability_weight) *
// completeness, in [0, 1].
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>

#include "finex/core/mutex.h"

namespace finex::provider {

struct QualityOptions {
  double alpha = 0.1;               // EWMA weight of a new sample. Default 0.1.
  double reliability_weight = 0.7;  // Default 0.7.
};

class QualityScore {
 public:
  explicit QualityScore(QualityOptions options = {});
  void RecordCall(bool ok);
  void RecordCompleteness(double fraction);  // clamped to [0, 1]
  double reliability() const;
  double completeness() const;
  double score() const;
  int64_t calls() const;
  int64_t failures() const;

 private:
  const QualityOptions opt_;
  mutable Mutex mu_;
  double reliability_ FINEX_GUARDED_BY(mu_) = 1.0;
  double completeness_ FINEX_GUARDED_BY(mu_) = 1.0;
  int64_t calls_ FINEX_GUARDED_BY(mu_) = 0;
  int64_t failures_ FINEX_GUARDED_BY(mu_) = 0;
};

}  // namespace finex::provider
