#include "finex/core/symbol.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

TEST(SymbolTest, RealSymbolsAreValid) {
  for (const char* s : {"AAPL", "^GSPC", "EURUSD=X", "BRK-B", "GC=F", "APS.AX", "BTC/USDT",
                        "BTCUSDT", "bitcoin", "M&M.NS", "BF_B", "=X", "_X", "7203.T"}) {
    EXPECT_OK(ValidateSymbol(s)) << s;
  }
  EXPECT_OK(ValidateSymbol(std::string(kMaxSymbolLength, 'A')));
}

TEST(SymbolTest, ForbiddenInputIsRejectedWithReason) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "is empty"},
      {std::string(kMaxSymbolLength + 1, 'A'), "longer than 32"},
      {"AA:PL", "forbidden character ':' at position 2"},
      {"AAPL*", "forbidden character '*'"},
      {"AAP?", "forbidden character '?'"},
      {"[AAPL]", "forbidden character '['"},
      {"AA PL", "forbidden byte 0x20 at position 2"},
      {"AAPL\n", "forbidden byte 0x0a"},
      {std::string("AA\0PL", 5), "forbidden byte 0x00"},
      {"caf\xc3\xa9", "forbidden byte 0xc3"},
      {"AAPL\\", "forbidden character '\\'"},
      {".AAPL", "must start with"},
      {"/etc", "must start with"},
      {"-X", "must start with"},
      {"A..B", "must not contain '..'"},
      {"BTC/", "must not end with '/'"},
  };
  for (const auto& [s, why] : cases) {
    Status st = ValidateSymbol(s);
    EXPECT_THAT(st, StatusIs(StatusCode::kInvalidArgument, why)) << Printable(s) << " -> " << st;
    EXPECT_EQ(st.details().param, "symbols");
    for (char c : st.message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << Printable(s);
  }
}

TEST(SymbolTest, IsSymbolCharMatchesValidation) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    std::string s = "A";
    s.push_back(ch);
    s.push_back('B');
    if (ch == '.') continue;  // "A.B" valid, covered elsewhere
    EXPECT_EQ(ValidateSymbol(s).ok(), IsSymbolChar(ch)) << c;
  }
}

TEST(SymbolTest, ParseSymbolList) {
  ASSERT_OK_AND_ASSIGN(auto v, ParseSymbolList("AAPL, MSFT ,\t^GSPC", 10));
  EXPECT_EQ(v, (std::vector<std::string>{"AAPL", "MSFT", "^GSPC"}));
  EXPECT_THAT(ParseSymbolList("", 10), StatusIs(StatusCode::kInvalidArgument, "symbols is empty"));
  EXPECT_THAT(ParseSymbolList("AAPL,", 10), StatusIs(StatusCode::kInvalidArgument, "is empty"));
  EXPECT_THAT(ParseSymbolList("AAPL,,MSFT", 10),
              StatusIs(StatusCode::kInvalidArgument, "is empty"));
  EXPECT_THAT(ParseSymbolList("AAPL,AAPL", 10),
              StatusIs(StatusCode::kInvalidArgument, "listed twice"));
  EXPECT_THAT(ParseSymbolList("A,B,C", 2),
              StatusIs(StatusCode::kInvalidArgument, "too many symbols (at most 2)"));
  EXPECT_OK(ParseSymbolList("A,B", 2));
  EXPECT_THAT(ParseSymbolList("AAPL,MS FT", 10),
              StatusIs(StatusCode::kInvalidArgument, "forbidden byte 0x20"));
  auto r = ParseSymbolList("AAPL,X:Y", 10);
  EXPECT_EQ(r.status().details().param, "symbols");
}

TEST(SymbolTest, Printable) {
  EXPECT_EQ(Printable("abc"), "abc");
  EXPECT_EQ(Printable(std::string("a\0b\n\xff", 5)), "a?b??");
  EXPECT_EQ(Printable("abcdef", 3), "abc...");
  EXPECT_EQ(Printable(""), "");
}

TEST(SymbolPropertyTest, ValidSymbolsContainNoKeyOrPatternSyntax) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int i = 0; i < 50000; ++i) {
    std::string s(rng() % 36, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 128);
    if (rng() % 2) {
      for (char& c : s) c = "AZaz09^=.-/_&:*"[rng() % 15];
    }
    if (!ValidateSymbol(s).ok()) continue;
    ASSERT_FALSE(s.empty());
    ASSERT_LE(s.size(), kMaxSymbolLength);
    ASSERT_EQ(s.find_first_of(":*?[]\\ \t\r\n"), std::string::npos) << s;
    ASSERT_EQ(s.find(".."), std::string::npos) << s;
    ASSERT_TRUE(s[0] != '.' && s[0] != '/' && s[0] != '-') << s;
  }
}

}  // namespace
}  // namespace finex
