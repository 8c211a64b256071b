#include "finex/provider/resilience/resilient_provider.h"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "tests/testutil/fake_clock.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testing::StatusIs;

// A Provider whose History answers come from a script.
class ScriptedProvider final : public Provider {
 public:
  std::deque<Result<HistoryResponse>> script;
  int calls = 0;
  ProviderId pid = ProviderId::kYahoo;
  ReportedWeight reported;  // what the "provider" reports as used this minute
  ProviderId id() const override { return pid; }
  ReportedWeight reported_weight() const override { return reported; }
  Result<HistoryResponse> History(const HistoryRequest&) override {
    ++calls;
    if (script.empty()) return InternalError("script exhausted");
    Result<HistoryResponse> r = std::move(script.front());
    script.pop_front();
    return r;
  }
  Result<std::vector<finex::Quote>> Quote(std::span<const std::string>) override {
    ++calls;
    return std::vector<finex::Quote>{};
  }
  Result<std::vector<SearchResult>> Search(std::string_view) override {
    ++calls;
    return UnavailableError("search down");
  }
  CallLimits Limits(Interval) const override { return {}; }
  double calls_per_minute() const override { return 600; }
  bool Handles(std::string_view) const override { return true; }
};

HistoryResponse Ok(bool complete = true) {
  FrameBuilder b;
  Bar bar;
  bar.symbol = "AAPL";
  bar.timestamp = 1704153600;
  bar.open = bar.high = bar.low = bar.close = 1.0;
  if (complete) bar.volume = 5;
  b.Add(bar);
  HistoryResponse r;
  r.frame = *std::move(b).Finish();
  r.http_calls = 1;
  return r;
}

struct Harness {
  testing::FakeClock clock{1704153600};
  std::vector<int64_t> sleeps;
  ScriptedProvider* fake = nullptr;
  std::unique_ptr<ResilientProvider> p;
  explicit Harness(ResilienceOptions o = {}, ProviderId id = ProviderId::kYahoo) {
    if (o.seed == 0) o.seed = testing::TestSeed();
    auto f = std::make_unique<ScriptedProvider>();
    f->pid = id;
    fake = f.get();
    p = std::make_unique<ResilientProvider>(std::move(f), o, clock, [this](int64_t us) {
      sleeps.push_back(us);
      clock.AdvanceMicros(us);
    });
  }
  Result<HistoryResponse> Call() {
    return p->History(HistoryRequest{"AAPL", Interval::k1d, {0, 86400}});
  }
};

TEST(ResilientProvider, RetriesRetryableWithBackoff) {
  ResilienceOptions o;
  o.retry.jitter = 0;
  Harness h(o);
  h.fake->script.push_back(UnavailableError("503"));
  h.fake->script.push_back(DeadlineExceededError("slow"));
  h.fake->script.push_back(Ok());
  ASSERT_OK_AND_ASSIGN(HistoryResponse r, h.Call());
  EXPECT_EQ(h.fake->calls, 3);
  EXPECT_EQ(r.http_calls, 3);  // the failed attempts were upstream calls too
  EXPECT_EQ(h.sleeps, (std::vector<int64_t>{200000, 400000}));
  const ProviderHealth health = h.p->Health();
  EXPECT_EQ(health.calls, 3);
  EXPECT_EQ(health.failures, 2);
  EXPECT_LT(health.reliability, 1.0);
  EXPECT_EQ(health.last_error, "");
}

TEST(ResilientProvider, FinalErrorsAreNotRetried) {
  Harness h;
  h.fake->script.push_back(NotFoundError("no such symbol"));
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(h.fake->calls, 1);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_DOUBLE_EQ(h.p->Health().reliability, 1.0);  // a definite answer is healthy
  h.fake->script.push_back(DataLossError("corrupt"));
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(h.fake->calls, 2);
}

TEST(ResilientProvider, GivesUpAfterMaxAttempts) {
  ResilienceOptions o;
  o.retry.max_attempts = 2;
  Harness h(o);
  for (int i = 0; i < 5; ++i) h.fake->script.push_back(UnavailableError("down"));
  Result<HistoryResponse> r = h.Call();
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, "down"));
  EXPECT_EQ(h.fake->calls, 2);
  EXPECT_EQ(r.status().details().upstream_calls, 2) << "the failure says how many calls it took";
  EXPECT_EQ(h.p->Health().last_error, "down");
}

TEST(ResilientProvider, RetryAfterPausesTheLimiter) {
  Harness h;
  h.fake->script.push_back(ResourceExhaustedError("429").WithRetryAfter(5));
  h.fake->script.push_back(Ok());
  const Timestamp t0 = h.clock.Now();
  ASSERT_OK(h.Call());
  EXPECT_EQ(h.fake->calls, 2);
  EXPECT_GE(h.clock.Now() - t0, 5);
  EXPECT_EQ(h.p->Health().breaker, BreakerState::kClosed);  // rate limits are not breaker failures
}

TEST(ResilientProvider, RetryAfterBeyondBudgetReturnsTheError) {
  ResilienceOptions o;
  o.max_wait_ms = 2000;
  Harness h(o);
  h.fake->script.push_back(ResourceExhaustedError("429").WithRetryAfter(60));
  Result<HistoryResponse> r = h.Call();
  EXPECT_THAT(r, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(r.status().details().retry_after_s, 60);
  EXPECT_EQ(h.fake->calls, 1);
  // The limiter stays paused: the next call waits rather than hammering.
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kResourceExhausted, "local rate limit"));
  EXPECT_EQ(h.fake->calls, 1);
}

TEST(ResilientProvider, TokenBucketSpacesCalls) {
  ResilienceOptions o;
  o.limiter = {60, 1};
  Harness h(o);
  h.fake->script.push_back(Ok());
  h.fake->script.push_back(Ok());
  ASSERT_OK(h.Call());
  EXPECT_TRUE(h.sleeps.empty());
  ASSERT_OK(h.Call());
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_NEAR(h.sleeps[0], 1000000, 1);
  EXPECT_DOUBLE_EQ(h.p->calls_per_minute(), 60);
}

TEST(ResilientProvider, BreakerOpensAndRecovers) {
  ResilienceOptions o;
  o.retry.max_attempts = 1;
  o.breaker = {2, 30000, 1, 1};
  Harness h(o);
  h.fake->script.push_back(UnavailableError("a"));
  h.fake->script.push_back(UnavailableError("b"));
  EXPECT_FALSE(h.Call().ok());
  EXPECT_FALSE(h.Call().ok());
  EXPECT_EQ(h.p->Health().breaker, BreakerState::kOpen);
  Result<HistoryResponse> refused = h.Call();
  EXPECT_THAT(refused, StatusIs(StatusCode::kUnavailable, "circuit open"));
  EXPECT_EQ(refused.status().details().retry_after_s, 30);
  EXPECT_EQ(refused.status().details().upstream_calls, 0);
  EXPECT_EQ(h.fake->calls, 2);  // not called while open
  h.clock.Advance(30);
  EXPECT_EQ(h.p->Health().breaker, BreakerState::kHalfOpen);
  h.fake->script.push_back(Ok());
  ASSERT_OK(h.Call());
  EXPECT_EQ(h.p->Health().breaker, BreakerState::kClosed);
}

TEST(ResilientProvider, CompletenessFeedsTheScore) {
  ResilienceOptions o;
  o.quality = {0.5, 0.5};
  Harness h(o);
  h.fake->script.push_back(Ok(/*complete=*/false));
  ASSERT_OK(h.Call());
  const ProviderHealth hl = h.p->Health();
  EXPECT_DOUBLE_EQ(hl.completeness, 0.5);
  EXPECT_DOUBLE_EQ(hl.score, 0.75);
  EXPECT_EQ(hl.provider, "yahoo");
  EXPECT_GT(hl.tokens, 0);
}

TEST(ResilientProvider, QuoteAndSearchGoThroughThePolicy) {
  ResilienceOptions o;
  o.retry.max_attempts = 3;
  o.retry.jitter = 0;
  Harness h(o);
  const std::string syms[] = {"AAPL"};
  ASSERT_OK(h.p->Quote(syms));
  EXPECT_THAT(h.p->Search("apple"), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(h.fake->calls, 4);  // 1 quote + 3 search attempts
}

// The daily budget: once today's calls are spent, the wrapper answers
// ResourceExhausted with the seconds to 00:00 UTC WITHOUT calling upstream;
// the next UTC day has a fresh budget. A throttle lasting until midnight
// (the provider's own "per day" answer) spends the day whatever was counted.
TEST(ResilientProvider, DailyBudgetRefusesWithoutCallingUntilMidnight) {
  ResilienceOptions o;
  o.calls_per_day = 3;
  o.retry.max_attempts = 1;
  Harness h(o);
  const Timestamp day = DayOf(h.clock.Now()) * kSecondsPerDay;
  h.clock.Set(day + 22 * kSecondsPerHour);
  for (int i = 0; i < 3; ++i) {
    h.fake->script.push_back(Ok());
    ASSERT_OK(h.Call());
  }
  EXPECT_EQ(h.p->Health().daily_calls_remaining, 0);
  auto r = h.Call();
  EXPECT_THAT(r, StatusIs(StatusCode::kResourceExhausted, "daily call budget spent"));
  EXPECT_EQ(r.status().details().provider, "yahoo");
  EXPECT_DOUBLE_EQ(r.status().details().retry_after_s, 2.0 * kSecondsPerHour);
  EXPECT_EQ(r.status().details().upstream_calls, 0);
  EXPECT_EQ(h.fake->calls, 3) << "no upstream call beyond the budget";
  EXPECT_EQ(h.p->Health().breaker, BreakerState::kClosed);

  h.clock.Set(day + kSecondsPerDay);  // 00:00 UTC
  EXPECT_EQ(h.p->Health().daily_calls_remaining, 3);
  h.fake->script.push_back(ResourceExhaustedError("per day")
                               .WithProvider("yahoo", 200)
                               .WithRetryAfter(static_cast<double>(kSecondsPerDay)));
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(h.p->Health().daily_calls_remaining, 0) << "learned from the answer";
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kResourceExhausted, "daily call budget spent"));
  EXPECT_EQ(h.fake->calls, 4);
  // A per-minute throttle is not the day's.
  h.clock.Set(day + 2 * kSecondsPerDay);
  h.fake->script.push_back(
      ResourceExhaustedError("per minute").WithProvider("yahoo", 429).WithRetryAfter(60));
  EXPECT_THAT(h.Call(), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(h.p->Health().daily_calls_remaining, 2);
  // A History of two upstream calls (two months of intraday) takes two,
  // once the minute's throttle has passed.
  h.clock.Advance(61);
  HistoryResponse two = Ok();
  two.http_calls = 2;
  h.fake->script.push_back(two);
  ASSERT_OK(h.Call());
  EXPECT_EQ(h.p->Health().daily_calls_remaining, 0);
}

// Binance meters request weight (6000 a minute; a klines page weighs 2,
// facts): the weight bucket, not the call bucket, bounds a run of calls; the
// pages after the first are charged after the call; and a provider that
// reports more weight used this minute (X-MBX-USED-WEIGHT-1M: another
// process on the IP) than finex counted slows finex down to what is left.
TEST(ResilientProvider, BinanceCountsRequestWeight) {
  ResilienceOptions o;
  o.limiter = {1e6, 1e6};  // calls: no limit to speak of
  Harness h(o, ProviderId::kBinance);
  const int64_t minute = FloorDiv(h.clock.Now(), 60);
  auto page = [](int pages) {
    HistoryResponse r = Ok();
    r.http_calls = pages;
    return r;
  };
  // 3000 one-page calls fit the minute (weight 2 each), back to back.
  for (int i = 0; i < 3000; ++i) {
    h.fake->script.push_back(page(1));
    ASSERT_OK(h.Call()) << i;
  }
  EXPECT_TRUE(h.sleeps.empty()) << "a minute's weight may be used at once";
  // The next waits for the refill: 2 weight at 100 per second = 20 ms.
  h.fake->script.push_back(page(1));
  ASSERT_OK(h.Call());
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_NEAR(static_cast<double>(h.sleeps[0]), 20000, 1);

  // A full bucket again; one History of 1000 pages is charged 2000 after it.
  h.clock.Advance(120);
  h.sleeps.clear();
  h.fake->script.push_back(page(1000));
  ASSERT_OK(h.Call());
  for (int i = 0; i < 2000; ++i) {  // the other 4000 of the minute
    h.fake->script.push_back(page(1));
    ASSERT_OK(h.Call()) << i;
  }
  EXPECT_TRUE(h.sleeps.empty());
  h.fake->script.push_back(page(1));
  ASSERT_OK(h.Call());
  EXPECT_EQ(h.sleeps.size(), 1u) << "the pages were counted";

  // Another process used 5990 of this minute's 6000: after the call that
  // reports it, at most 10 are left (five calls), so the seventh call waits.
  h.clock.Advance(120);
  h.sleeps.clear();
  h.fake->reported = {5990, FloorDiv(h.clock.Now(), 60)};
  for (int i = 0; i < 7; ++i) {
    h.fake->script.push_back(page(1));
    ASSERT_OK(h.Call()) << i;
  }
  EXPECT_EQ(h.sleeps.size(), 1u);
  // A report from an earlier minute is not this minute's.
  h.clock.Advance(120);
  h.sleeps.clear();
  h.fake->reported = {5990, minute};
  for (int i = 0; i < 100; ++i) {
    h.fake->script.push_back(page(1));
    ASSERT_OK(h.Call()) << i;
  }
  EXPECT_TRUE(h.sleeps.empty());
  // Yahoo has no weight budget: the call bucket alone.
  EXPECT_EQ(FactsOf(ProviderId::kYahoo).weight_per_minute, 0);
}

}  // namespace
}  // namespace finex::provider
