// BackendWrapper: a Backend that forwards every call to another Backend
// (after leveldb's EnvWrapper). Decorators — fault injection
// (tests/testutil/error_backend.h), latency, tracing — derive from it and
// override only the Do* methods they change, calling BackendWrapper::DoXxx to
// forward the rest.
//
// Forwarding goes through the target's public methods, so the target still
// validates keys and counts its own operations; stats() reports the target's
// counters (the wrapper is transparent), name()/supports_ttl()/durable() are
// the target's.
//
// Thread-safety: as thread-safe as the target (every Backend is).
// Ownership: borrows the target, which must outlive the wrapper.
#pragma once

#include "finex/backend/backend.h"

namespace finex::backend {

class BackendWrapper : public Backend {
 public:
  explicit BackendWrapper(Backend& target) : target_(target) {}

  Backend& target() const { return target_; }

  std::string_view name() const override { return target_.name(); }
  bool supports_ttl() const override { return target_.supports_ttl(); }
  bool durable() const override { return target_.durable(); }
  bool shared() const override { return target_.shared(); }
  bool in_process() const override { return target_.in_process(); }
  BackendStats stats() const override { return target_.stats(); }
  void SetDropListener(DropListener listener) override {
    target_.SetDropListener(std::move(listener));
  }

 protected:
  Result<std::optional<Bytes>> DoGet(std::string_view key) override { return target_.Get(key); }
  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override {
    return target_.GetMultiple(keys);
  }
  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override {
    return target_.Put(key, value, opts);
  }
  Status DoDelete(std::string_view key) override { return target_.Delete(key); }
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override {
    return target_.ScanPrefix(prefix, limit);
  }
  Result<size_t> DoDeletePrefix(std::string_view prefix) override {
    return target_.DeletePrefix(prefix);
  }
  Status DoPing() override { return target_.Ping(); }

 private:
  Backend& target_;
};

}  // namespace finex::backend
