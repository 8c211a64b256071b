// The facts headers are the one place of each provider fact: every adapter's
// Limits(), quota, base URL and wire intervals must be exactly its facts.
#include <gtest/gtest.h>

#include <memory>

#include "finex/provider/binance/binance_provider.h"
#include "finex/provider/factory.h"
#include "finex/provider/provider.h"
#include "finex/provider/traits.h"
#include "finex/provider/twelve_data/twelve_data_provider.h"
#include "finex/provider/yahoo/yahoo_provider.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_http_client.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

TEST(ProviderFacts, EveryAdapterReadsItsFacts) {
  testing::FakeHttpClient http;
  testing::FakeClock clock;
  for (ProviderId id : kAllProviders) {
    const ProviderFacts& f = FactsOf(id);
    SCOPED_TRACE(std::string(ProviderName(id)));
    EXPECT_EQ(f.id, id);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Provider> p, OpenProvider(id, {}, http, clock));
    EXPECT_EQ(p->calls_per_minute(), f.calls_per_minute);
    EXPECT_EQ(DefaultBaseUrl(id), f.default_base_url);
    for (Interval iv : kAllIntervals) {
      SCOPED_TRACE(std::string(IntervalName(iv)));
      const CallLimits l = p->Limits(iv);
      const IntervalReach& r = ReachOf(f.reach, iv);
      EXPECT_EQ(l.supported, r.supported);
      EXPECT_EQ(l.max_span_s, r.max_span_s);
      EXPECT_EQ(l.max_lookback_s, r.max_lookback_s);
      EXPECT_EQ(l.max_rows, f.max_rows_per_call);
      EXPECT_EQ(l.whole_history, f.whole_daily_history_per_call && !IsIntraday(iv));
    }
  }
}

TEST(ProviderFacts, WireIntervalsAreTheFacts) {
  for (Interval iv : kAllIntervals) {
    EXPECT_EQ(yahoo::WireInterval(iv), WireName(yahoo::kFacts.intervals, iv));
    EXPECT_EQ(binance::WireInterval(iv), WireName(binance::kFacts.intervals, iv));
    EXPECT_EQ(twelve_data::WireInterval(iv), WireName(twelve_data::kFacts.intervals, iv));
    // Every spelling maps back to its interval.
    for (ProviderId id : kAllProviders) {
      const WireNames& names = FactsOf(id).intervals;
      if (WireName(names, iv).empty()) continue;
      EXPECT_EQ(IntervalOfWire(names, WireName(names, iv)), iv) << ProviderName(id);
    }
  }
  EXPECT_EQ(yahoo::WireInterval(Interval::k1w), "1wk");
  EXPECT_EQ(binance::WireInterval(Interval::k1mo), "1M");
  EXPECT_EQ(twelve_data::WireInterval(Interval::k1d), "1day");
  EXPECT_EQ(IntervalOfWire(alpha_vantage::kFacts.intervals, "60min"), Interval::k1h);
  EXPECT_EQ(IntervalOfWire(alpha_vantage::kFacts.intervals, ""), std::nullopt);
  EXPECT_EQ(IntervalOfWire(yahoo::kFacts.intervals, "1h"), std::nullopt);  // an alias only
}

TEST(ProviderFacts, TraitsComeFromTheFacts) {
  for (ProviderId id : kAllProviders) {
    const ProviderFacts& f = FactsOf(id);
    const ProviderTraits& t = TraitsOf(id);
    EXPECT_EQ(t.restates_ohlc_on_split, f.restates_ohlc_on_split);
    EXPECT_EQ(t.whole_daily_history_per_call, f.whole_daily_history_per_call);
    EXPECT_EQ(t.needs_api_key, f.needs_api_key);
    EXPECT_EQ(t.api_key_env, f.api_key_env);
    EXPECT_EQ(t.calls_per_minute, f.calls_per_minute);
    // A provider that needs a key names where finex reads it.
    EXPECT_EQ(t.needs_api_key, !t.api_key_env.empty()) << ProviderName(id);
  }
  EXPECT_FALSE(TraitsOf(ProviderId::kAlphaVantage).restates_ohlc_on_split);
  EXPECT_TRUE(TraitsOf(ProviderId::kYahoo).restates_ohlc_on_split);
  EXPECT_TRUE(TraitsOf(ProviderId::kAlphaVantage).whole_daily_history_per_call);
  EXPECT_EQ(TraitsOf(ProviderId::kTwelveData).api_key_env, "FINEX_TWELVE_DATA_KEY");
  EXPECT_FALSE(TraitsOf(ProviderId::kYahoo).needs_api_key);
}

TEST(ProviderFacts, QuirksThePlannerReliesOn) {
  // Yahoo 1m: 7 days per request within the last 30 days.
  EXPECT_EQ(ReachOf(yahoo::kFacts.reach, Interval::k1m).max_span_s, 7 * kSecondsPerDay);
  EXPECT_EQ(ReachOf(yahoo::kFacts.reach, Interval::k1h).max_lookback_s, 730 * kSecondsPerDay);
  EXPECT_EQ(binance::kFacts.max_rows_per_call, 1000);
  EXPECT_EQ(twelve_data::kFacts.max_rows_per_call, 5000);
  EXPECT_FALSE(ReachOf(coingecko::kFacts.reach, Interval::k1m).supported);
  EXPECT_EQ(ReachOf(coingecko::kFacts.reach, Interval::k1d).max_lookback_s,
            coingecko::kPublicHistoryS);
  EXPECT_EQ(alpha_vantage::SeriesFunction(Interval::k1w), "TIME_SERIES_WEEKLY");
  EXPECT_EQ(alpha_vantage::SeriesFunction(Interval::k5m), "");
}

}  // namespace
}  // namespace finex::provider
