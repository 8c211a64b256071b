#include "finex/provider/resilience/quality_score.h"

#include <algorithm>

namespace finex::provider {

QualityScore::QualityScore(QualityOptions options) : opt_(options) {}

void QualityScore::RecordCall(bool ok) {
  MutexLock l(mu_);
  ++calls_;
  if (!ok) ++failures_;
  const double a = std::clamp(opt_.alpha, 0.0, 1.0);
  reliability_ = (1 - a) * reliability_ + a * (ok ? 1.0 : 0.0);
}

void QualityScore::RecordCompleteness(double fraction) {
  MutexLock l(mu_);
  const double a = std::clamp(opt_.alpha, 0.0, 1.0);
  completeness_ = (1 - a) * completeness_ + a * std::clamp(fraction, 0.0, 1.0);
}

double QualityScore::reliability() const {
  MutexLock l(mu_);
  return reliability_;
}
double QualityScore::completeness() const {
  MutexLock l(mu_);
  return completeness_;
}
double QualityScore::score() const {
  MutexLock l(mu_);
  const double w = std::clamp(opt_.reliability_weight, 0.0, 1.0);
  return w * reliability_ + (1 - w) * completeness_;
}
int64_t QualityScore::calls() const {
  MutexLock l(mu_);
  return calls_;
}
int64_t QualityScore::failures() const {
  MutexLock l(mu_);
  return failures_;
}

}  // namespace finex::provider
