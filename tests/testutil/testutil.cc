#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "tests/testutil/random.h"

namespace finex::testing {

uint64_t TestSeed() {
  uint64_t seed;
  if (const char* env = std::getenv("FINEX_TEST_SEED"); env && *env) {
    seed = std::strtoull(env, nullptr, 10);
  } else {
    seed = std::random_device{}();
    seed = (seed << 32) ^ std::random_device{}();
  }
  std::cout << "[ seed     ] FINEX_TEST_SEED=" << seed << std::endl;
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

std::string SharedDataDir() {
  std::string dir;
  if (const char* env = std::getenv("FINEX_SHARED_DATA"); env && *env) {
    dir = env;
  } else {
#ifdef FINEX_SHARED_DATA
    dir = FINEX_SHARED_DATA;
#else
    dir = "../shared/data";
#endif
  }
  struct stat st;
  if (stat((dir + "/SOURCES.md").c_str(), &st) != 0) return "";
  return dir;
}

}  // namespace finex::testing
