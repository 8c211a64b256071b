#include "finex/core/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace finex {
namespace {

TEST(ExecutorTest, RunsEveryIndexOnce) {
  Executor ex(3);
  std::vector<std::atomic<int>> seen(1000);
  ex.ParallelFor(seen.size(), [&](size_t i) { seen[i].fetch_add(1); });
  for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(ExecutorTest, NoThreadsRunsOnCaller) {
  Executor ex(0);
  const auto caller = std::this_thread::get_id();
  int n = 0;
  ex.ParallelFor(10, [&](size_t) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++n;
  });
  EXPECT_EQ(n, 10);
}

TEST(ExecutorTest, UsesPoolThreadsConcurrently) {
  // Two indices that each wait for the other to start can only finish when
  // they run at the same time: on the caller and one worker.
  Executor ex(1);
  std::atomic<int> started{0};
  ex.ParallelFor(2, [&](size_t) {
    started.fetch_add(1);
    while (started.load() < 2) std::this_thread::yield();
  });
  EXPECT_EQ(started.load(), 2);
}

TEST(ExecutorTest, MaxParallelOneStaysOnTheCaller) {
  Executor ex(4);
  const auto caller = std::this_thread::get_id();
  ex.ParallelFor(
      20, [&](size_t) { EXPECT_EQ(std::this_thread::get_id(), caller); }, 1);
  EXPECT_EQ(ex.queued(), 0u);
}

TEST(ExecutorTest, NestedLoopsOnABusyPoolFinish) {
  // Every worker is inside an outer index that runs an inner loop: the inner
  // loops must complete on their callers.
  Executor ex(2);
  std::atomic<int> inner{0};
  ex.ParallelFor(8, [&](size_t) { ex.ParallelFor(16, [&](size_t) { inner.fetch_add(1); }); });
  EXPECT_EQ(inner.load(), 8 * 16);
}

TEST(ExecutorTest, ConcurrentCallersShareThePool) {
  Executor ex(2);
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 6; ++c)
    callers.emplace_back([&] { ex.ParallelFor(100, [&](size_t) { total.fetch_add(1); }); });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total.load(), 600);
}

TEST(ExecutorTest, DestructorAfterLoopsLeavesNoTaskBehind) {
  auto ex = std::make_unique<Executor>(4);
  std::atomic<int> n{0};
  for (int r = 0; r < 50; ++r) ex->ParallelFor(3, [&](size_t) { n.fetch_add(1); });
  ex.reset();  // joins; helper tasks that found no index left have returned
  EXPECT_EQ(n.load(), 150);
}

}  // namespace
}  // namespace finex
