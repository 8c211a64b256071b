// Prefetch (issue 7, behind `prefetch_enabled`): learns likely next queries
// from what users ask and says what to fetch ahead of them.
//
// Patterns recognized per series (symbol, interval, provider, currency):
//   next page:      the last two requests were adjacent ranges of about the
//                   same length (a user paging back or forward) → the next page
//                   in the same direction;
//   sliding window: the same-length window requested again with its end
//                   moved forward → the window moved once more by the same step;
//   refresh:        the same range requested repeatedly at a regular period (a
//                   dashboard) → the same range again, due one period after the
//                   last request, so expiring fragments are renewed first.
// The predictor only predicts; the cache subtracts what it already holds and
// fetches through the normal planner (so predictions never duplicate data).
// ShouldPrefetch() is the gate: only in low-usage periods, only while the
// series' market is open or just closed, and only with rate-limit headroom
// left for user requests — prefetch never starves a user.
//
// Thread-safety: PrefetchPredictor is internally synchronized.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/mutex.h"
#include "finex/core/time_range.h"

namespace finex::cache {

struct PrefetchOptions {
  size_t history_per_series = 8;    // requests remembered per series. Default 8
  size_t max_series = 10000;        // series tracked (least recent dropped). Default 10000
  double length_tolerance = 0.1;    // "same length" within 10%. Default 0.1
  double period_tolerance = 0.25;   // "regular period" within 25%. Default 0.25
  Timestamp refresh_lead_s = 30;    // refresh this long before due. Default 30 s
  Timestamp just_closed_s = 3600;   // "just closed" window after a session close. Default 1 h
  double low_usage_rps = 50;        // user requests/s under which prefetch may run. Default 50
  double min_token_headroom = 0.5;  // share of a provider's rate budget left for users. Default 0.5
};

struct Prediction {
  enum class Reason : uint8_t { kNextPage, kSlidingWindow, kRefresh };
  std::string series;
  TimeRange range;
  Reason reason = Reason::kNextPage;
  Timestamp due = 0;  // when it becomes worth fetching
};

class PrefetchPredictor {
 public:
  explicit PrefetchPredictor(PrefetchOptions opts = {});
  // Records a user request for `range` of `series` at `now`.
  void Observe(std::string_view series, TimeRange range, Timestamp now);
  // Predictions due at or before `now` (at most `max`), most recent series
  // first. A prediction is returned once.
  std::vector<Prediction> TakeDue(Timestamp now, size_t max);

 private:
  struct Seen {
    TimeRange range;
    Timestamp at;
  };
  struct SeriesState {
    std::deque<Seen> seen;
    std::vector<Prediction> pending;
    Timestamp last_seen = 0;
  };
  void PredictLocked(const std::string& series, SeriesState& st);

  const PrefetchOptions opts_;
  Mutex mu_;
  std::map<std::string, SeriesState> series_ FINEX_GUARDED_BY(mu_);
};

// The gate. `recent_rps`: user requests per second lately; `token_share`:
// fraction of the provider's rate-limit budget currently available (0..1).
bool ShouldPrefetch(const calendar::Calendar& cal, Timestamp now, double recent_rps,
                    double token_share, const PrefetchOptions& opts = {});

}  // namespace finex::cache
