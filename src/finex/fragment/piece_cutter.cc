#include "finex/fragment/piece_cutter.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace finex::fragment {

TrimmedAnswer TrimToCall(FramePtr frame, TimeRange call, bool whole_history,
                         bool last_bar_partial) {
  if (whole_history || frame->empty() || frame->last_timestamp() < call.end)
    return {std::move(frame), last_bar_partial};
  // The flag spoke of a bar that is gone; the rest is judged by the calendar.
  return {frame->Slice({std::min(frame->first_timestamp(), call.start), call.end}), false};
}

namespace {

// From the first bar that is not settled (settled = true) or not final
// (settled = false) yet — or the start of the bar containing now — on.
Timestamp FirstUnsettled(const CutInput& in, bool settled) {
  const Frame& frame = *in.frame;
  Timestamp from = FloorToBar(in.now, in.interval);
  for (size_t i = frame.rows(); i-- > 0;) {
    const Timestamp ts = frame.timestamps()[i];
    const bool forming = in.last_bar_partial && i + 1 == frame.rows();
    if (!forming && (settled ? IsSettled(*in.calendar, in.interval, ts, in.now, in.ttl)
                             : IsFinal(*in.calendar, in.interval, ts, in.now, in.ttl)))
      break;
    from = std::min(from, ts);
  }
  return from;
}

// What the call speaks for (file comment).
TimeRangeSet Vouched(const CutInput& in) {
  const Frame& frame = *in.frame;
  TimeRange actual;
  if (!frame.empty())
    actual = {frame.first_timestamp(), NextBar(frame.last_timestamp(), in.interval)};
  TimeRangeSet vouched(in.call.Intersect({in.call.start, std::max(in.call.start, in.now + 1)}));
  if (in.max_rows > 0 && static_cast<int64_t>(frame.rows()) >= in.max_rows && !actual.empty())
    vouched = TimeRangeSet(TimeRange{std::min(in.call.start, actual.start), actual.end});
  vouched.Add(actual);
  return vouched;
}

}  // namespace

Result<std::vector<Piece>> CutPieces(const CutInput& in) {
  const Frame& frame = *in.frame;
  const Interval iv = in.interval;
  const FieldSet fields = frame.fields().Union(in.asked_fields);
  const Timestamp live_from = FirstUnsettled(in, true);
  const Timestamp final_before = std::min(live_from, FirstUnsettled(in, false));
  // Historical bars (long TTL) and recent ones (24 h) are kept apart, so a
  // year piece is not refetched whole because its last days are recent.
  const Timestamp recent_from = std::min(final_before, FloorToBar(in.now - kRecentS, iv));
  const Timestamp live_ttl = LiveTtl(iv, in.now, in.ttl);
  Timestamp live_until = std::numeric_limits<Timestamp>::max();
  const calendar::Calendar& cal = *in.calendar;
  if (const std::optional<calendar::Session> today = cal.SessionOn(cal.LocalDate(in.now));
      today && in.now < today->open)
    live_until = today->open;

  std::vector<TimeRange> ranges;
  const TimeRangeSet vouched = Vouched(in);
  for (const TimeRange& v : vouched.ranges()) {
    for (const TimeRange& b : SplitAlongBuckets(v, in.unit)) {
      // Historical and recent final bars, settled bars (until their session
      // is final) and live time each go into pieces of their own.
      Timestamp s = b.start;
      for (Timestamp cut : {recent_from, final_before, live_from}) {
        if (s < cut && cut < b.end) {
          ranges.push_back({s, cut});
          s = cut;
        }
      }
      ranges.push_back({s, b.end});
    }
  }
  // A known-empty span (before a listing, a halt) is one piece however many
  // buckets it crosses: touching final ranges without bars merge.
  std::vector<TimeRange> merged;
  merged.reserve(ranges.size());
  bool prev_empty_final = false;
  for (const TimeRange& b : ranges) {
    const bool empty_final = b.end <= live_from && in.frame->Slice(b)->empty();
    if (empty_final && prev_empty_final && merged.back().end == b.start) {
      merged.back().end = b.end;
    } else {
      merged.push_back(b);
    }
    prev_empty_final = empty_final;
  }
  std::vector<Piece> pieces;
  pieces.reserve(merged.size());
  for (const TimeRange& b : merged) {
    FramePtr bars = in.frame->Slice(b);
    const bool empty = bars->empty();
    const Timestamp first = empty ? b.start : bars->first_timestamp();
    const Timestamp last = empty ? b.end - 1 : bars->last_timestamp();
    FINEX_ASSIGN_OR_RETURN(std::string key,
                           MakeFragmentKey(in.symbol, iv, first, last, in.provider, in.currency,
                                           empty ? FieldSet() : fields));
    FINEX_ASSIGN_OR_RETURN(Fragment f, FragmentFromKey(key, 0));
    f.vouched = empty ? b : TimeRange{std::min(b.start, first), std::max(b.end, NextBar(last, iv))};
    const bool live = b.start >= live_from;
    f.final = !live && (empty || b.end <= final_before);
    Timestamp ttl = live ? live_ttl : FragmentTtl(cal, iv, last, empty, in.now, in.ttl);
    if (live && empty) ttl = std::min(ttl, live_until - in.now);
    ttl = std::max<Timestamp>(1, ttl);
    f.fetched_at = in.now;
    f.expires_at = in.now + ttl;
    f.rows = bars->rows();
    f.details_loaded = true;
    pieces.push_back({std::move(f), empty ? Frame::Empty(in.asked_fields) : std::move(bars), ttl});
  }
  return pieces;
}

}  // namespace finex::fragment
