#include "finex/fragment/ttl_policy.h"

#include <algorithm>
#include <cmath>

namespace finex::fragment {
namespace {

constexpr Timestamp kMinute = 60, kHour = 3600, kDay = 86400;

Timestamp Scale(Timestamp ttl, const TtlOptions& opts) {
  const double scaled = std::round(static_cast<double>(ttl) * opts.ttl_multiplier);
  return std::max<Timestamp>(1, static_cast<Timestamp>(scaled));
}

// The seed's real-time range (5-60 minutes), per interval.
Timestamp RealtimePeriod(Interval iv) {
  switch (iv) {
    case Interval::k1m:
    case Interval::k5m:
      return 5 * kMinute;
    case Interval::k15m:
      return 15 * kMinute;
    case Interval::k30m:
      return 30 * kMinute;
    case Interval::k1h:
      return kHour;
    default:
      return 15 * kMinute;
  }
}

}  // namespace

Timestamp FinalAt(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                  const TtlOptions& opts) {
  if (iv == Interval::k1w || iv == Interval::k1mo)
    return NextBar(bar_start, iv) + opts.publication_lag_s;
  return cal.NextClose(bar_start) + opts.publication_lag_s;
}

Timestamp SettledAt(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                    const TtlOptions& opts) {
  const Timestamp final_at = FinalAt(cal, iv, bar_start, opts);
  if (!IsIntraday(iv)) return final_at;
  return std::min(final_at, NextBar(bar_start, iv) + opts.intraday_lag_s);
}

Timestamp FragmentTtl(const calendar::Calendar& cal, Interval iv, Timestamp last_bar_start,
                      bool empty, Timestamp now, const TtlOptions& opts) {
  if (empty) return Scale(now - last_bar_start < 2 * kDay ? kHour : kDay, opts);
  if (!IsFinal(cal, iv, last_bar_start, now, opts)) {
    // Settled, not final: good until the session is final, then one call
    // finalizes it. Not settled: a live piece.
    if (IsSettled(cal, iv, last_bar_start, now, opts))
      return std::max<Timestamp>(1, FinalAt(cal, iv, last_bar_start, opts) - now);
    return LiveTtl(iv, now, opts);
  }
  if (IsRecent(last_bar_start, now)) return Scale(kDay, opts);
  return Scale(IsIntraday(iv) ? 7 * kDay : 30 * kDay, opts);
}

Timestamp LiveRefreshPeriod(Interval iv, const TtlOptions& opts) {
  return Scale(opts.live_refresh_s > 0 ? opts.live_refresh_s : RealtimePeriod(iv), opts);
}

Timestamp LiveTtl(Interval iv, Timestamp now, const TtlOptions& opts) {
  const Timestamp period = LiveRefreshPeriod(iv, opts);
  return std::max<Timestamp>(1, (FloorDiv(now, period) + 1) * period - now);
}

Timestamp QuoteTtl(const TtlOptions& opts) { return Scale(opts.quote_ttl_s, opts); }
Timestamp SearchTtl(const TtlOptions& opts) { return Scale(opts.search_ttl_s, opts); }

}  // namespace finex::fragment
