#include "finex/backend/tiered/tiered_backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "finex/backend/backend_wrapper.h"
#include "finex/backend/memory/memory_backend.h"
#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using ::finex::testing::StatusIs;

// An L2 that can be switched down (every call kUnavailable) and counts calls.
class SwitchableBackend final : public BackendWrapper {
 public:
  explicit SwitchableBackend(std::unique_ptr<Backend> inner)
      : BackendWrapper(*inner), inner_(std::move(inner)) {}
  std::atomic<bool> down{false};
  std::atomic<int> calls{0};

 private:
  Status Gate() {
    ++calls;
    return down ? UnavailableError("l2 down (test)") : OkStatus();
  }
  Result<std::optional<Bytes>> DoGet(std::string_view k) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoGet(k);
  }
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(std::span<const std::string> k) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoGetMultiple(k);
  }
  Status DoPut(std::string_view k, ByteView v, const PutOptions& o) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoPut(k, v, o);
  }
  Status DoDelete(std::string_view k) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoDelete(k);
  }
  Result<std::vector<std::string>> DoScanPrefix(std::string_view p, size_t l) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoScanPrefix(p, l);
  }
  Result<size_t> DoDeletePrefix(std::string_view p) override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoDeletePrefix(p);
  }
  Status DoPing() override {
    FINEX_RETURN_IF_ERROR(Gate());
    return BackendWrapper::DoPing();
  }
  std::unique_ptr<Backend> inner_;
};

class TieredTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l2 = std::make_unique<SwitchableBackend>(NewMemoryBackend());
    l2_ = l2.get();
    auto l1 = NewMemoryBackend();
    l1_ = l1.get();
    t_ = std::make_unique<TieredBackend>(
        std::move(l1), std::move(l2),
        TieredOptions{.probe_interval_ms = 20, .health_interval_ms = 0});
  }
  SwitchableBackend* l2_;
  Backend* l1_;
  std::unique_ptr<TieredBackend> t_;
};

TEST_F(TieredTest, ReadThroughFillsL1AndWriteThroughReachesBoth) {
  ASSERT_OK(l2_->Put("finex:A:1d:1", "from-l2"));
  ASSERT_OK_AND_ASSIGN(auto v, t_->Get("finex:A:1d:1"));
  EXPECT_EQ(v, std::optional<Bytes>("from-l2"));
  ASSERT_OK_AND_ASSIGN(auto in_l1, l1_->Get("finex:A:1d:1"));
  EXPECT_EQ(in_l1, std::optional<Bytes>("from-l2"));
  ASSERT_OK(t_->Put("finex:A:1d:2", "both"));
  ASSERT_OK_AND_ASSIGN(auto a, l1_->Get("finex:A:1d:2"));
  ASSERT_OK_AND_ASSIGN(auto b, l2_->Get("finex:A:1d:2"));
  EXPECT_TRUE(a.has_value() && b.has_value());
  // GetMultiple asks L2 only for L1's misses.
  ASSERT_OK(l2_->Put("finex:A:1d:3", "three"));
  ASSERT_OK_AND_ASSIGN(auto m, t_->GetMultiple(std::vector<std::string>{
                                   "finex:A:1d:1", "finex:A:1d:3", "finex:A:1d:9"}));
  EXPECT_EQ(m[0], std::optional<Bytes>("from-l2"));
  EXPECT_EQ(m[1], std::optional<Bytes>("three"));
  EXPECT_FALSE(m[2].has_value());
  // Scans see both tiers.
  ASSERT_OK(l2_->Put("finex:A:1d:4", "only-l2"));
  ASSERT_OK_AND_ASSIGN(auto keys, t_->ScanPrefix("finex:A:"));
  EXPECT_EQ(keys.size(), 4u);
}

TEST_F(TieredTest, DegradesOnL2ErrorServesFromL1AndSkipsL2) {
  ASSERT_OK(t_->Put("finex:A:1d:1", "warm"));
  l2_->down = true;
  ASSERT_OK_AND_ASSIGN(auto miss, t_->Get("finex:A:1d:404"));  // L2 error -> a miss, not an error
  EXPECT_FALSE(miss.has_value());
  EXPECT_TRUE(t_->degraded());
  const int calls = l2_->calls.load();
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK_AND_ASSIGN(auto v, t_->Get("finex:A:1d:1"));
    EXPECT_EQ(v, std::optional<Bytes>("warm"));
    ASSERT_OK_AND_ASSIGN(auto m, t_->Get("finex:A:1d:404"));
    EXPECT_FALSE(m.has_value());
  }
  ASSERT_OK(t_->Put("finex:A:1d:5", "local"));  // accepted locally
  ASSERT_OK_AND_ASSIGN(auto keys, t_->ScanPrefix("finex:A:"));
  EXPECT_EQ(keys.size(), 2u);
  // Only the prober touches L2 while degraded.
  // An observation window (the thing tested): over 100 ms at a 20 ms probe
  // interval, only the prober's few calls reach L2.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_LE(l2_->calls.load() - calls, 10);
  EXPECT_GE(t_->health().l2_skipped, 100u);
  EXPECT_NE(t_->health().last_error.find("l2 down"), std::string::npos);
  // Invalidations that cannot reach L2 say so (after applying locally).
  EXPECT_THAT(t_->Delete("finex:A:1d:5"), StatusIs(StatusCode::kUnavailable, "locally"));
  ASSERT_OK_AND_ASSIGN(auto gone, l1_->Get("finex:A:1d:5"));
  EXPECT_FALSE(gone.has_value());
  EXPECT_OK(t_->Ping());  // this node can still serve
}

TEST_F(TieredTest, RecoversWithinProbeIntervalsWithoutTraffic) {
  l2_->down = true;
  (void)t_->Get("finex:A:1d:1");
  ASSERT_TRUE(t_->degraded());
  l2_->down = false;
  const auto t0 = std::chrono::steady_clock::now();
  while (t_->degraded() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_FALSE(t_->degraded());
  EXPECT_LT(ms, 200) << "probe interval is 20 ms";
  EXPECT_EQ(t_->health().recoveries, 1u);
  ASSERT_OK(l2_->Put("finex:A:1d:7", "after"));
  ASSERT_OK_AND_ASSIGN(auto v, t_->Get("finex:A:1d:7"));
  EXPECT_EQ(v, std::optional<Bytes>("after"));
}

TEST_F(TieredTest, InvalidateLocalLeavesL2) {
  ASSERT_OK(t_->Put("finex:A:1d:1", "x"));
  ASSERT_OK(t_->Put("finex:B:1d:1", "y"));
  ASSERT_OK_AND_ASSIGN(size_t n, t_->InvalidateLocal("finex:A:"));
  EXPECT_EQ(n, 1u);
  ASSERT_OK_AND_ASSIGN(auto l1a, l1_->Get("finex:A:1d:1"));
  EXPECT_FALSE(l1a.has_value());
  ASSERT_OK_AND_ASSIGN(auto l2a, l2_->Get("finex:A:1d:1"));
  EXPECT_TRUE(l2a.has_value());
  ASSERT_OK_AND_ASSIGN(size_t all, t_->InvalidateLocal(""));
  EXPECT_EQ(all, 1u);
}

TEST(TieredHealthTest, HealthIntervalDetectsOutageWithoutTraffic) {
  auto l2 = std::make_unique<SwitchableBackend>(NewMemoryBackend());
  auto* raw = l2.get();
  TieredBackend t(NewMemoryBackend(), std::move(l2),
                  {.probe_interval_ms = 20, .health_interval_ms = 30});
  raw->down = true;
  ::finex::testing::WaitFor([&] { return t.degraded(); });
  EXPECT_TRUE(t.degraded());
}

// l1_max_bytes bounds the memory L1 NewTieredBackend builds; L2 keeps all.
TEST(TieredBudgetTest, L1MaxBytesBoundsL1AndL2KeepsEverything) {
  auto l2 = NewMemoryBackend();
  Backend* l2raw = l2.get();
  auto t = NewTieredBackend(std::move(l2), {.l1_max_bytes = 64 * 1024});
  const std::string value(1000, 'v');
  for (int i = 0; i < 500; ++i) ASSERT_OK(t->Put("finex:A:1d:" + std::to_string(i), value));
  EXPECT_LE(t->stats().bytes, 64u * 1024);
  EXPECT_GT(t->stats().bytes, 32u * 1024);
  EXPECT_GE(l2raw->stats().bytes, 500u * 1000);
  for (int i = 0; i < 500; ++i) {  // evicted from L1 or not, every value reads back
    ASSERT_OK_AND_ASSIGN(auto v, t->Get("finex:A:1d:" + std::to_string(i)));
    ASSERT_TRUE(v.has_value()) << i;
    EXPECT_EQ(v->size(), value.size());
  }
}

}  // namespace
}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(Tiered, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "memory_over_memory",
                             [] {
                               return std::unique_ptr<backend::Backend>(
                                   backend::NewTieredBackend(backend::NewMemoryBackend()));
                             },
                             true, ""}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
