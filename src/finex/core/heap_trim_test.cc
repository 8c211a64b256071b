#include "finex/core/heap_trim.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "tests/testutil/wait.h"

namespace finex {
namespace {

// Resident set of this process in bytes (/proc/self/statm, second field).
long ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

TEST(HeapTrimTest, ReleasesFreePagesInTheMiddleOfTheHeap) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's; elsewhere ReleaseFreeHeap is a no-op";
#else
  if (ResidentBytes() < 0) GTEST_SKIP() << "no /proc/self/statm";
  // 64 MiB in 1 KiB blocks, each written; then every block but one in 64 is
  // freed: the survivors pin the heap, so free() alone cannot shrink it from
  // the top and the freed pages stay resident.
  constexpr size_t kBlocks = 64 * 1024, kSize = 1024;
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  for (auto& b : blocks) {
    b = std::make_unique<char[]>(kSize);
    std::memset(b.get(), 1, kSize);
  }
  for (size_t i = 0; i < kBlocks; ++i)
    if (i % 64 != 0) blocks[i].reset();
  const long before = ResidentBytes();
  ReleaseFreeHeap();
  const long after = ResidentBytes();
  // ~62 MiB of whole free pages; at least half of them must leave the RSS.
  EXPECT_LT(after, before - (31L << 20)) << "RSS before " << before << ", after " << after;
  for (size_t i = 0; i < kBlocks; i += 64) EXPECT_EQ(blocks[i][kSize - 1], 1);
#endif
}

TEST(HeapTrimTest, TrimmerTrimsEveryIntervalAndStopsWhenDestroyed) {
  auto trimmer = std::make_unique<HeapTrimmer>(std::chrono::milliseconds(5));
  ASSERT_TRUE(testing::WaitFor([&] { return trimmer->trims() >= 3; }));
  trimmer.reset();  // joins; a trimmer that ignored stop would hang here
  // Destroyed long before its first trim: the wait is cut short, not slept out.
  HeapTrimmer hourly(std::chrono::hours(1));
  EXPECT_EQ(hourly.trims(), 0u);
}

}  // namespace
}  // namespace finex
