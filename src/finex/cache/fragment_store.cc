#include "finex/cache/fragment_store.h"

#include <unordered_set>
#include <vector>

#include "finex/key/cache_key.h"
#include "finex/key/pattern.h"

namespace finex::cache {

using fragment::Fragment;
using fragment::FragmentPtr;

FragmentStore::FragmentStore(backend::Backend& backend, const codec::FrameCodec& codec,
                             FragmentStoreOptions opts)
    : backend_(backend), codec_(codec), opts_(opts), hot_(opts.hot_tier_bytes, opts.eviction) {
  // An in-process store this cache alone writes reports what it drops, so
  // the registry forgets those pieces at once and holds no more than the
  // store and the hot tier (a shared store may be another node's; the
  // registry then learns on a read that misses). A piece the hot tier still
  // holds stays servable until the hot tier drops it too.
  if (backend_.in_process() && !backend_.shared()) {
    backend_.SetDropListener([this](std::string_view key) {
      {
        MutexLock lock(orphan_mu_);
        orphaned_.emplace(key);
      }
      if (!hot_.Contains(key)) Orphaned({std::string(key)});
    });
  }
}

void FragmentStore::Orphaned(const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    bool gone;
    {
      MutexLock lock(orphan_mu_);
      gone = orphaned_.erase(k) > 0;
    }
    if (gone) registry_.Remove(k);
  }
}

void FragmentStore::HotPut(const std::string& key, FramePtr frame, Interval iv) {
  const double cost = EvictionCost(iv, frame->rows());
  Orphaned(hot_.Put(key, std::move(frame), cost));
  EnforceBudget();
}

void FragmentStore::EnforceBudget() {
  if (opts_.memory_budget_bytes == 0) return;
  const uint64_t held = memory_bytes();
  if (held > opts_.memory_budget_bytes) Orphaned(hot_.Shrink(held - opts_.memory_budget_bytes));
}

FragmentStore::~FragmentStore() {
  if (backend_.in_process() && !backend_.shared()) backend_.SetDropListener(nullptr);
}

Status FragmentStore::EnsureLoaded(const std::string& symbol, Interval iv) {
  if (registry_.loaded(symbol, iv)) return OkStatus();
  std::promise<Status> mine;
  std::shared_future<Status> wait;
  {
    MutexLock lock(load_mu_);
    if (registry_.loaded(symbol, iv)) return OkStatus();
    auto [it, first] = loading_.try_emplace({symbol, iv});
    if (first)
      it->second = mine.get_future().share();
    else
      wait = it->second;
  }
  if (wait.valid()) return wait.get();  // another thread is loading it
  Status st = LoadNew(symbol, iv);
  if (st.ok()) registry_.MarkLoaded(symbol, iv);
  {
    MutexLock lock(load_mu_);
    loading_.erase({symbol, iv});
  }
  mine.set_value(st);
  return st;
}

Status FragmentStore::LoadNew(const std::string& symbol, Interval iv) {
  FINEX_ASSIGN_OR_RETURN(std::string prefix, key::SeriesPrefix(symbol, iv));
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, backend_.ScanPrefix(prefix));
  const auto snap = registry_.Snapshot(symbol, iv);
  std::unordered_set<std::string_view> known;
  for (const FragmentPtr& f : *snap.fragments) known.insert(f->key);
  std::vector<std::string> fresh;
  for (std::string& k : keys)
    if (!known.count(k)) fresh.push_back(std::move(k));
  if (fresh.empty()) return OkStatus();
  FINEX_ASSIGN_OR_RETURN(auto values, backend_.GetMultiple(fresh));
  std::vector<FragmentPtr> add;
  for (size_t i = 0; i < fresh.size(); ++i) {
    if (!values[i]) continue;  // expired between scan and get
    auto f = fragment::FragmentFromKey(fresh[i], 0);
    if (!f.ok()) continue;  // not a fragment key of ours
    auto decoded = codec_.Decode(*values[i]);
    if (!decoded.ok()) continue;  // unreadable: never served; it will be refetched
    if (!fragment::ApplyMetadata(decoded->metadata, &*f).ok()) continue;
    f->bytes = values[i]->size();
    HotPut(fresh[i], decoded->frame, iv);
    add.push_back(std::make_shared<const Fragment>(std::move(f).value()));
  }
  if (!add.empty()) registry_.Replace(add, {});
  return OkStatus();
}

Result<FramePtr> FragmentStore::FrameOf(const Fragment& f) {
  if (FramePtr fr = hot_.Get(f.key)) return fr;
  FINEX_ASSIGN_OR_RETURN(std::optional<Bytes> bytes, backend_.Get(f.key));
  if (!bytes) return FramePtr();
  FINEX_ASSIGN_OR_RETURN(codec::DecodedFrame d, codec_.Decode(*bytes));
  HotPut(f.key, d.frame, f.interval());
  return d.frame;
}

Status FragmentStore::Write(Fragment& f, const FramePtr& bars, Timestamp ttl) {
  FINEX_ASSIGN_OR_RETURN(Bytes bytes, codec_.Encode(*bars, fragment::ToMetadata(f)));
  f.bytes = bytes.size();
  backend::PutOptions po;
  po.ttl_ms = (ttl + opts_.stale_keep_s) * 1000;
  FINEX_RETURN_IF_ERROR(backend_.Put(f.key, bytes, po));
  {
    MutexLock lock(orphan_mu_);  // its bytes are back
    orphaned_.erase(f.key);
  }
  // `bars` is usually a slice of a whole answer: the hot tier keeps a copy
  // of its own, so the answer's buffers are freed once it is served.
  HotPut(f.key, bars->Compact(), f.interval());
  return OkStatus();
}

void FragmentStore::Publish(std::span<const FragmentPtr> add, std::span<const std::string> remove) {
  registry_.Replace(add, remove);
  for (const std::string& k : remove) {
    backend_.Delete(k).IgnoreError();  // expires by itself if the backend is down
    hot_.Erase(k);
  }
  EnforceBudget();
}

Result<size_t> FragmentStore::Invalidate(std::string_view pattern_text) {
  FINEX_ASSIGN_OR_RETURN(key::Pattern pattern, key::Pattern::Parse(pattern_text));
  std::unordered_set<std::string> removed;
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, backend_.ScanPrefix(pattern.scan_prefix()));
  for (const std::string& k : keys) {
    if (!pattern.Matches(k)) continue;
    FINEX_RETURN_IF_ERROR(backend_.Delete(k));
    removed.insert(k);
  }
  for (std::string& k :
       registry_.RemoveIf([&](const Fragment& f) { return pattern.Matches(f.key); }))
    removed.insert(std::move(k));
  hot_.EraseIf([&](std::string_view k) { return pattern.Matches(k); });
  return removed.size();
}

void FragmentStore::DropLocal(std::string_view pattern_text) {
  if (pattern_text.empty()) {
    hot_.EraseIf([](std::string_view) { return true; });
    return;
  }
  auto pattern = key::Pattern::Parse(pattern_text);
  if (!pattern.ok()) return;
  registry_.RemoveIf([&](const Fragment& f) { return pattern->Matches(f.key); });
  hot_.EraseIf([&](std::string_view k) { return pattern->Matches(k); });
}

uint64_t FragmentStore::memory_bytes() const {
  return hot_.bytes() + registry_.approx_memory_bytes() +
         (backend_.in_process() ? backend_.stats().bytes : 0);
}

}  // namespace finex::cache
