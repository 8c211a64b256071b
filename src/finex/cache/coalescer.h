// Coalescing: after new pieces of a series are stored, older pieces they
// wholly replace are dropped (superseded), and the pieces of one bucket that
// touch — same provider, currency and fields, equally final — are merged
// into one (DESIGN.md "Fragments": fewer keys, less per-piece overhead, the
// same bars). Pieces separated only by closed time (a weekend) touch. A
// merge keeps every bar (Frame::Merge; the newer fetch wins a shared
// timestamp), the earliest fetch time of the pieces holding bars and the
// earliest expiry. Live pieces never merge with final ones.
//
// Thread-safety: thread-safe (works on registry snapshots; the store's
// Publish is one atomic registry step). Coalescing one series from two
// threads at once may merge twice; the result holds the same bars.
#pragma once

#include <string>
#include <vector>

#include "finex/cache/fragment_store.h"
#include "finex/calendar/calendar.h"
#include "finex/fragment/alignment.h"

namespace finex::cache {

// Drops what `added` supersedes and merges the touching pieces of each added
// piece's bucket. Failures to read or write a piece leave that group as it
// was (nothing is lost; the pieces stay apart).
void SupersedeAndCoalesce(FragmentStore& store, const calendar::Calendar& cal,
                          fragment::BucketUnit unit, const std::string& symbol, Interval iv,
                          const std::vector<fragment::FragmentPtr>& added, Timestamp now);

}  // namespace finex::cache
