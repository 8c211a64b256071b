// Seeds for randomized tests: FINEX_TEST_SEED=<n> reproduces a run; the seed
// in use is printed (and recorded as a gtest property) so failures can be
// replayed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace finex::testing {

// The seed for this test: $FINEX_TEST_SEED or a fresh random one. Prints it.
uint64_t TestSeed();

// Shared data directory (../shared/data) or "" when absent.
std::string SharedDataDir();

}  // namespace finex::testing

// Skips the current test with a message when ../shared/data is absent.
#define FINEX_REQUIRE_SHARED_DATA()                                                   \
  do {                                                                                \
    if (::finex::testing::SharedDataDir().empty())                                    \
      GTEST_SKIP() << "needs ../shared/data (real provider data); it is absent here"; \
  } while (0)
