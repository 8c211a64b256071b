// ErrorBackend: a BackendWrapper that injects failures (after leveldb's
// ErrorEnv). By default it forwards everything; tests turn failures on for
// chosen operations, for every call or for the next N calls, and count what
// was injected. The injected status defaults to kUnavailable (the code a
// Redis timeout or a dropped connection produces) and can be replaced.
//
// Header-only so finex_testutil does not link finex_backend; binaries that
// include it link finex_backend themselves.
//
// Thread-safety: all methods may be called concurrently.
// Ownership: borrows the target Backend, which must outlive this wrapper.
#pragma once

#include <atomic>
#include <string>

#include "finex/backend/backend_wrapper.h"
#include "finex/core/mutex.h"

namespace finex::testing {

class ErrorBackend final : public backend::BackendWrapper {
 public:
  enum Op : unsigned {
    kGet = 1,
    kGetMultiple = 2,
    kPut = 4,
    kDelete = 8,
    kScan = 16,
    kDeletePrefix = 32,
    kPing = 64,
    kAllOps = 127,
  };

  explicit ErrorBackend(backend::Backend& target) : BackendWrapper(target) {}

  // Fails every call of the ops in `ops` while `on` is true.
  void SetFailing(bool on, unsigned ops = kAllOps) {
    ops_.store(ops);
    fail_all_.store(on);
  }
  // Fails the next n calls of the ops in `ops` (then forwards again).
  void FailNext(int n, unsigned ops = kAllOps) {
    ops_.store(ops);
    fail_next_.store(n);
  }
  // The status injected from now on. Default: UnavailableError("injected ...").
  void SetError(Status s) {
    MutexLock l(mu_);
    error_ = std::move(s);
  }
  // How many calls failed by injection so far.
  int injected() const { return injected_.load(); }

 private:
  bool ShouldFail(Op op) {
    if ((ops_.load() & op) == 0) return false;
    bool fail = fail_all_.load();
    if (!fail) {
      int n = fail_next_.load();
      while (n > 0 && !fail_next_.compare_exchange_weak(n, n - 1)) {
      }
      fail = n > 0;
    }
    if (fail) injected_.fetch_add(1);
    return fail;
  }
  Status Error() const {
    MutexLock l(mu_);
    return error_;
  }

  Result<std::optional<Bytes>> DoGet(std::string_view key) override {
    if (ShouldFail(kGet)) return Error();
    return BackendWrapper::DoGet(key);
  }
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override {
    if (ShouldFail(kGetMultiple)) return Error();
    return BackendWrapper::DoGetMultiple(keys);
  }
  Status DoPut(std::string_view key, ByteView value, const backend::PutOptions& opts) override {
    if (ShouldFail(kPut)) return Error();
    return BackendWrapper::DoPut(key, value, opts);
  }
  Status DoDelete(std::string_view key) override {
    if (ShouldFail(kDelete)) return Error();
    return BackendWrapper::DoDelete(key);
  }
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override {
    if (ShouldFail(kScan)) return Error();
    return BackendWrapper::DoScanPrefix(prefix, limit);
  }
  Result<size_t> DoDeletePrefix(std::string_view prefix) override {
    if (ShouldFail(kDeletePrefix)) return Error();
    return BackendWrapper::DoDeletePrefix(prefix);
  }
  Status DoPing() override {
    if (ShouldFail(kPing)) return Error();
    return BackendWrapper::DoPing();
  }

  std::atomic<unsigned> ops_{kAllOps};
  std::atomic<bool> fail_all_{false};
  std::atomic<int> fail_next_{0};
  std::atomic<int> injected_{0};
  mutable Mutex mu_;
  Status error_ FINEX_GUARDED_BY(mu_) = UnavailableError("injected by ErrorBackend");
};

}  // namespace finex::testing
