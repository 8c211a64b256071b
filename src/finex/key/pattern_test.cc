#include "finex/key/pattern.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "finex/core/symbol.h"
#include "finex/key/cache_key.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::key {
namespace {

using ::finex::testing::StatusIs;

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = {
      "finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1",
      "finex:AAPL:1d:1706918400:1709337600:yahoo:usd:ohlcv+adj_close_v1",
      "finex:AAPL:1h:1704067200:1704153600:twelve_data:usd:ohlcv_v1",
      "finex:AAPL:1d:1704067200:1706918400:alpha_vantage:eur:empty_v1",
      "finex:AAPL.L:1d:1704067200:1706918400:yahoo:gbp:ohlcv_v1",
      "finex:AAPLX:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1",
      "finex:MSFT:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1",
      "finex:BTC/USDT:1m:1704067200:1704070800:binance:usdt:ohlcv_v1",
  };
  return keys;
}

std::vector<std::string> MatchesOf(const Pattern& p) {
  std::vector<std::string> out;
  for (const std::string& k : Keys()) {
    if (p.Matches(k)) {
      EXPECT_EQ(k.rfind(p.scan_prefix(), 0), 0u) << "match outside the scan prefix: " << k;
      out.push_back(k);
    }
  }
  return out;
}

TEST(PatternTest, SymbolPatternNeverTouchesOtherSymbols) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse("finex:AAPL:*"));
  EXPECT_EQ(p.scan_prefix(), "finex:AAPL:");
  EXPECT_TRUE(p.prefix_only());
  EXPECT_FALSE(p.is_exact());
  const auto m = MatchesOf(p);
  ASSERT_EQ(m.size(), 4u);
  for (const std::string& k : m) EXPECT_EQ(k.rfind("finex:AAPL:", 0), 0u) << k;
  EXPECT_FALSE(p.Matches("finex:AAPL.L:1d:1:2:yahoo:gbp:ohlcv_v1"));
  EXPECT_FALSE(p.Matches("finex:AAPLX:1d:1:2:yahoo:usd:ohlcv_v1"));
  EXPECT_FALSE(p.Matches("finex:AAPL"));
}

TEST(PatternTest, SeriesPattern) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse("finex:AAPL:1d:*"));
  EXPECT_EQ(p.scan_prefix(), "finex:AAPL:1d:");
  EXPECT_TRUE(p.prefix_only());
  EXPECT_EQ(MatchesOf(p).size(), 3u);
}

TEST(PatternTest, MidPatternWildcardFiltersWithinTheScan) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse("finex:*:1d:*"));
  EXPECT_EQ(p.scan_prefix(), "finex:");
  EXPECT_FALSE(p.prefix_only());
  EXPECT_EQ(MatchesOf(p).size(), 6u);
  ASSERT_OK_AND_ASSIGN(Pattern q, Pattern::Parse("finex:AAPL:*:*:*:yahoo:*"));
  EXPECT_EQ(q.scan_prefix(), "finex:AAPL:");
  EXPECT_EQ(MatchesOf(q).size(), 2u);
  ASSERT_OK_AND_ASSIGN(Pattern r, Pattern::Parse("finex:AAPL:1d:*:*:*:*:empty_v1"));
  EXPECT_EQ(MatchesOf(r), std::vector<std::string>{Keys()[3]});
  ASSERT_OK_AND_ASSIGN(Pattern c, Pattern::Parse("finex:*:*:*:*:*:usdt:*"));
  EXPECT_EQ(MatchesOf(c), std::vector<std::string>{Keys()[7]});
}

TEST(PatternTest, EverythingIsExplicit) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse("finex:*"));
  EXPECT_EQ(p.scan_prefix(), "finex:");
  EXPECT_TRUE(p.prefix_only());
  EXPECT_EQ(MatchesOf(p).size(), Keys().size());
  EXPECT_FALSE(p.Matches("other:AAPL"));
}

TEST(PatternTest, ExactKey) {
  ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse(Keys()[0]));
  EXPECT_TRUE(p.is_exact());
  EXPECT_FALSE(p.prefix_only());
  EXPECT_EQ(p.scan_prefix(), Keys()[0]);
  EXPECT_EQ(MatchesOf(p), std::vector<std::string>{Keys()[0]});
  // A key that merely extends the exact key's text is not the same key.
  EXPECT_FALSE(p.Matches(Keys()[0] + "0"));
  EXPECT_FALSE(p.Matches(Keys()[0] + ":x"));
}

TEST(PatternTest, HostilePatternsAreRejected) {
  std::vector<std::string> bad = {
      "",
      "*",
      "**",
      "finex",
      "finex:",
      "finex:AAPL",
      "finex:AAPL:1d",
      "finex:AAP*",
      "finex:AAPL*",
      "finex:AAPL:*x",
      "finex:AAPL?:*",
      "finex:[A]APL:*",
      "finex:AAPL\\:*",
      "finex:../etc:*",
      "finex:./AAPL:*",
      "finex:A..B:*",
      "finex:AAPL :*",
      "finex: AAPL:*",
      "finex:AA\tPL:*",
      "finex:AAPL:*\n",
      std::string("finex:AA\0PL:*", 13),
      "finex:AAPL\xc3\xa9:*",
      "FINEX:AAPL:*",
      "finex:AAPL:1wk:*",
      "finex:AAPL:1d:01:*",
      "finex:AAPL:1d:x:*",
      "finex:AAPL:1d:*:*:Yahoo:*",
      "finex:AAPL:1d:*:*:*:USD:*",
      "finex:AAPL:1d:*:*:*:*:ohlcv",
      "finex:AAPL:1d:*:*:*:*:ohlcv_v2",
      "finex:AAPL:1d:*:*:*:*:adj_close+ohlcv_v1",
      "finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1:*",
      "finex:AAPL::*",
      "finex::*",
      "redis:AAPL:*",
      "/finex:AAPL:*",
      "finex:" + std::string(10 * 1024, 'A') + ":*",
      std::string(10 * 1024, '*'),
  };
  for (const std::string& text : bad) {
    auto r = Pattern::Parse(text);
    ASSERT_FALSE(r.ok()) << "accepted: " << text << " prefix=" << r->scan_prefix();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(r.status().details().param, "pattern") << text;
    const Status st = r.status();
    EXPECT_LT(st.message().size(), 400u);
    for (char c : st.message()) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << text;
  }
}

TEST(PatternTest, ErrorsNameThePart) {
  EXPECT_THAT(Pattern::Parse("finex:AAPL:7x:*"),
              StatusIs(StatusCode::kInvalidArgument, "part 2 (interval)"));
  EXPECT_THAT(Pattern::Parse("finex:AAP*"),
              StatusIs(StatusCode::kInvalidArgument, "'*' must stand alone"));
  EXPECT_THAT(Pattern::Parse("*"),
              StatusIs(StatusCode::kInvalidArgument, "must start with 'finex:'"));
  EXPECT_THAT(Pattern::Parse("finex:AAPL"),
              StatusIs(StatusCode::kInvalidArgument, "end with ':*'"));
}

TEST(PatternPropertyTest, PrefixOnlyPatternsAgreeWithPrefixAndKeysOfOtherSymbolsNeverMatch) {
  std::mt19937_64 rng(finex::testing::TestSeed());
  const std::string alphabet = "ABCab01.^=-/_&";
  auto sym = [&] {
    std::string s(1, "ABCab"[rng() % 5]);
    const int n = rng() % 6;
    for (int i = 0; i < n; ++i) s.push_back(alphabet[rng() % alphabet.size()]);
    return s;
  };
  for (int iter = 0; iter < 5000; ++iter) {
    CacheKey k;
    k.symbol = sym();
    if (!ValidateSymbol(k.symbol).ok()) continue;
    k.interval = kAllIntervals[rng() % 8];
    k.start_ts = static_cast<Timestamp>(rng() % 2000000000);
    k.end_ts = k.start_ts + static_cast<Timestamp>(rng() % 1000000);
    k.provider = rng() % 2 ? "yahoo" : "binance";
    k.currency = rng() % 2 ? "usd" : "usdt";
    k.fields = FieldSet(static_cast<uint8_t>(rng() % 8));
    ASSERT_OK_AND_ASSIGN(std::string key, k.Encode());
    const std::string other = rng() % 3 == 0 ? k.symbol : sym();
    if (!ValidateSymbol(other).ok()) continue;
    ASSERT_OK_AND_ASSIGN(Pattern p, Pattern::Parse("finex:" + other + ":*"));
    ASSERT_EQ(p.Matches(key), other == k.symbol) << other << " vs " << key;
    ASSERT_EQ(key.rfind(p.scan_prefix(), 0) == 0, other == k.symbol) << other << " vs " << key;
    ASSERT_OK_AND_ASSIGN(Pattern s, Pattern::Parse("finex:" + k.symbol + ":" +
                                                   std::string(IntervalName(k.interval)) + ":*"));
    ASSERT_TRUE(s.Matches(key));
    ASSERT_OK_AND_ASSIGN(Pattern e, Pattern::Parse(key));
    ASSERT_TRUE(e.Matches(key));
  }
}

}  // namespace
}  // namespace finex::key
