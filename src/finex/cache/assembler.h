// Assembly: the answer for one series from its pieces (DESIGN.md "Planning a
// query", step 4) — decoded frames (fragment store) plus frames fetched but
// not stored, merged by timestamp (the newer fetch wins a shared bar),
// deduplicated, sorted, sliced to the request and projected to its fields.
// A per-series memo of the merged frame makes a repeated hit a slice: it is
// reused while the series' registry generation is unchanged, none of its
// pieces expired and the same provider/currency is asked. Memos hold
// memory of their own (the merged frame, and the pieces it came from): they
// are bounded by a byte budget, the least recently used dropped first, and
// counted in memo_bytes().
//
// A piece whose bytes vanished between planning and reading (TTL, eviction,
// another node) is reported as Assembly::vanished_key — the caller forgets
// it and plans again (with a retry limit); it is never an error.
//
// Thread-safety: thread-safe (a mutex per memo map, never held across
// decoding). Ownership: borrows the store (must outlive it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "finex/cache/fragment_store.h"
#include "finex/core/mutex.h"
#include "finex/fragment/planner.h"

namespace finex::cache {

struct Assembly {
  FramePtr frame;            // set unless a piece vanished
  std::string vanished_key;  // the piece whose bytes are gone; "" = none
  bool vanished() const { return !vanished_key.empty(); }
};

class Assembler {
 public:
  // Series whose merged frame has more rows than memo_max_rows are not
  // memoized; memos together hold at most memo_budget_bytes (0 = unlimited).
  Assembler(FragmentStore& store, size_t memo_max_rows, uint64_t memo_budget_bytes = 0);

  // Assembles `use` (+ extra frames) for pr. `generation` is the registry
  // generation `use` was planned from (~0 = do not memoize). Errors: the
  // store's (e.g. DataLoss for bytes that do not decode).
  Result<Assembly> Assemble(const std::vector<fragment::FragmentPtr>& use,
                            const fragment::PlanRequest& pr, const std::vector<FramePtr>& extra,
                            Timestamp now, uint64_t generation) FINEX_EXCLUDES(mu_);
  // Forgets every memo (an invalidation whose extent is unknown).
  void DropMemos() FINEX_EXCLUDES(mu_);
  // Bytes the memos hold (merged frames), for memory_bytes.
  uint64_t memo_bytes() const FINEX_EXCLUDES(mu_);

 private:
  struct Memo {
    uint64_t generation = 0;
    std::string provider, currency;
    std::vector<const fragment::Fragment*> ids;  // sorted
    std::vector<fragment::FragmentPtr> hold;     // keeps ids alive
    FramePtr merged;
    Timestamp min_expires = 0;
  };
  using SeriesId = std::pair<std::string, Interval>;
  struct Slot {
    std::shared_ptr<const Memo> memo;
    uint64_t bytes = 0;
    uint64_t last_use = 0;
  };
  // Drops least recently used memos until they fit the budget.
  void TrimLocked() FINEX_REQUIRES(mu_);

  FragmentStore& store_;
  const size_t memo_max_rows_;
  const uint64_t memo_budget_bytes_;
  mutable Mutex mu_;
  std::map<SeriesId, Slot> memos_ FINEX_GUARDED_BY(mu_);
  uint64_t memo_bytes_ FINEX_GUARDED_BY(mu_) = 0;
  uint64_t use_clock_ FINEX_GUARDED_BY(mu_) = 0;
};

}  // namespace finex::cache
