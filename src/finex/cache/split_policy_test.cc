#include "finex/cache/split_policy.h"

#include <gtest/gtest.h>

namespace finex::cache {
namespace {

constexpr Timestamp kEx = 1598832000;  // 2020-08-31, AAPL's 4:1 split ex-date
constexpr Timestamp kDay = 86400;

provider::CorporateAction Split() {
  provider::CorporateAction a;
  a.kind = provider::CorporateAction::Kind::kSplit;
  a.timestamp = kEx;
  a.ratio = 4;
  return a;
}

TEST(SplitPolicyTest, SplitInvalidatesOlderFragmentsWithPreSplitBars) {
  const FieldSet ohlcv = FieldSet::Ohlcv();
  const FieldSet adj = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));
  std::vector<FragmentFacts> frags = {
      {"july-fetched-before", kEx - 60 * kDay, kEx - 20 * kDay, ohlcv, true},
      {"july-fetched-after", kEx - 60 * kDay, kEx + kDay, ohlcv, true},
      {"july-fetched-ex-date-premarket", kEx - 60 * kDay, kEx + 11 * 3600, ohlcv, true},
      {"sept-only-bars-after", kEx, kEx - kDay, ohlcv, true},
      {"raw-provider-ohlcv", kEx - 60 * kDay, kEx - 20 * kDay, ohlcv, false},
      {"raw-provider-adjclose", kEx - 60 * kDay, kEx - 20 * kDay, adj, false},
  };
  auto stale = StaleAfterAction(frags, Split());
  EXPECT_EQ(stale,
            (std::vector<std::string>{"july-fetched-before", "july-fetched-ex-date-premarket",
                                      "raw-provider-adjclose"}));
}

TEST(SplitPolicyTest, DividendOnlyTouchesAdjustedClose) {
  provider::CorporateAction div;
  div.kind = provider::CorporateAction::Kind::kDividend;
  div.timestamp = kEx;
  div.amount = 0.82;
  std::vector<FragmentFacts> frags = {
      {"ohlcv", kEx - 60 * kDay, kEx - 20 * kDay, FieldSet::Ohlcv(), true},
      {"adj", kEx - 60 * kDay, kEx - 20 * kDay, FieldSet(FieldSet::kAdjClose), true},
  };
  EXPECT_EQ(StaleAfterAction(frags, div), (std::vector<std::string>{"adj"}));
}

// The ex-date: every answer reaching today reports the split again. Reported
// at t1 it drops the adjusted pieces fetched before; the pieces refetched at
// t2 > t1 stay when the same split is reported again at t3.
TEST(SplitPolicyTest, SameSplitReportedAgainDropsNothingFetchedAfterItWasKnown) {
  const FieldSet adj = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));
  const Timestamp t1 = kEx + 14 * 3600, t2 = t1 + 600,
                  t3 = t2 + 600;  // all inside the restatement window
  ActionLedger ledger;
  std::vector<FragmentFacts> frags = {
      {"1d-before", kEx - 60 * kDay, kEx - 20 * kDay, adj, true},
      {"15m-before", kEx - 5 * kDay, kEx - kDay, FieldSet::Ohlcv(), true},
  };
  const Timestamp known1 = ledger.KnownSince("SPL|yahoo", Split(), t1);
  EXPECT_EQ(known1, t1);
  EXPECT_EQ(StaleAfterAction(frags, Split(), known1),
            (std::vector<std::string>{"1d-before", "15m-before"}));

  frags = {{"1d-refetched", kEx - 60 * kDay, t2, adj, true},
           {"15m-refetched", kEx - 5 * kDay, t2, FieldSet::Ohlcv(), true},
           {"1h-fetched-before", kEx - 5 * kDay, t1 - 60, FieldSet::Ohlcv(), true}};
  const Timestamp known3 = ledger.KnownSince("SPL|yahoo", Split(), t3);
  EXPECT_EQ(known3, t1) << "the first report counts";
  EXPECT_EQ(StaleAfterAction(frags, Split(), known3),
            (std::vector<std::string>{"1h-fetched-before"}));
  // Without the ledger every piece fetched inside the window would go again.
  EXPECT_EQ(StaleAfterAction(frags, Split()).size(), 3u);
  // Another series, or another action, is new.
  EXPECT_EQ(ledger.KnownSince("OTHER|yahoo", Split(), t3), t3);
  provider::CorporateAction div;
  div.kind = provider::CorporateAction::Kind::kDividend;
  div.timestamp = kEx;
  EXPECT_EQ(ledger.KnownSince("SPL|yahoo", div, t3), t3);
  // An earlier fetch reporting it (answers stored out of order) moves it back.
  EXPECT_EQ(ledger.KnownSince("SPL|yahoo", Split(), t1 - 30), t1 - 30);
}

}  // namespace
}  // namespace finex::cache
