#include <gtest/gtest.h>

#include "finex/http/server.h"
#include "tests/testutil/status_matchers.h"

namespace finex::http {
namespace {

using ::finex::testing::StatusIs;

TEST(PercentDecodeTest, DecodesEscapesAndPlus) {
  ASSERT_OK_AND_ASSIGN(auto a, PercentDecode("a%20b+c%2Bd", true));
  EXPECT_EQ(a, "a b c+d");
  ASSERT_OK_AND_ASSIGN(auto b, PercentDecode("a+b", false));
  EXPECT_EQ(b, "a+b");
  ASSERT_OK_AND_ASSIGN(auto c, PercentDecode("%C3%A9t%c3%a9", false));
  EXPECT_EQ(c, "\xC3\xA9t\xC3\xA9");
}

TEST(PercentDecodeTest, RejectsBadEscapesAndBadUtf8) {
  EXPECT_THAT(PercentDecode("abc%", true), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("abc%4", true), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%zz", true), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%FF", true), StatusIs(StatusCode::kInvalidArgument, "UTF-8"));
  EXPECT_THAT(PercentDecode("%C0%AF", true),
              StatusIs(StatusCode::kInvalidArgument));  // overlong '/'
  EXPECT_THAT(PercentDecode("%ED%A0%80", true),
              StatusIs(StatusCode::kInvalidArgument));                                 // surrogate
  EXPECT_THAT(PercentDecode("%E2%82", true), StatusIs(StatusCode::kInvalidArgument));  // truncated
  EXPECT_OK(PercentDecode("%F0%9F%98%80", true));                                      // emoji
}

TEST(ParseQueryTest, KeepsOrderAndDuplicates) {
  ASSERT_OK_AND_ASSIGN(auto q, ParseQuery("symbols=AAPL%2CMSFT&interval=1d&&flag&symbols=X&e="));
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>("symbols", "AAPL,MSFT")));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>("interval", "1d")));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_EQ(q[3].second, "X");
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>("e", "")));
  Request r;
  r.query = q;
  ASSERT_NE(r.Query("symbols"), nullptr);
  EXPECT_EQ(*r.Query("symbols"), "AAPL,MSFT");
  EXPECT_EQ(r.Query("nope"), nullptr);
}

TEST(ParseQueryTest, BadValueNamesParam) {
  auto q = ParseQuery("a=1&start=%G1");
  ASSERT_THAT(q, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(q.status().details().param, "start");
  EXPECT_OK(ParseQuery(""));
}

TEST(ResponseTest, ProblemIsValidJsonWithExtras) {
  Response r = Response::Problem(400, "invalid_interval", "interval \"7x\" is bad\n",
                                 {{"param", "\"interval\""}, {"retry_after_seconds", "3"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(*r.body,
            "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
            "\"detail\":\"interval \\\"7x\\\" is bad\\n\",\"code\":\"invalid_interval\","
            "\"param\":\"interval\",\"retry_after_seconds\":3}");
  Response t = Response::Problem(431, "x", "\xFF");
  EXPECT_NE(t.body->find("Request Header Fields Too Large"), std::string::npos);
  EXPECT_NE(t.body->find("\"detail\":\"?\""), std::string::npos);
}

TEST(RequestTest, HeaderLookup) {
  Request r;
  r.headers = {{"content-type", "text/plain"}, {"x-a", "1"}};
  EXPECT_EQ(r.Header("x-a"), "1");
  EXPECT_EQ(r.Header("missing"), "");
}

}  // namespace
}  // namespace finex::http
