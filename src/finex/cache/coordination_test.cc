// SmartCache + Coordinator in process: two caches ("nodes") over one shared
// memory backend, each with its own providers, coordinated by an in-memory
// Coordinator (leases + broadcast), as RedisCoordinator does over Redis.
#include "finex/cache/coordination.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/smart_cache.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/shared_backend.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;
using finex::testing::FakeProvider;

Timestamp T(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

// Shared "Redis": leases and the set of listening nodes.
struct Hub {
  std::mutex mu;
  std::map<std::string, std::string> leases;  // name -> token
  int next_token = 0;
};

class HubCoordinator final : public Coordinator {
 public:
  explicit HubCoordinator(Hub& hub) : hub_(hub) {}
  std::vector<HubCoordinator*> peers;

  Result<std::optional<LeaseHandle>> TryLease(std::string_view name) override {
    std::lock_guard lock(hub_.mu);
    if (hub_.leases.count(std::string(name))) return std::optional<LeaseHandle>();
    std::string token = std::to_string(++hub_.next_token);
    hub_.leases[std::string(name)] = token;
    return std::optional<LeaseHandle>(LeaseHandle{std::string(name), token});
  }
  void Release(const LeaseHandle& l) override {
    std::lock_guard lock(hub_.mu);
    auto it = hub_.leases.find(l.name);
    if (it != hub_.leases.end() && it->second == l.token) hub_.leases.erase(it);
  }
  Result<WaitOutcome> Wait(std::string_view name,
                           const std::function<Result<bool>()>& ready) override {
    waits.fetch_add(1);
    for (int i = 0; i < 2000; ++i) {
      FINEX_ASSIGN_OR_RETURN(bool r, ready());
      if (r) return WaitOutcome::kReady;
      bool held;
      {
        std::lock_guard lock(hub_.mu);
        held = hub_.leases.count(std::string(name)) > 0;
      }
      if (!held) {
        FINEX_ASSIGN_OR_RETURN(bool r2, ready());
        return r2 ? WaitOutcome::kReady : WaitOutcome::kGone;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return WaitOutcome::kTimeout;
  }
  void PublishInvalidation(std::string_view pattern) override {
    for (HubCoordinator* p : peers) p->Deliver(pattern);
  }
  void OnInvalidation(InvalidationHandler h) override {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }
  void Deliver(std::string_view pattern) {
    std::lock_guard lock(mu_);
    if (handler_) handler_(pattern);
  }
  std::atomic<int> waits{0};

 private:
  Hub& hub_;
  std::mutex mu_;
  InvalidationHandler handler_;
};

struct Node {
  Node(backend::Backend& shared, Hub& hub, FakeClock& clock, FakeCalendar& cal)
      : view(shared), coord(hub), yahoo(provider::ProviderId::kYahoo, cal, clock) {
    codec = codec::NewParquetCodec();
    SmartCacheDeps deps;
    deps.backend = &view;
    deps.codec = codec.get();
    deps.clock = &clock;
    deps.providers = {{&yahoo, {}}};
    deps.calendar_for = [&cal](std::string_view) -> const calendar::Calendar& { return cal; };
    deps.coordinator = &coord;
    api = NewSmartCache(std::move(deps));
  }
  Result<HistoryResult> H(const std::string& sym, Timestamp start, Timestamp end) {
    HistoryOptions o;
    o.start = start;
    o.end = end;
    o.fields = FieldSet::Ohlcv();
    return api->History(std::span<const std::string>(&sym, 1), o);
  }
  finex::testing::SharedBackend view;  // rescans before fetching, as over Redis
  HubCoordinator coord;
  FakeProvider yahoo;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<CachedApi> api;
};

struct TwoNodes {
  TwoNodes() : clock(T(2025, 1, 10) + 22 * kSecondsPerHour), cal(false, {}) {
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.sweep_interval_ms = 0;
    shared = backend::NewMemoryBackend(mo);
    a = std::make_unique<Node>(*shared, hub, clock, cal);
    b = std::make_unique<Node>(*shared, hub, clock, cal);
    a->coord.peers = {&b->coord};
    b->coord.peers = {&a->coord};
  }
  FakeClock clock;
  FakeCalendar cal;
  Hub hub;
  std::unique_ptr<backend::Backend> shared;
  std::unique_ptr<Node> a, b;
};

TEST(Coordination, ConcurrentMissOnTwoNodesMakesOneProviderCall) {
  TwoNodes n;
  n.a->yahoo.CloseGate();
  std::thread ta([&] { EXPECT_TRUE(n.a->H("NVDA", T(2024, 1, 1), T(2024, 6, 30)).ok()); });
  n.a->yahoo.AwaitWaiting(1);  // A holds the lease and is in the provider
  std::thread tb([&] { EXPECT_TRUE(n.b->H("NVDA", T(2024, 1, 1), T(2024, 6, 30)).ok()); });
  while (n.b->coord.waits.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  n.a->yahoo.OpenGate();
  ta.join();
  tb.join();
  EXPECT_EQ(n.a->yahoo.history_calls(), 1);
  EXPECT_EQ(n.b->yahoo.history_calls(), 0);  // B served from the shared backend
  EXPECT_TRUE(n.hub.leases.empty());         // released
}

TEST(Coordination, InvalidationOnOneNodeIsSeenByTheOther) {
  TwoNodes n;
  ASSERT_TRUE(n.a->H("AAPL", T(2024, 1, 1), T(2024, 3, 31)).ok());
  ASSERT_TRUE(n.b->H("AAPL", T(2024, 2, 1), T(2024, 2, 28)).ok());
  EXPECT_EQ(n.b->yahoo.history_calls(), 0);
  ASSERT_TRUE(n.b->api->invalidate_cache("finex:AAPL:*").ok());
  ASSERT_TRUE(n.a->H("AAPL", T(2024, 2, 1), T(2024, 2, 28)).ok());
  EXPECT_EQ(n.a->yahoo.history_calls(), 2);  // A dropped its copies and refetched
}

TEST(Coordination, ResubscribeDropsLocalCopiesButKeepsServing) {
  TwoNodes n;
  ASSERT_TRUE(n.a->H("MSFT", T(2024, 1, 1), T(2024, 3, 31)).ok());
  n.a->coord.Deliver("");  // messages may have been lost
  ASSERT_TRUE(n.a->H("MSFT", T(2024, 1, 1), T(2024, 3, 31)).ok());
  EXPECT_EQ(n.a->yahoo.history_calls(), 1);  // re-read from the shared backend
}

}  // namespace
}  // namespace finex::cache
