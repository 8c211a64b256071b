#include "tests/conformance/backend_conformance.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "tests/testutil/status_matchers.h"

namespace finex::testing {
namespace {

using backend::PutOptions;
using Clock = std::chrono::steady_clock;

std::string RandomSuffix() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s.push_back(kHex[rng() % 16]);
  return s;
}

// Polls `cond` until true or `deadline` passes.
template <typename F>
bool Eventually(F cond, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  while (Clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

}  // namespace

void BackendConformanceTest::SetUp() {
  backend_ = GetParam().make();
  if (!backend_) GTEST_SKIP() << GetParam().name << ": " << GetParam().skip_message;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info->name();
  for (char& c : test)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  prefix_ = "finex:conformance:" + test + ":" + RandomSuffix() + ":";
}

void BackendConformanceTest::TearDown() {
  if (backend_) b().DeletePrefix(prefix_).status().IgnoreError();
}

TEST_P(BackendConformanceTest, GetMissingIsNulloptNotAnError) {
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("missing")));
  EXPECT_FALSE(v.has_value());
}

TEST_P(BackendConformanceTest, PutThenGet) {
  ASSERT_OK(b().Put(K("a"), "hello"));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("a")));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "hello");
}

TEST_P(BackendConformanceTest, EmptyValueIsAHitNotAMiss) {
  ASSERT_OK(b().Put(K("empty"), ""));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("empty")));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->size(), 0u);
}

TEST_P(BackendConformanceTest, OverwriteReplacesValue) {
  ASSERT_OK(b().Put(K("a"), "first value, longer"));
  ASSERT_OK(b().Put(K("a"), "second"));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("a")));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "second");
  ASSERT_OK_AND_ASSIGN(auto keys, b().ScanPrefix(prefix()));
  EXPECT_EQ(keys, std::vector<std::string>{K("a")});
}

TEST_P(BackendConformanceTest, DeleteRemovesAndDeletingMissingIsOk) {
  ASSERT_OK(b().Put(K("a"), "1"));
  ASSERT_OK(b().Put(K("b"), "2"));
  ASSERT_OK(b().Delete(K("a")));
  ASSERT_OK_AND_ASSIGN(auto a, b().Get(K("a")));
  EXPECT_FALSE(a.has_value());
  ASSERT_OK_AND_ASSIGN(auto bv, b().Get(K("b")));
  EXPECT_EQ(bv.value_or("<miss>"), "2");
  EXPECT_OK(b().Delete(K("a")));
  EXPECT_OK(b().Delete(K("never-existed")));
}

TEST_P(BackendConformanceTest, GetMultipleKeepsOrderWithMisses) {
  ASSERT_OK(b().Put(K("1"), "one"));
  ASSERT_OK(b().Put(K("3"), "three"));
  const std::vector<std::string> keys = {K("3"), K("2"), K("1"), K("3")};
  ASSERT_OK_AND_ASSIGN(auto vals, b().GetMultiple(keys));
  ASSERT_EQ(vals.size(), 4u);
  EXPECT_EQ(vals[0].value_or("<miss>"), "three");
  EXPECT_FALSE(vals[1].has_value());
  EXPECT_EQ(vals[2].value_or("<miss>"), "one");
  EXPECT_EQ(vals[3].value_or("<miss>"), "three");
  ASSERT_OK_AND_ASSIGN(auto none, b().GetMultiple({}));
  EXPECT_TRUE(none.empty());
}

TEST_P(BackendConformanceTest, GetMultipleRejectsAnyInvalidKey) {
  const std::vector<std::string> keys = {K("ok"), "bad key"};
  EXPECT_THAT(b().GetMultiple(keys), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(BackendConformanceTest, ScanPrefixIsAscendingByteOrderAndExact) {
  // Inserted in shuffled order; includes keys that share text with the prefix
  // but not the prefix itself.
  std::vector<std::string> inside = {K("AAPL:1d:a"), K("AAPL:1d:b"), K("AAPL:1h:a"), K("AAPL:1d:~"),
                                     K("AAPL:1d:A"), K("AAPL:1d:0"), K("AAPL:")};
  std::vector<std::string> outside = {K("AAPL.L:1d:a"), K("AAPLX:1d:a"), K("AAPL"), K("AAP:1d"),
                                      K("MSFT:1d:a")};
  std::vector<std::string> all = inside;
  all.insert(all.end(), outside.begin(), outside.end());
  std::mt19937 rng(7);
  std::shuffle(all.begin(), all.end(), rng);
  for (const std::string& k : all) ASSERT_OK(b().Put(k, "v:" + k));
  std::sort(inside.begin(), inside.end());
  ASSERT_OK_AND_ASSIGN(auto got, b().ScanPrefix(K("AAPL:")));
  EXPECT_EQ(got, inside);
  ASSERT_OK_AND_ASSIGN(auto everything, b().ScanPrefix(prefix()));
  std::sort(all.begin(), all.end());
  EXPECT_EQ(everything, all);
  ASSERT_OK_AND_ASSIGN(auto none, b().ScanPrefix(K("ZZZ")));
  EXPECT_TRUE(none.empty());
}

TEST_P(BackendConformanceTest, ScanPrefixLimitReturnsTheFirstKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%03d", (i * 37) % 50);
    keys.push_back(K(buf));
    ASSERT_OK(b().Put(keys.back(), "x"));
  }
  std::sort(keys.begin(), keys.end());
  for (size_t limit : {1u, 7u, 49u, 50u, 51u}) {
    ASSERT_OK_AND_ASSIGN(auto got, b().ScanPrefix(prefix(), limit));
    const size_t n = std::min<size_t>(limit, 50);
    ASSERT_EQ(got.size(), n) << "limit " << limit;
    EXPECT_TRUE(std::equal(got.begin(), got.end(), keys.begin())) << "limit " << limit;
  }
  ASSERT_OK_AND_ASSIGN(auto all, b().ScanPrefix(prefix(), 0));
  EXPECT_EQ(all, keys);
}

TEST_P(BackendConformanceTest, DeletePrefixRemovesExactlyThePrefix) {
  for (const char* s : {"AAPL:1", "AAPL:2", "AAPL:3", "AAPL.L:1", "AAPLX:1", "MSFT:1"}) {
    ASSERT_OK(b().Put(K(s), s));
  }
  ASSERT_OK_AND_ASSIGN(size_t n, b().DeletePrefix(K("AAPL:")));
  EXPECT_EQ(n, 3u);
  ASSERT_OK_AND_ASSIGN(auto left, b().ScanPrefix(prefix()));
  EXPECT_EQ(left, (std::vector<std::string>{K("AAPL.L:1"), K("AAPLX:1"), K("MSFT:1")}));
  ASSERT_OK_AND_ASSIGN(auto gone, b().Get(K("AAPL:2")));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(size_t zero, b().DeletePrefix(K("AAPL:")));
  EXPECT_EQ(zero, 0u);
}

TEST_P(BackendConformanceTest, DeletePrefixRefusesEmptyPrefix) {
  ASSERT_OK(b().Put(K("a"), "1"));
  EXPECT_THAT(b().DeletePrefix(""), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("a")));
  EXPECT_TRUE(v.has_value());
}

TEST_P(BackendConformanceTest, BinaryValuesRoundTripExactly) {
  std::string all_bytes;
  for (int rep = 0; rep < 3; ++rep)
    for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
  all_bytes += std::string(5, '\0');
  ASSERT_OK(b().Put(K("bin"), all_bytes));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("bin")));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->size(), all_bytes.size());
  EXPECT_TRUE(*v == all_bytes);
  const std::string nuls(100, '\0');
  ASSERT_OK(b().Put(K("nuls"), nuls));
  ASSERT_OK_AND_ASSIGN(auto n, b().Get(K("nuls")));
  ASSERT_TRUE(n.has_value());
  EXPECT_TRUE(*n == nuls);
}

TEST_P(BackendConformanceTest, LargeValuesRoundTrip) {
  std::mt19937_64 rng(42);
  std::string big(8 << 20, '\0');
  for (char& c : big) c = static_cast<char>(rng());
  ASSERT_OK(b().Put(K("big"), big));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(K("big")));
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->size(), big.size());
  EXPECT_TRUE(*v == big);
}

TEST_P(BackendConformanceTest, InvalidKeysAreRejectedBeforeTheStore) {
  const std::string bad[] = {"",
                             "has space",
                             "tab\there",
                             "nl\n",
                             std::string("nul\0x", 5),
                             "caf\xc3\xa9",
                             "del\x7f",
                             std::string(backend::kMaxBackendKeyLength + 1, 'k')};
  for (const std::string& k : bad) {
    EXPECT_THAT(b().Get(k), StatusIs(StatusCode::kInvalidArgument)) << k;
    EXPECT_THAT(b().Put(k, "v"), StatusIs(StatusCode::kInvalidArgument)) << k;
    EXPECT_THAT(b().Delete(k), StatusIs(StatusCode::kInvalidArgument)) << k;
    Status s = b().Get(k).status();
    EXPECT_EQ(s.details().param, "key") << k;
  }
  EXPECT_THAT(b().ScanPrefix("bad prefix"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(b().DeletePrefix("bad\nprefix"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(b().Put(K("neg-ttl"), "v", PutOptions{.ttl_ms = -1}),
              StatusIs(StatusCode::kInvalidArgument));
  // The longest allowed key works.
  std::string longest = prefix();
  longest.resize(backend::kMaxBackendKeyLength, 'L');
  ASSERT_OK(b().Put(longest, "v"));
  ASSERT_OK_AND_ASSIGN(auto v, b().Get(longest));
  EXPECT_TRUE(v.has_value());
}

TEST_P(BackendConformanceTest, TtlEntriesExpire) {
  if (!GetParam().ttl || !b().supports_ttl()) GTEST_SKIP() << "backend does not enforce TTLs";
  const auto t0 = Clock::now();
  ASSERT_OK(b().Put(K("short"), "s", PutOptions{.ttl_ms = 400}));
  ASSERT_OK(b().Put(K("long"), "l", PutOptions{.ttl_ms = 600000}));
  ASSERT_OK(b().Put(K("forever"), "f"));
  ASSERT_OK_AND_ASSIGN(auto early, b().Get(K("short")));
  if (Clock::now() - t0 < std::chrono::milliseconds(300)) {
    EXPECT_TRUE(early.has_value()) << "expired long before its TTL";
  }
  EXPECT_TRUE(Eventually(
      [&] {
        auto v = b().Get(K("short"));
        return v.ok() && !v->has_value();
      },
      std::chrono::seconds(10)))
      << "entry with a 400 ms TTL still readable after 10 s";
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(350)) << "expired before its TTL";
  ASSERT_OK_AND_ASSIGN(auto keys, b().ScanPrefix(prefix()));
  EXPECT_EQ(keys, (std::vector<std::string>{K("forever"), K("long")}));
  const std::vector<std::string> multi = {K("short"), K("long")};
  ASSERT_OK_AND_ASSIGN(auto vals, b().GetMultiple(multi));
  EXPECT_FALSE(vals[0].has_value());
  EXPECT_EQ(vals[1].value_or("<miss>"), "l");
}

TEST_P(BackendConformanceTest, OverwriteResetsTtl) {
  if (!GetParam().ttl || !b().supports_ttl()) GTEST_SKIP() << "backend does not enforce TTLs";
  ASSERT_OK(b().Put(K("a"), "v1", PutOptions{.ttl_ms = 300}));
  ASSERT_OK(b().Put(K("a"), "v2"));  // no TTL: lives until deleted
  ASSERT_OK(b().Put(K("b"), "v1"));
  ASSERT_OK(b().Put(K("b"), "v2", PutOptions{.ttl_ms = 300}));
  EXPECT_TRUE(Eventually(
      [&] {
        auto v = b().Get(K("b"));
        return v.ok() && !v->has_value();
      },
      std::chrono::seconds(10)));
  // Past a's old TTL (the thing tested: the overwrite dropped it).
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_OK_AND_ASSIGN(auto a, b().Get(K("a")));
  EXPECT_EQ(a.value_or("<miss>"), "v2");
}

TEST_P(BackendConformanceTest, PingAndCapabilities) {
  EXPECT_OK(b().Ping());
  EXPECT_FALSE(b().name().empty());
  EXPECT_EQ(b().supports_ttl(), GetParam().ttl);
}

TEST_P(BackendConformanceTest, StatsCountOperations) {
  const backend::BackendStats before = b().stats();
  ASSERT_OK(b().Put(K("a"), "1"));
  ASSERT_OK(b().Put(K("b"), "2"));
  ASSERT_OK(b().Get(K("a")).status());
  ASSERT_OK(b().Get(K("zz")).status());
  ASSERT_OK(b().Delete(K("b")));
  const backend::BackendStats after = b().stats();
  EXPECT_EQ(after.puts - before.puts, 2u);
  EXPECT_EQ(after.gets - before.gets, 2u);
  EXPECT_EQ(after.hits - before.hits, 1u);
  EXPECT_GE(after.deletes - before.deletes, 1u);
  EXPECT_EQ(after.errors, before.errors);
}

TEST_P(BackendConformanceTest, ConcurrentClientsSmoke) {
  constexpr int kThreads = 4, kOps = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string key = K("t" + std::to_string(t) + ":" + std::to_string(i % 10));
        const std::string val = std::to_string(t) + ":" + std::to_string(i);
        if (!b().Put(key, val).ok()) ++failures;
        auto v = b().Get(key);
        // Only this thread writes `key`, so it reads its own last write.
        if (!v.ok() || !v->has_value() || **v != val) ++failures;
        auto shared = b().Get(K("shared"));
        if (!shared.ok()) ++failures;
        if (i % 5 == 0 && !b().Put(K("shared"), val).ok()) ++failures;
        if (i % 25 == 0 && !b().ScanPrefix(prefix(), 5).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto keys, b().ScanPrefix(prefix()));
  EXPECT_EQ(keys.size(), kThreads * 10u + 1);
}

}  // namespace finex::testing
