// SharedBackend: a BackendWrapper that reports shared() = true, so two
// caches over one in-process backend behave as nodes sharing a Redis would
// (each rescans before paying for a fetch). Header-only; binaries that
// include it link finex_backend.
//
// Thread-safety: as the target. Ownership: borrows the target (must outlive it).
#pragma once

#include "finex/backend/backend_wrapper.h"

namespace finex::testing {

class SharedBackend final : public backend::BackendWrapper {
 public:
  explicit SharedBackend(backend::Backend& target) : BackendWrapper(target) {}
  bool shared() const override { return true; }
};

}  // namespace finex::testing
