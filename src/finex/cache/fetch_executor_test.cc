#include "finex/cache/fetch_executor.h"

#include <gtest/gtest.h>

#include "finex/backend/memory/memory_backend.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/cache_pieces.h"
#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;
using finex::testing::FakeProvider;

Timestamp T(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

// A provider that answers in euros.
class EuroProvider final : public provider::Provider {
 public:
  EuroProvider(const calendar::Calendar& cal, Clock& clock)
      : inner_(provider::ProviderId::kTwelveData, cal, clock) {}
  provider::ProviderId id() const override { return provider::ProviderId::kTwelveData; }
  Result<provider::HistoryResponse> History(const provider::HistoryRequest& req) override {
    auto r = inner_.History(req);
    if (r.ok()) r->currency = "eur";
    return r;
  }
  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> s) override {
    return inner_.Quote(s);
  }
  Result<std::vector<SearchResult>> Search(std::string_view q) override { return inner_.Search(q); }
  provider::CallLimits Limits(Interval iv) const override { return inner_.Limits(iv); }
  double calls_per_minute() const override { return 1e6; }
  bool Handles(std::string_view) const override { return true; }
  int calls() const { return inner_.history_calls(); }

 private:
  FakeProvider inner_;
};

class FetchExecutorTest : public ::testing::Test {
 protected:
  FetchExecutorTest() {
    mem = finex::testing::NewTestMemoryBackend(clock);
    codec = codec::NewParquetCodec();
    store = std::make_unique<FragmentStore>(*mem, *codec, FragmentStoreOptions{});
    ingester = std::make_unique<Ingester>(*store, stats, IngestOptions{});
  }
  // Plans `pr` over the store and executes it with `roster` (one executor
  // per roster, kept: it holds the currency negative cache).
  Status Run(const ProviderRoster& roster, const fragment::PlanRequest& pr, FetchOutcome* out) {
    if (!fx || fx_roster != &roster) {
      fx = std::make_unique<FetchExecutor>(roster, planner, *ingester, stats, executor, clock, 4);
      fx_roster = &roster;
    }
    auto snap = store->Snapshot(pr.symbol, pr.interval);
    fragment::Plan plan = planner.Build(pr, *snap.fragments, cal, clock.Now(),
                                        roster.Candidates(pr.symbol, pr.interval));
    return fx->Execute(plan, pr, cal, out);
  }
  fragment::PlanRequest Req(std::string currency = "") {
    fragment::PlanRequest pr;
    pr.symbol = "AAPL";
    pr.interval = Interval::k1d;
    pr.range = {T(2024, 3, 1), T(2024, 4, 1)};
    pr.currency = std::move(currency);
    return pr;
  }

  FakeClock clock{T(2024, 6, 15)};
  FakeCalendar cal;
  std::unique_ptr<backend::Backend> mem;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<FragmentStore> store;
  StatsRecorder stats;
  std::unique_ptr<Ingester> ingester;
  std::unique_ptr<FetchExecutor> fx;
  const ProviderRoster* fx_roster = nullptr;
  fragment::Planner planner;
  Executor executor{2};
  FakeProvider yahoo{provider::ProviderId::kYahoo, cal, clock};
  FakeProvider av{provider::ProviderId::kAlphaVantage, cal, clock};
};

TEST_F(FetchExecutorTest, AFailingProviderFallsBackAndEverythingIsStored) {
  yahoo.SetFailure(UnavailableError("down"));
  ProviderRoster roster({{&yahoo, {}}, {&av, {}}});
  FetchOutcome out;
  ASSERT_OK(Run(roster, Req(), &out));
  EXPECT_EQ(out.api_calls, 2);
  EXPECT_EQ(out.providers, std::vector<std::string>{"alpha_vantage"});
  EXPECT_FALSE(store->Snapshot("AAPL", Interval::k1d).fragments->empty());
  CacheStats s;
  stats.Fill(&s);
  EXPECT_EQ(s.api_calls, 2u);
}

// The fallback is re-planned for its own limits, all of them: Alpha Vantage's
// intraday calls answer one calendar month each (month_per_call), so a
// window over a month boundary costs one call per month, never one call
// across the boundary (which it refuses).
TEST_F(FetchExecutorTest, TheFallbackIsReplannedWithItsMonthPerCallLimit) {
  yahoo.SetFailure(UnavailableError("down"));
  av.UseFactsLimits();
  ASSERT_TRUE(av.Limits(Interval::k1h).month_per_call);
  ProviderRoster roster({{&yahoo, {}}, {&av, {}}});
  fragment::PlanRequest pr = Req();
  pr.interval = Interval::k1h;
  pr.range = {T(2024, 3, 20), T(2024, 4, 10)};
  FetchOutcome out;
  ASSERT_OK(Run(roster, pr, &out));
  EXPECT_EQ(out.providers, std::vector<std::string>{"alpha_vantage"});
  const std::vector<TimeRange> asked = av.requests();
  ASSERT_EQ(asked.size(), 2u);
  for (const TimeRange& r : asked) {
    const CivilDate first = CivilFromDays(DayOf(r.start));
    const CivilDate last = CivilFromDays(DayOf(r.end - 1));
    EXPECT_EQ(first.month, last.month) << FormatIsoUtc(r.start) << " .. " << FormatIsoUtc(r.end);
  }
}

TEST_F(FetchExecutorTest, ABadRequestStopsTheFallback) {
  yahoo.SetFailure(InvalidArgumentError("bad interval"));
  ProviderRoster roster({{&yahoo, {}}, {&av, {}}});
  FetchOutcome out;
  EXPECT_EQ(Run(roster, Req(), &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(av.history_calls(), 0);
}

TEST_F(FetchExecutorTest, ACurrencyTheProviderDoesNotServeIsRememberedForADay) {
  EuroProvider euro(cal, clock);
  ProviderRoster roster(std::vector<ProviderSlot>{{&euro, {}}});
  FetchOutcome out;
  Status st = Run(roster, Req("usd"), &out);
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(st.details().param, "currency");
  EXPECT_EQ(euro.calls(), 1);
  FetchOutcome again;
  EXPECT_EQ(Run(roster, Req("usd"), &again).code(), StatusCode::kUnimplemented);
  EXPECT_EQ(euro.calls(), 1) << "no repeat call within a day";
  EXPECT_EQ(again.api_calls, 0);
  // The euro bars were stored under their own currency: a native request is a hit.
  auto snap = store->Snapshot("AAPL", Interval::k1d);
  ASSERT_FALSE(snap.fragments->empty());
  EXPECT_EQ((*snap.fragments)[0]->currency(), "eur");
}

TEST(FetchFields, AlwaysCarryOhlcvAndAdjClose) {
  EXPECT_TRUE(FetchFields(FieldSet(FieldSet::kMarketCap))
                  .Contains(FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)));
  EXPECT_TRUE(FetchFields(FieldSet::All()).Contains(FieldSet::All()));
}

}  // namespace
}  // namespace finex::cache
