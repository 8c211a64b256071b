// Freshness and finality (issue 7): how long a stored fragment, quote or
// search answer stays true, and when a bar becomes final.
//
// A bar is PROVISIONAL until its session has closed plus the provider's
// publication lag; the still-forming last bar of a live series is never
// treated as final and gets a short TTL so it is replaced soon. Final data
// still expires (providers revise history after splits), on a longer clock:
//   live fragment (holds a provisional bar): interval/4, clamped to 15 s..5 min
//   recent final data (ends within 7 days): intraday 5..60 min by interval
//                                           (1m 5 min, 5m 10, 15m 15, 30m 30,
//                                           1h 60), daily and longer 24 h
//   historical (ended more than 7 days ago): intraday 7 days, daily+ 30 days
//   quotes: 15 s; search results: 1 day; known-empty answers: 1 day (a
//   listing may appear), 1 h when they end near now.
// Every TTL is multiplied by ttl_multiplier (>= 1 s after scaling).
//
// Thread-safety: pure functions; the Calendar is borrowed for the call.
#pragma once

#include "finex/calendar/calendar.h"
#include "finex/core/interval.h"
#include "finex/core/time.h"

namespace finex::fragment {

struct TtlOptions {
  double ttl_multiplier = 1.0;            // scales every TTL. Default 1.0
  Timestamp publication_lag_s = 15 * 60;  // after the session close. Default 15 min
  Timestamp quote_ttl_s = 15;             // Default 15 s
  Timestamp search_ttl_s = 86400;         // Default 1 day
};

// When a bar starting at `bar_start` becomes final (UTC seconds):
// 1m..1d: the close of the session the bar belongs to, plus the lag;
// 1w/1mo: the bar's end (the next bar's stamp) plus the lag.
Timestamp FinalAt(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                  const TtlOptions& opts = {});
inline bool IsFinal(const calendar::Calendar& cal, Interval iv, Timestamp bar_start, Timestamp now,
                    const TtlOptions& opts = {}) {
  return now >= FinalAt(cal, iv, bar_start, opts);
}

// TTL in seconds for a fragment of bars whose last bar starts at
// `last_bar_start` (or, for a known-empty fragment, whose vouched range ends
// at `last_bar_start`), evaluated at `now`.
Timestamp FragmentTtl(const calendar::Calendar& cal, Interval iv, Timestamp last_bar_start,
                      bool empty, Timestamp now, const TtlOptions& opts = {});

// TTL in seconds of a live piece (one holding a provisional or forming bar,
// or the known-empty time from the forming bar on): interval/4, clamped to
// 15 s..5 min, times ttl_multiplier (truncated), at least 1 s.
Timestamp LiveTtl(Interval iv, const TtlOptions& opts = {});

Timestamp QuoteTtl(const TtlOptions& opts = {});
Timestamp SearchTtl(const TtlOptions& opts = {});

}  // namespace finex::fragment
