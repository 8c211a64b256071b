#include "finex/cache/request.h"

#include <gtest/gtest.h>

#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;
using finex::testing::FakeProvider;

class RequestTest : public ::testing::Test {
 protected:
  FakeClock clock{1718400000};  // 2024-06-14 21:20 UTC
  FakeCalendar cal;
  FakeProvider yahoo{provider::ProviderId::kYahoo, cal, clock};
  ProviderRoster roster{{{&yahoo, {}}}};
  std::vector<std::string> aapl{"AAPL"};
};

TEST_F(RequestTest, SymbolsAreCheckedForCountRepeatsAndGrammar) {
  EXPECT_OK(ValidateSymbols(aapl, 1));
  EXPECT_EQ(ValidateSymbols({}, 5).details().param, "symbols");
  const std::vector<std::string> two{"AAPL", "MSFT"};
  EXPECT_EQ(ValidateSymbols(two, 1).details().param, "symbols");
  const std::vector<std::string> dup{"AAPL", "AAPL"};
  EXPECT_EQ(ValidateSymbols(dup, 5).code(), StatusCode::kInvalidArgument);
  const std::vector<std::string> bad{"AA PL\n"};
  EXPECT_FALSE(ValidateSymbols(bad, 5).ok());
}

TEST_F(RequestTest, DefaultsAreAYearEndingNow) {
  ASSERT_OK_AND_ASSIGN(HistoryQuery q, ResolveHistory(aapl, {}, clock.Now(), 10, roster));
  EXPECT_EQ(q.end, clock.Now());
  EXPECT_EQ(q.start, clock.Now() - 365 * kSecondsPerDay);
  EXPECT_EQ(q.range, (TimeRange{q.start, q.end + 1}));
}

TEST_F(RequestTest, PeriodResolvesAgainstTheEndAndExcludesStart) {
  HistoryOptions o;
  o.period = "5d";
  ASSERT_OK_AND_ASSIGN(HistoryQuery q, ResolveHistory(aapl, o, clock.Now(), 10, roster));
  EXPECT_EQ(q.start, clock.Now() - 5 * kSecondsPerDay);
  o.start = q.start;
  EXPECT_EQ(ResolveHistory(aapl, o, clock.Now(), 10, roster).status().details().param, "period");
  HistoryOptions bad;
  bad.period = "7 fortnights";
  EXPECT_EQ(ResolveHistory(aapl, bad, clock.Now(), 10, roster).status().details().param, "period");
}

TEST_F(RequestTest, ProviderCurrencyAndFieldsAreValidated) {
  HistoryOptions o;
  o.provider = "binance";  // not configured here
  auto r = ResolveHistory(aapl, o, clock.Now(), 10, roster);
  EXPECT_EQ(r.status().details().param, "provider");
  EXPECT_NE(r.status().message().find("yahoo"), std::string::npos) << "names the configured ones";
  HistoryOptions c;
  c.currency = "EUR";
  ASSERT_OK_AND_ASSIGN(HistoryQuery q, ResolveHistory(aapl, c, clock.Now(), 10, roster));
  EXPECT_EQ(q.currency, "eur");
  c.currency = "e$r";
  EXPECT_FALSE(ResolveHistory(aapl, c, clock.Now(), 10, roster).ok());
  HistoryOptions f;
  f.fields = FieldSet();
  EXPECT_EQ(ResolveHistory(aapl, f, clock.Now(), 10, roster).status().details().param, "fields");
}

TEST_F(RequestTest, StartAfterEndIsRefused) {
  HistoryOptions o;
  o.start = clock.Now();
  o.end = clock.Now() - kSecondsPerDay;
  EXPECT_FALSE(ResolveHistory(aapl, o, clock.Now(), 10, roster).ok());
}

TEST(SearchQuery, IsTrimmedAndBounded) {
  ASSERT_OK_AND_ASSIGN(std::string_view q, NormalizeSearchQuery("  apple "));
  EXPECT_EQ(q, "apple");
  EXPECT_EQ(NormalizeSearchQuery("   ").status().details().param, "q");
  EXPECT_EQ(NormalizeSearchQuery(std::string(101, 'a')).status().details().param, "q");
  EXPECT_EQ(NormalizeSearchQuery("ap\x01ple").status().details().param, "q");
}

}  // namespace
}  // namespace finex::cache
