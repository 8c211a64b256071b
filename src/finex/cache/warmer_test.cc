#include "finex/cache/warmer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "tests/testutil/fake_cached_api.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

// Polls the job until it is done or failed (bounded).
WarmStatus AwaitFinished(const Warmer& w, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto st = w.Status(id);
    EXPECT_OK(st);
    if (!st.ok() || st->state == "done" || st->state == "failed")
      return st.ok() ? *st : WarmStatus{};
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "warm job " << id << " did not finish";
      return *st;
    }
    std::this_thread::yield();
  }
}

TEST(Warmer, RunsEveryPartThroughThePublicApi) {
  finex::testing::FakeCachedApi api;
  api.AddDailyBars("AAPL", 1704067200, 30);
  api.AddDailyBars("MSFT", 1704067200, 30);
  Warmer w(api);
  WarmRequest req;
  req.symbols = {"AAPL", "MSFT"};
  req.intervals = {Interval::k1d, Interval::k1h};
  req.ranges = {{1704067200, 1704067200 + 10 * kSecondsPerDay}};
  ASSERT_OK_AND_ASSIGN(std::string id, w.Start(req));
  const WarmStatus st = AwaitFinished(w, id);
  EXPECT_EQ(st.state, "done");
  EXPECT_EQ(st.total, 4);
  EXPECT_EQ(st.completed, 4);
  EXPECT_TRUE(st.errors.empty());
  EXPECT_EQ(api.history_calls(), 4);
}

TEST(Warmer, ForgetsTheOldestFinishedJobsBeyondItsLimit) {
  finex::testing::FakeCachedApi api;
  api.AddDailyBars("AAPL", 0, 3);
  Warmer w(api, 2);
  WarmRequest req;
  req.symbols = {"AAPL"};
  req.ranges = {{0, kSecondsPerDay}};
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string id, w.Start(req));
    ids.push_back(id);
  }
  EXPECT_EQ(AwaitFinished(w, ids[3]).state, "done");  // jobs run in order
  for (int i = 0; i < 2; ++i) {
    auto st = w.Status(ids[i]);
    ASSERT_FALSE(st.ok()) << ids[i] << " should be forgotten";
    EXPECT_EQ(st.status().code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(AwaitFinished(w, ids[2]).state, "done");
  EXPECT_EQ(api.history_calls(), 4);
}

TEST(Warmer, AJobFailsOnlyWhenEveryPartFailed) {
  finex::testing::FakeCachedApi api;
  api.AddDailyBars("AAPL", 0, 3);
  api.AddDailyBars("MSFT", 0, 3);
  Warmer w(api);
  api.FailNext(UnavailableError("provider down"), 1);
  WarmRequest req;
  req.symbols = {"AAPL", "MSFT"};
  req.ranges = {{0, kSecondsPerDay}};
  ASSERT_OK_AND_ASSIGN(std::string id, w.Start(req));
  WarmStatus st = AwaitFinished(w, id);
  EXPECT_EQ(st.state, "done");
  ASSERT_EQ(st.errors.size(), 1u);
  api.FailNext(UnavailableError("provider down"), 2);
  ASSERT_OK_AND_ASSIGN(std::string id2, w.Start(req));
  EXPECT_EQ(AwaitFinished(w, id2).state, "failed");
}

TEST(Warmer, BadRequestsAndUnknownIds) {
  finex::testing::FakeCachedApi api;
  Warmer w(api);
  WarmRequest req;
  req.symbols = {"AAPL"};
  EXPECT_EQ(w.Start(req).status().details().param, "ranges");
  req.ranges = {{10, 5}};
  EXPECT_EQ(w.Start(req).status().details().param, "ranges");
  EXPECT_EQ(w.Status("warm-99").status().code(), StatusCode::kNotFound);
  w.Stop();
  req.ranges = {{5, 10}};
  EXPECT_EQ(w.Start(req).status().code(), StatusCode::kUnavailable) << "no job after Stop";
}

}  // namespace
}  // namespace finex::cache
