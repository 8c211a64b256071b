// The memory backend joins the Backend conformance suite (default options and
// a single-shard, budgeted configuration).
#include "finex/backend/memory/memory_backend.h"
#include "tests/conformance/backend_conformance.h"

namespace finex::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Memory, BackendConformanceTest,
    ::testing::Values(
        BackendFactory{"default", [] { return backend::NewMemoryBackend(); }, true, ""},
        BackendFactory{"one_shard_fast_sweep",
                       [] {
                         return backend::NewMemoryBackend(
                             backend::MemoryBackendOptions{.shards = 1, .sweep_interval_ms = 5});
                       },
                       true, ""},
        BackendFactory{"budgeted_64mb",
                       [] {
                         return backend::NewMemoryBackend(
                             backend::MemoryBackendOptions{.shards = 4, .max_bytes = 64ull << 20});
                       },
                       true, ""}),
    BackendFactoryName);

}  // namespace
}  // namespace finex::testing
