#include "finex/backend/redis/redis_backend.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "finex/backend/redis/redis_test_support.h"
#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using testing::SharedRedis;
using testing::TestRedisOptions;

}  // namespace

std::unique_ptr<Backend> MakeRedisOrNull() {
  auto& t = SharedRedis();
  if (!t.skip_reason.empty()) return nullptr;
  auto b = OpenRedisBackend(TestRedisOptions(t.url));
  if (!b.ok()) {
    ADD_FAILURE() << "OpenRedisBackend(" << t.url << "): " << b.status();
    return nullptr;
  }
  return std::move(b).value();
}

namespace {

class RedisBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FINEX_REQUIRE_REDIS();
    ASSERT_OK_AND_ASSIGN(client_, RedisClient::Open(TestRedisOptions(SharedRedis().url)));
    backend_ = std::make_unique<RedisBackend>(client_);
    ns_ = "finex:RT" + std::to_string(::finex::testing::TestSeed()) + ":";
  }
  void TearDown() override {
    if (backend_) backend_->DeletePrefix(ns_).status().IgnoreError();
  }
  std::string Raw(const std::string& redis_key) {
    auto r = client_->Command({"GET", redis_key});
    EXPECT_TRUE(r.ok());
    if (!r.ok() || (*r)->type != REDIS_REPLY_STRING) return "";
    return std::string((*r)->str, (*r)->len);
  }

  std::shared_ptr<RedisClient> client_;
  std::unique_ptr<RedisBackend> backend_;
  std::string ns_;
};

TEST(RedisLayoutTest, SeriesAndHashTags) {
  EXPECT_EQ(RedisBackend::SeriesOf("finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1"),
            "finex:AAPL:1d");
  EXPECT_EQ(RedisBackend::SeriesOf("finex:BTC/USDT:1h:1:2:binance:usdt:ohlcv_v1"),
            "finex:BTC/USDT:1h");
  EXPECT_EQ(RedisBackend::SeriesOf("finex:AAPL:1d"), "finex:AAPL:1d");
  EXPECT_EQ(RedisBackend::SeriesOf("short"), "short");
  EXPECT_EQ(RedisBackend::DataKey("finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1"),
            "{finex:AAPL:1d}:v:finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1");
  EXPECT_EQ(RedisBackend::IndexKey("finex:AAPL:1d"), "{finex:AAPL:1d}:idx");
  // Braces in a series cannot break the hash tag.
  EXPECT_EQ(RedisBackend::IndexKey("a{b}:c:d"), "{a%7Bb%7D:c:d}:idx");
}

TEST_F(RedisBackendTest, StoresUnderDocumentedLayoutWithIndex) {
  const std::string key = ns_ + "AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1";
  ASSERT_OK(backend_->Put(key, "payload", {.ttl_ms = 60000}));
  const std::string series = RedisBackend::SeriesOf(key);
  ASSERT_OK_AND_ASSIGN(auto score,
                       client_->Command({"ZSCORE", RedisBackend::IndexKey(series), key}));
  EXPECT_EQ(score->type, REDIS_REPLY_STRING);
  ASSERT_OK_AND_ASSIGN(auto ss, client_->Command({"ZSCORE", RedisBackend::kSeriesSetKey, series}));
  EXPECT_EQ(ss->type, REDIS_REPLY_STRING);
  ASSERT_OK_AND_ASSIGN(auto pttl, client_->Command({"PTTL", RedisBackend::DataKey(key)}));
  EXPECT_GT(pttl->integer, 50000);
  // Sealed envelope at rest.
  EXPECT_EQ(Raw(RedisBackend::DataKey(key)).substr(0, 4), "FXE1");
}

TEST_F(RedisBackendTest, ScanSpansSeriesInByteOrderWithLimit) {
  std::vector<std::string> keys = {ns_ + "A:1d:1",  ns_ + "A:1d:2", ns_ + "A:1h:1",
                                   ns_ + "A0:1d:1", ns_ + "B:1d:1", ns_ + "B/USD:1m:9"};
  for (const auto& k : keys) ASSERT_OK(backend_->Put(k, "v"));
  ASSERT_OK_AND_ASSIGN(auto all, backend_->ScanPrefix(ns_));
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(all, sorted);
  ASSERT_OK_AND_ASSIGN(auto a, backend_->ScanPrefix(ns_ + "A:"));
  EXPECT_EQ(a.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto a1d, backend_->ScanPrefix(ns_ + "A:1d:"));
  EXPECT_EQ(a1d, (std::vector<std::string>{ns_ + "A:1d:1", ns_ + "A:1d:2"}));
  ASSERT_OK_AND_ASSIGN(auto lim, backend_->ScanPrefix(ns_, 2));
  EXPECT_EQ(lim, (std::vector<std::string>{sorted[0], sorted[1]}));
  ASSERT_OK_AND_ASSIGN(size_t n, backend_->DeletePrefix(ns_ + "A"));
  EXPECT_EQ(n, 4u);
  ASSERT_OK_AND_ASSIGN(auto rest, backend_->ScanPrefix(ns_));
  EXPECT_EQ(rest.size(), 2u);
}

TEST_F(RedisBackendTest, ExpiredIndexEntriesArePruned) {
  const std::string key = ns_ + "X:1d:1";
  ASSERT_OK(backend_->Put(key, "v", {.ttl_ms = 30}));
  // The scan prunes the expired index entry once the 30 ms TTL has passed.
  EXPECT_TRUE(::finex::testing::WaitFor([&] {
    auto keys = backend_->ScanPrefix(ns_ + "X:");
    return keys.ok() && keys->empty();
  }));
  ASSERT_OK_AND_ASSIGN(
      auto card, client_->Command({"ZCARD", RedisBackend::IndexKey(RedisBackend::SeriesOf(key))}));
  EXPECT_EQ(card->integer, 0);
}

// Corruption: flip bytes of values at rest. Each damaged value is detected,
// never served, counted and deleted; undamaged neighbours are unaffected.
TEST_F(RedisBackendTest, CorruptValuesAreDetectedCountedDeletedNeverServed) {
  const uint64_t seed = ::finex::testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    keys.push_back(ns_ + "C:1d:" + std::to_string(i));
    std::string value(200 + i, 'x');
    for (auto& ch : value) ch = static_cast<char>(rng());
    ASSERT_OK(backend_->Put(keys.back(), value));
  }
  const uint64_t before = backend_->stats().corrupt;
  // Damage every even key: flip one random byte (header or payload), or truncate.
  for (int i = 0; i < 20; i += 2) {
    const std::string dk = RedisBackend::DataKey(keys[i]);
    std::string raw = Raw(dk);
    if (i % 4 == 0) {
      raw[rng() % raw.size()] ^= static_cast<char>(1 + rng() % 255);
    } else {
      raw.resize(raw.size() / 2);
    }
    ASSERT_OK(client_->Command({"SET", dk, raw}).status());
  }
  // GetMultiple and Get both refuse them.
  ASSERT_OK_AND_ASSIGN(auto got, backend_->GetMultiple(keys));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(got[i].has_value(), i % 2 == 1) << keys[i];
  EXPECT_EQ(backend_->stats().corrupt - before, 10u);
  for (int i = 0; i < 20; i += 2) {
    ASSERT_OK_AND_ASSIGN(auto one, backend_->Get(keys[i]));
    EXPECT_FALSE(one.has_value());
    // Deleted from Redis (value and index entry).
    ASSERT_OK_AND_ASSIGN(auto ex, client_->Command({"EXISTS", RedisBackend::DataKey(keys[i])}));
    EXPECT_EQ(ex->integer, 0);
  }
  ASSERT_OK_AND_ASSIGN(auto left, backend_->ScanPrefix(ns_ + "C:"));
  EXPECT_EQ(left.size(), 10u);
  // A refetch (new Put) is served again.
  ASSERT_OK(backend_->Put(keys[0], "fresh"));
  ASSERT_OK_AND_ASSIGN(auto again, backend_->Get(keys[0]));
  EXPECT_EQ(again, std::optional<Bytes>("fresh"));
}

TEST_F(RedisBackendTest, ForeignValueWithoutEnvelopeIsAMiss) {
  const std::string key = ns_ + "F:1d:1";
  ASSERT_OK(backend_->Put(key, "ok"));
  ASSERT_OK(
      client_->Command({"SET", RedisBackend::DataKey(key), "written by something else"}).status());
  ASSERT_OK_AND_ASSIGN(auto v, backend_->Get(key));
  EXPECT_FALSE(v.has_value());
}

TEST_F(RedisBackendTest, StatsCountKeysAndBytes) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(backend_->Put(ns_ + "S:1d:" + std::to_string(i), "v"));
  BackendStats s = backend_->stats();
  EXPECT_GE(s.keys, 5u);
  EXPECT_GT(s.bytes, 0u);
  EXPECT_GE(s.puts, 5u);
}

TEST(RedisBackendFaultTest, DownServerFailsFastAndRecovers) {
  auto s = ::finex::testing::RedisServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch redis-server: " << s.status();
  ASSERT_OK_AND_ASSIGN(auto b, OpenRedisBackend(TestRedisOptions((*s)->url())));
  ASSERT_OK(b->Put("finex:K:1d:1", "v"));
  (*s)->Kill();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i)
    EXPECT_THAT(b->Get("finex:K:1d:1"), ::finex::testing::StatusIs(StatusCode::kUnavailable));
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 2000) << "50 reads against a dead server must fail fast";
  EXPECT_THAT(b->Ping(), ::finex::testing::StatusIs(StatusCode::kUnavailable));
  ASSERT_OK((*s)->Restart());
  EXPECT_TRUE(::finex::testing::WaitFor([&] { return b->Ping().ok(); }, std::chrono::seconds(3)));
}

}  // namespace
}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(Redis, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "redis", backend::MakeRedisOrNull, /*ttl=*/true,
                             "no Redis: set FINEX_TEST_REDIS_URL or install redis-server"}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
