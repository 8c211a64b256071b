#include "finex/fragment/registry.h"

#include <algorithm>

namespace finex::fragment {

namespace {
const FragmentList& EmptyList() {
  static const FragmentList* empty = new FragmentList(std::make_shared<std::vector<FragmentPtr>>());
  return *empty;
}
bool Before(const FragmentPtr& a, const FragmentPtr& b) {
  if (a->vouched.start != b->vouched.start) return a->vouched.start < b->vouched.start;
  return a->key < b->key;
}
}  // namespace

FragmentRegistry::FragmentRegistry() = default;

SeriesSnapshot FragmentRegistry::Snapshot(std::string_view symbol, Interval iv) const {
  ReaderLock lock(mu_);
  auto it = series_.find(std::make_pair(std::string(symbol), iv));
  if (it == series_.end()) return {EmptyList(), 0};
  return {it->second.list, it->second.generation};
}

FragmentRegistry::Series& FragmentRegistry::SeriesLocked(std::string_view symbol, Interval iv) {
  auto [it, inserted] = series_.try_emplace(SeriesKey(std::string(symbol), iv));
  if (inserted) it->second.list = EmptyList();
  return it->second;
}

int64_t FragmentRegistry::Apply(Series& s, std::span<const FragmentPtr> add,
                                std::span<const std::string> remove) {
  int64_t delta = 0;
  auto next = std::make_shared<std::vector<FragmentPtr>>();
  next->reserve(s.list->size() + add.size());
  for (const FragmentPtr& f : *s.list) {
    bool drop = std::find(remove.begin(), remove.end(), f->key) != remove.end();
    for (const FragmentPtr& a : add) drop = drop || a->key == f->key;
    if (!drop) {
      next->push_back(f);
    } else {
      delta -= static_cast<int64_t>(f->bytes);
    }
  }
  for (const FragmentPtr& a : add) {
    next->push_back(a);
    delta += static_cast<int64_t>(a->bytes);
  }
  std::sort(next->begin(), next->end(), Before);
  s.list = std::move(next);
  ++s.generation;
  return delta;
}

void FragmentRegistry::Add(FragmentPtr f) { Replace(std::span<const FragmentPtr>(&f, 1), {}); }

void FragmentRegistry::Replace(std::span<const FragmentPtr> add,
                               std::span<const std::string> remove_keys) {
  WriterLock lock(mu_);
  // Group by series (callers usually touch one).
  std::map<SeriesKey, std::pair<std::vector<FragmentPtr>, std::vector<std::string>>> work;
  for (const FragmentPtr& f : add) work[SeriesKey(f->symbol(), f->interval())].first.push_back(f);
  for (const std::string& k : remove_keys) {
    auto it = key_index_.find(k);
    if (it != key_index_.end()) work[it->second].second.push_back(k);
  }
  for (auto& [sk, ops] : work) {
    Series& s = SeriesLocked(sk.first, sk.second);
    const int64_t delta = Apply(s, ops.first, ops.second);
    bytes_ = static_cast<uint64_t>(static_cast<int64_t>(bytes_) + delta);
  }
  for (const std::string& k : remove_keys) key_index_.erase(k);
  for (const FragmentPtr& f : add) key_index_[f->key] = SeriesKey(f->symbol(), f->interval());
  count_ = key_index_.size();
}

bool FragmentRegistry::Remove(std::string_view key) {
  {
    ReaderLock lock(mu_);
    if (key_index_.find(key) == key_index_.end()) return false;
  }
  std::string k(key);
  Replace({}, std::span<const std::string>(&k, 1));
  return true;
}

std::vector<std::string> FragmentRegistry::RemoveIf(
    const std::function<bool(const Fragment&)>& pred) {
  std::vector<std::string> keys;
  {
    ReaderLock lock(mu_);
    for (const auto& [sk, s] : series_)
      for (const FragmentPtr& f : *s.list)
        if (pred(*f)) keys.push_back(f->key);
  }
  if (!keys.empty()) Replace({}, keys);
  return keys;
}

size_t FragmentRegistry::AddKeys(std::span<const std::string> keys, Timestamp assume_expires_at,
                                 std::vector<std::string>* bad) {
  std::vector<FragmentPtr> add;
  {
    ReaderLock lock(mu_);
    for (const std::string& k : keys) {
      if (key_index_.find(k) != key_index_.end()) continue;
      auto f = FragmentFromKey(k, assume_expires_at);
      if (!f.ok()) {
        if (bad) bad->push_back(k);
        continue;
      }
      add.push_back(std::make_shared<const Fragment>(std::move(f).value()));
    }
  }
  if (!add.empty()) Replace(add, {});
  return add.size();
}

bool FragmentRegistry::loaded(std::string_view symbol, Interval iv) const {
  ReaderLock lock(mu_);
  auto it = series_.find(std::make_pair(std::string(symbol), iv));
  return it != series_.end() && it->second.loaded;
}

void FragmentRegistry::MarkLoaded(std::string_view symbol, Interval iv) {
  WriterLock lock(mu_);
  SeriesLocked(symbol, iv).loaded = true;
}

size_t FragmentRegistry::fragment_count() const {
  ReaderLock lock(mu_);
  return count_;
}

uint64_t FragmentRegistry::approx_memory_bytes() const {
  // Measured: ~4 key-sized strings (key, index key, symbol/provider/...) of
  // ~60 bytes plus the structs and allocator headers.
  constexpr uint64_t kPerEntry = sizeof(Fragment) + 4 * 64 + 160;
  ReaderLock lock(mu_);
  return count_ * kPerEntry + series_.size() * (sizeof(Series) + 96);
}

uint64_t FragmentRegistry::stored_bytes() const {
  ReaderLock lock(mu_);
  return bytes_;
}

}  // namespace finex::fragment
