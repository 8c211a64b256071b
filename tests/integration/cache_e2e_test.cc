// End-to-end: the real engine (OpenEngine: memory backend, Parquet codec,
// libcurl, ResilientProvider(Yahoo adapter)) against `finex sim` over real
// loopback HTTP. Upstream calls are counted by the simulator itself.
#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "finex/engine/engine.h"
#include "finex/sim/generator.h"
#include "finex/sim/simulator.h"
#include "tests/integration/sim_engine.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {

using engine::Engine;
using engine::EngineOptions;
using engine::OpenEngine;
using engine::ProviderOptions;
namespace {

Timestamp T(int y, int m, int d, int hh = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour;
}
Timestamp EndOf(int y, int m, int d) { return T(y, m, d) + kSecondsPerDay - 1; }

class CacheE2e : public ::testing::Test {
 public:
  void SetUp() override { Open(false); }
  void Open(bool aggressive) {
    EngineOptions eo;
    eo.features["aggressive_widening"] = aggressive;
    ProviderOptions po;
    po.rate_limit_per_min = 6000;
    ASSERT_OK_AND_ASSIGN(finex::testing::SimEngine se,
                         finex::testing::StartSimEngine(clock_, eo, po));
    sim_ = std::move(se.sim);
    engine_ = std::move(se.engine);
  }
  int64_t Calls() const { return sim_->stats().total; }
  Result<HistoryResult> H(const std::string& sym, Timestamp s, Timestamp e,
                          FieldSet f = FieldSet::Ohlcv()) {
    HistoryOptions o;
    o.start = s;
    o.end = e;
    o.fields = f;
    return engine_->api().History(std::span<const std::string>(&sym, 1), o);
  }
  // The answer equals the simulator's truth (same bars, same prices).
  void ExpectTruth(const HistoryResult& r, const std::string& sym, Timestamp s, Timestamp e,
                   FieldSet f = FieldSet::Ohlcv()) {
    FramePtr truth = sim::TrueBars(sym, Interval::k1d, {s, e + 1}, clock_.Now());
    ASSERT_EQ(r.frame->rows(), truth->rows()) << FormatIsoUtc(s) << ".." << FormatIsoUtc(e);
    for (size_t i = 0; i < truth->rows(); ++i) {
      ASSERT_EQ(r.frame->timestamps()[i], truth->timestamps()[i]);
      if (f.Has(FieldSet::kOhlcv))
        ASSERT_NEAR(r.frame->close()[i], truth->close()[i], 1e-6 * std::abs(truth->close()[i]));
      if (f.Has(FieldSet::kAdjClose))
        ASSERT_NEAR(r.frame->adj_close()[i], truth->adj_close()[i],
                    1e-6 * std::abs(truth->adj_close()[i]));
    }
  }

  finex::testing::FakeClock clock_{T(2025, 1, 11, 12)};  // a Saturday: 2024 is final
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(CacheE2e, WarmYearThenSubRangesFieldsAndClosedDaysMakeZeroCalls) {
  ASSERT_OK_AND_ASSIGN(HistoryResult warm, H("AAPL", T(2024, 1, 1), EndOf(2024, 12, 31)));
  EXPECT_EQ(Calls(), 1);
  EXPECT_EQ(warm.info.api_calls_made, 1);
  ExpectTruth(warm, "AAPL", T(2024, 1, 1), EndOf(2024, 12, 31));
  EXPECT_EQ(warm.frame->rows(), 252u);  // NYSE 2024

  sim_->ResetStats();
  struct Case {
    const char* what;
    Timestamp s, e;
    FieldSet f;
  } cases[] = {
      {"sub-range", T(2024, 3, 4), EndOf(2024, 3, 8), FieldSet::Ohlcv()},
      {"sub-range across months", T(2024, 5, 20), EndOf(2024, 8, 9), FieldSet::Ohlcv()},
      {"one day", T(2024, 11, 5), EndOf(2024, 11, 5), FieldSet::Ohlcv()},
      {"field subset held", T(2024, 1, 1), EndOf(2024, 12, 31), FieldSet(FieldSet::kAdjClose)},
      {"fields held", T(2024, 2, 1), EndOf(2024, 4, 30),
       FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)},
      {"adds a weekend", T(2023, 12, 30), EndOf(2024, 6, 28), FieldSet::Ohlcv()},
      {"adds a holiday (2025-01-01)", T(2024, 7, 1), EndOf(2025, 1, 1), FieldSet::Ohlcv()},
      {"holiday alone (July 4th)", T(2024, 7, 4), EndOf(2024, 7, 4), FieldSet::Ohlcv()},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H("AAPL", c.s, c.e, c.f));
    EXPECT_EQ(r.info.api_calls_made, 0) << c.what;
    EXPECT_EQ(Calls(), 0) << c.what;
    EXPECT_DOUBLE_EQ(r.info.hit_rate, 1.0) << c.what;
    ExpectTruth(r, "AAPL", c.s, c.e, c.f);
  }

  // One month past the cache: exactly one call.
  clock_.Set(T(2025, 2, 1, 12));  // the next Saturday after January
  ASSERT_OK_AND_ASSIGN(HistoryResult r, H("AAPL", T(2024, 1, 1), EndOf(2025, 1, 31)));
  EXPECT_EQ(Calls(), 1);
  EXPECT_EQ(r.info.api_calls_made, 1);
  ExpectTruth(r, "AAPL", T(2024, 1, 1), EndOf(2025, 1, 31));
}

TEST_F(CacheE2e, TenThousandConcurrentIdenticalMissesMakeOneCall) {
  ASSERT_OK(sim_->SetFaults(R"({"latency_ms": 1500})"));
  constexpr int kThreads = 10000;
  std::atomic<int> ok{0};
  struct Arg {
    CacheE2e* self;
    std::atomic<int>* ok;
  } arg{this, &ok};
  auto body = [](void* p) -> void* {
    Arg* a = static_cast<Arg*>(p);
    auto r = a->self->H("MSFT", T(2024, 1, 1), EndOf(2024, 6, 30));
    if (r.ok() && r->frame->rows() == 124) a->ok->fetch_add(1);
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  std::vector<pthread_t> ts(kThreads);
  for (int i = 0; i < kThreads; ++i) ASSERT_EQ(pthread_create(&ts[i], &attr, +body, &arg), 0);
  for (pthread_t t : ts) pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(Calls(), 1);
  EXPECT_EQ(ok.load(), kThreads);
}

TEST_F(CacheE2e, ProviderDownServesStaleCachedData) {
  ASSERT_OK(H("IBM", T(2024, 1, 1), EndOf(2024, 12, 31)));
  clock_.Advance(45 * kSecondsPerDay);  // every piece expired
  ASSERT_OK(sim_->SetFaults(R"({"down": ["yahoo"]})"));
  ASSERT_OK_AND_ASSIGN(HistoryResult r, H("IBM", T(2024, 1, 1), EndOf(2024, 12, 31)));
  EXPECT_TRUE(r.info.stale);
  EXPECT_GE(r.info.data_freshness_s, 45.0 * kSecondsPerDay);
  EXPECT_EQ(r.frame->rows(), 252u);
}

// Breaker states reach cache_stats() (and so /metrics and /v1/cache/stats):
// closed while the provider answers, open after breaker_failures failures.
TEST(CacheE2eBreaker, ProviderBreakerStateIsReportedInStats) {
  finex::testing::FakeClock clock(T(2025, 1, 11, 12));
  ProviderOptions po;
  po.rate_limit_per_min = 6000;
  po.max_retries = 0;
  po.breaker_failures = 2;
  ASSERT_OK_AND_ASSIGN(finex::testing::SimEngine se, finex::testing::StartSimEngine(clock, {}, po));
  Engine* engine = se.engine.get();
  sim::Simulator* simulator = se.sim.get();
  const std::vector<std::string> syms = {"AAPL", "MSFT", "IBM"};
  HistoryOptions o;
  o.start = T(2024, 1, 1);
  o.end = EndOf(2024, 1, 31);
  ASSERT_OK(engine->api().History(std::span<const std::string>(&syms[0], 1), o));
  CacheStats s = engine->api().cache_stats();
  ASSERT_EQ(s.providers.size(), 1u);
  EXPECT_EQ(s.providers[0].name, "yahoo");
  EXPECT_EQ(s.providers[0].breaker, "closed");
  EXPECT_DOUBLE_EQ(s.providers[0].score, 1.0);

  ASSERT_OK(simulator->SetFaults(R"({"down": ["yahoo"]})"));
  EXPECT_FALSE(engine->api().History(std::span<const std::string>(&syms[1], 1), o).ok());
  EXPECT_FALSE(engine->api().History(std::span<const std::string>(&syms[2], 1), o).ok());
  s = engine->api().cache_stats();
  ASSERT_EQ(s.providers.size(), 1u);
  EXPECT_EQ(s.providers[0].breaker, "open");
  EXPECT_LT(s.providers[0].score, 1.0);
  // Calls are counted as the provider saw them: the breaker's refusal makes
  // none, so finex's count stays equal to the simulator's.
  const std::vector<std::string> more = {"ORCL"};
  EXPECT_FALSE(engine->api().History(more, o).ok());
  s = engine->api().cache_stats();
  EXPECT_EQ(static_cast<int64_t>(s.api_calls), simulator->stats().total);
  EXPECT_EQ(s.api_calls, 3u);
}

// prefetch_enabled through OpenEngine: the engine's worker (ticking on its
// own) fetches the next page a user is paging to, so asking for it makes no
// upstream call. Real time passes here (the worker's 1 s tick); the fake-clock
// unit tests are in src/finex/cache/prefetcher_test.cc.
TEST(CacheE2ePrefetch, EngineWorkerFetchesTheNextPageAhead) {
  finex::testing::FakeClock clock(T(2025, 1, 14, 16));  // Tuesday, NYSE open
  EngineOptions eo;
  eo.prefetch_enabled = true;
  eo.features["aggressive_widening"] = false;  // fetch only the (month) buckets asked for
  eo.fragment_size = "small";
  ProviderOptions po;
  po.rate_limit_per_min = 6000;
  ASSERT_OK_AND_ASSIGN(finex::testing::SimEngine se, finex::testing::StartSimEngine(clock, eo, po));
  Engine* engine = se.engine.get();
  sim::Simulator* sim = se.sim.get();
  const std::string sym = "AAPL";
  auto page = [&](int i) {
    HistoryOptions o;
    o.start = T(2024, 1, 1) + i * 30 * kSecondsPerDay;
    o.end = *o.start + 30 * kSecondsPerDay - 1;
    return engine->api().History(std::span<const std::string>(&sym, 1), o);
  };
  ASSERT_OK(page(0));
  clock.Advance(20);
  ASSERT_OK(page(1));  // paging forward: page 2 predicted, due now
  for (int i = 0; i < 100 && engine->api().cache_stats().prefetch_calls == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GT(engine->api().cache_stats().prefetch_calls, 0u);
  const int64_t before = sim->stats().total;
  auto r = page(2);
  ASSERT_OK(r);
  EXPECT_EQ(r->info.api_calls_made, 0);
  EXPECT_EQ(sim->stats().total, before);
}

}  // namespace
}  // namespace finex::cache
