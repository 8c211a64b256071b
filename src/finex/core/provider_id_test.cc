#include "finex/core/provider_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using testing::StatusIs;

TEST(ProviderId, NamesRoundTripAndAreDistinct) {
  std::set<std::string_view> names;
  for (ProviderId id : kAllProviders) {
    ASSERT_OK_AND_ASSIGN(ProviderId back, ParseProviderId(ProviderName(id)));
    EXPECT_EQ(back, id);
    EXPECT_TRUE(IsProviderName(ProviderName(id)));
    EXPECT_TRUE(names.insert(ProviderName(id)).second) << ProviderName(id);
  }
  EXPECT_EQ(names.size(), 5u);
  static_assert(ProviderName(ProviderId::kAlphaVantage) == "alpha_vantage");
  EXPECT_EQ(ProviderName(ProviderId::kTwelveData), "twelve_data");
}

TEST(ProviderId, ListIsInEnumOrder) {
  for (size_t i = 0; i < std::size(kAllProviders); ++i) {
    EXPECT_EQ(static_cast<size_t>(kAllProviders[i]), i);
  }
}

TEST(ProviderId, RejectsUnknownNamesListingTheKnownOnes) {
  Result<ProviderId> bad = ParseProviderId("Yahoo");
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument,
                            "is not one of yahoo binance alpha_vantage twelve_data coingecko"));
  EXPECT_EQ(bad.status().details().param, "provider");
  EXPECT_FALSE(IsProviderName(""));
  EXPECT_FALSE(IsProviderName("yahoo "));
}

TEST(ProviderId, JoinsNames) {
  EXPECT_EQ(JoinProviderNames(", "), "yahoo, binance, alpha_vantage, twelve_data, coingecko");
  EXPECT_EQ(JoinProviderNames(" ", "/"), "/yahoo /binance /alpha_vantage /twelve_data /coingecko");
}

}  // namespace
}  // namespace finex
