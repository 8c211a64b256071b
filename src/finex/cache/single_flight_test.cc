#include "finex/cache/single_flight.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

FlightTable::Need Needing(TimeRange gaps, FieldSet fields = FieldSet::Ohlcv(),
                          std::string provider = "") {
  FlightTable::Need n;
  n.fetch = true;
  n.wanted = {TimeRangeSet(gaps), fields, provider, ""};
  n.flying = {TimeRangeSet(gaps), fields.Union(FieldSet(FieldSet::kAdjClose)), provider, ""};
  return n;
}

TEST(FlightTable, TheSecondRequestForAGapWaitsForTheFirst) {
  FlightTable t;
  auto first = t.Join("AAPL", Interval::k1d, [] { return Needing({0, 100}); });
  ASSERT_TRUE(first.ticket);
  EXPECT_TRUE(first.waits.empty());
  auto second = t.Join("AAPL", Interval::k1d, [] { return Needing({50, 150}); });
  EXPECT_FALSE(second.ticket);
  ASSERT_EQ(second.waits.size(), 1u);
  std::thread lander(
      [&] { t.Land("AAPL", Interval::k1d, *first.ticket, UnavailableError("down")); });
  EXPECT_EQ(second.waits[0].get().code(), StatusCode::kUnavailable)
      << "waiters see the fetch's result";
  lander.join();
  auto third = t.Join("AAPL", Interval::k1d, [] { return Needing({50, 150}); });
  EXPECT_TRUE(third.ticket) << "a landed flight is gone";
  t.Land("AAPL", Interval::k1d, *third.ticket, OkStatus());
}

TEST(FlightTable, OnlyCompatibleFlightsAreWaitedFor) {
  FlightTable t;
  auto yahoo = t.Join("AAPL", Interval::k1d, [] {
    return Needing({0, 100}, FieldSet::Ohlcv(), "yahoo");
  });
  ASSERT_TRUE(yahoo.ticket);
  // Another series, disjoint time, other provider asked, wider fields: all fly.
  EXPECT_TRUE(t.Join("MSFT", Interval::k1d, [] { return Needing({0, 100}); }).ticket);
  EXPECT_TRUE(t.Join("AAPL", Interval::k1h, [] { return Needing({0, 100}); }).ticket);
  EXPECT_TRUE(t.Join("AAPL", Interval::k1d, [] { return Needing({100, 200}); }).ticket);
  EXPECT_TRUE(t.Join("AAPL", Interval::k1d, [] {
                 return Needing({0, 100}, FieldSet::Ohlcv(), "av");
               }).ticket);
  EXPECT_TRUE(t.Join("AAPL", Interval::k1d, [] {
                 return Needing({0, 100}, FieldSet::All());
               }).ticket);
  // Any provider, ohlcv over [0, 100): every flight of the series that meets
  // it with at least those fields (yahoo's, av's, the all-fields one).
  EXPECT_EQ(t.Join("AAPL", Interval::k1d, [] { return Needing({0, 100}); }).waits.size(), 3u);
  // Named yahoo: only yahoo's.
  EXPECT_EQ(t.Join("AAPL", Interval::k1d,
                   [] {
                     return Needing({0, 100}, FieldSet::Ohlcv(), "yahoo");
                   })
                .waits.size(),
            1u);
}

TEST(FlightTable, NothingToFetchAndMayNotFly) {
  FlightTable t;
  auto hit = t.Join("AAPL", Interval::k1d, [] { return FlightTable::Need{}; });
  EXPECT_TRUE(hit.nothing_to_fetch);
  auto rescan = t.Join("AAPL", Interval::k1d, [] {
    auto n = Needing({0, 100});
    n.may_fly = false;
    return n;
  });
  EXPECT_FALSE(rescan.nothing_to_fetch);
  EXPECT_FALSE(rescan.ticket);
  EXPECT_TRUE(rescan.waits.empty());
}

// A coordinator whose lease is always held by "another node" that finishes
// once ready() has been asked twice.
class OtherNode final : public Coordinator {
 public:
  Result<std::optional<LeaseHandle>> TryLease(std::string_view) override {
    return std::optional<LeaseHandle>();
  }
  Result<WaitOutcome> Wait(std::string_view, const std::function<Result<bool>()>& ready) override {
    for (int i = 0; i < 2; ++i) {
      FINEX_ASSIGN_OR_RETURN(bool r, ready());
      if (r) return WaitOutcome::kReady;
    }
    return WaitOutcome::kTimeout;
  }
};

class FreeLease final : public Coordinator {
 public:
  int released = 0;
  Result<std::optional<LeaseHandle>> TryLease(std::string_view name) override {
    return std::optional<LeaseHandle>(LeaseHandle{std::string(name), "t"});
  }
  void Release(const LeaseHandle&) override { ++released; }
};

TEST(NodeLease, LoneNodeFetches) {
  auto [outcome, lease] = NodeLease::Acquire(nullptr, "x", [] { return Result<bool>(true); });
  EXPECT_EQ(outcome, NodeLease::Outcome::kFetch);
}

TEST(NodeLease, WaitsForTheHolderOrFetchesItself) {
  OtherNode other;
  int asked = 0;
  auto ready_second = [&]() -> Result<bool> { return ++asked == 2; };
  EXPECT_EQ(NodeLease::Acquire(&other, "x", ready_second).first, NodeLease::Outcome::kOtherNode);
  EXPECT_EQ(NodeLease::Acquire(&other, "x", [] { return Result<bool>(false); }).first,
            NodeLease::Outcome::kFetch)
      << "a wait that times out fetches itself";
}

TEST(NodeLease, AHeldLeaseIsReleasedOnce) {
  FreeLease free;
  {
    auto [outcome, lease] = NodeLease::Acquire(&free, "x", [] { return Result<bool>(false); });
    EXPECT_EQ(outcome, NodeLease::Outcome::kFetch);
    NodeLease moved = std::move(lease);
  }
  EXPECT_EQ(free.released, 1);
}

TEST(FlightLeaseName, NamesSeriesProviderAndHull) {
  TimeRangeSet gaps(TimeRange{10, 20});
  gaps.Add({30, 40});
  EXPECT_EQ(FlightLeaseName("AAPL", Interval::k1d, "", gaps), "AAPL:1d:any:10:40");
  EXPECT_EQ(FlightLeaseName("AAPL", Interval::k1h, "yahoo", gaps), "AAPL:1h:yahoo:10:40");
}

}  // namespace
}  // namespace finex::cache
