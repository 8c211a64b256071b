#include <gtest/gtest.h>

#include "finex/provider/factory.h"
#include "finex/provider/provider.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_http_client.h"
#include "tests/testutil/status_matchers.h"

namespace finex::provider {
namespace {

using testing::StatusIs;

TEST(ProviderNames, RoundTrip) {
  for (ProviderId id : kAllProviders) {
    ASSERT_OK_AND_ASSIGN(ProviderId back, ParseProviderId(ProviderName(id)));
    EXPECT_EQ(back, id);
  }
  EXPECT_EQ(ProviderName(ProviderId::kAlphaVantage), "alpha_vantage");
  Result<ProviderId> bad = ParseProviderId("Yahoo");
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument, "not one of"));
  EXPECT_EQ(bad.status().details().param, "provider");
}

TEST(ProviderFactory, OpensEveryProviderAndValidatesConfig) {
  testing::FakeHttpClient http;
  testing::FakeClock clock;
  for (ProviderId id : kAllProviders) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Provider> p, OpenProvider(id, {}, http, clock));
    EXPECT_EQ(p->id(), id);
    EXPECT_EQ(p->name(), ProviderName(id));
    EXPECT_GT(p->calls_per_minute(), 0);
  }
  Result<std::unique_ptr<Provider>> bad_url =
      OpenProvider(ProviderId::kYahoo, {"ftp://x", "", 5000}, http, clock);
  EXPECT_THAT(bad_url, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad_url.status().details().param, "base_url");
  EXPECT_THAT(OpenProvider(ProviderId::kYahoo, {"", "", 0}, http, clock),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(DefaultBaseUrl(ProviderId::kBinance), "https://api.binance.com");
}

TEST(ProviderFactory, HandlesSplitsTheSymbolSpace) {
  testing::FakeHttpClient http;
  testing::FakeClock clock;
  auto yahoo = NewYahooProvider({}, http, clock);
  auto binance = NewBinanceProvider({}, http, clock);
  auto av = NewAlphaVantageProvider({}, http, clock);
  auto td = NewTwelveDataProvider({}, http, clock);
  auto cg = NewCoinGeckoProvider({}, http, clock);
  EXPECT_TRUE(yahoo->Handles("AAPL") && yahoo->Handles("^GSPC") && yahoo->Handles("EURUSD=X"));
  EXPECT_TRUE(binance->Handles("BTCUSDT") && !binance->Handles("AAPL"));
  EXPECT_TRUE(av->Handles("AAPL") && av->Handles("EUR/USD") && !av->Handles("EURUSD=X") &&
              !av->Handles("^GSPC"));
  EXPECT_TRUE(td->Handles("AAPL") && td->Handles("EUR/USD") && td->Handles("BTC/USD") &&
              !td->Handles("EURUSD=X"));
  EXPECT_TRUE(cg->Handles("bitcoin") && cg->Handles("ETH") && !cg->Handles("AAPL"));
}

}  // namespace
}  // namespace finex::provider
