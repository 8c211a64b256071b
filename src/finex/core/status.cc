#include "finex/core/status.h"

#include <cstdio>

namespace finex {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kUnknown:
      return "UNKNOWN";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kAborted:
      return "ABORTED";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
  if (code_ == StatusCode::kOk) message_.clear();
}

const StatusDetails& Status::details() const {
  static const StatusDetails kEmpty;
  return details_ ? *details_ : kEmpty;
}

StatusDetails& Status::OwnDetails() {
  auto d = std::make_shared<StatusDetails>(details());
  StatusDetails& ref = *d;
  details_ = std::move(d);
  return ref;
}

Status Status::WithParam(std::string param) const {
  Status s = *this;
  s.OwnDetails().param = std::move(param);
  return s;
}

Status Status::WithProvider(std::string provider, int upstream_status) const {
  Status s = *this;
  StatusDetails& d = s.OwnDetails();
  d.provider = std::move(provider);
  if (upstream_status != 0) d.upstream_status = upstream_status;
  return s;
}

Status Status::WithUpstreamCalls(int calls) const {
  Status s = *this;
  s.OwnDetails().upstream_calls = calls;
  return s;
}

Status Status::WithRetryAfter(double seconds) const {
  Status s = *this;
  s.OwnDetails().retry_after_s = seconds;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = std::string(context) + ": " + message_;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

#define FINEX_DEFINE_ERROR_(Name, Code) \
  Status Name(std::string message) { return Status(StatusCode::Code, std::move(message)); }
FINEX_DEFINE_ERROR_(InvalidArgumentError, kInvalidArgument)
FINEX_DEFINE_ERROR_(NotFoundError, kNotFound)
FINEX_DEFINE_ERROR_(AlreadyExistsError, kAlreadyExists)
FINEX_DEFINE_ERROR_(PermissionDeniedError, kPermissionDenied)
FINEX_DEFINE_ERROR_(UnauthenticatedError, kUnauthenticated)
FINEX_DEFINE_ERROR_(ResourceExhaustedError, kResourceExhausted)
FINEX_DEFINE_ERROR_(FailedPreconditionError, kFailedPrecondition)
FINEX_DEFINE_ERROR_(AbortedError, kAborted)
FINEX_DEFINE_ERROR_(OutOfRangeError, kOutOfRange)
FINEX_DEFINE_ERROR_(UnimplementedError, kUnimplemented)
FINEX_DEFINE_ERROR_(InternalError, kInternal)
FINEX_DEFINE_ERROR_(UnavailableError, kUnavailable)
FINEX_DEFINE_ERROR_(DataLossError, kDataLoss)
FINEX_DEFINE_ERROR_(DeadlineExceededError, kDeadlineExceeded)
FINEX_DEFINE_ERROR_(CancelledError, kCancelled)
FINEX_DEFINE_ERROR_(UnknownError, kUnknown)
#undef FINEX_DEFINE_ERROR_

void CheckFailed(const char* file, int line, std::string_view what) {
  std::fprintf(stderr, "finex: check failed at %s:%d: %.*s\n", file, line,
               static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace finex
