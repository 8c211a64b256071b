#include "finex/cache/assembler.h"

#include <algorithm>
#include <limits>

namespace finex::cache {

using fragment::FragmentPtr;

Assembler::Assembler(FragmentStore& store, size_t memo_max_rows, uint64_t memo_budget_bytes)
    : store_(store), memo_max_rows_(memo_max_rows), memo_budget_bytes_(memo_budget_bytes) {}

void Assembler::DropMemos() {
  MutexLock lock(mu_);
  memos_.clear();
  memo_bytes_ = 0;
}

uint64_t Assembler::memo_bytes() const {
  MutexLock lock(mu_);
  return memo_bytes_;
}

void Assembler::TrimLocked() {
  while (memo_budget_bytes_ > 0 && memo_bytes_ > memo_budget_bytes_ && !memos_.empty()) {
    auto victim = memos_.begin();
    for (auto it = memos_.begin(); it != memos_.end(); ++it)
      if (it->second.last_use < victim->second.last_use) victim = it;
    memo_bytes_ -= victim->second.bytes;
    memos_.erase(victim);
  }
}

Result<Assembly> Assembler::Assemble(const std::vector<FragmentPtr>& use,
                                     const fragment::PlanRequest& pr,
                                     const std::vector<FramePtr>& extra, Timestamp now,
                                     uint64_t generation) {
  std::vector<FragmentPtr> frags;
  frags.reserve(use.size());
  for (const FragmentPtr& f : use)
    if (!f->is_empty_answer()) frags.push_back(f);
  auto finish = [&](const FramePtr& merged) -> Assembly {
    FramePtr out = merged->Slice(pr.range);
    if (!pr.fields.Contains(out->fields())) out = out->Project(pr.fields);
    return {std::move(out), ""};
  };
  const SeriesId series{pr.symbol, pr.interval};
  std::vector<const fragment::Fragment*> ids;
  ids.reserve(frags.size());
  for (const FragmentPtr& f : frags) ids.push_back(f.get());
  std::sort(ids.begin(), ids.end());
  if (extra.empty()) {
    std::shared_ptr<const Memo> memo;
    {
      MutexLock lock(mu_);
      if (auto it = memos_.find(series); it != memos_.end()) {
        memo = it->second.memo;
        it->second.last_use = ++use_clock_;
      }
    }
    if (memo && memo->generation == generation && now < memo->min_expires &&
        memo->provider == pr.provider && memo->currency == pr.currency &&
        std::includes(memo->ids.begin(), memo->ids.end(), ids.begin(), ids.end()))
      return finish(memo->merged);
  }
  std::vector<FragmentPtr> order = frags;
  std::sort(order.begin(), order.end(),
            [](auto& a, auto& b) { return a->actual.start < b->actual.start; });
  bool disjoint = true;
  for (size_t i = 1; i < order.size(); ++i)
    disjoint = disjoint && order[i - 1]->actual.end <= order[i]->actual.start;
  if (!disjoint)  // overlapping pieces: newer fetches last, so their values win
    std::stable_sort(order.begin(), order.end(),
                     [](auto& a, auto& b) { return a->fetched_at < b->fetched_at; });
  std::vector<FramePtr> frames;
  Timestamp min_expires = std::numeric_limits<Timestamp>::max();
  size_t rows = 0;
  for (const FragmentPtr& f : order) {
    FINEX_ASSIGN_OR_RETURN(FramePtr fr, store_.FrameOf(*f));
    if (!fr) return Assembly{nullptr, f->key};
    frames.push_back(fr);
    rows += fr->rows();
    min_expires = std::min(min_expires, f->expires_at);
  }
  for (const FramePtr& e : extra) frames.push_back(e);
  FramePtr merged = Frame::Merge(frames);
  const uint64_t memo_size = merged->ByteSize() + sizeof(Memo) + 64 * frags.size();
  if (extra.empty() && rows <= memo_max_rows_ &&
      (memo_budget_bytes_ == 0 || memo_size <= memo_budget_bytes_)) {
    auto memo = std::make_shared<Memo>();
    memo->generation = generation;
    memo->provider = pr.provider;
    memo->currency = pr.currency;
    memo->ids = std::move(ids);
    memo->hold = std::move(frags);
    memo->merged = merged;
    memo->min_expires = min_expires;
    MutexLock lock(mu_);
    Slot& slot = memos_[series];
    memo_bytes_ -= slot.bytes;
    slot = Slot{std::move(memo), memo_size, ++use_clock_};
    memo_bytes_ += memo_size;
    TrimLocked();
  }
  return finish(merged);
}

}  // namespace finex::cache
