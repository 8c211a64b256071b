// MemoryBackend under concurrent readers, writers, expiries, scans, prefix
// deletes and the sweeper at once. Meant to run under ThreadSanitizer too
// (cmake --preset tsan): any data race in the backend fails the run.
//
// Invariants checked while racing:
//  - every value read is one that some writer wrote for that key (values
//    embed their key), never torn or mixed up between keys;
//  - scans return ascending, unique keys under the prefix;
//  - after the race and a final sweep, stats().bytes equals the sum of
//    key+value sizes of the live entries and stats().keys their count.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "finex/backend/memory/memory_backend.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::backend {
namespace {

using ::finex::testing::FakeClock;

std::string KeyOf(int series, int i) {
  return "finex:S" + std::to_string(series) + ":1d:" + std::to_string(i);
}

// "<key>|<writer>|<seq>|" padded with a byte derived from the key.
std::string ValueOf(const std::string& key, int writer, uint64_t seq, size_t pad) {
  std::string v = key + "|" + std::to_string(writer) + "|" + std::to_string(seq) + "|";
  v.append(pad, static_cast<char>('a' + key.size() % 26));
  return v;
}

bool ValueMatchesKey(const std::string& key, const std::string& v) {
  if (v.size() < key.size() + 1 || v.compare(0, key.size(), key) != 0 || v[key.size()] != '|')
    return false;
  const size_t last_bar = v.rfind('|');
  for (size_t i = last_bar + 1; i < v.size(); ++i)
    if (v[i] != static_cast<char>('a' + key.size() % 26)) return false;
  return true;
}

TEST(MemoryBackendConcurrencyTest, ReadersWritersExpiriesScansAtOnce) {
  const uint64_t seed = finex::testing::TestSeed();
  FakeClock clock;
  MemoryBackendOptions o;
  o.shards = 8;
  o.sweep_interval_ms = 1;  // the sweeper races with everything else
  o.clock = &clock;
  MemoryBackend b(o);

  constexpr int kSeries = 6, kKeysPerSeries = 40;
  std::atomic<bool> stop{false};
  std::atomic<int> bad_values{0}, bad_scans{0}, errors{0};
  std::atomic<uint64_t> reads{0}, writes{0}, scans{0};

  auto writer = [&](int id) {
    std::mt19937_64 rng(seed + id);
    uint64_t seq = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string key = KeyOf(rng() % kSeries, rng() % kKeysPerSeries);
      const int64_t ttl = rng() % 3 == 0 ? 1 + rng() % 3000 : 0;  // some expire as the clock moves
      if (!b.Put(key, ValueOf(key, id, ++seq, rng() % 200), PutOptions{.ttl_ms = ttl}).ok())
        ++errors;
      if (rng() % 10 == 0 && !b.Delete(KeyOf(rng() % kSeries, rng() % kKeysPerSeries)).ok())
        ++errors;
      writes.fetch_add(1, std::memory_order_relaxed);
    }
  };
  auto reader = [&](int id) {
    std::mt19937_64 rng(seed + 100 + id);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string key = KeyOf(rng() % kSeries, rng() % kKeysPerSeries);
      auto v = b.Get(key);
      if (!v.ok()) {
        ++errors;
      } else if (v->has_value() && !ValueMatchesKey(key, **v)) {
        ++bad_values;
      }
      if (rng() % 8 == 0) {
        std::vector<std::string> keys = {key, KeyOf(0, 0), KeyOf(1, 1)};
        auto m = b.GetMultiple(keys);
        if (!m.ok() || m->size() != 3) {
          ++errors;
        } else {
          for (size_t i = 0; i < 3; ++i)
            if ((*m)[i] && !ValueMatchesKey(keys[i], *(*m)[i])) ++bad_values;
        }
      }
      reads.fetch_add(1, std::memory_order_relaxed);
    }
  };
  auto scanner = [&] {
    std::mt19937_64 rng(seed + 200);
    while (!stop.load(std::memory_order_relaxed)) {
      const std::string prefix = "finex:S" + std::to_string(rng() % kSeries) + ":";
      auto keys = b.ScanPrefix(prefix, rng() % 2 ? 0 : 10);
      if (!keys.ok()) {
        ++errors;
        continue;
      }
      for (size_t i = 0; i < keys->size(); ++i) {
        if (!(*keys)[i].starts_with(prefix) || (i > 0 && (*keys)[i - 1] >= (*keys)[i])) ++bad_scans;
      }
      if (rng() % 50 == 0) {
        auto n = b.DeletePrefix("finex:S" + std::to_string(rng() % kSeries) + ":1d:1");
        if (!n.ok()) ++errors;
      }
      (void)b.stats();
      scans.fetch_add(1, std::memory_order_relaxed);
    }
  };
  auto time_keeper = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      clock.AdvanceMicros(50000);  // 50 ms of fake time per tick
      // Pacing the fake clock, not waiting for anything.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(writer, i);
  for (int i = 0; i < 3; ++i) threads.emplace_back(reader, i);
  threads.emplace_back(scanner);
  threads.emplace_back(time_keeper);
  // Run until enough work happened (bounded by time for slow/TSan builds).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline &&
         (reads.load() < 200000 || writes.load() < 100000 || scans.load() < 2000)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(bad_values.load(), 0);
  EXPECT_EQ(bad_scans.load(), 0);
  EXPECT_GT(reads.load(), 1000u);
  EXPECT_GT(writes.load(), 1000u);

  // Quiesce: expire everything with a TTL, sweep, and reconcile accounting.
  clock.Advance(10);
  b.SweepExpired();
  ASSERT_OK_AND_ASSIGN(auto live, b.ScanPrefix(""));
  uint64_t bytes = 0;
  for (const std::string& k : live) {
    ASSERT_OK_AND_ASSIGN(auto v, b.Get(k));
    ASSERT_TRUE(v.has_value()) << k;
    ASSERT_TRUE(ValueMatchesKey(k, *v)) << k;
    bytes += k.size() + v->size();
  }
  const BackendStats s = b.stats();
  EXPECT_EQ(s.keys, live.size());
  EXPECT_EQ(s.bytes, bytes);
  EXPECT_GT(s.expired, 0u);
  std::cout << "[ stats    ] reads=" << reads.load() << " writes=" << writes.load()
            << " scans=" << scans.load() << " expired=" << s.expired << " live=" << live.size()
            << std::endl;
}

TEST(MemoryBackendConcurrencyTest, BudgetHoldsUnderConcurrentWriters) {
  FakeClock clock;
  MemoryBackendOptions o;
  o.shards = 4;
  o.sweep_interval_ms = 0;
  o.clock = &clock;
  o.max_bytes = 64 * 1024;
  MemoryBackend b(o);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const std::string key = "k:" + std::to_string(t) + ":" + std::to_string(i);
        if (!b.Put(key, std::string(500, 'x')).ok()) ++errors;
        if (i % 3 == 0) (void)b.Get("k:" + std::to_string(t) + ":" + std::to_string(i / 2));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  const BackendStats s = b.stats();
  EXPECT_LE(s.bytes, 64u * 1024);
  EXPECT_GT(s.evicted, 0u);
  EXPECT_EQ(s.keys + s.evicted, 12000u);
}

}  // namespace
}  // namespace finex::backend
