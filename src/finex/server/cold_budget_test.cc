#include "finex/server/cold_budget.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace finex::server {
namespace {

using ::finex::testing::StatusIs;

constexpr int64_t kSecond = 1000000;

TEST(ColdMissBudgetTest, DisabledByDefaultAdmitsEverything) {
  ColdMissBudget b(ColdMissBudgetOptions{});
  EXPECT_FALSE(b.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_OK(b.Take("addr:1.2.3.4", 0));
  EXPECT_EQ(b.refused(), 0u);
}

TEST(ColdMissBudgetTest, TokenBucketRefusesBeyondTheBudgetAndRefills) {
  ColdMissBudgetOptions o;
  o.per_minute = 60;  // one per second
  o.burst = 3;
  ColdMissBudget b(o);
  for (int i = 0; i < 3; ++i) EXPECT_OK(b.Take("a", 0));
  Status refused = b.Take("a", 0);
  EXPECT_THAT(refused, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_DOUBLE_EQ(refused.details().retry_after_s, 1);
  EXPECT_OK(b.Take("b", 0));  // another client
  EXPECT_THAT(b.Take("a", kSecond / 2), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_OK(b.Take("a", kSecond));  // one token back after a second
  EXPECT_THAT(b.Take("a", kSecond), StatusIs(StatusCode::kResourceExhausted));
  // Never more than the burst, however long the client was away.
  for (int i = 0; i < 3; ++i) EXPECT_OK(b.Take("a", 3600 * kSecond));
  EXPECT_THAT(b.Take("a", 3600 * kSecond), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(b.refused(), 4u);
  EXPECT_EQ(b.charged(), 8u);
}

TEST(ColdMissBudgetTest, RetryAfterIsTheTimeToTheNextToken) {
  ColdMissBudgetOptions o;
  o.per_minute = 2;  // one per 30 s
  ColdMissBudget b(o);
  EXPECT_OK(b.Take("a", 0));
  EXPECT_OK(b.Take("a", 0));
  EXPECT_DOUBLE_EQ(b.Take("a", 0).details().retry_after_s, 30);
  EXPECT_DOUBLE_EQ(b.Take("a", 20 * kSecond).details().retry_after_s, 10);
}

TEST(ColdMissBudgetTest, ClientIdentity) {
  ColdMissBudgetOptions o;
  o.per_minute = 1;
  ColdMissBudget by_addr(o);
  EXPECT_EQ(by_addr.ClientOf("10.0.0.1:5555", "Bearer t"), "addr:10.0.0.1");
  EXPECT_EQ(by_addr.ClientOf("[::1]:80", ""), "addr:::1");
  o.key = "token";
  ColdMissBudget by_token(o);
  EXPECT_EQ(by_token.ClientOf("10.0.0.1:5555", "Bearer t0k"), "token:t0k");
  EXPECT_EQ(by_token.ClientOf("10.0.0.1:5555", "bearer  t0k"), "token:t0k");
  EXPECT_EQ(by_token.ClientOf("10.0.0.1:5555", "Basic abc"), "addr:10.0.0.1");
  EXPECT_EQ(by_token.ClientOf("10.0.0.1:5555", ""), "addr:10.0.0.1");
}

TEST(ColdMissBudgetTest, ForgetsTheLeastRecentClientBeyondMaxClients) {
  ColdMissBudgetOptions o;
  o.per_minute = 1;
  o.max_clients = 2;
  ColdMissBudget b(o);
  EXPECT_OK(b.Take("a", 0));
  EXPECT_OK(b.Take("b", 0));
  EXPECT_FALSE(b.Take("a", 0).ok());  // a is now the most recent
  EXPECT_OK(b.Take("c", 0));          // evicts b
  EXPECT_FALSE(b.Take("a", 0).ok());  // a kept its empty bucket
  EXPECT_OK(b.Take("b", 0));          // b starts over
}

TEST(ColdMissBudgetTest, NegativeAnswersExpireAndAreBounded) {
  ColdMissBudgetOptions o;
  o.per_minute = 1;  // negative answers are remembered while a budget is on
  o.negative_ttl_s = 10;
  o.max_negative = 2;
  ColdMissBudget b(o);
  EXPECT_FALSE(b.KnownUnknown("q|ZZZZ", 0).has_value());
  b.RememberUnknown("q|ZZZZ", "no provider knows ZZZZ", 0);
  EXPECT_EQ(b.KnownUnknown("q|ZZZZ", 9 * kSecond).value_or(""), "no provider knows ZZZZ");
  EXPECT_FALSE(b.KnownUnknown("q|ZZZZ", 10 * kSecond).has_value());
  b.RememberUnknown("k1", "1", 0);
  b.RememberUnknown("k2", "2", 0);
  b.RememberUnknown("k3", "3", 0);  // evicts k1, the oldest
  EXPECT_FALSE(b.KnownUnknown("k1", 0).has_value());
  EXPECT_TRUE(b.KnownUnknown("k3", 0).has_value());
  EXPECT_EQ(b.negative_hits(), 2u);
}

TEST(ColdMissBudgetTest, Validation) {
  ColdMissBudgetOptions o;
  EXPECT_OK(ValidateColdMissBudget(o));
  o.key = "cookie";
  EXPECT_THAT(ValidateColdMissBudget(o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.per_minute = -1;
  EXPECT_THAT(ValidateColdMissBudget(o), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ColdMissBudgetTest, RefusalIs429WithRetryAfter) {
  Status s = ResourceExhaustedError("spent").WithRetryAfter(7);
  http::Response r = ColdMissRefused(s, "rid");
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
  EXPECT_EQ(r.headers[0].second, "7");
  EXPECT_NE(r.body->find("\"code\":\"cold_miss_budget\""), std::string::npos) << *r.body;
  EXPECT_NE(r.body->find("\"retry_after_seconds\":7"), std::string::npos) << *r.body;
}

}  // namespace
}  // namespace finex::server
