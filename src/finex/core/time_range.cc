#include "finex/core/time_range.h"

#include <algorithm>
#include <limits>

namespace finex {

Result<TimeRange> TimeRange::Make(Timestamp start, Timestamp end) {
  if (start >= end) {
    return InvalidArgumentError("start " + FormatIsoUtc(start) + " must be before end " +
                                FormatIsoUtc(end))
        .WithParam("start");
  }
  return TimeRange{start, end};
}

Result<TimeRange> TimeRange::FromInclusive(Timestamp start, Timestamp end_inclusive) {
  if (start > end_inclusive) {
    return InvalidArgumentError("start " + FormatIsoUtc(start) + " is after end " +
                                FormatIsoUtc(end_inclusive))
        .WithParam("start");
  }
  if (end_inclusive == std::numeric_limits<Timestamp>::max()) {
    return InvalidArgumentError("end " + std::to_string(end_inclusive) + " is out of range")
        .WithParam("end");
  }
  return TimeRange{start, end_inclusive + 1};
}

TimeRange TimeRange::Intersect(const TimeRange& o) const {
  TimeRange r{std::max(start, o.start), std::min(end, o.end)};
  if (r.empty()) return TimeRange{};
  return r;
}

std::string TimeRange::ToString() const {
  return "[" + FormatIsoUtc(start) + ", " + FormatIsoUtc(end) + ")";
}

TimeRangeSet::TimeRangeSet(std::span<const TimeRange> ranges) {
  for (const TimeRange& r : ranges) Add(r);
}

void TimeRangeSet::Add(TimeRange r) {
  if (r.empty()) return;
  // First range whose end >= r.start (touching ranges merge).
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), r.start,
                             [](const TimeRange& a, Timestamp s) { return a.end < s; });
  auto last = it;
  while (last != ranges_.end() && last->start <= r.end) {
    r.start = std::min(r.start, last->start);
    r.end = std::max(r.end, last->end);
    ++last;
  }
  it = ranges_.erase(it, last);
  ranges_.insert(it, r);
}

void TimeRangeSet::Remove(TimeRange r) {
  if (r.empty() || ranges_.empty()) return;
  std::vector<TimeRange> out;
  out.reserve(ranges_.size() + 1);
  for (const TimeRange& a : ranges_) {
    if (!a.Overlaps(r)) {
      out.push_back(a);
      continue;
    }
    if (a.start < r.start) out.push_back({a.start, r.start});
    if (r.end < a.end) out.push_back({r.end, a.end});
  }
  ranges_ = std::move(out);
}

TimeRangeSet TimeRangeSet::Union(const TimeRangeSet& o) const {
  TimeRangeSet out = *this;
  for (const TimeRange& r : o.ranges_) out.Add(r);
  return out;
}

TimeRangeSet TimeRangeSet::Intersect(const TimeRangeSet& o) const {
  TimeRangeSet out;
  size_t i = 0, j = 0;
  while (i < ranges_.size() && j < o.ranges_.size()) {
    TimeRange x = ranges_[i].Intersect(o.ranges_[j]);
    if (!x.empty()) out.ranges_.push_back(x);
    if (ranges_[i].end < o.ranges_[j].end)
      ++i;
    else
      ++j;
  }
  return out;
}

TimeRangeSet TimeRangeSet::Intersect(TimeRange r) const { return Intersect(TimeRangeSet(r)); }

TimeRangeSet TimeRangeSet::Subtract(const TimeRangeSet& o) const {
  TimeRangeSet out = *this;
  for (const TimeRange& r : o.ranges_) out.Remove(r);
  return out;
}

bool TimeRangeSet::Contains(Timestamp t) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), t,
                             [](Timestamp v, const TimeRange& a) { return v < a.end; });
  return it != ranges_.end() && it->Contains(t);
}

bool TimeRangeSet::Covers(TimeRange r) const {
  if (r.empty()) return true;
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), r.start,
                             [](Timestamp v, const TimeRange& a) { return v < a.end; });
  return it != ranges_.end() && it->Contains(r);
}

Timestamp TimeRangeSet::TotalLength() const {
  Timestamp n = 0;
  for (const TimeRange& r : ranges_) n += r.length();
  return n;
}

std::string TimeRangeSet::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (i) out += ", ";
    out += ranges_[i].ToString();
  }
  return out + "}";
}

}  // namespace finex
