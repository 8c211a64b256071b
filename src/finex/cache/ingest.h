// Ingest: how one provider answer becomes stored pieces — the single path
// from a fetch to the fragment store:
//   1. the bars of the asked symbol only, trimmed to the call
//      (fragment::TrimToCall);
//   2. validated (validation.h): bad bars dropped or flagged per policy; a
//      suspect answer is never stored (served once, as `unstored`);
//   3. a split or dividend the answer reports drops the pieces it made stale
//      (split_policy.h), for providers that restate OHLC on splits
//      (provider::TraitsOf) and for adj_close always;
//   4. cut into pieces (fragment::CutPieces: vouched ranges, finality, TTLs),
//      written, published, then coalesced with their neighbours
//      (coalescer.h).
// A piece that cannot be written is served from memory this once (unstored)
// and fetched again next time.
//
// Thread-safety: thread-safe. Ownership: borrows the store and stats (must
// outlive it); owns the action ledger.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "finex/cache/fragment_store.h"
#include "finex/cache/split_policy.h"
#include "finex/cache/stats.h"
#include "finex/cache/validation.h"
#include "finex/calendar/calendar.h"
#include "finex/fragment/planner.h"
#include "finex/fragment/ttl_policy.h"
#include "finex/provider/provider.h"

namespace finex::cache {

struct IngestOptions {
  fragment::FragmentSize fragment_size = fragment::FragmentSize::kOptimized;
  fragment::TtlOptions ttl;
  bool validate = true;  // run ValidateBars before storing. Default: true.
  ValidationOptions validation;
};

// One answer to store: what was asked, of whom, and what came back.
struct Answer {
  const fragment::PlanRequest* request = nullptr;  // symbol, interval, fields asked (fetch fields)
  const provider::Provider* provider = nullptr;    // who answered
  TimeRange call;                                  // the range asked for
  const provider::HistoryResponse* response = nullptr;
  provider::CallLimits limits;  // what the call could carry
  const calendar::Calendar* calendar = nullptr;
  Timestamp now = 0;
};

class Ingester {
 public:
  Ingester(FragmentStore& store, StatsRecorder& stats, IngestOptions opts);

  // Stores `answer` (file comment). Frames that answer the request but were
  // not stored go to *unstored. Errors only for a key that cannot be built.
  Status Store(const Answer& answer, std::vector<FramePtr>* unstored);

  // Pieces dropped so far because a split/dividend made them stale: a change
  // tells a caller that its gaps grew for a good reason.
  uint64_t split_invalidations() const { return split_invalidations_.load(); }

 private:
  // Records the answer's fetch coverage (stats.h RecordFetchCoverage).
  void RecordCoverage(const Answer& a, size_t received);
  void InvalidateForActions(const std::string& symbol, const provider::Provider& provider,
                            const std::vector<provider::CorporateAction>& actions, Timestamp now);

  FragmentStore& store_;
  StatsRecorder& stats_;
  const IngestOptions opts_;
  ActionLedger action_ledger_;  // when each split/dividend became known
  std::atomic<uint64_t> split_invalidations_{0};
};

}  // namespace finex::cache
