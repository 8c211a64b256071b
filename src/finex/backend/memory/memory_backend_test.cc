#include "finex/backend/memory/memory_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using ::finex::testing::FakeClock;
using ::finex::testing::StatusIs;

MemoryBackendOptions Opts(FakeClock* clock, size_t shards = 8, uint64_t max_bytes = 0) {
  MemoryBackendOptions o;
  o.shards = shards;
  o.sweep_interval_ms = 0;  // tests sweep explicitly
  o.clock = clock;
  o.max_bytes = max_bytes;
  return o;
}

TEST(MemoryBackendTest, TtlIsExactOnTheInjectedClock) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  ASSERT_OK(b.Put("k", "v", PutOptions{.ttl_ms = 1500}));
  clock.AdvanceMicros(1499999);
  ASSERT_OK_AND_ASSIGN(auto v, b.Get("k"));
  EXPECT_TRUE(v.has_value());
  ASSERT_OK_AND_ASSIGN(auto keys, b.ScanPrefix(""));
  EXPECT_EQ(keys.size(), 1u);
  clock.AdvanceMicros(1);
  ASSERT_OK_AND_ASSIGN(v, b.Get("k"));
  EXPECT_FALSE(v.has_value());
  ASSERT_OK_AND_ASSIGN(keys, b.ScanPrefix(""));
  EXPECT_TRUE(keys.empty());
  // Not yet reclaimed: still counted in keys/bytes until swept.
  EXPECT_EQ(b.stats().keys, 1u);
  EXPECT_EQ(b.SweepExpired(), 1u);
  const BackendStats s = b.stats();
  EXPECT_EQ(s.keys, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.expired, 1u);
}

TEST(MemoryBackendTest, SweepTouchesOnlyExpiredEntries) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(b.Put("k" + std::to_string(i), "v", PutOptions{.ttl_ms = (i % 4 == 0) ? 1000 : 0}));
  }
  ASSERT_OK(b.Put("later", "v", PutOptions{.ttl_ms = 5000}));
  clock.Advance(2);
  EXPECT_EQ(b.SweepExpired(), 25u);
  EXPECT_EQ(b.SweepExpired(), 0u);
  EXPECT_EQ(b.stats().keys, 76u);
  clock.Advance(10);
  EXPECT_EQ(b.SweepExpired(), 1u);
  EXPECT_EQ(b.stats().keys, 75u);
}

TEST(MemoryBackendTest, SweeperThreadReclaimsMemory) {
  MemoryBackendOptions o;
  o.shards = 4;
  o.sweep_interval_ms = 10;
  MemoryBackend b(o);  // real clock
  for (int i = 0; i < 50; ++i)
    ASSERT_OK(b.Put("k" + std::to_string(i), std::string(100, 'x'), {.ttl_ms = 50}));
  ASSERT_OK(b.Put("stay", "v"));
  ::finex::testing::WaitFor([&] { return b.stats().keys <= 1; });
  const BackendStats s = b.stats();
  EXPECT_EQ(s.keys, 1u);
  EXPECT_EQ(s.bytes, 5u);  // "stay" + "v"
  EXPECT_EQ(s.expired, 50u);
}

TEST(MemoryBackendTest, ByteAccountingIsExact) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  std::mt19937_64 rng(finex::testing::TestSeed());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 3000; ++i) {
    const std::string key = "key:" + std::to_string(rng() % 200);
    switch (rng() % 4) {
      case 0:
      case 1: {
        std::string v(rng() % 300, static_cast<char>(rng()));
        ASSERT_OK(b.Put(key, v));
        model[key] = v;
        break;
      }
      case 2:
        ASSERT_OK(b.Delete(key));
        model.erase(key);
        break;
      default: {
        ASSERT_OK_AND_ASSIGN(size_t n, b.DeletePrefix(key));  // also hits "key:12" for "key:1"
        size_t expect = 0;
        for (auto it = model.begin(); it != model.end();) {
          if (it->first.starts_with(key)) {
            it = model.erase(it);
            ++expect;
          } else {
            ++it;
          }
        }
        ASSERT_EQ(n, expect);
      }
    }
    uint64_t bytes = 0;
    for (const auto& [k, v] : model) bytes += k.size() + v.size();
    const BackendStats s = b.stats();
    ASSERT_EQ(s.bytes, bytes) << "after op " << i;
    ASSERT_EQ(s.keys, model.size());
  }
  ASSERT_OK_AND_ASSIGN(auto keys, b.ScanPrefix(""));
  std::vector<std::string> expect;
  for (const auto& [k, v] : model) expect.push_back(k);
  EXPECT_EQ(keys, expect);
}

TEST(MemoryBackendTest, BudgetEvictsAndKeepsRecentlyReadEntries) {
  FakeClock clock;
  // One shard, 10 entries of 100 bytes (key 4 + value 96) fit.
  MemoryBackend b(Opts(&clock, 1, 1000));
  auto key = [](int i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "k%03d", i);
    return std::string(buf);
  };
  for (int i = 0; i < 10; ++i) ASSERT_OK(b.Put(key(i), std::string(96, 'v')));
  EXPECT_EQ(b.stats().bytes, 1000u);
  EXPECT_EQ(b.stats().evicted, 0u);
  // Every entry gets a CLOCK pass; then k000 is read so it survives the next.
  ASSERT_OK(b.Put(key(10), std::string(96, 'v')));
  EXPECT_EQ(b.stats().evicted, 1u);
  EXPECT_LE(b.stats().bytes, 1000u);
  ASSERT_OK_AND_ASSIGN(auto hot, b.Get(key(1)));
  for (int i = 11; i < 30; ++i) {
    ASSERT_OK_AND_ASSIGN(auto h, b.Get(key(1)));  // keep k001 hot
    ASSERT_TRUE(h.has_value()) << "hot entry evicted at put " << i;
    ASSERT_OK(b.Put(key(i), std::string(96, 'v')));
    ASSERT_LE(b.stats().bytes, 1000u);
  }
  const BackendStats s = b.stats();
  EXPECT_EQ(s.keys, 10u);
  EXPECT_EQ(s.evicted, 20u);
  // The newest entry is always kept.
  ASSERT_OK_AND_ASSIGN(auto last, b.Get(key(29)));
  EXPECT_TRUE(last.has_value());
}

TEST(MemoryBackendTest, BudgetPrefersExpiredEntries) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock, 1, 1000));
  ASSERT_OK(b.Put("exp", std::string(497, 'e'), {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("old", std::string(497, 'o')));
  clock.Advance(2);
  ASSERT_OK(b.Put("new", std::string(497, 'n')));
  ASSERT_OK_AND_ASSIGN(auto old, b.Get("old"));
  EXPECT_TRUE(old.has_value());
  EXPECT_EQ(b.stats().expired, 1u);
  EXPECT_EQ(b.stats().evicted, 0u);
}

TEST(MemoryBackendTest, EntryLargerThanShardBudgetIsRefused) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock, 2, 1000));  // 500 bytes per shard
  EXPECT_THAT(b.Put("k", std::string(500, 'x')),
              StatusIs(StatusCode::kResourceExhausted, "budget"));
  EXPECT_OK(b.Put("k", std::string(499, 'x')));
  EXPECT_EQ(b.stats().errors, 1u);
}

TEST(MemoryBackendTest, OverwriteAdjustsBytesAndTtl) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  ASSERT_OK(b.Put("k", std::string(100, 'a'), {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("k", std::string(10, 'b')));
  EXPECT_EQ(b.stats().bytes, 11u);
  clock.Advance(5);
  EXPECT_EQ(b.SweepExpired(), 0u);
  ASSERT_OK_AND_ASSIGN(auto v, b.Get("k"));
  EXPECT_EQ(v.value_or(""), std::string(10, 'b'));
  ASSERT_OK(b.Put("k", "c", {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("k", "d", {.ttl_ms = 3000}));
  clock.Advance(2);
  EXPECT_EQ(b.SweepExpired(), 0u);  // the first TTL was replaced
  clock.Advance(2);
  EXPECT_EQ(b.SweepExpired(), 1u);
}

TEST(MemoryBackendTest, DeletePrefixCountsOnlyLiveEntries) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  ASSERT_OK(b.Put("p:1", "v", {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("p:2", "v"));
  clock.Advance(2);
  ASSERT_OK_AND_ASSIGN(size_t n, b.DeletePrefix("p:"));
  EXPECT_EQ(n, 1u);
  const BackendStats s = b.stats();
  EXPECT_EQ(s.keys, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.expired, 1u);
}

TEST(MemoryBackendTest, ScanMergesShardsInOrder) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock, 64));
  std::vector<std::string> keys;
  for (int i = 0; i < 500; ++i) keys.push_back("finex:S" + std::to_string(i * 7919 % 1000) + ":x");
  for (const auto& k : keys) ASSERT_OK(b.Put(k, "v"));
  std::sort(keys.begin(), keys.end());
  ASSERT_OK_AND_ASSIGN(auto got, b.ScanPrefix("finex:S"));
  EXPECT_EQ(got, keys);
  ASSERT_OK_AND_ASSIGN(auto first10, b.ScanPrefix("finex:S", 10));
  EXPECT_EQ(first10, std::vector<std::string>(keys.begin(), keys.begin() + 10));
}

TEST(MemoryBackendTest, ScanLimitSkipsExpiredEntries) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock, 4));
  ASSERT_OK(b.Put("p:a", "v"));
  ASSERT_OK(b.Put("p:b", "v", {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("p:c", "v", {.ttl_ms = 1000}));
  ASSERT_OK(b.Put("p:d", "v"));
  ASSERT_OK(b.Put("p:e", "v"));
  clock.Advance(1);
  ASSERT_OK_AND_ASSIGN(auto keys, b.ScanPrefix("p:", 2));
  EXPECT_EQ(keys, (std::vector<std::string>{"p:a", "p:d"}));
  ASSERT_OK_AND_ASSIGN(keys, b.ScanPrefix("p:", 0));
  EXPECT_EQ(keys, (std::vector<std::string>{"p:a", "p:d", "p:e"}));
  const std::vector<std::string> multi = {"p:b", "p:e"};
  ASSERT_OK_AND_ASSIGN(auto vals, b.GetMultiple(multi));
  EXPECT_FALSE(vals[0].has_value());
  EXPECT_TRUE(vals[1].has_value());
}

TEST(MemoryBackendTest, StatsCountHitsAndMisses) {
  FakeClock clock;
  MemoryBackend b(Opts(&clock));
  ASSERT_OK(b.Put("a", "1"));
  ASSERT_OK(b.Get("a").status());
  ASSERT_OK(b.Get("b").status());
  const std::vector<std::string> keys = {"a", "b", "a"};
  ASSERT_OK(b.GetMultiple(keys).status());
  ASSERT_OK(b.Delete("a"));
  const BackendStats s = b.stats();
  EXPECT_EQ(s.gets, 5u);
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.puts, 1u);
  EXPECT_EQ(s.deletes, 1u);
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(s.keys, 0u);
}

TEST(MemoryBackendTest, FactoryAndCapabilities) {
  std::unique_ptr<Backend> b = NewMemoryBackend();
  EXPECT_EQ(b->name(), "memory");
  EXPECT_TRUE(b->supports_ttl());
  EXPECT_FALSE(b->durable());
  EXPECT_OK(b->Ping());
}

TEST(MemoryBackendDeathTest, InvalidOptionsAbort) {
  EXPECT_DEATH(MemoryBackend(MemoryBackendOptions{.shards = 0}), "CHECK");
  EXPECT_DEATH(MemoryBackend(MemoryBackendOptions{.sweep_interval_ms = -1}), "CHECK");
}

}  // namespace
}  // namespace finex::backend
