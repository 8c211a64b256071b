#include "finex/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

using ::finex::testing::StatusIs;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(OkStatus().ok());
  EXPECT_EQ(s.details().param, "");
  EXPECT_EQ(s.details().retry_after_s, -1);
}

TEST(StatusTest, OkCodeDropsMessage) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s, OkStatus());
}

TEST(StatusTest, EveryHelperHasItsCodeAndName) {
  const std::pair<Status, std::string_view> cases[] = {
      {InvalidArgumentError("m"), "INVALID_ARGUMENT"},
      {NotFoundError("m"), "NOT_FOUND"},
      {AlreadyExistsError("m"), "ALREADY_EXISTS"},
      {PermissionDeniedError("m"), "PERMISSION_DENIED"},
      {UnauthenticatedError("m"), "UNAUTHENTICATED"},
      {ResourceExhaustedError("m"), "RESOURCE_EXHAUSTED"},
      {FailedPreconditionError("m"), "FAILED_PRECONDITION"},
      {AbortedError("m"), "ABORTED"},
      {OutOfRangeError("m"), "OUT_OF_RANGE"},
      {UnimplementedError("m"), "UNIMPLEMENTED"},
      {InternalError("m"), "INTERNAL"},
      {UnavailableError("m"), "UNAVAILABLE"},
      {DataLossError("m"), "DATA_LOSS"},
      {DeadlineExceededError("m"), "DEADLINE_EXCEEDED"},
      {CancelledError("m"), "CANCELLED"},
      {UnknownError("m"), "UNKNOWN"},
  };
  for (const auto& [s, name] : cases) {
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(StatusCodeName(s.code()), name);
    EXPECT_EQ(s.message(), "m");
    EXPECT_EQ(s.ToString(), std::string(name) + ": m");
  }
  EXPECT_EQ(StatusCodeName(static_cast<StatusCode>(999)), "UNKNOWN");
}

TEST(StatusTest, DetailsAreCopyOnWriteAndAccumulate) {
  const Status base = InvalidArgumentError("bad interval");
  const Status with = base.WithParam("interval").WithProvider("yahoo", 429).WithRetryAfter(2.5);
  EXPECT_EQ(base.details().param, "");  // the original is untouched
  EXPECT_EQ(with.details().param, "interval");
  EXPECT_EQ(with.details().provider, "yahoo");
  EXPECT_EQ(with.details().upstream_status, 429);
  EXPECT_EQ(with.details().retry_after_s, 2.5);
  // A later WithProvider without status keeps the earlier upstream status.
  EXPECT_EQ(with.WithProvider("binance").details().upstream_status, 429);
  // Equality is code + message; details do not take part.
  EXPECT_EQ(base, with);
}

TEST(StatusTest, WithContextPrefixesErrorsOnly) {
  const Status s =
      DataLossError("unexpected token").WithParam("body").WithContext("parsing yahoo chart");
  EXPECT_EQ(s.message(), "parsing yahoo chart: unexpected token");
  EXPECT_EQ(s.details().param, "body");
  EXPECT_EQ(OkStatus().WithContext("x").message(), "");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

TEST(StatusTest, StreamsToString) {
  std::ostringstream os;
  os << NotFoundError("no such symbol");
  EXPECT_EQ(os.str(), "NOT_FOUND: no such symbol");
}

Result<int> Half(int x) {
  if (x % 2) return InvalidArgumentError("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  FINEX_ASSIGN_OR_RETURN(int h, Half(x));
  FINEX_ASSIGN_OR_RETURN(h, Half(h));
  return h;
}

Status CheckEven(int x) {
  FINEX_RETURN_IF_ERROR(Half(x));
  FINEX_RETURN_IF_ERROR(OkStatus());
  return OkStatus();
}

TEST(ResultTest, ValueAndError) {
  Result<int> r = 4;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.value(), 4);
  EXPECT_TRUE(r.status().ok());
  Result<int> e = NotFoundError("x");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(e.value_or(7), 7);
  EXPECT_EQ(r.value_or(7), 4);
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument, "odd"));
  EXPECT_THAT(Quarter(3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(CheckEven(2));
  EXPECT_THAT(CheckEven(3), StatusIs(StatusCode::kInvalidArgument, "odd"));
}

// FINEX_RETURN_IF_ERROR evaluates its argument once, takes lvalues and
// temporaries of Status and Result, and leaves an lvalue Status intact.
TEST(ResultTest, ReturnIfErrorEvaluatesOnceAndKeepsLvalues) {
  int calls = 0;
  auto fail = [&]() -> Status {
    ++calls;
    return UnavailableError("down").WithProvider("yahoo", 503);
  };
  auto via_temporary = [&]() -> Result<int> {
    FINEX_RETURN_IF_ERROR(fail());
    return 1;
  };
  Result<int> r = via_temporary();
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, "down"));
  EXPECT_EQ(r.status().details().provider, "yahoo");

  const Status kept = NotFoundError("gone");
  auto via_lvalue = [&]() -> Status {
    FINEX_RETURN_IF_ERROR(kept);
    return OkStatus();
  };
  EXPECT_THAT(via_lvalue(), StatusIs(StatusCode::kNotFound, "gone"));
  EXPECT_EQ(kept.message(), "gone");

  Result<int> bad = InvalidArgumentError("odd");
  auto via_result_lvalue = [&]() -> Status {
    FINEX_RETURN_IF_ERROR(bad);
    return OkStatus();
  };
  EXPECT_THAT(via_result_lvalue(), StatusIs(StatusCode::kInvalidArgument, "odd"));
  EXPECT_FALSE(bad.ok());
}

TEST(ResultTest, MoveOnlyAndConvertingValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 5);
  Result<std::string> s = "text";  // converting constructor
  EXPECT_EQ(*s, "text");
  EXPECT_EQ(s->size(), 4u);
  Result<std::vector<int>> v = std::vector<int>{1, 2};
  v->push_back(3);
  EXPECT_EQ(v->size(), 3u);
}

TEST(ResultDeathTest, MisuseAborts) {
  EXPECT_DEATH({ Result<int> r(OkStatus()); }, "Result constructed from OK Status");
  EXPECT_DEATH(
      {
        Result<int> r = InternalError("boom");
        (void)r.value();
      },
      "boom");
  EXPECT_DEATH(FINEX_CHECK(1 + 1 == 3), "CHECK 1 \\+ 1 == 3");
}

}  // namespace
}  // namespace finex
