#include "finex/cache/ingest.h"

#include <algorithm>

#include "finex/cache/coalescer.h"
#include "finex/cache/request.h"
#include "finex/fragment/piece_cutter.h"
#include "finex/key/cache_key.h"
#include "finex/provider/traits.h"

namespace finex::cache {

using fragment::FragmentPtr;

Ingester::Ingester(FragmentStore& store, StatsRecorder& stats, IngestOptions opts)
    : store_(store), stats_(stats), opts_(opts) {}

namespace {

// Rows of `bars` whose timestamp lies outside `asked` (bonus data).
uint64_t RowsOutside(const Frame& bars, TimeRange asked) {
  uint64_t n = 0;
  for (int64_t ts : bars.timestamps().values()) n += (ts < asked.start || ts >= asked.end) ? 1 : 0;
  return n;
}

}  // namespace

// Coverage of one provider answer: bars received over the bars the calendar
// expects in the call's range (for a whole-history answer, from its first bar
// on: the call then asks for "everything").
void Ingester::RecordCoverage(const Answer& a, size_t received) {
  if (a.calendar == nullptr) return;
  TimeRange asked = a.call;
  const FramePtr& f = a.response->frame;
  if (a.limits.whole_history && f && f->rows() > 0)
    asked.start = std::max(asked.start, f->timestamps().values()[0]);
  if (asked.end <= asked.start) return;
  const uint64_t expected = a.calendar->BarStarts(asked, a.request->interval).size();
  stats_.RecordFetchCoverage(std::string(a.provider->name()), a.request->interval, expected,
                             received);
}

Status Ingester::Store(const Answer& a, std::vector<FramePtr>* unstored) {
  const fragment::PlanRequest& pr = *a.request;
  const provider::HistoryResponse& resp = *a.response;
  const Interval iv = pr.interval;
  FramePtr frame = resp.frame ? resp.frame : Frame::Empty(pr.fields);
  RecordCoverage(a, frame->rows());
  if (!frame->empty() && frame->symbol().dictionary().size() > 1)
    frame = frame->SliceSymbol(pr.symbol);
  fragment::TrimmedAnswer trimmed =
      fragment::TrimToCall(std::move(frame), a.call, a.limits.whole_history, resp.last_bar_partial);
  frame = std::move(trimmed.frame);
  // Validation hook: nothing bad is cached as good data.
  if (opts_.validate && !frame->empty()) {
    std::vector<Timestamp> splits;
    for (const provider::CorporateAction& act : resp.actions)
      if (act.kind == provider::CorporateAction::Kind::kSplit) splits.push_back(act.timestamp);
    const ValidationReport report = ValidateBars(*frame, iv, a.now, splits, opts_.validation);
    if (!report.clean()) stats_.AddValidationRejects(report.issues.size());
    if (report.suspect_series && opts_.validation.policy == ValidationPolicy::kReject) {
      unstored->push_back(frame);  // served once, never stored
      return OkStatus();
    }
    frame = ApplyValidation(frame, report, opts_.validation);
  }
  // A split or dividend newer than what stored pieces knew makes them stale:
  // drop them before this answer's pieces are stored and anything is served.
  if (!resp.actions.empty()) InvalidateForActions(pr.symbol, *a.provider, resp.actions, a.now);
  std::string currency = Lower(resp.currency);
  if (currency.empty() || !key::ValidateCurrencyCode(currency).ok())
    currency = std::string(fragment::kUnknownCurrency);

  fragment::CutInput in;
  in.symbol = pr.symbol;
  in.interval = iv;
  in.provider = a.provider->name();
  in.currency = currency;
  in.frame = frame;
  in.asked_fields = pr.fields;
  in.call = a.call;
  in.max_rows = a.limits.max_rows;
  in.last_bar_partial = trimmed.last_bar_partial;
  in.calendar = a.calendar;
  in.now = a.now;
  in.ttl = opts_.ttl;
  in.unit = fragment::FragmentBucketUnit(iv, opts_.fragment_size);
  FINEX_ASSIGN_OR_RETURN(std::vector<fragment::Piece> pieces, fragment::CutPieces(in));

  std::vector<FragmentPtr> added;
  for (fragment::Piece& p : pieces) {
    if (!store_.Write(p.fragment, p.bars, p.ttl).ok()) {
      if (!p.fragment.is_empty_answer()) unstored->push_back(p.bars);
      continue;
    }
    stats_.AddRowsStored(p.bars->rows());
    stats_.RecordPieceStored(pr.symbol, std::string(in.provider), iv, p.fragment.actual,
                             p.bars->rows(), RowsOutside(*p.bars, pr.range));
    added.push_back(std::make_shared<const fragment::Fragment>(std::move(p.fragment)));
  }
  if (!added.empty()) {
    store_.Publish(added, {});
    SupersedeAndCoalesce(store_, *a.calendar, in.unit, pr.symbol, iv, added, a.now);
  }
  return OkStatus();
}

void Ingester::InvalidateForActions(const std::string& symbol, const provider::Provider& provider,
                                    const std::vector<provider::CorporateAction>& actions,
                                    Timestamp now) {
  const std::string provider_name(provider.name());
  const bool ohlc_restated = provider::TraitsOf(provider.id()).restates_ohlc_on_split;
  std::vector<std::string> stale;
  for (Interval iv : kAllIntervals) {
    auto snap = store_.Snapshot(symbol, iv);
    if (!snap.fragments || snap.fragments->empty()) continue;
    std::vector<FragmentFacts> facts;
    for (const FragmentPtr& f : *snap.fragments) {
      if (f->provider() != provider_name) continue;
      // A piece rebuilt from its key alone has no fetch time: assume old.
      facts.push_back({f->key, f->actual.empty() ? f->vouched.start : f->actual.start,
                       f->details_loaded ? f->fetched_at : 0, f->fields(), ohlc_restated});
    }
    for (const provider::CorporateAction& act : actions) {
      if (act.timestamp > now) continue;  // not effective yet
      // Reported again (every answer reaching today does on the ex-date):
      // pieces fetched since it was first known are already restated.
      const Timestamp known_since =
          action_ledger_.KnownSince(symbol + "|" + provider_name, act, now);
      for (std::string& k : StaleAfterAction(facts, act, known_since))
        stale.push_back(std::move(k));
    }
  }
  if (stale.empty()) return;
  std::sort(stale.begin(), stale.end());
  stale.erase(std::unique(stale.begin(), stale.end()), stale.end());
  store_.Publish({}, stale);
  split_invalidations_.fetch_add(stale.size());
}

}  // namespace finex::cache
