#include "finex/cache/hot_tier.h"

#include <gtest/gtest.h>

#include <thread>

namespace finex::cache {
namespace {

FramePtr Rows(int n) {
  FrameBuilder b;
  for (int i = 0; i < n; ++i) {
    Bar bar;
    bar.symbol = "AAPL";
    bar.timestamp = 86400 * i;
    bar.open = bar.high = bar.low = bar.close = 1.0 + i;
    bar.volume = i;
    b.Add(bar);
  }
  return *std::move(b).Finish();
}

TEST(HotTier, GetPutEraseAndBytes) {
  HotTier t(0, EvictionKind::kLru);
  EXPECT_EQ(t.Get("k"), nullptr);
  FramePtr f = Rows(10);
  t.Put("k", f, 1);
  EXPECT_EQ(t.Get("k"), f);
  EXPECT_GT(t.bytes(), f->ByteSize());
  t.Put("k", Rows(20), 1);  // replace
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.Get("k")->rows(), 20u);
  t.Erase("k");
  EXPECT_EQ(t.bytes(), 0u);
  t.Put("finex:A:1", f, 1);
  t.Put("finex:B:1", f, 1);
  EXPECT_EQ(t.EraseIf([](std::string_view k) { return k.find(":A:") != std::string_view::npos; }),
            1u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(HotTier, EvictsWithinBudgetButKeepsTheNewEntry) {
  const FramePtr f = Rows(100);
  const uint64_t one = f->ByteSize() + 64 + 2;
  for (EvictionKind kind : {EvictionKind::kLru, EvictionKind::kGdsf}) {
    HotTier t(one * 3, kind);
    for (int i = 0; i < 10; ++i) t.Put("k" + std::to_string(i), f, 1);
    EXPECT_LE(t.bytes(), one * 3);
    EXPECT_NE(t.Get("k9"), nullptr);
    EXPECT_GE(t.evictions(), 7u);
    // An entry bigger than the whole budget still goes in (alone).
    t.Put("big", Rows(5000), 1);
    EXPECT_NE(t.Get("big"), nullptr);
  }
}

TEST(HotTier, ConcurrentUse) {
  HotTier t(1 << 20, EvictionKind::kGdsf);
  const FramePtr f = Rows(50);
  std::vector<std::thread> ts;
  for (int k = 0; k < 4; ++k)
    ts.emplace_back([&, k] {
      for (int i = 0; i < 2000; ++i) {
        t.Put("k" + std::to_string((i * 7 + k) % 300), f, 1);
        t.Get("k" + std::to_string(i % 300));
        if (i % 50 == 0) t.Erase("k" + std::to_string(i % 300));
      }
    });
  for (auto& th : ts) th.join();
  EXPECT_LE(t.bytes(), 1u << 20);
}

}  // namespace
}  // namespace finex::cache
