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

Timestamp RecentIntradayTtl(Interval iv) {
  switch (iv) {
    case Interval::k1m:
      return 5 * kMinute;
    case Interval::k5m:
      return 10 * kMinute;
    case Interval::k15m:
      return 15 * kMinute;
    case Interval::k30m:
      return 30 * kMinute;
    default:
      return kHour;
  }
}

}  // namespace

Timestamp FinalAt(const calendar::Calendar& cal, Interval iv, Timestamp bar_start,
                  const TtlOptions& opts) {
  if (iv == Interval::k1w || iv == Interval::k1mo)
    return NextBar(bar_start, iv) + opts.publication_lag_s;
  return cal.NextClose(bar_start) + opts.publication_lag_s;
}

Timestamp FragmentTtl(const calendar::Calendar& cal, Interval iv, Timestamp last_bar_start,
                      bool empty, Timestamp now, const TtlOptions& opts) {
  if (empty) return Scale(now - last_bar_start < 2 * kDay ? kHour : kDay, opts);
  if (!IsFinal(cal, iv, last_bar_start, now, opts)) {
    return Scale(std::clamp<Timestamp>(NominalSeconds(iv) / 4, 15, 5 * kMinute), opts);
  }
  const bool recent = now - last_bar_start <= 7 * kDay;
  if (IsIntraday(iv)) return Scale(recent ? RecentIntradayTtl(iv) : 7 * kDay, opts);
  return Scale(recent ? kDay : 30 * kDay, opts);
}

Timestamp LiveTtl(Interval iv, const TtlOptions& opts) {
  const auto base =
      static_cast<double>(std::clamp<Timestamp>(NominalSeconds(iv) / 4, 15, 5 * kMinute));
  return std::max<Timestamp>(1, static_cast<Timestamp>(base * opts.ttl_multiplier));
}

Timestamp QuoteTtl(const TtlOptions& opts) { return Scale(opts.quote_ttl_s, opts); }
Timestamp SearchTtl(const TtlOptions& opts) { return Scale(opts.search_ttl_s, opts); }

}  // namespace finex::fragment
