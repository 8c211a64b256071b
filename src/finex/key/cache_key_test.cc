#include "finex/key/cache_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "finex/core/symbol.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::key {
namespace {

using ::finex::testing::StatusIs;

CacheKey Aapl() {
  CacheKey k;
  k.symbol = "AAPL";
  k.interval = Interval::k1d;
  k.start_ts = 1704067200;
  k.end_ts = 1706918400;
  k.provider = "yahoo";
  k.currency = "usd";
  k.fields = FieldSet::Ohlcv();
  return k;
}

TEST(CacheKeyTest, EncodesTheSeedExampleExactly) {
  ASSERT_OK_AND_ASSIGN(std::string s, Aapl().Encode());
  EXPECT_EQ(s, "finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1");
}

TEST(CacheKeyTest, ParsesTheSeedExample) {
  ASSERT_OK_AND_ASSIGN(CacheKey k,
                       CacheKey::Parse("finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1"));
  EXPECT_EQ(k, Aapl());
  EXPECT_EQ(k.version, 1);
  EXPECT_FALSE(k.is_empty_answer());
}

TEST(CacheKeyTest, FieldCombinationsUseCanonicalNames) {
  CacheKey k = Aapl();
  k.fields = FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose);
  ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
  EXPECT_EQ(s, "finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv+adj_close_v1");
  k.fields = FieldSet::All();
  ASSERT_OK_AND_ASSIGN(s, k.Encode());
  EXPECT_EQ(s, "finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv+adj_close+market_cap_v1");
  ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
  EXPECT_EQ(back.fields, FieldSet::All());
  k.fields = FieldSet(FieldSet::kMarketCap);
  ASSERT_OK_AND_ASSIGN(s, k.Encode());
  EXPECT_EQ(s, "finex:AAPL:1d:1704067200:1706918400:yahoo:usd:market_cap_v1");
}

TEST(CacheKeyTest, EmptyAnswerUsesEmptyFieldsPart) {
  CacheKey k = Aapl();
  k.symbol = "X";
  k.fields = FieldSet();
  EXPECT_TRUE(k.is_empty_answer());
  ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
  EXPECT_EQ(s, "finex:X:1d:1704067200:1706918400:yahoo:usd:empty_v1");
  ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
  EXPECT_TRUE(back.is_empty_answer());
  EXPECT_EQ(back, k);
}

TEST(CacheKeyTest, RealWorldSymbolsRoundTrip) {
  for (const char* sym : {"^GSPC", "EURUSD=X", "BRK-B", "GC=F", "APS.AX", "BTC/USDT", "BTCUSDT",
                          "bitcoin", "M&M.NS", "BF_B"}) {
    CacheKey k = Aapl();
    k.symbol = sym;
    ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
    EXPECT_EQ(s.find(sym), 6u) << s;
    ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
    EXPECT_EQ(back, k) << sym;
  }
}

TEST(CacheKeyTest, EveryIntervalRoundTrips) {
  for (Interval iv : kAllIntervals) {
    CacheKey k = Aapl();
    k.interval = iv;
    ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
    EXPECT_NE(s.find(":" + std::string(IntervalName(iv)) + ":"), std::string::npos);
    ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
    EXPECT_EQ(back.interval, iv);
  }
}

TEST(CacheKeyTest, SingleBarAndPre1970RangesAreValid) {
  CacheKey k = Aapl();
  k.start_ts = k.end_ts = 1704153600;
  ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
  ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
  EXPECT_EQ(back, k);
  k.start_ts = -1325462400;  // 1928-01-03 (^GSPC history starts before 1970)
  k.end_ts = 0;
  ASSERT_OK_AND_ASSIGN(s, k.Encode());
  EXPECT_EQ(s, "finex:AAPL:1d:-1325462400:0:yahoo:usd:ohlcv_v1");
  ASSERT_OK_AND_ASSIGN(back, CacheKey::Parse(s));
  EXPECT_EQ(back, k);
}

TEST(CacheKeyTest, EncodeRejectsInvalidParts) {
  auto expect_bad = [](CacheKey k, const char* param, const char* what) {
    auto r = k.Encode();
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << what;
    EXPECT_EQ(r.status().details().param, param) << what << ": " << r.status();
  };
  CacheKey k = Aapl();
  k.symbol = "AA:PL";
  expect_bad(k, "symbols", "colon in symbol");
  k.symbol = "AAPL*";
  expect_bad(k, "symbols", "star in symbol");
  k.symbol = "";
  expect_bad(k, "symbols", "empty symbol");
  k.symbol = "../etc";
  expect_bad(k, "symbols", "dot-dot symbol");
  k = Aapl();
  k.start_ts = k.end_ts + 1;
  expect_bad(k, "start", "start after end");
  k = Aapl();
  k.end_ts = kMaxKeyTimestamp + 1;
  expect_bad(k, "end", "end beyond 9999");
  k = Aapl();
  k.start_ts = kMinKeyTimestamp - 1;
  expect_bad(k, "start", "start before 0001");
  k = Aapl();
  k.provider = "Yahoo";
  expect_bad(k, "provider", "upper-case provider");
  k.provider = "";
  expect_bad(k, "provider", "empty provider");
  k.provider = "_yahoo";
  expect_bad(k, "provider", "provider starting with _");
  k.provider = "yahoo2";
  expect_bad(k, "provider", "digit in provider");
  k.provider = std::string(33, 'a');
  expect_bad(k, "provider", "long provider");
  k = Aapl();
  k.currency = "USD";
  expect_bad(k, "currency", "upper-case currency");
  k.currency = "";
  expect_bad(k, "currency", "empty currency");
  k.currency = "us d";
  expect_bad(k, "currency", "space in currency");
  k.currency = std::string(13, 'a');
  expect_bad(k, "currency", "long currency");
  k = Aapl();
  k.version = 2;
  expect_bad(k, "version", "unknown version");
  k.version = 0;
  expect_bad(k, "version", "zero version");
}

TEST(CacheKeyTest, LimitsAreInclusive) {
  CacheKey k = Aapl();
  k.provider = std::string(32, 'a');
  k.currency = "usdt12345678";
  k.symbol = std::string(kMaxSymbolLength, 'Z');
  k.start_ts = kMinKeyTimestamp;
  k.end_ts = kMaxKeyTimestamp;
  ASSERT_OK_AND_ASSIGN(std::string s, k.Encode());
  ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(s));
  EXPECT_EQ(back, k);
}

TEST(CacheKeyTest, ParseRejectsMalformedKeysNamingThePart) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is empty"},
      {"finex", "does not start with 'finex:'"},
      {"FINEX:AAPL:1d:1:2:yahoo:usd:ohlcv_v1", "does not start with 'finex:'"},
      {"other:AAPL:1d:1:2:yahoo:usd:ohlcv_v1", "does not start with 'finex:'"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv", "no '_v<version>' suffix"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v", "malformed version"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v01", "leading zero"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v0", "leading zero"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv_vx", "malformed version"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v9", "v9 is not supported"},
      {"finex:AAPL:1d:1:2:yahoo:ohlcv_v1", "has 6 parts"},
      {"finex:AAPL:1d:1:2:yahoo:usd:x:ohlcv_v1", "has 8 parts"},
      {"finex:AA PL:1d:1:2:yahoo:usd:ohlcv_v1", "forbidden byte 0x20"},
      {"finex:AAPL*:1d:1:2:yahoo:usd:ohlcv_v1", "forbidden character '*'"},
      {"finex::1d:1:2:yahoo:usd:ohlcv_v1", "symbol '' is empty"},
      {"finex:AAPL:1wk:1:2:yahoo:usd:ohlcv_v1", "interval '1wk'"},
      {"finex:AAPL:60m:1:2:yahoo:usd:ohlcv_v1", "interval '60m'"},
      {"finex:AAPL:1D:1:2:yahoo:usd:ohlcv_v1", "interval '1D'"},
      {"finex:AAPL:1d:01:2:yahoo:usd:ohlcv_v1", "leading zero"},
      {"finex:AAPL:1d:+1:2:yahoo:usd:ohlcv_v1", "not a decimal integer"},
      {"finex:AAPL:1d:-0:2:yahoo:usd:ohlcv_v1", "negative zero"},
      {"finex:AAPL:1d:1:-:yahoo:usd:ohlcv_v1", "no digits"},
      {"finex:AAPL:1d::2:yahoo:usd:ohlcv_v1", "start '' is empty"},
      {"finex:AAPL:1d:1:2x:yahoo:usd:ohlcv_v1", "not a decimal integer"},
      {"finex:AAPL:1d:1:99999999999999999999:yahoo:usd:ohlcv_v1", "out of range"},
      {"finex:AAPL:1d:1:999999999999:yahoo:usd:ohlcv_v1", "outside years"},
      {"finex:AAPL:1d:3:2:yahoo:usd:ohlcv_v1", "is after end"},
      {"finex:AAPL:1d:1:2:Yahoo:usd:ohlcv_v1", "provider 'Yahoo'"},
      {"finex:AAPL:1d:1:2:yahoo:USD:ohlcv_v1", "currency 'USD'"},
      {"finex:AAPL:1d:1:2:yahoo:usd:OHLCV_v1", "may only contain"},
      {"finex:AAPL:1d:1:2:yahoo:usd:adj_close+ohlcv_v1", "not in canonical form 'ohlcv+adj_close'"},
      {"finex:AAPL:1d:1:2:yahoo:usd:ohlcv+ohlcv_v1", "listed twice"},
      {"finex:AAPL:1d:1:2:yahoo:usd:volume_v1", "not one of"},
      {"finex:AAPL:1d:1:2:yahoo:usd:_v1", "not a field set name"},
  };
  for (const auto& [text, why] : cases) {
    auto r = CacheKey::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, why)) << text << " -> " << r.status();
    EXPECT_EQ(r.status().details().param, "key") << text;
  }
}

TEST(CacheKeyTest, ParseRejectsHugeAndBinaryInput) {
  std::string huge = "finex:" + std::string(10 * 1024, 'A');
  EXPECT_THAT(CacheKey::Parse(huge), StatusIs(StatusCode::kInvalidArgument, "longer than 512"));
  std::string nul("finex:AA\0PL:1d:1:2:yahoo:usd:ohlcv_v1", 37);
  auto r = CacheKey::Parse(nul);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, "forbidden byte 0x00"));
  // The error message itself is printable (the NUL is masked).
  const Status st = r.status();
  for (char c : st.message()) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(CacheKeyTest, Prefixes) {
  ASSERT_OK_AND_ASSIGN(std::string sp, SymbolPrefix("AAPL"));
  EXPECT_EQ(sp, "finex:AAPL:");
  ASSERT_OK_AND_ASSIGN(std::string series, SeriesPrefix("AAPL", Interval::k1d));
  EXPECT_EQ(series, "finex:AAPL:1d:");
  ASSERT_OK_AND_ASSIGN(std::string key, Aapl().Encode());
  EXPECT_EQ(key.rfind(series, 0), 0u);
  // A longer symbol sharing the letters is never under the prefix.
  CacheKey other = Aapl();
  other.symbol = "AAPL.L";
  ASSERT_OK_AND_ASSIGN(std::string other_key, other.Encode());
  EXPECT_NE(other_key.rfind(sp, 0), 0u);
  EXPECT_THAT(SymbolPrefix("A:B"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SeriesPrefix("*", Interval::k1d), StatusIs(StatusCode::kInvalidArgument));
}

// ---- property tests ---------------------------------------------------------

std::string RandomSymbol(std::mt19937_64& rng, bool hostile) {
  static const std::string kGood =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789^=.-/_&";
  static const std::string kBad = std::string(":*?[]\\ \t\n\r{}%#\"'$!|,;<>()@~`+") +
                                  std::string("\0\x01\x7f\x80\xc3\xa9\xff", 7);
  std::uniform_int_distribution<int> len(0, 36);
  const int n = len(rng);
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (hostile && rng() % 6 == 0) {
      s.push_back(kBad[rng() % kBad.size()]);
    } else {
      s.push_back(kGood[rng() % kGood.size()]);
    }
  }
  return s;
}

CacheKey RandomKey(std::mt19937_64& rng, bool hostile) {
  CacheKey k;
  k.symbol = RandomSymbol(rng, hostile);
  k.interval = kAllIntervals[rng() % kAllIntervals.size()];
  std::uniform_int_distribution<Timestamp> ts(kMinKeyTimestamp, kMaxKeyTimestamp);
  k.start_ts = ts(rng);
  k.end_ts = rng() % 4 == 0 ? k.start_ts : ts(rng);
  if (k.start_ts > k.end_ts) std::swap(k.start_ts, k.end_ts);
  if (hostile && rng() % 10 == 0) std::swap(k.start_ts, k.end_ts);
  static const char* kProviders[] = {
      "yahoo", "binance", "alpha_vantage", "twelve_data", "coingecko", "Yahoo", "ya:hoo", "", "y*"};
  static const char* kCurrencies[] = {"usd", "eur", "usdt", "gbp", "jpy", "USD", "u:sd", "", "us*"};
  k.provider = kProviders[rng() % (hostile ? 9 : 5)];
  k.currency = kCurrencies[rng() % (hostile ? 9 : 5)];
  k.fields = FieldSet(static_cast<uint8_t>(rng() % 8));
  return k;
}

TEST(CacheKeyPropertyTest, ParseOfEncodeIsIdentity) {
  std::mt19937_64 rng(finex::testing::TestSeed());
  int encoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const CacheKey k = RandomKey(rng, /*hostile=*/false);
    auto s = k.Encode();
    if (!ValidateSymbol(k.symbol).ok()) {
      ASSERT_FALSE(s.ok()) << k.symbol;
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.status();
    ++encoded;
    ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(*s));
    ASSERT_EQ(back, k) << *s;
    ASSERT_OK_AND_ASSIGN(std::string again, back.Encode());
    ASSERT_EQ(again, *s);
  }
  EXPECT_GT(encoded, 10000);  // the generator mostly produces valid symbols
}

TEST(CacheKeyPropertyTest, HostileInputNeverForgesAKey) {
  std::mt19937_64 rng(finex::testing::TestSeed());
  int rejected = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const CacheKey k = RandomKey(rng, /*hostile=*/true);
    auto s = k.Encode();
    const bool valid = ValidateSymbol(k.symbol).ok() && ValidateProviderName(k.provider).ok() &&
                       ValidateCurrencyCode(k.currency).ok() && k.start_ts <= k.end_ts;
    if (!valid) {
      ASSERT_FALSE(s.ok()) << "forged: " << *s;
      ASSERT_EQ(s.status().code(), StatusCode::kInvalidArgument);
      ++rejected;
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.status();
    // Exactly 8 ':'-separated parts, printable, no glob characters.
    EXPECT_EQ(std::count(s->begin(), s->end(), ':'), 7) << *s;
    for (char c : *s) {
      ASSERT_TRUE(c > 0x20 && c < 0x7f) << *s;
      ASSERT_EQ(std::string("*?[]\\").find(c), std::string::npos) << *s;
    }
    ASSERT_OK_AND_ASSIGN(CacheKey back, CacheKey::Parse(*s));
    ASSERT_EQ(back, k);
  }
  EXPECT_GT(rejected, 1000);
}

TEST(CacheKeyPropertyTest, MutatedKeysParseToTheirOwnEncoding) {
  // Flip/insert/delete bytes of valid keys: Parse either rejects the result or
  // returns a key whose encoding is exactly the mutated text (one encoding
  // per key, so no two texts alias one fragment).
  std::mt19937_64 rng(finex::testing::TestSeed());
  const std::string alphabet = "AZaz09:_-+.^=/*v\x00\xff ";
  for (int iter = 0; iter < 20000; ++iter) {
    const CacheKey k = RandomKey(rng, false);
    auto s = k.Encode();
    if (!s.ok()) continue;
    std::string m = *s;
    const size_t pos = rng() % m.size();
    switch (rng() % 3) {
      case 0:
        m[pos] = alphabet[rng() % alphabet.size()];
        break;
      case 1:
        m.insert(m.begin() + pos, alphabet[rng() % alphabet.size()]);
        break;
      default:
        m.erase(m.begin() + pos);
        break;
    }
    auto parsed = CacheKey::Parse(m);
    if (!parsed.ok()) {
      ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_OK_AND_ASSIGN(std::string re, parsed->Encode());
    ASSERT_EQ(re, m);
  }
}

}  // namespace
}  // namespace finex::key
