// Piece cutting: how one provider answer becomes the pieces finex stores
// (DESIGN.md "Fragments"). A pure function of the answer, the call that was
// made, the calendar and "now" — no I/O, no locks.
//
//   vouched   what the call speaks for: the asked range up to now, plus the
//             bars that came back. A call the provider cut short at its row
//             cap vouches only from the call's start to its last bar.
//   buckets   the vouched time is split along aligned buckets
//             (alignment.h: intraday days/months, daily years, ...);
//             touching final buckets without a bar (before a listing)
//             merge into one known-empty piece, however long.
//   live      bars that are not settled yet (ttl_policy.h SettledAt), the
//             bar still forming (last_bar_partial) and the time from the bar
//             containing now on go into their own short-lived pieces
//             (LiveTtl, to the next refresh boundary), so the settled bars of
//             the same bucket are served from cache until their session is
//             final (FragmentTtl) and a refresh asks only for the tail. Before today's session
//             opens, a live piece that holds no bar expires at the open: today's daily bar (and a
//             split reported with it) appear then.
//   pieces    each with its key (first/last bar actually held; a known-empty
//             piece is keyed by its vouched range with the "empty" field
//             set), vouched range, finality, fetch time and TTL.
//
// TrimToCall runs first: bars at or after the end of the call are not part
// of its answer (Yahoo appends a bar at the latest trade time after a past
// range); kept, they would make a piece vouch for everything between the
// call's end and them. Only a whole-history answer speaks for that time.
//
// Thread-safety: pure functions; the Calendar is borrowed for the call.
#pragma once

#include <string_view>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/frame.h"
#include "finex/fragment/alignment.h"
#include "finex/fragment/fragment.h"
#include "finex/fragment/ttl_policy.h"

namespace finex::fragment {

struct TrimmedAnswer {
  FramePtr frame;
  bool last_bar_partial = false;  // still about the frame's last bar
};

// The bars of `frame` that answer `call` (see file comment). REQUIRES: frame
// non-null.
TrimmedAnswer TrimToCall(FramePtr frame, TimeRange call, bool whole_history, bool last_bar_partial);

struct CutInput {
  std::string_view symbol;
  Interval interval = Interval::k1d;
  std::string_view provider;
  std::string_view currency;  // as stored in keys: lower-case ISO code or kUnknownCurrency
  FramePtr frame;             // the answer's bars (trimmed, validated); REQUIRES non-null
  FieldSet asked_fields;      // the fields the call asked for
  TimeRange call;             // REQUIRES non-empty
  int64_t max_rows = 0;       // rows one call carries at most; 0 = unlimited
  bool last_bar_partial = false;
  const calendar::Calendar* calendar = nullptr;  // REQUIRES non-null
  Timestamp now = 0;
  TtlOptions ttl;
  BucketUnit unit;  // FragmentBucketUnit(interval, fragment size)
};

struct Piece {
  // key, parsed parts, actual, vouched, final, fetched_at (= now),
  // expires_at (= now + ttl), rows; details_loaded = true; bytes unset.
  Fragment fragment;
  // What to store: the piece's bars, or an empty frame of the asked fields
  // for a known-empty piece.
  FramePtr bars;
  Timestamp ttl = 0;  // seconds the piece stays fresh; >= 1
};

// The pieces of one answer, ascending, with disjoint vouched ranges that
// together cover the answer's vouched time. InvalidArgument when a key
// cannot be built (a symbol or provider outside the key grammar).
Result<std::vector<Piece>> CutPieces(const CutInput& in);

}  // namespace finex::fragment
