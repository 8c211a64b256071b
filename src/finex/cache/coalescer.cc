#include "finex/cache/coalescer.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "finex/fragment/ttl_policy.h"

namespace finex::cache {
namespace {

using fragment::Fragment;
using fragment::FragmentPtr;

// Older pieces the fresh ones together fully replace (a live piece the
// next fetch cut into settled and live parts is replaced by both).
std::vector<std::string> Superseded(const std::vector<FragmentPtr>& series,
                                    const std::vector<FragmentPtr>& added) {
  std::unordered_set<std::string_view> added_keys;
  for (const FragmentPtr& a : added) added_keys.insert(a->key);
  std::vector<std::string> remove;
  for (const FragmentPtr& old : series) {
    if (added_keys.count(old->key)) continue;
    TimeRangeSet replaced;
    for (const FragmentPtr& a : added) {
      if (old->provider() != a->provider() || old->currency() != a->currency()) continue;
      if (!a->vouched.Overlaps(old->vouched)) continue;
      if (a->is_empty_answer() || old->is_empty_answer() || a->fields().Contains(old->fields()))
        replaced.Add(a->vouched);
    }
    if (!replaced.empty() && TimeRangeSet(old->vouched).Subtract(replaced).empty())
      remove.push_back(old->key);
  }
  return remove;
}

// The connected run of mergeable pieces containing `a` in its bucket (empty
// when there is nothing to merge).
std::vector<FragmentPtr> RunOf(const FragmentPtr& a, const std::vector<FragmentPtr>& series,
                               const calendar::Calendar& cal, fragment::BucketUnit unit,
                               Interval iv, Timestamp now, TimeRange* hull) {
  const TimeRange bucket = fragment::BucketOf(a->vouched.start, unit);
  std::vector<FragmentPtr> group;
  for (const FragmentPtr& f : series) {
    if (f->provider() != a->provider() || f->currency() != a->currency() || f->expired(now))
      continue;
    if (fragment::BucketOf(f->vouched.start, unit).start != bucket.start) continue;
    if (!(f->is_empty_answer() || a->is_empty_answer() || f->fields() == a->fields())) continue;
    // Live pieces stay apart from final ones, and from settled ones (whose
    // deadline is the session's finality, not the next refresh).
    if (f->final != a->final) continue;
    if (!f->final && f->expires_at != a->expires_at) continue;
    // Historical pieces (long TTL) stay apart from recent ones (24 h) until
    // those are historical too: a merge would take the shorter TTL.
    if (f->final &&
        fragment::IsRecent(f->vouched.end, now) != fragment::IsRecent(a->vouched.end, now))
      continue;
    group.push_back(f);
  }
  if (group.size() < 2) return {};
  std::sort(group.begin(), group.end(),
            [](auto& x, auto& y) { return x->vouched.start < y->vouched.start; });
  std::vector<FragmentPtr> run;
  for (const FragmentPtr& f : group) {
    // Pieces separated only by closed time (a weekend) are neighbours.
    if (!run.empty() && f->vouched.start > hull->end &&
        !cal.TradingTime({hull->end, f->vouched.start}, iv).empty()) {
      if (std::find(run.begin(), run.end(), a) != run.end()) break;
      run.clear();
    }
    if (run.empty()) *hull = f->vouched;
    run.push_back(f);
    *hull = {std::min(hull->start, f->vouched.start), std::max(hull->end, f->vouched.end)};
  }
  if (run.size() < 2 || std::find(run.begin(), run.end(), a) == run.end()) return {};
  return run;
}

// Merges `run` into one stored piece; false when a piece could not be read
// or the merged one not written (the run then stays as it was).
bool MergeRun(FragmentStore& store, std::vector<FragmentPtr> run, const FragmentPtr& a,
              TimeRange hull, const std::string& symbol, Interval iv, Timestamp now,
              std::unordered_set<std::string>* done) {
  // Newer fetches last, so their values win.
  std::stable_sort(run.begin(), run.end(),
                   [](auto& x, auto& y) { return x->fetched_at < y->fetched_at; });
  std::vector<FramePtr> frames;
  FieldSet fields;
  Timestamp fetched_at = std::numeric_limits<Timestamp>::max();
  Timestamp expires_at = std::numeric_limits<Timestamp>::max();
  bool final = true;
  // The merged piece is as old as its oldest bars: a known-empty neighbour
  // (closed time before the open) holds none, so a refetched day merged
  // with it keeps its own fetch time (data_freshness stays honest).
  Timestamp empty_fetched_at = std::numeric_limits<Timestamp>::max();
  for (const FragmentPtr& f : run) {
    if (f->is_empty_answer()) {
      empty_fetched_at = std::min(empty_fetched_at, f->fetched_at);
    } else {
      auto fr = store.FrameOf(*f);
      if (!fr.ok() || !*fr) return false;
      frames.push_back(*fr);
      fields = fields.Union(f->fields());
      fetched_at = std::min(fetched_at, f->fetched_at);
    }
    expires_at = std::min(expires_at, f->expires_at);
    final = final && f->final;
  }
  if (frames.empty()) fetched_at = empty_fetched_at;
  FramePtr bars = frames.empty()
                      ? Frame::Empty(a->fields().empty() ? FieldSet::Ohlcv() : a->fields())
                      : Frame::Merge(frames);
  const bool empty = bars->empty();
  auto key = fragment::MakeFragmentKey(symbol, iv, empty ? hull.start : bars->first_timestamp(),
                                       empty ? hull.end - 1 : bars->last_timestamp(), a->provider(),
                                       a->currency(), empty ? FieldSet() : fields);
  if (!key.ok()) return false;
  auto f = fragment::FragmentFromKey(*key, 0);
  if (!f.ok()) return false;
  f->vouched = hull;
  f->fetched_at = fetched_at;
  f->expires_at = expires_at;
  f->final = final;
  f->rows = bars->rows();
  f->details_loaded = true;
  if (!store.Write(*f, bars, std::max<Timestamp>(1, f->expires_at - now)).ok()) return false;
  std::vector<std::string> gone;
  for (const FragmentPtr& r : run) {
    done->insert(r->key);
    if (r->key != *key) gone.push_back(r->key);
  }
  FragmentPtr fp = std::make_shared<const Fragment>(std::move(f).value());
  store.Publish(std::span<const FragmentPtr>(&fp, 1), gone);
  return true;
}

}  // namespace

void SupersedeAndCoalesce(FragmentStore& store, const calendar::Calendar& cal,
                          fragment::BucketUnit unit, const std::string& symbol, Interval iv,
                          const std::vector<FragmentPtr>& added, Timestamp now) {
  auto snap = store.Snapshot(symbol, iv);
  if (std::vector<std::string> remove = Superseded(*snap.fragments, added); !remove.empty()) {
    store.Publish({}, remove);
    snap = store.Snapshot(symbol, iv);
  }
  std::unordered_set<std::string> done;
  for (const FragmentPtr& a : added) {
    if (done.count(a->key)) continue;
    TimeRange hull;
    std::vector<FragmentPtr> run = RunOf(a, *snap.fragments, cal, unit, iv, now, &hull);
    if (run.empty()) continue;
    if (MergeRun(store, std::move(run), a, hull, symbol, iv, now, &done))
      snap = store.Snapshot(symbol, iv);
  }
}

}  // namespace finex::cache
