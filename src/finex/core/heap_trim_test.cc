#include "finex/core/heap_trim.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "tests/testutil/wait.h"

namespace finex {
namespace {

constexpr size_t kBlocks = 64 * 1024, kBlockSize = 1024;

// A fragmented heap: 64 MiB in 1 KiB blocks, each written, then every block
// but one in 64 freed. The survivors (every 64th entry; the rest are null)
// pin the heap, so free() alone cannot shrink it from the top and the freed
// pages stay resident. Keep the result alive while measuring.
std::vector<std::unique_ptr<char[]>> FragmentTheHeap() {
  std::vector<std::unique_ptr<char[]>> blocks(kBlocks);
  for (auto& b : blocks) {
    b = std::make_unique<char[]>(kBlockSize);
    std::memset(b.get(), 1, kBlockSize);
  }
  for (size_t i = 0; i < kBlocks; ++i)
    if (i % 64 != 0) blocks[i].reset();
  return blocks;
}

TEST(HeapTrimTest, ReleasesFreePagesInTheMiddleOfTheHeap) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's; elsewhere ReleaseFreeHeap is a no-op";
#else
  if (ResidentBytes() == 0) GTEST_SKIP() << "no /proc/self/statm";
  const std::vector<std::unique_ptr<char[]>> blocks = FragmentTheHeap();
  const uint64_t before = ResidentBytes();
  ReleaseFreeHeap();
  const uint64_t after = ResidentBytes();
  // ~62 MiB of whole free pages; at least half of them must leave the RSS.
  EXPECT_LT(after, before - (31u << 20)) << "RSS before " << before << ", after " << after;
  for (size_t i = 0; i < kBlocks; i += 64) EXPECT_EQ(blocks[i][kBlockSize - 1], 1);
#endif
}

TEST(HeapTrimTest, TrimmerTrimsOnlyOnceTheResidentSetGrew) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "malloc_trim is glibc's";
#else
  if (ResidentBytes() == 0) GTEST_SKIP() << "no /proc/self/statm";
  auto trimmer = std::make_unique<HeapTrimmer>(std::chrono::milliseconds(5), 16u << 20);
  // A burst that leaves the heap fragmented: RSS grew by 64 MiB > 16 MiB, so
  // the trimmer gives the free pages back by itself.
  const uint64_t start = ResidentBytes();
  const std::vector<std::unique_ptr<char[]>> blocks = FragmentTheHeap();
  ASSERT_TRUE(testing::WaitFor([&] { return ResidentBytes() < start + (24u << 20); }))
      << "RSS at start " << start << ", now " << ResidentBytes() << ", trims " << trimmer->trims();
  EXPECT_GE(trimmer->trims(), 1u);
  trimmer.reset();  // joins; a trimmer that ignored stop would hang here
#endif
}

TEST(HeapTrimTest, TrimmerStopsAtOnceWhenDestroyed) {
  // Destroyed long before its first look: the wait is cut short, not slept out.
  HeapTrimmer hourly(std::chrono::hours(1), 0);
  EXPECT_EQ(hourly.trims(), 0u);
}

// After a pin, a freed block above the threshold does not raise it: the
// next block that large is mmapped again (and so goes back to the system
// when freed) instead of coming from an arena. Unpinned glibc would raise
// its threshold on the first free and serve the second from the heap.
TEST(HeapTrimTest, PinnedMmapThresholdKeepsLargeBlocksMapped) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "the mmap threshold is glibc's";
#else
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("GLIBC_TUNABLES"))
    GTEST_SKIP() << "the environment sets glibc's malloc tunables";
  ASSERT_TRUE(PinMmapThreshold(kPinnedMmapThreshold));
  constexpr size_t kBig = 4 * kPinnedMmapThreshold;
  for (int round = 0; round < 3; ++round) {
    const size_t mapped_before = mallinfo2().hblks;
    void* p = std::malloc(kBig);
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, kBig);
    EXPECT_EQ(mallinfo2().hblks, mapped_before + 1) << "round " << round;
    std::free(p);
    EXPECT_EQ(mallinfo2().hblks, mapped_before) << "round " << round;
  }
#endif
}

}  // namespace
}  // namespace finex
