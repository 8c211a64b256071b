// Issue 7 "Must show": warm / invalidate / stats through CachedApi, on the
// real engine (OpenEngine) against `finex sim`: warm_cache reports progress
// to done and leaves the data cached; invalidate_cache rejects hostile
// patterns (param "pattern") and "finex:AAPL:*" touches AAPL's fragments and
// nothing else; cache_stats counters move as specified.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "finex/core/symbol.h"
#include "finex/engine/engine.h"
#include "tests/integration/lifecycle_rig.h"
#include "tests/integration/sim_engine.h"

namespace finex::lifecycle {
namespace {

using cache::HistoryResult;
using finex::testing::StatusIs;

class LifecycleOps : public ::testing::Test {
 public:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(finex::testing::SimEngine se, finex::testing::StartSimEngine(clock_));
    sim_ = std::move(se.sim);
    engine_ = std::move(se.engine);
  }
  void TearDown() override {
    engine_.reset();
    if (sim_) sim_->Stop();
  }
  cache::CachedApi& api() { return engine_->api(); }
  Result<HistoryResult> H(const std::string& sym, Interval iv, Timestamp s, Timestamp e) {
    cache::HistoryOptions o;
    o.interval = iv;
    o.start = s;
    o.end = e;
    return api().History(std::span<const std::string>(&sym, 1), o);
  }

  finex::testing::FakeClock clock_{T(2024, 3, 16, 12)};  // Saturday after 2024-03-15
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(LifecycleOps, WarmReportsProgressToDoneAndLeavesTheDataCached) {
  ASSERT_OK(sim_->SetFaults(R"({"latency_ms": 100})"));  // so progress is observable
  cache::WarmRequest req;
  req.symbols = {"AAPL", "MSFT", "IBM"};
  req.intervals = {Interval::k1d, Interval::k1h};
  req.ranges = {{T(2024, 1, 2), EndOf(2024, 1, 31)}, {T(2024, 2, 1), EndOf(2024, 2, 29)}};
  ASSERT_OK_AND_ASSIGN(std::string id, api().warm_cache(req));
  int last = -1;
  bool saw_between = false;
  cache::WarmStatus st;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  do {
    ASSERT_OK_AND_ASSIGN(st, api().warm_status(id));
    EXPECT_EQ(st.id, id);
    EXPECT_EQ(st.total, 12);
    EXPECT_GE(st.completed, last) << "progress went backwards";
    last = st.completed;
    if (st.completed > 0 && st.completed < st.total) {
      saw_between = true;
      EXPECT_EQ(st.state, "running");
    }
    if (st.state == "done" || st.state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(st.state, "done");
  EXPECT_EQ(st.completed, 12);
  EXPECT_TRUE(st.errors.empty()) << st.errors.front();
  EXPECT_TRUE(saw_between) << "no progress report between 0 and total";
  EXPECT_THAT(api().warm_status("warm-nope"), StatusIs(StatusCode::kNotFound));

  ASSERT_OK(sim_->SetFaults("{}"));
  sim_->ResetStats();
  for (const std::string& s : req.symbols) {
    for (Interval iv : req.intervals) {
      ASSERT_OK_AND_ASSIGN(HistoryResult r, H(s, iv, T(2024, 1, 2), EndOf(2024, 2, 29)));
      EXPECT_EQ(r.info.api_calls_made, 0) << s << " " << IntervalName(iv);
      EXPECT_GT(r.frame->rows(), 0u);
    }
  }
  EXPECT_EQ(sim_->stats().total, 0);

  // Bad warm requests are refused up front.
  cache::WarmRequest bad = req;
  bad.ranges = {{T(2024, 2, 1), T(2024, 1, 1)}};
  EXPECT_THAT(api().warm_cache(bad), StatusIs(StatusCode::kInvalidArgument));
  bad = req;
  bad.symbols = {"../etc"};
  EXPECT_THAT(api().warm_cache(bad), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(LifecycleOps, InvalidateRejectsHostilePatternsAndTouchesOnlyWhatItNames) {
  const std::vector<std::string> syms = {"AAPL", "AAPL.L", "MSFT"};
  size_t aapl_keys = 0;
  for (const std::string& s : syms) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(s, Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
    EXPECT_EQ(r.info.api_calls_made, 1) << s;
    if (s == "AAPL") aapl_keys = r.info.cache_keys_used.size();
  }
  ASSERT_GT(aapl_keys, 0u);
  ASSERT_OK_AND_ASSIGN(HistoryResult aapl1h,
                       H("AAPL", Interval::k1h, T(2024, 2, 1), EndOf(2024, 2, 2)));
  aapl_keys += aapl1h.info.cache_keys_used.size();

  const std::string big = "finex:" + std::string(10 * 1024, 'A') + ":*";
  const std::vector<std::string> hostile = {"*",
                                            "**",
                                            "",
                                            "finex",
                                            "finex:",
                                            "../",
                                            "finex:../*",
                                            "finex:AAPL/../*",
                                            "finex:AAPL:..:*",
                                            "finex:AAPL\n:*",
                                            std::string("finex:AAPL\0:*", 13),
                                            "finex:AAPL\x01:*",
                                            "finex:AAPL\x7f:*",
                                            "finex:AAP*",
                                            "finex:AAPL",
                                            "finex:A?PL:*",
                                            "finex:[A]:*",
                                            "finex:AAPL :*",
                                            "redis:*",
                                            "FINEX:AAPL:*",
                                            "finex:AAPL:1d:*:*:*:*:*:*",
                                            "finex:AAPL:7x:*",
                                            big,
                                            std::string(10 * 1024, '*')};
  for (const std::string& p : hostile) {
    auto r = api().invalidate_cache(p);
    ASSERT_FALSE(r.ok()) << "accepted pattern of " << p.size() << " bytes: " << Printable(p, 60);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
    EXPECT_EQ(r.status().details().param, "pattern") << Printable(p, 60);
    EXPECT_FALSE(r.status().message().empty());
    EXPECT_LT(r.status().message().size(), 1024u) << "the error echoes a huge input";
  }
  // Nothing was touched by the rejected patterns.
  sim_->ResetStats();
  for (const std::string& s : syms) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(s, Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
    EXPECT_EQ(r.info.api_calls_made, 0) << s;
  }

  // finex:AAPL:* removes AAPL's fragments (every interval) and nothing else.
  // (Widened calls stored more AAPL pieces than one answer used.)
  const uint64_t fragments_before = api().cache_stats().fragments;
  ASSERT_OK_AND_ASSIGN(size_t removed, api().invalidate_cache("finex:AAPL:*"));
  EXPECT_GE(removed, aapl_keys);
  EXPECT_EQ(fragments_before - api().cache_stats().fragments, removed);
  sim_->ResetStats();
  for (const std::string& s : {std::string("AAPL.L"), std::string("MSFT")}) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(s, Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
    EXPECT_EQ(r.info.api_calls_made, 0) << s << " was touched by finex:AAPL:*";
  }
  EXPECT_EQ(sim_->stats().total, 0);
  ASSERT_OK_AND_ASSIGN(HistoryResult again,
                       H("AAPL", Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
  EXPECT_EQ(again.info.api_calls_made, 1);
  ASSERT_OK_AND_ASSIGN(again, H("AAPL", Interval::k1h, T(2024, 2, 1), EndOf(2024, 2, 2)));
  EXPECT_EQ(again.info.api_calls_made, 1);
  // A second identical invalidation of an emptied pattern removes nothing more than it finds.
  ASSERT_OK_AND_ASSIGN(removed, api().invalidate_cache("finex:AAPL.L:*"));
  EXPECT_GT(removed, 0u);
  ASSERT_OK_AND_ASSIGN(removed, api().invalidate_cache("finex:AAPL.L:*"));
  EXPECT_EQ(removed, 0u);
}

TEST_F(LifecycleOps, StatsMoveAsSpecified) {
  cache::CacheStats s0 = api().cache_stats();
  EXPECT_EQ(s0.hits, 0u);
  EXPECT_EQ(s0.misses, 0u);
  EXPECT_EQ(s0.api_calls, 0u);
  EXPECT_EQ(s0.fragments, 0u);
  EXPECT_EQ(s0.bytes, 0u);

  // A miss: one call, counted per provider and per symbol.
  ASSERT_OK_AND_ASSIGN(HistoryResult m,
                       H("AAPL", Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
  ASSERT_EQ(m.info.api_calls_made, 1);
  cache::CacheStats s1 = api().cache_stats();
  EXPECT_EQ(s1.misses, 1u);
  EXPECT_EQ(s1.hits, 0u);
  EXPECT_EQ(s1.api_calls, 1u);
  EXPECT_EQ(static_cast<int64_t>(s1.api_calls), sim_->stats().total);
  EXPECT_GT(s1.fragments, 0u);
  EXPECT_GT(s1.bytes, 0u);
  EXPECT_GE(s1.rows_stored, m.frame->rows());
  ASSERT_EQ(s1.by_provider.size(), 1u);
  EXPECT_EQ(s1.by_provider[0].name, "yahoo");
  EXPECT_EQ(s1.by_provider[0].api_calls, 1u);
  ASSERT_EQ(s1.by_symbol.size(), 1u);
  EXPECT_EQ(s1.by_symbol[0].name, "AAPL");
  EXPECT_EQ(s1.by_symbol[0].misses, 1u);
  EXPECT_EQ(s1.validation_rejects, 0u) << "clean simulator data flagged";
  EXPECT_EQ(s1.evictions, 0u);

  // Three hits on AAPL, one miss on MSFT.
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(H("AAPL", Interval::k1d, T(2024, 1, 10), EndOf(2024, 2, 20)));
  ASSERT_OK(H("MSFT", Interval::k1d, T(2024, 1, 2), EndOf(2024, 2, 29)));
  cache::CacheStats s2 = api().cache_stats();
  EXPECT_EQ(s2.hits, 3u);
  EXPECT_EQ(s2.misses, 2u);
  EXPECT_DOUBLE_EQ(s2.hit_rate, 3.0 / 5.0);
  EXPECT_EQ(s2.api_calls, 2u);
  EXPECT_EQ(static_cast<int64_t>(s2.api_calls), sim_->stats().total);
  EXPECT_EQ(s2.api_calls_saved, 3u);
  EXPECT_DOUBLE_EQ(s2.reduction, 3.0 / 5.0);
  EXPECT_GT(s2.fragments, s1.fragments);
  EXPECT_GT(s2.bytes, s1.bytes);
  EXPECT_GT(s2.rows_served, s1.rows_served);
  EXPECT_GT(s2.bonus_rows_reused, 0u);
  EXPECT_GT(s2.p99_ms, 0.0);
  EXPECT_GE(s2.p99_ms, s2.p50_ms);
  ASSERT_EQ(s2.by_symbol.size(), 2u);
  EXPECT_EQ(s2.by_symbol[0].name, "AAPL");  // top N by requests
  EXPECT_EQ(s2.by_symbol[0].hits, 3u);
  EXPECT_EQ(s2.by_symbol[0].misses, 1u);
  EXPECT_EQ(s2.by_symbol[1].name, "MSFT");
  EXPECT_EQ(s2.by_symbol[1].api_calls, 1u);
  ASSERT_EQ(s2.by_provider.size(), 1u);
  EXPECT_EQ(s2.by_provider[0].api_calls, 2u);

  // Invalidation lowers fragments and bytes.
  ASSERT_OK(api().invalidate_cache("finex:MSFT:*"));
  cache::CacheStats s3 = api().cache_stats();
  EXPECT_EQ(s3.fragments, s1.fragments);
  EXPECT_LT(s3.bytes, s2.bytes);
}

}  // namespace
}  // namespace finex::lifecycle
