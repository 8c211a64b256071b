#include "finex/fragment/alignment.h"

namespace finex::fragment {

Result<FragmentSize> ParseFragmentSize(std::string_view text) {
  if (text == "small") return FragmentSize::kSmall;
  if (text == "optimized") return FragmentSize::kOptimized;
  return InvalidArgumentError("fragment_size '" + std::string(text.substr(0, 32)) +
                              "' is not one of small, optimized")
      .WithParam("fragment_size");
}

std::string_view FragmentSizeName(FragmentSize size) {
  return size == FragmentSize::kSmall ? "small" : "optimized";
}

BucketUnit FragmentBucketUnit(Interval iv, FragmentSize size) {
  if (size == FragmentSize::kSmall) {
    if (IsIntraday(iv)) return BucketUnit::kHour;
    if (iv == Interval::k1d) return BucketUnit::kMonth;
    return iv == Interval::k1w ? BucketUnit::kQuarter : BucketUnit::kYear;
  }
  // Optimized: a few hundred bars or more per stored piece, so the codec's
  // per-piece overhead (a Parquet footer, ~2 KB) stays small per bar.
  switch (iv) {
    case Interval::k1m:
    case Interval::k5m:
      return BucketUnit::kDay;
    case Interval::k15m:
    case Interval::k30m:
    case Interval::k1h:
      return BucketUnit::kMonth;
    case Interval::k1d:
      return BucketUnit::kYear;
    default:
      return BucketUnit::kDecade;
  }
}

BucketUnit WidenUnit(Interval iv) {
  // Rows per widened call stay small (a month of 1h bars ~150, a decade of
  // daily bars ~2,500); max_widen_rows and the provider limits bound it further.
  if (iv == Interval::k1m || iv == Interval::k5m) return BucketUnit::kDay;
  if (IsIntraday(iv)) return BucketUnit::kMonth;
  return BucketUnit::kDecade;
}

namespace {

Timestamp MonthStart(int year, int month) {
  return DaysFromCivil(CivilDate{year, month, 1}) * kSecondsPerDay;
}

}  // namespace

TimeRange BucketOf(Timestamp ts, BucketUnit unit) {
  switch (unit) {
    case BucketUnit::kHour: {
      const Timestamp s = FloorDiv(ts, kSecondsPerHour) * kSecondsPerHour;
      return {s, s + kSecondsPerHour};
    }
    case BucketUnit::kDay: {
      const Timestamp s = DayOf(ts) * kSecondsPerDay;
      return {s, s + kSecondsPerDay};
    }
    default:
      break;
  }
  const CivilDate d = CivilFromDays(DayOf(ts));
  switch (unit) {
    case BucketUnit::kMonth: {
      const int ny = d.month == 12 ? d.year + 1 : d.year;
      const int nm = d.month == 12 ? 1 : d.month + 1;
      return {MonthStart(d.year, d.month), MonthStart(ny, nm)};
    }
    case BucketUnit::kQuarter: {
      const int qm = (d.month - 1) / 3 * 3 + 1;
      const int ny = qm == 10 ? d.year + 1 : d.year;
      const int nm = qm == 10 ? 1 : qm + 3;
      return {MonthStart(d.year, qm), MonthStart(ny, nm)};
    }
    case BucketUnit::kYear:
      return {MonthStart(d.year, 1), MonthStart(d.year + 1, 1)};
    default: {
      const int y0 = static_cast<int>(FloorDiv(d.year, 10) * 10);
      return {MonthStart(y0, 1), MonthStart(y0 + 10, 1)};
    }
  }
}

std::vector<TimeRange> SplitAlongBuckets(TimeRange r, BucketUnit unit) {
  std::vector<TimeRange> out;
  Timestamp t = r.start;
  while (t < r.end) {
    const TimeRange b = BucketOf(t, unit);
    const Timestamp e = std::min(b.end, r.end);
    out.push_back({t, e});
    t = e;
  }
  return out;
}

TimeRange AlignOutward(TimeRange r, BucketUnit unit) {
  if (r.empty()) return r;
  return {BucketOf(r.start, unit).start, BucketOf(r.end - 1, unit).end};
}

}  // namespace finex::fragment
