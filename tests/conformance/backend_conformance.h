// The Backend conformance suite: one parameterized GoogleTest suite written
// against the Backend interface only. Every backend (memory, redis, postgres,
// parquet_dir) instantiates it:
//
//   #include "tests/conformance/backend_conformance.h"
//   INSTANTIATE_TEST_SUITE_P(Redis, BackendConformanceTest,
//       ::testing::Values(finex::testing::BackendFactory{
//           "redis", [] { return MakeRedisFromEnvOrNull(); }, /*ttl=*/true,
//           "set FINEX_TEST_REDIS_URL to run"}),
//       finex::testing::BackendFactoryName);
//
// and links finex_conformance (an OBJECT library, so the TEST_P bodies are
// not dropped by the linker).
//
// Each test works under its own random key prefix ("finex:conformance:<test>:
// <random>:") and deletes it afterwards, so a shared external store (one Redis
// for many runs) is fine. TTL tests use real short TTLs and poll with
// generous deadlines, so slow machines pass.
//
// Thread-safety: test code; factories are called on the test thread.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "finex/backend/backend.h"

namespace finex::testing {

struct BackendFactory {
  // Instance name for test names: [A-Za-z0-9_] only.
  std::string name;
  // Builds a fresh backend. May return nullptr when the store is not
  // configured (e.g. FINEX_TEST_REDIS_URL unset): the test then GTEST_SKIPs
  // with `skip_message`.
  std::function<std::unique_ptr<backend::Backend>()> make;
  // Whether the backend enforces TTLs (TTL tests skip otherwise).
  bool ttl = true;
  std::string skip_message = "backend not configured";
};

inline std::ostream& operator<<(std::ostream& os, const BackendFactory& f) { return os << f.name; }

// For INSTANTIATE_TEST_SUITE_P's name generator argument.
inline std::string BackendFactoryName(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

class BackendConformanceTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  backend::Backend& b() { return *backend_; }
  // A key under this test's private prefix.
  std::string K(std::string_view suffix) const { return prefix_ + std::string(suffix); }
  const std::string& prefix() const { return prefix_; }

  std::unique_ptr<backend::Backend> backend_;
  std::string prefix_;
};

}  // namespace finex::testing
