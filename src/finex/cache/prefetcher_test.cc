// Prefetch wired into the SmartCache (prefetcher.h), with a fake clock and a
// fake provider: the tests drive Prefetcher::Tick(now) themselves.
#include "finex/cache/prefetcher.h"

#include <gtest/gtest.h>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/smart_cache.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"

namespace finex::cache {
namespace {

using finex::testing::FakeClock;
using finex::testing::FakeProvider;

Timestamp T(int y, int m, int d, int hh = 0, int mm = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour + mm * 60;
}

struct Rig {
  explicit Rig(Timestamp now, bool prefetch = true, double token_share = 1.0,
               fragment::TtlOptions ttl = {})
      : clock(now), yahoo(provider::ProviderId::kYahoo, calendar::CalendarFor("AAPL"), clock) {
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.sweep_interval_ms = 0;
    be = backend::NewMemoryBackend(mo);
    codec = codec::NewParquetCodec();
    if (prefetch)
      pf = std::make_unique<Prefetcher>(
          clock, PrefetcherOptions{}, [token_share](const PrefetchSeries&) { return token_share; });
    SmartCacheDeps deps;
    deps.backend = be.get();
    deps.codec = codec.get();
    deps.clock = &clock;
    deps.providers = {{&yahoo, {}}};
    deps.prefetcher = pf.get();
    SmartCacheOptions so;
    // Fetch only the (hour) buckets asked for, so what a prefetch adds shows.
    so.planner.widen = fragment::WidenPolicy::kBucket;
    so.planner.fragment_size = fragment::FragmentSize::kSmall;
    so.ttl = ttl;
    so.validate = false;
    api = NewSmartCache(std::move(deps), so);
  }
  // A user request; returns the provider calls it made.
  int Get(Interval iv, Timestamp start, Timestamp end_inclusive) {
    HistoryOptions o;
    o.interval = iv;
    o.start = start;
    o.end = end_inclusive;
    std::vector<std::string> one = {"AAPL"};
    const int before = yahoo.history_calls();
    auto r = api->History(one, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) EXPECT_EQ(r->info.api_calls_made, yahoo.history_calls() - before);
    return yahoo.history_calls() - before;
  }
  size_t Tick() { return pf ? pf->Tick(clock.Now()) : 0; }

  FakeClock clock;
  FakeProvider yahoo;
  std::unique_ptr<backend::Backend> be;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<Prefetcher> pf;  // outlives api (declared first)
  std::unique_ptr<CachedApi> api;
};

// Tuesday 2025-01-14 16:00 UTC: NYSE open (11:00 ET).
const Timestamp kOpen = T(2025, 1, 14, 16);
// Saturday 2025-01-11 12:00 UTC: closed since Friday's close.
const Timestamp kWeekend = T(2025, 1, 11, 12);

// A backtest sliding a two-day window of 1h bars one day forward per minute.
void SlideTwice(Rig& rig) {
  EXPECT_GT(rig.Get(Interval::k1h, T(2024, 12, 2), T(2024, 12, 4) - 1), 0);
  rig.clock.Advance(60);
  EXPECT_GT(rig.Get(Interval::k1h, T(2024, 12, 3), T(2024, 12, 5) - 1), 0);  // Dec 4 is new
  rig.clock.Advance(60);
}

TEST(Prefetcher, SlidingWindowNextWindowIsAHitWithoutAProviderCall) {
  Rig rig(kOpen);
  SlideTwice(rig);
  const CacheStats before = rig.api->cache_stats();
  const int calls = rig.yahoo.history_calls();
  EXPECT_EQ(rig.Tick(), 1u);                    // predicted [Dec 4, Dec 6)
  EXPECT_GT(rig.yahoo.history_calls(), calls);  // Dec 5 fetched ahead
  const CacheStats mid = rig.api->cache_stats();
  EXPECT_EQ(mid.hits, before.hits);  // prefetch is no user hit/miss
  EXPECT_EQ(mid.misses, before.misses);
  EXPECT_GT(mid.prefetch_calls, 0u);
  EXPECT_GT(mid.prefetched_rows, 0u);
  EXPECT_EQ(rig.Get(Interval::k1h, T(2024, 12, 4), T(2024, 12, 6) - 1), 0);  // hit at request time
  EXPECT_EQ(rig.api->cache_stats().hits, before.hits + 1);
  EXPECT_EQ(rig.pf->stats().runs, 1u);
}

TEST(Prefetcher, DisabledDoesNothing) {
  Rig rig(kOpen, /*prefetch=*/false);
  SlideTwice(rig);
  EXPECT_GT(rig.Get(Interval::k1h, T(2024, 12, 4), T(2024, 12, 6) - 1), 0);  // a miss, as before
  EXPECT_EQ(rig.api->cache_stats().prefetch_calls, 0u);
}

TEST(Prefetcher, DashboardRefreshRenewsExpiringFragmentsBeforeTheRequest) {
  // A provider whose intraday bars settle 15 min after their end, and live
  // pieces refreshed every 100 s: a dashboard asking for the last half hour
  // every 120 s finds its live piece expired on each refresh.
  fragment::TtlOptions ttl;
  ttl.intraday_lag_s = 15 * 60;
  ttl.live_refresh_s = 100;
  Rig rig(kOpen, /*prefetch=*/true, /*token_share=*/1.0, ttl);
  const Timestamp a = T(2025, 1, 14, 15, 30), b = T(2025, 1, 14, 16, 0) - 1;
  for (int i = 0; i < 2; ++i) {
    EXPECT_GT(rig.Get(Interval::k5m, a, b), 0) << i;
    rig.clock.Advance(90);
    EXPECT_EQ(rig.Tick(), 0u) << i;  // no regular period seen yet
    rig.clock.Advance(30);
  }
  EXPECT_GT(rig.Get(Interval::k5m, a, b), 0);
  // Due 30 s before the next refresh (at +90 s): renews the expired pieces.
  rig.clock.Advance(90);
  const int calls = rig.yahoo.history_calls();
  EXPECT_EQ(rig.Tick(), 1u);
  EXPECT_GT(rig.yahoo.history_calls(), calls);
  rig.clock.Advance(30);
  EXPECT_EQ(rig.Get(Interval::k5m, a, b), 0);  // fresh at request time
}

TEST(Prefetcher, YieldsWhileUsersAreActiveOrBusy) {
  Rig rig(kOpen);
  SlideTwice(rig);
  const int calls = rig.yahoo.history_calls();
  rig.pf->UserBegin();  // a user request in progress
  EXPECT_EQ(rig.Tick(), 0u);
  rig.pf->UserEnd();
  EXPECT_EQ(rig.pf->stats().skipped_busy, 1u);
  // A burst of user traffic (> low_usage_rps over the rate window).
  for (int i = 0; i < 600; ++i)
    rig.pf->OnUserRequest({"MSFT", Interval::k1d, "", ""}, {T(2024, 1, 1), T(2024, 2, 1)},
                          rig.clock.Now());
  EXPECT_GT(rig.pf->RecentUserRate(rig.clock.Now()), PrefetchOptions{}.low_usage_rps);
  EXPECT_EQ(rig.Tick(), 0u);
  EXPECT_EQ(rig.yahoo.history_calls(), calls);
  // The burst over, the prediction is still pending and runs.
  rig.clock.Advance(60);
  EXPECT_EQ(rig.Tick(), 1u);
  EXPECT_GT(rig.yahoo.history_calls(), calls);
}

TEST(Prefetcher, NothingWhenTheMarketClosedLongAgo) {
  Rig rig(kWeekend);
  SlideTwice(rig);
  const int calls = rig.yahoo.history_calls();
  EXPECT_EQ(rig.Tick(), 0u);
  EXPECT_EQ(rig.yahoo.history_calls(), calls);
  EXPECT_EQ(rig.pf->stats().skipped_gate, 1u);
  EXPECT_EQ(rig.api->cache_stats().prefetch_calls, 0u);
}

TEST(Prefetcher, NothingWithoutRateLimitHeadroom) {
  Rig rig(kOpen, /*prefetch=*/true, /*token_share=*/0.2);
  SlideTwice(rig);
  const int calls = rig.yahoo.history_calls();
  EXPECT_EQ(rig.Tick(), 0u);
  EXPECT_EQ(rig.yahoo.history_calls(), calls);
}

TEST(Prefetcher, SeriesKeyRoundTrips) {
  PrefetchSeries s{"BRK.B", Interval::k5m, "yahoo", "usd"};
  auto back = ParsePrefetchSeriesKey(PrefetchSeriesKey(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->symbol, "BRK.B");
  EXPECT_EQ(back->interval, Interval::k5m);
  EXPECT_EQ(back->provider, "yahoo");
  EXPECT_EQ(back->currency, "usd");
  EXPECT_FALSE(ParsePrefetchSeriesKey("AAPL|1d").ok());
}

TEST(Prefetcher, StartStopWithoutTicks) {
  FakeClock clock(kOpen);
  PrefetcherOptions o;
  o.tick_ms = 1;
  Prefetcher pf(clock, o);
  pf.Start();
  pf.Stop();
  EXPECT_EQ(pf.stats().runs, 0u);
}

}  // namespace
}  // namespace finex::cache
