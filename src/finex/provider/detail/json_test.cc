// ParseJson's memory rule: large bodies never size the thread's reusable
// parser (issue 16's soak: per-thread parsers kept ~3 MB each), and a large
// document stays readable after later parses on the same thread.
#include "finex/provider/detail/json.h"

#include <gtest/gtest.h>

#include <string>

namespace finex::provider::detail {
namespace {

// A JSON array of `n` objects, {"i": k, "s": "..."}.
std::string Rows(int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += "{\"i\":" + std::to_string(i) + ",\"s\":\"row " + std::to_string(i) + "\"}";
  }
  return s + "]";
}

TEST(ParseJson, LargeBodyDoesNotGrowTheThreadParser) {
  const std::string small = Rows(10);
  const std::string large = Rows(20000);
  ASSERT_GT(large.size(), JsonDoc::kReusedParserBytes * 4);

  Result<JsonDoc> a = ParseJson(small);
  ASSERT_TRUE(a.ok());
  const size_t warm = ThreadParserCapacity();
  EXPECT_GE(warm, small.size());

  Result<JsonDoc> big = ParseJson(large);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(ThreadParserCapacity(), warm);
  EXPECT_LE(ThreadParserCapacity(), JsonDoc::kReusedParserBytes);

  // The large document has its own parser: a later small parse on this
  // thread leaves it intact.
  Result<JsonDoc> b = ParseJson(Rows(3));
  ASSERT_TRUE(b.ok());
  array rows;
  ASSERT_FALSE(big->root().get(rows));
  EXPECT_EQ(rows.size(), 20000u);
  EXPECT_EQ(GetInt(rows.at(19999).value(), "i"), 19999);
  EXPECT_EQ(GetString(rows.at(12345).value(), "s"), "row 12345");
  array three;
  ASSERT_FALSE(b->root().get(three));
  EXPECT_EQ(three.size(), 3u);
}

TEST(ParseJson, BodyAtTheLimitUsesTheThreadParser) {
  std::string body = "\"" + std::string(JsonDoc::kReusedParserBytes - 2, 'x') + "\"";
  ASSERT_EQ(body.size(), JsonDoc::kReusedParserBytes);
  Result<JsonDoc> d = ParseJson(body);
  ASSERT_TRUE(d.ok());
  EXPECT_GE(ThreadParserCapacity(), body.size());
  EXPECT_LE(ThreadParserCapacity(), JsonDoc::kReusedParserBytes);
  std::string_view s;
  ASSERT_FALSE(d->root().get(s));
  EXPECT_EQ(s.size(), JsonDoc::kReusedParserBytes - 2);
}

TEST(ParseJson, MalformedBodiesOfEitherSizeAreDataLoss) {
  for (size_t n : {size_t{10}, JsonDoc::kReusedParserBytes * 2}) {
    std::string body = "[" + std::string(n, '1');  // unterminated
    Result<JsonDoc> d = ParseJson(body);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(d.status().message().find("malformed JSON"), std::string::npos);
  }
}

}  // namespace
}  // namespace finex::provider::detail
