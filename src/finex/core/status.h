// Status and Result<T>: finex's error convention (docs: STYLE.md §2).
//
// A Status is a code from the absl canonical set plus a human message, and a
// few optional details the HTTP layer needs (which parameter was wrong, which
// provider failed, how long to wait). Result<T> holds either a T or a non-OK
// Status. Nothing in finex throws across a module boundary: adapters around
// throwing libraries convert to Status at the edge.
//
// Retry policy follows the code: kUnavailable = retry with backoff,
// kResourceExhausted = rate limited (retry_after_s says how long),
// kFailedPrecondition = do not retry. A cache miss is not an error.
//
// Thread-safety: Status and Result are values; const methods are safe to call
// concurrently, mutation needs external synchronization.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace finex {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT" etc.
std::string_view StatusCodeName(StatusCode code);

// Optional context carried by a non-OK Status. Every field is optional.
struct StatusDetails {
  std::string param;          // the request parameter / config key at fault
  std::string provider;       // provider that produced the error
  int upstream_status = 0;    // the provider's HTTP status, 0 if none
  double retry_after_s = -1;  // < 0: unknown
  // Upstream calls made before this failure, retries included (0: refused
  // locally, e.g. an open circuit breaker); < 0: unknown (count one).
  int upstream_calls = -1;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Details; an empty StatusDetails when none were attached.
  const StatusDetails& details() const;

  // Builder-style attachers; return a copy with the detail set.
  Status WithParam(std::string param) const;
  Status WithProvider(std::string provider, int upstream_status = 0) const;
  Status WithRetryAfter(double seconds) const;
  Status WithUpstreamCalls(int calls) const;
  // Prefixes the message with context: "parsing yahoo chart: <message>".
  Status WithContext(std::string_view context) const;

  // "INVALID_ARGUMENT: interval '7x' is not ..." or "OK".
  std::string ToString() const;

  // Explicitly ignores a Status (documents intent at call sites).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  // Replaces details_ with a copy this Status alone holds, for a With*.
  StatusDetails& OwnDetails();

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::shared_ptr<const StatusDetails> details_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status OutOfRangeError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status DeadlineExceededError(std::string message);
Status CancelledError(std::string message);
Status UnknownError(std::string message);

// Aborts with a message. Used by FINEX_CHECK and Result::value() misuse.
[[noreturn]] void CheckFailed(const char* file, int line, std::string_view what);

// Result<T>: a T, or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is not allowed");

 public:
  // REQUIRES: !status.ok()  (an OK status without a value is a bug; it aborts)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(implicit)
    if (std::get<0>(v_).ok()) CheckFailed(__FILE__, __LINE__, "Result constructed from OK Status");
  }
  Result(const T& value) : v_(std::in_place_index<1>, value) {}        // NOLINT
  Result(T&& value) : v_(std::in_place_index<1>, std::move(value)) {}  // NOLINT
  template <typename U,
            typename = std::enable_if_t<
                std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Status> &&
                !std::is_same_v<std::decay_t<U>, Result<T>> && !std::is_same_v<std::decay_t<U>, T>>>
  Result(U&& value) : v_(std::in_place_index<1>, T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return v_.index() == 1; }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<0>(v_); }

  // REQUIRES: ok(). Aborts otherwise.
  const T& value() const& {
    Check();
    return std::get<1>(v_);
  }
  T& value() & {
    Check();
    return std::get<1>(v_);
  }
  T&& value() && {
    Check();
    return std::get<1>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<1>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void Check() const {
    if (!ok())
      CheckFailed(__FILE__, __LINE__, "Result::value() on error: " + std::get<0>(v_).ToString());
  }
  std::variant<Status, T> v_;
};

namespace internal {
// The error of a non-OK Status or Result, for FINEX_RETURN_IF_ERROR: moved out
// of a temporary, copied from an lvalue.
inline Status TakeStatus(const Status& s) { return s; }
inline Status TakeStatus(Status&& s) { return std::move(s); }
template <typename T>
Status TakeStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace finex

#define FINEX_CONCAT_INNER_(a, b) a##b
#define FINEX_CONCAT_(a, b) FINEX_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` (a Status or
// Result) is not OK.
//
// Hot-path safe (the Parquet decoder runs it ~100 times per file): `expr` is
// bound by reference -- a temporary lives to the end of the block -- so an OK
// Status or Result costs one ok() test and is never copied; only the error
// path builds the returned Status (moving it out of a temporary).
#define FINEX_RETURN_IF_ERROR(expr)                                                               \
  do {                                                                                            \
    auto&& finex_status_ = (expr);                                                                \
    if (!finex_status_.ok()) {                                                                    \
      return ::finex::internal::TakeStatus(std::forward<decltype(finex_status_)>(finex_status_)); \
    }                                                                                             \
  } while (0)

// FINEX_ASSIGN_OR_RETURN(auto x, MakeX()); or FINEX_ASSIGN_OR_RETURN(x, MakeX());
#define FINEX_ASSIGN_OR_RETURN(lhs, expr) \
  FINEX_ASSIGN_OR_RETURN_IMPL_(FINEX_CONCAT_(finex_result_, __LINE__), lhs, expr)
#define FINEX_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

// Broken invariants (programming errors) abort; they are never a Status.
#define FINEX_CHECK(cond)                                                  \
  do {                                                                     \
    if (!(cond)) ::finex::CheckFailed(__FILE__, __LINE__, "CHECK " #cond); \
  } while (0)
