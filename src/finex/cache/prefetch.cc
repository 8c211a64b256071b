#include "finex/cache/prefetch.h"

#include <algorithm>
#include <cmath>

namespace finex::cache {
namespace {

bool SameLength(const TimeRange& a, const TimeRange& b, double tol) {
  const double la = static_cast<double>(a.length()), lb = static_cast<double>(b.length());
  return la > 0 && lb > 0 && std::fabs(la - lb) <= tol * std::max(la, lb);
}

}  // namespace

PrefetchPredictor::PrefetchPredictor(PrefetchOptions opts) : opts_(opts) {}

void PrefetchPredictor::Observe(std::string_view series, TimeRange range, Timestamp now) {
  if (range.empty()) return;
  MutexLock lock(mu_);
  if (series_.size() >= opts_.max_series && series_.find(std::string(series)) == series_.end()) {
    auto oldest = std::min_element(
        series_.begin(), series_.end(),
        [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; });
    series_.erase(oldest);
  }
  SeriesState& st = series_[std::string(series)];
  st.seen.push_back({range, now});
  st.last_seen = now;
  while (st.seen.size() > opts_.history_per_series) st.seen.pop_front();
  // A request that a pending prediction anticipated consumes it.
  std::erase_if(st.pending, [&](const Prediction& p) { return p.range == range; });
  PredictLocked(std::string(series), st);
}

void PrefetchPredictor::PredictLocked(const std::string& series, SeriesState& st) {
  const size_t n = st.seen.size();
  if (n < 2) return;
  const Seen& cur = st.seen[n - 1];
  const Seen& prev = st.seen[n - 2];
  auto add = [&](TimeRange r, Prediction::Reason why, Timestamp due) {
    if (r.empty()) return;
    for (const Prediction& p : st.pending)
      if (p.range == r) return;
    st.pending.push_back({series, r, why, due});
  };
  if (!SameLength(cur.range, prev.range, opts_.length_tolerance)) return;
  const Timestamp len = cur.range.length();
  // Refresh: the same range at a regular period (needs three sightings).
  if (cur.range == prev.range) {
    if (n >= 3 && st.seen[n - 3].range == cur.range) {
      const double p1 = static_cast<double>(cur.at - prev.at);
      const double p2 = static_cast<double>(prev.at - st.seen[n - 3].at);
      if (p1 > 0 && p2 > 0 && std::fabs(p1 - p2) <= opts_.period_tolerance * std::max(p1, p2)) {
        add(cur.range, Prediction::Reason::kRefresh,
            cur.at + static_cast<Timestamp>(p1) - opts_.refresh_lead_s);
      }
    }
    return;
  }
  // Paging: adjacent ranges (allow a small gap/overlap of 10% of the length).
  const Timestamp slack = static_cast<Timestamp>(opts_.length_tolerance * static_cast<double>(len));
  if (std::llabs(cur.range.end - prev.range.start) <= slack) {  // paging backward
    add(TimeRange{cur.range.start - len, cur.range.start}, Prediction::Reason::kNextPage, cur.at);
    return;
  }
  if (std::llabs(cur.range.start - prev.range.end) <= slack) {  // paging forward
    add(TimeRange{cur.range.end, cur.range.end + len}, Prediction::Reason::kNextPage, cur.at);
    return;
  }
  // Sliding window: the window moved forward by a step smaller than its length.
  const Timestamp step = cur.range.end - prev.range.end;
  if (step > 0 && step < len) {
    const Timestamp period = std::max<Timestamp>(cur.at - prev.at, 0);
    add(TimeRange{cur.range.start + step, cur.range.end + step}, Prediction::Reason::kSlidingWindow,
        cur.at + period - opts_.refresh_lead_s);
  }
}

std::vector<Prediction> PrefetchPredictor::TakeDue(Timestamp now, size_t max) {
  MutexLock lock(mu_);
  std::vector<std::pair<Timestamp, std::string>> order;
  for (const auto& [name, st] : series_) order.emplace_back(st.last_seen, name);
  std::sort(order.rbegin(), order.rend());
  std::vector<Prediction> out;
  for (const auto& [unused, name] : order) {
    SeriesState& st = series_[name];
    for (auto it = st.pending.begin(); it != st.pending.end() && out.size() < max;) {
      if (it->due <= now) {
        out.push_back(std::move(*it));
        it = st.pending.erase(it);
      } else {
        ++it;
      }
    }
    if (out.size() >= max) break;
  }
  return out;
}

bool ShouldPrefetch(const calendar::Calendar& cal, Timestamp now, double recent_rps,
                    double token_share, const PrefetchOptions& opts) {
  if (recent_rps > opts.low_usage_rps) return false;
  if (token_share < opts.min_token_headroom) return false;
  if (cal.IsOpen(now)) return true;
  // Just closed: a session close within the last `just_closed_s`.
  const Timestamp close = cal.NextClose(now - opts.just_closed_s);
  return close <= now;
}

}  // namespace finex::cache
