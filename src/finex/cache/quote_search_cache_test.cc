#include <gtest/gtest.h>

#include "finex/cache/quote_cache.h"
#include "finex/cache/search_cache.h"
#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;
using finex::testing::FakeProvider;

class LookupTest : public ::testing::Test {
 protected:
  FakeClock clock{1718400000};
  FakeCalendar cal;
  FakeProvider yahoo{provider::ProviderId::kYahoo, cal, clock};
  FakeProvider av{provider::ProviderId::kAlphaVantage, cal, clock};
  ProviderRoster roster{{{&yahoo, {}}, {&av, {}}}};
  StatsRecorder stats;
  QuoteCache quotes{roster, stats, clock, {}};
  SearchCache searches{roster, stats, clock, {}};
  std::vector<std::string> syms{"AAPL", "MSFT"};
};

TEST_F(LookupTest, QuotesAreCachedForTheirTtlThenAskedAgain) {
  ASSERT_OK_AND_ASSIGN(QuoteResult first, quotes.Get(syms, {}));
  EXPECT_EQ(first.quotes.size(), 2u);
  EXPECT_EQ(first.info.api_calls_made, 1) << "one batch call";
  ASSERT_OK_AND_ASSIGN(QuoteResult again, quotes.Get(syms, {}));
  EXPECT_EQ(again.info.api_calls_made, 0);
  EXPECT_EQ(again.info.hit_rate, 1.0);
  clock.Advance(fragment::QuoteTtl());
  ASSERT_OK_AND_ASSIGN(QuoteResult expired, quotes.Get(syms, {}));
  EXPECT_EQ(expired.info.api_calls_made, 1);
  EXPECT_EQ(yahoo.quote_calls(), 2);
}

TEST_F(LookupTest, AnUnknownSymbolIsAskedOfTheNextProviderAndNamed) {
  yahoo.SetUnknown({"MSFT"});
  av.SetUnknown({"MSFT"});
  ASSERT_OK_AND_ASSIGN(QuoteResult r, quotes.Get(syms, {}));
  ASSERT_EQ(r.quotes.size(), 1u);
  EXPECT_EQ(av.quote_calls(), 1);
  EXPECT_NE(r.info.note.find("MSFT"), std::string::npos);
  const std::vector<std::string> none{"MSFT"};
  EXPECT_EQ(quotes.Get(none, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(LookupTest, ExpiredQuotesAreServedStaleWhenProvidersFail) {
  ASSERT_OK(quotes.Get(syms, {}).status());
  clock.Advance(60);
  yahoo.SetFailure(UnavailableError("down"));
  av.SetFailure(UnavailableError("down"));
  ASSERT_OK_AND_ASSIGN(QuoteResult r, quotes.Get(syms, {}));
  EXPECT_TRUE(r.info.stale);
  EXPECT_EQ(r.quotes.size(), 2u);
  const std::vector<std::string> never{"NFLX"};
  EXPECT_EQ(quotes.Get(never, {}).status().code(), StatusCode::kUnavailable);
}

TEST_F(LookupTest, SearchesAreCachedByLowerCasedQueryAndLimited) {
  ASSERT_OK_AND_ASSIGN(SearchResults first, searches.Get("Apple", {}));
  ASSERT_EQ(first.results.size(), 1u);
  ASSERT_OK_AND_ASSIGN(SearchResults again, searches.Get("apple", {}));
  EXPECT_EQ(again.info.api_calls_made, 0);
  EXPECT_EQ(yahoo.search_calls(), 1);
  SearchOptions zero;
  zero.limit = 0;  // = 20
  EXPECT_EQ(searches.Get("apple", zero)->results.size(), 1u);
}

TEST_F(LookupTest, SearchFallsBackThenServesStale) {
  yahoo.SetFailure(UnavailableError("down"));
  ASSERT_OK_AND_ASSIGN(SearchResults r, searches.Get("apple", {}));
  EXPECT_EQ(r.results[0].provider, "alpha_vantage");
  clock.Advance(2 * kSecondsPerDay);
  av.SetFailure(UnavailableError("down"));
  ASSERT_OK_AND_ASSIGN(SearchResults stale, searches.Get("apple", {}));
  EXPECT_TRUE(stale.info.stale);
  SearchOptions named;
  named.provider = "yahoo";
  EXPECT_EQ(searches.Get("msft", named).status().code(), StatusCode::kUnavailable);
}

TEST_F(LookupTest, LookupsAreCounted) {
  ASSERT_OK(quotes.Get(syms, {}).status());
  ASSERT_OK(quotes.Get(syms, {}).status());
  CacheStats s;
  stats.Fill(&s);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.api_calls, 1u);
}

}  // namespace
}  // namespace finex::cache
