#include "finex/cache/eviction.h"

#include <list>
#include <set>
#include <tuple>
#include <unordered_map>

namespace finex::cache {
namespace {

class LruPolicy final : public EvictionPolicy {
 public:
  void OnInsert(std::string_view key, size_t, double) override {
    OnErase(key);
    order_.emplace_front(key);
    index_[order_.front()] = order_.begin();
  }
  void OnAccess(std::string_view key) override {
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return;
    order_.splice(order_.begin(), order_, it->second);
  }
  void OnErase(std::string_view key) override {
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }
  std::optional<std::string> PopVictim() override {
    if (order_.empty()) return std::nullopt;
    std::string victim = std::move(order_.back());
    order_.pop_back();
    index_.erase(victim);
    return victim;
  }
  size_t size() const override { return index_.size(); }

 private:
  std::list<std::string> order_;  // front = most recent
  std::unordered_map<std::string, std::list<std::string>::iterator> index_;
};

class GdsfPolicy final : public EvictionPolicy {
 public:
  void OnInsert(std::string_view key, size_t bytes, double cost) override {
    std::string k(key);
    auto it = items_.find(k);
    uint64_t freq = 1;
    if (it != items_.end()) {
      freq = it->second.freq + 1;
      queue_.erase(Entry(it->second, k));
    }
    Item item{freq, bytes == 0 ? 1 : bytes, cost <= 0 ? 1.0 : cost, 0, ++seq_};
    item.priority = Priority(item);
    items_[k] = item;
    queue_.insert(Entry(item, k));
  }
  void OnAccess(std::string_view key) override {
    auto it = items_.find(std::string(key));
    if (it == items_.end()) return;
    queue_.erase(Entry(it->second, it->first));
    ++it->second.freq;
    it->second.seq = ++seq_;
    it->second.priority = Priority(it->second);
    queue_.insert(Entry(it->second, it->first));
  }
  void OnErase(std::string_view key) override {
    auto it = items_.find(std::string(key));
    if (it == items_.end()) return;
    queue_.erase(Entry(it->second, it->first));
    items_.erase(it);
  }
  std::optional<std::string> PopVictim() override {
    if (queue_.empty()) return std::nullopt;
    auto first = queue_.begin();
    std::string victim = std::get<2>(*first);
    clock_ = std::get<0>(*first);  // aging: later insertions start higher
    queue_.erase(first);
    items_.erase(victim);
    return victim;
  }
  size_t size() const override { return items_.size(); }

 private:
  struct Item {
    uint64_t freq;
    size_t bytes;
    double cost;
    double priority;
    uint64_t seq;  // tie-break: older first
  };
  using Key = std::tuple<double, uint64_t, std::string>;
  static Key Entry(const Item& i, const std::string& k) { return {i.priority, i.seq, k}; }
  double Priority(const Item& i) const {
    // Scaled per KiB so priorities stay in a readable range.
    return clock_ + static_cast<double>(i.freq) * i.cost * 1024.0 / static_cast<double>(i.bytes);
  }

  double clock_ = 0;
  uint64_t seq_ = 0;
  std::unordered_map<std::string, Item> items_;
  std::set<Key> queue_;
};

}  // namespace

std::unique_ptr<EvictionPolicy> NewEvictionPolicy(EvictionKind kind) {
  if (kind == EvictionKind::kLru) return std::make_unique<LruPolicy>();
  return std::make_unique<GdsfPolicy>();
}

double EvictionCost(Interval interval, size_t rows) {
  // One call refetches the fragment; daily and longer bars are worth more per
  // call because intraday reach is limited and rate limits are per call.
  switch (interval) {
    case Interval::k1m:
      return 1.0;
    case Interval::k5m:
      return 1.5;
    case Interval::k15m:
      return 2.0;
    case Interval::k30m:
      return 2.5;
    case Interval::k1h:
      return 3.0;
    default:
      return 5.0 + (rows > 0 ? 0.0 : -4.0);  // empty facts are cheap to re-ask
  }
}

}  // namespace finex::cache
