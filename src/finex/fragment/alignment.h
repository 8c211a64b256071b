// Fragment alignment: the natural buckets that stored fragments are cut
// along, and the wider "widen units" the planner may stretch a fetch to when
// the extra rows cost nothing (DESIGN.md "Fragments"; docs/planner.md).
//
//   fragment_size  1m/5m  15m..1h  1d     1w       1mo
//   small          hour   hour     month  quarter  year
//   optimized      day    month    year   decade   decade
//
// (optimized keeps a few hundred bars or more per stored piece: a year of
// daily bars is one key, not twelve Parquet footers).
//
// Widen units (aggressive policy): 1m/5m -> UTC day, 15m/30m/1h -> calendar
// month, 1d/1w/1mo -> aligned decade ("whatever the call can carry": providers
// charge per call, and a decade of daily bars is ~2,500 rows). Every bucket is a half-open UTC
// range; buckets of one (interval, size) tile the time line without gaps or overlaps, so a provider
// answer split along them yields disjoint pieces.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"

namespace finex::fragment {

enum class FragmentSize : uint8_t { kSmall, kOptimized };

// "small" | "optimized"; InvalidArgument (param "fragment_size") otherwise.
Result<FragmentSize> ParseFragmentSize(std::string_view text);
std::string_view FragmentSizeName(FragmentSize size);

enum class BucketUnit : uint8_t { kHour, kDay, kMonth, kQuarter, kYear, kDecade };

// The bucket unit fragments of `iv` are cut along.
BucketUnit FragmentBucketUnit(Interval iv, FragmentSize size);
// The unit the aggressive widening policy stretches a fetch to.
BucketUnit WidenUnit(Interval iv);

// The bucket of `unit` containing ts, [start, end).
TimeRange BucketOf(Timestamp ts, BucketUnit unit);

// Cuts r along the buckets of `unit`; pieces are non-empty, ascending and
// tile r exactly.
std::vector<TimeRange> SplitAlongBuckets(TimeRange r, BucketUnit unit);

// r stretched outwards to whole buckets of `unit`.
TimeRange AlignOutward(TimeRange r, BucketUnit unit);

}  // namespace finex::fragment
