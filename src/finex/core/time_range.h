// TimeRange and TimeRangeSet: half-open [start, end) spans of UTC seconds and
// normalized sets of them (sorted, disjoint, non-adjacent). The planner lives
// on this algebra: gaps = requested - vouched - closed.
//
// User-facing requests have an INCLUSIVE end (API.md); convert at the edge
// with TimeRange::FromInclusive(start, end) = [start, end + 1).
//
// Thread-safety: values; const methods are thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex {

struct TimeRange {
  Timestamp start = 0;  // inclusive
  Timestamp end = 0;    // exclusive

  // Validates start < end; InvalidArgument ("start ... must be before end ...",
  // param "start") otherwise.
  static Result<TimeRange> Make(Timestamp start, Timestamp end);
  // [start, end_inclusive + 1); validates start <= end_inclusive.
  static Result<TimeRange> FromInclusive(Timestamp start, Timestamp end_inclusive);

  bool empty() const { return end <= start; }
  Timestamp length() const { return empty() ? 0 : end - start; }
  bool Contains(Timestamp t) const { return t >= start && t < end; }
  bool Contains(const TimeRange& o) const {
    return o.empty() || (o.start >= start && o.end <= end);
  }
  bool Overlaps(const TimeRange& o) const { return start < o.end && o.start < end; }
  // Intersection; empty() if disjoint.
  TimeRange Intersect(const TimeRange& o) const;
  // "[2024-01-02T00:00:00Z, 2024-01-03T00:00:00Z)"
  std::string ToString() const;

  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

class TimeRangeSet {
 public:
  TimeRangeSet() = default;
  explicit TimeRangeSet(TimeRange r) { Add(r); }
  explicit TimeRangeSet(std::span<const TimeRange> ranges);

  // Adds r (union in place). Empty ranges are ignored.
  void Add(TimeRange r);
  // Removes r (subtraction in place).
  void Remove(TimeRange r);

  TimeRangeSet Union(const TimeRangeSet& o) const;
  TimeRangeSet Intersect(const TimeRangeSet& o) const;
  TimeRangeSet Subtract(const TimeRangeSet& o) const;
  TimeRangeSet Intersect(TimeRange r) const;

  bool empty() const { return ranges_.empty(); }
  bool Contains(Timestamp t) const;
  // True if every instant of r is in the set.
  bool Covers(TimeRange r) const;
  // Total covered seconds.
  Timestamp TotalLength() const;
  // Sorted, disjoint, non-adjacent, none empty.
  const std::vector<TimeRange>& ranges() const { return ranges_; }
  std::string ToString() const;

  friend bool operator==(const TimeRangeSet&, const TimeRangeSet&) = default;

 private:
  std::vector<TimeRange> ranges_;
};

}  // namespace finex
