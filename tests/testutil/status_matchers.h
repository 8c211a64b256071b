// GoogleTest helpers for Status/Result: EXPECT_OK, ASSERT_OK,
// ASSERT_OK_AND_ASSIGN and the StatusIs(code[, message_substring]) matcher.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "finex/core/status.h"

namespace finex::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
Status GetStatus(const Result<T>& r) {
  return r.status();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(::finex::StatusCodeName(code))) {
  return ::finex::testing::GetStatus(arg).code() == code;
}
MATCHER_P2(StatusIs, code, substring,
           "has status code " + std::string(::finex::StatusCodeName(code)) +
               " and message containing '" + std::string(substring) + "'") {
  const ::finex::Status s = ::finex::testing::GetStatus(arg);
  return s.code() == code && s.message().find(substring) != std::string::npos;
}

}  // namespace finex::testing

#define EXPECT_OK(expr) \
  EXPECT_TRUE(::finex::testing::GetStatus(expr).ok()) << ::finex::testing::GetStatus(expr)
#define ASSERT_OK(expr) \
  ASSERT_TRUE(::finex::testing::GetStatus(expr).ok()) << ::finex::testing::GetStatus(expr)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(FINEX_CONCAT_(finex_test_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()
