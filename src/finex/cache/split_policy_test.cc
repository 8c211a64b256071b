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
  EXPECT_EQ(stale, (std::vector<std::string>{"july-fetched-before", "july-fetched-ex-date-premarket",
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

}  // namespace
}  // namespace finex::cache
