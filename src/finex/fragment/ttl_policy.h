// Freshness and finality (issues 7, 13): how long a stored fragment, quote or
// search answer stays true, and when a bar becomes final.
//
// An intraday bar is SETTLED once its end plus the provider's intraday lag
// (intraday_lag_s) has passed: its values no longer move, so it is served
// from cache and a live series is refreshed by asking only for its unsettled
// tail. It is FINAL once its session has closed plus the publication lag
// (exchanges publish official closes and corrections then): one call after
// that finalizes the day. Daily bars settle and finalize at the session close
// plus the publication lag; weekly and monthly bars at their end plus it.
// TTLs (the seed's ranges: real-time 5-60 min, daily 24 h, historical 7+ days):
//   live piece (the forming bar, unsettled bars, the time up to now): until
//     the next boundary of the real-time period, aligned to bar boundaries —
//     1m/5m 5 min, 15m 15, 30m 30, 1h 60, daily and longer 15 min
//     (live_refresh_s overrides it);
//   settled, not yet final (today's finished intraday bars): until the
//     session's close plus the publication lag;
//   final, recent (ended within 7 days): 24 h; historical: intraday 7 days,
//     daily and longer 30 days;
//   quotes: 15 s; search results: 1 day; known-empty answers: 1 day (a
//   listing may appear), 1 h when they end near now.
// Every TTL but the deadlines (settled -> final, live -> next boundary) is
// multiplied by ttl_multiplier (>= 1 s after scaling); the live period is too.
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
  Timestamp intraday_lag_s = 60;          // after an intraday bar's end. Default 1 min
  // Refresh period of live pieces (the forming bar); 0 (default) = the
  // real-time period of the interval (file comment).
  Timestamp live_refresh_s = 0;
  Timestamp quote_ttl_s = 15;      // Default 15 s
  Timestamp search_ttl_s = 86400;  // Default 1 day
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

// When a bar starting at `bar_start` stops changing: intraday, its end plus
// intraday_lag_s (never after FinalAt); daily and longer, FinalAt.
Timestamp SettledAt(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                    const TtlOptions& opts = {});
inline bool IsSettled(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                      Timestamp now, const TtlOptions& opts = {}) {
  return now >= SettledAt(cal, iv, bar_start, opts);
}

// Whether data ending at `end` (exclusive: a piece's vouched end, or its last
// bar's start + 1) is recent at `now` — within 7 days, the short "daily data"
// TTL — rather than historical.
inline constexpr Timestamp kRecentS = 7 * 86400;
inline bool IsRecent(Timestamp end, Timestamp now) { return now - end < kRecentS; }

// TTL in seconds for a fragment of settled bars whose last bar starts at
// `last_bar_start` (or, for a known-empty fragment, whose vouched range ends
// at `last_bar_start`), evaluated at `now`.
Timestamp FragmentTtl(const calendar::Calendar& cal, Interval iv, Timestamp last_bar_start,
                      bool empty, Timestamp now, const TtlOptions& opts = {});

// The refresh period of live pieces of `iv` (file comment), scaled, >= 1 s.
Timestamp LiveRefreshPeriod(Interval iv, const TtlOptions& opts = {});
// TTL in seconds of a live piece (the forming bar, unsettled bars, the time
// from them to now) cut at `now`: until the next multiple of the refresh
// period (bar boundaries line up with it), at least 1 s.
Timestamp LiveTtl(Interval iv, Timestamp now, const TtlOptions& opts = {});

Timestamp QuoteTtl(const TtlOptions& opts = {});
Timestamp SearchTtl(const TtlOptions& opts = {});

}  // namespace finex::fragment
