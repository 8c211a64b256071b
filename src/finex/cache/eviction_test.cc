#include "finex/cache/eviction.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>
#include <unordered_set>

#include "tests/testutil/random.h"

namespace finex::cache {
namespace {

TEST(EvictionTest, LruEvictsLeastRecentlyUsed) {
  auto p = NewEvictionPolicy(EvictionKind::kLru);
  p->OnInsert("a", 10, 1);
  p->OnInsert("b", 10, 1);
  p->OnInsert("c", 10, 1);
  p->OnAccess("a");
  EXPECT_EQ(p->PopVictim(), "b");
  EXPECT_EQ(p->PopVictim(), "c");
  EXPECT_EQ(p->PopVictim(), "a");
  EXPECT_EQ(p->PopVictim(), std::nullopt);
}

TEST(EvictionTest, EraseAndReinsert) {
  for (EvictionKind kind : {EvictionKind::kLru, EvictionKind::kGdsf}) {
    auto p = NewEvictionPolicy(kind);
    p->OnInsert("a", 10, 1);
    p->OnInsert("b", 10, 1);
    p->OnErase("a");
    p->OnErase("missing");
    p->OnAccess("missing");
    EXPECT_EQ(p->size(), 1u);
    p->OnInsert("b", 20, 1);  // re-insert updates, does not duplicate
    EXPECT_EQ(p->size(), 1u);
    EXPECT_EQ(p->PopVictim(), "b");
    EXPECT_EQ(p->size(), 0u);
  }
}

TEST(EvictionTest, GdsfPrefersSmallFrequentExpensiveItems) {
  auto p = NewEvictionPolicy(EvictionKind::kGdsf);
  p->OnInsert("big-intraday", 100000, EvictionCost(Interval::k1m, 390));
  p->OnInsert("small-daily", 2000, EvictionCost(Interval::k1d, 21));
  p->OnAccess("small-daily");
  EXPECT_EQ(p->PopVictim(), "big-intraday");
}

TEST(EvictionTest, GdsfAgesOutItemsThatStopBeingUsed) {
  auto p = NewEvictionPolicy(EvictionKind::kGdsf);
  p->OnInsert("old", 1000, 1);
  for (int i = 0; i < 50; ++i) p->OnAccess("old");  // popular once
  // A stream of new items, each evicted in turn, raises the clock until the
  // once-popular item is the cheapest to keep.
  bool old_evicted = false;
  for (int i = 0; i < 200 && !old_evicted; ++i) {
    const std::string k = "new" + std::to_string(i);
    p->OnInsert(k, 1000, 1);
    p->OnAccess(k);
    old_evicted = p->PopVictim() == "old";
  }
  EXPECT_TRUE(old_evicted);
}

// A skewed workload of mixed daily (small, expensive) and intraday (large,
// cheap) fragments under a byte budget: GDSF must cost fewer refetches than
// LRU. This is the policy justification in numbers (see docs/performance.md).
TEST(EvictionTest, GdsfBeatsLruOnSkewedMixedWorkload) {
  const uint64_t seed = testing::TestSeed();
  auto run = [&](EvictionKind kind) {
    std::mt19937_64 rng(seed);
    auto p = NewEvictionPolicy(kind);
    std::unordered_map<std::string, size_t> held;
    size_t bytes = 0;
    const size_t budget = 2'000'000;
    double refetch_cost = 0;
    std::discrete_distribution<int> pick_kind({70, 30});
    for (int i = 0; i < 50000; ++i) {
      const bool daily = pick_kind(rng) == 0;
      // Zipf-like popularity: low ids far more popular.
      std::uniform_real_distribution<double> u(0, 1);
      const int id = static_cast<int>(std::pow(u(rng), 3.0) * (daily ? 500 : 300));
      const std::string key = (daily ? "d" : "m") + std::to_string(id);
      const size_t size = daily ? 3000 : 60000;
      const double cost = EvictionCost(daily ? Interval::k1d : Interval::k1m, 100);
      if (held.count(key)) {
        p->OnAccess(key);
        continue;
      }
      refetch_cost += cost;
      p->OnInsert(key, size, cost);
      held[key] = size;
      bytes += size;
      while (bytes > budget) {
        auto v = p->PopVictim();
        if (!v) return -1.0;
        bytes -= held[*v];
        held.erase(*v);
      }
    }
    return refetch_cost;
  };
  const double lru = run(EvictionKind::kLru);
  const double gdsf = run(EvictionKind::kGdsf);
  ASSERT_GT(lru, 0);
  ASSERT_GT(gdsf, 0);
  std::cout << "refetch cost: lru=" << lru << " gdsf=" << gdsf << " ratio=" << gdsf / lru << "\n";
  EXPECT_LT(gdsf, lru);
}

}  // namespace
}  // namespace finex::cache
