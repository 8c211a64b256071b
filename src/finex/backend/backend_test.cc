#include "finex/backend/backend.h"

#include <gtest/gtest.h>

#include <map>

#include "finex/backend/backend_wrapper.h"
#include "finex/backend/memory/memory_backend.h"
#include "finex/core/mutex.h"
#include "tests/testutil/error_backend.h"
#include "tests/testutil/status_matchers.h"

namespace finex::backend {
namespace {

using ::finex::testing::ErrorBackend;
using ::finex::testing::StatusIs;

// A minimal backend over std::map that implements only the required Do*
// methods, so the base class defaults (DoGetMultiple, DoDeletePrefix) and the
// wrappers' validation/counting are what is tested. Records every key that
// reached it.
class MapBackend final : public Backend {
 public:
  std::string_view name() const override { return "map"; }
  bool supports_ttl() const override { return false; }
  BackendStats stats() const override {
    BackendStats s;
    MutexLock l(mu_);
    s.keys = m_.size();
    AddOpStats(&s);
    return s;
  }
  std::vector<std::string> seen() const {
    MutexLock l(mu_);
    return seen_;
  }
  int wrong_size_answers = 0;  // make DoGetMultiple misbehave when > 0

 private:
  Result<std::optional<Bytes>> DoGet(std::string_view key) override {
    MutexLock l(mu_);
    seen_.emplace_back(key);
    auto it = m_.find(std::string(key));
    if (it == m_.end()) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second);
  }
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override {
    if (wrong_size_answers > 0) return std::vector<std::optional<Bytes>>(keys.size() + 1);
    return Backend::DoGetMultiple(keys);
  }
  Status DoPut(std::string_view key, ByteView value, const PutOptions&) override {
    MutexLock l(mu_);
    seen_.emplace_back(key);
    m_[std::string(key)] = std::string(value);
    return OkStatus();
  }
  Status DoDelete(std::string_view key) override {
    MutexLock l(mu_);
    seen_.emplace_back(key);
    m_.erase(std::string(key));
    return OkStatus();
  }
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override {
    MutexLock l(mu_);
    std::vector<std::string> out;
    for (auto it = m_.lower_bound(std::string(prefix));
         it != m_.end() && it->first.starts_with(prefix); ++it) {
      out.push_back(it->first);
      if (limit && out.size() == limit) break;
    }
    return out;
  }

  mutable Mutex mu_;
  std::map<std::string, std::string> m_ FINEX_GUARDED_BY(mu_);
  std::vector<std::string> seen_ FINEX_GUARDED_BY(mu_);
};

TEST(ValidateBackendKeyTest, Rules) {
  EXPECT_OK(ValidateBackendKey("finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1"));
  EXPECT_OK(ValidateBackendKey("!"));
  EXPECT_OK(ValidateBackendKey("~"));
  EXPECT_OK(ValidateBackendKey(std::string(kMaxBackendKeyLength, 'k')));
  EXPECT_THAT(ValidateBackendKey(""), StatusIs(StatusCode::kInvalidArgument, "empty"));
  EXPECT_THAT(ValidateBackendKey(std::string(kMaxBackendKeyLength + 1, 'k')),
              StatusIs(StatusCode::kInvalidArgument, "longer than 1024"));
  EXPECT_THAT(ValidateBackendKey("a b"),
              StatusIs(StatusCode::kInvalidArgument, "0x20 at position 1"));
  EXPECT_THAT(ValidateBackendKey(std::string("a\0b", 3)),
              StatusIs(StatusCode::kInvalidArgument, "0x00"));
  EXPECT_THAT(ValidateBackendKey("a\x7f"), StatusIs(StatusCode::kInvalidArgument, "0x7f"));
  EXPECT_THAT(ValidateBackendKey("\xff"), StatusIs(StatusCode::kInvalidArgument, "0xff"));
  EXPECT_EQ(ValidateBackendKey(" ").details().param, "key");
  EXPECT_OK(ValidateBackendPrefix("", true));
  EXPECT_THAT(ValidateBackendPrefix("", false),
              StatusIs(StatusCode::kInvalidArgument, "prefix is empty"));
  EXPECT_EQ(ValidateBackendPrefix("a b", true).details().param, "prefix");
}

TEST(BackendWrappersTest, InvalidInputNeverReachesTheStore) {
  MapBackend m;
  EXPECT_THAT(m.Get("bad key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(m.Put("bad\nkey", "v"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(m.Put("ok", "v", PutOptions{.ttl_ms = -5}),
              StatusIs(StatusCode::kInvalidArgument, "ttl_ms"));
  EXPECT_THAT(m.Put("ok", "v", PutOptions{.ttl_ms = INT64_MAX}),
              StatusIs(StatusCode::kInvalidArgument, "longer than 100 years"));
  EXPECT_THAT(m.Delete(""), StatusIs(StatusCode::kInvalidArgument));
  const std::vector<std::string> keys = {"good", "bad key"};
  EXPECT_THAT(m.GetMultiple(keys), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(m.DeletePrefix(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(m.seen().empty());
  const BackendStats s = m.stats();
  EXPECT_EQ(s.gets + s.puts + s.deletes + s.errors, 0u);
}

TEST(BackendWrappersTest, DefaultGetMultipleAndDeletePrefix) {
  MapBackend m;
  ASSERT_OK(m.Put("p:a", "1"));
  ASSERT_OK(m.Put("p:b", "2"));
  ASSERT_OK(m.Put("q:a", "3"));
  const std::vector<std::string> keys = {"p:b", "nope", "q:a"};
  ASSERT_OK_AND_ASSIGN(auto v, m.GetMultiple(keys));
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].value_or(""), "2");
  EXPECT_FALSE(v[1].has_value());
  EXPECT_EQ(v[2].value_or(""), "3");
  ASSERT_OK_AND_ASSIGN(size_t n, m.DeletePrefix("p:"));
  EXPECT_EQ(n, 2u);
  ASSERT_OK_AND_ASSIGN(auto left, m.ScanPrefix(""));
  EXPECT_EQ(left, std::vector<std::string>{"q:a"});
  const BackendStats s = m.stats();
  EXPECT_EQ(s.gets, 3u);
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.puts, 3u);
  EXPECT_EQ(s.deletes, 2u);
  EXPECT_EQ(s.errors, 0u);
}

TEST(BackendWrappersTest, GetMultipleSizeMismatchIsInternalError) {
  MapBackend m;
  m.wrong_size_answers = 1;
  const std::vector<std::string> keys = {"a"};
  EXPECT_THAT(m.GetMultiple(keys), StatusIs(StatusCode::kInternal, "returned 2 values for 1 keys"));
  EXPECT_EQ(m.stats().errors, 1u);
}

TEST(BackendWrapperTest, ForwardsEverything) {
  MapBackend m;
  BackendWrapper w(m);
  EXPECT_EQ(w.name(), "map");
  EXPECT_FALSE(w.supports_ttl());
  ASSERT_OK(w.Put("k", "v"));
  ASSERT_OK_AND_ASSIGN(auto v, m.Get("k"));
  EXPECT_EQ(v.value_or(""), "v");
  ASSERT_OK_AND_ASSIGN(auto v2, w.Get("k"));
  EXPECT_EQ(v2.value_or(""), "v");
  ASSERT_OK_AND_ASSIGN(auto keys, w.ScanPrefix("k"));
  EXPECT_EQ(keys.size(), 1u);
  ASSERT_OK(w.Delete("k"));
  ASSERT_OK_AND_ASSIGN(auto gone, m.Get("k"));
  EXPECT_FALSE(gone.has_value());
  EXPECT_OK(w.Ping());
  EXPECT_EQ(w.stats().puts, 1u);  // the target's counters
}

TEST(ErrorBackendTest, InjectsUnavailableOnDemand) {
  MemoryBackend mem(MemoryBackendOptions{.sweep_interval_ms = 0});
  ErrorBackend e(mem);
  ASSERT_OK(e.Put("k", "v"));
  e.SetFailing(true, ErrorBackend::kGet);
  EXPECT_THAT(e.Get("k"), StatusIs(StatusCode::kUnavailable, "injected"));
  EXPECT_OK(e.Put("k2", "v"));  // other ops still forward
  e.SetFailing(false);
  ASSERT_OK_AND_ASSIGN(auto v, e.Get("k"));
  EXPECT_EQ(v.value_or(""), "v");
  e.FailNext(2);
  EXPECT_THAT(e.Put("k3", "v"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(e.ScanPrefix("k"), StatusIs(StatusCode::kUnavailable));
  EXPECT_OK(e.ScanPrefix("k").status());
  e.SetError(DeadlineExceededError("slow"));
  e.FailNext(1, ErrorBackend::kPing);
  EXPECT_THAT(e.Ping(), StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(e.injected(), 4);
  // Invalid keys are still rejected by the wrapper itself, not injected.
  e.SetFailing(true);
  EXPECT_THAT(e.Get("bad key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(e.injected(), 4);
}

}  // namespace
}  // namespace finex::backend
