#include "finex/server/detail/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace finex::server::detail {
namespace {

TEST(Json, StringsAreAlwaysValidJson) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\xEF\xBF\xBD\"");
  EXPECT_TRUE(IsValidUtf8(JsonQuote("\xc0\xaf\xed\xa0\x80")));
}

TEST(Json, StringArraysAreQuotedAndCommaSeparated) {
  std::string s = "x:";
  AppendJsonStringArray(s, std::vector<std::string>{});
  EXPECT_EQ(s, "x:[]");
  s.clear();
  AppendJsonStringArray(s, std::vector<std::string>{"finex:AAPL", "a\"b"});
  EXPECT_EQ(s, "[\"finex:AAPL\",\"a\\\"b\"]");
}

TEST(Json, NumbersRoundTripAndNonFiniteIsNull) {
  std::string s;
  AppendJsonDouble(s, 187.15);
  EXPECT_EQ(s, "187.15");
  s.clear();
  AppendJsonDouble(s, NAN);
  EXPECT_EQ(s, "null");
  s.clear();
  AppendJsonInt(s, -1704153600);
  EXPECT_EQ(s, "-1704153600");
}

TEST(Csv, QuotesAndGuardsFormulas) {
  std::string s;
  AppendCsvField(s, "a,b");
  EXPECT_EQ(s, "\"a,b\"");
  s.clear();
  AppendCsvField(s, "=HYPERLINK(\"x\")");
  EXPECT_EQ(s, "\"'=HYPERLINK(\"\"x\"\")\"");
  s.clear();
  AppendCsvField(s, "-1.5");
  EXPECT_EQ(s, "-1.5");
}

TEST(HumanAge, Phrases) {
  EXPECT_EQ(HumanAge(0.2), "just now");
  EXPECT_EQ(HumanAge(1), "1 second ago");
  EXPECT_EQ(HumanAge(300), "5 minutes ago");
  EXPECT_EQ(HumanAge(7200), "2 hours ago");
  EXPECT_EQ(HumanAge(86400 * 3), "3 days ago");
}

}  // namespace
}  // namespace finex::server::detail
