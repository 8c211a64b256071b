// Issue 7 "Must show", replaying a trading day (Friday 2024-03-15, NYSE
// 13:30-20:00 UTC) with one fake clock shared by `finex sim` and the cache:
// expiry refetches exactly the expired fragments; the live last bar is
// provisional, replaced after its short TTL and final after close + lag;
// a provider failure with cached data is a stale answer with honest
// freshness (and an error with nothing cached); a split appearing in the
// simulator ends pre-split prices.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "finex/engine/engine.h"
#include "finex/sim/generator.h"
#include "tests/integration/lifecycle_rig.h"
#include "tests/integration/sim_engine.h"

namespace finex::lifecycle {
namespace {

using cache::HistoryResult;
using fragment::Fragment;

std::string Ranges(const std::vector<TimeRange>& rs) {
  std::string s;
  for (const TimeRange& r : rs)
    s += "[" + FormatIsoUtc(r.start) + ", " + FormatIsoUtc(r.end) + ") ";
  return s;
}

// The answer holds the simulator's truth at `now` for [s, e]: same bars
// (Yahoo's deterministic all-null bars excepted), same closes (float32 on the wire).
void ExpectTruth(const Rig& rig, const HistoryResult& r, const std::string& sym, Interval iv,
                 Timestamp s, Timestamp e) {
  FramePtr truth = sim::TrueBars(sym, iv, {s, e + 1}, rig.clock.Now());
  std::map<Timestamp, double> want;
  for (size_t i = 0; i < truth->rows(); ++i) {
    const Timestamp ts = truth->timestamps()[i];
    if (IsIntraday(iv) && rig.sim->generator().YahooNullBar(sym, ts)) continue;
    want[ts] = truth->close()[i];
  }
  ASSERT_EQ(r.frame->rows(), want.size()) << FormatIsoUtc(s) << ".." << FormatIsoUtc(e);
  for (size_t i = 0; i < r.frame->rows(); ++i) {
    const Timestamp ts = r.frame->timestamps()[i];
    auto it = want.find(ts);
    ASSERT_NE(it, want.end()) << FormatIsoUtc(ts);
    ASSERT_NEAR(r.frame->close()[i], it->second, 1e-6 * std::abs(it->second)) << FormatIsoUtc(ts);
  }
}

std::optional<Fragment> Holding(const std::vector<Fragment>& fs, Timestamp bar) {
  for (const Fragment& f : fs)
    if (!f.is_empty_answer() && f.actual.Contains(bar)) return f;
  return std::nullopt;
}

double LastClose(const HistoryResult& r) { return r.frame->close()[r.frame->rows() - 1]; }

TEST(LifecycleReplay, ExpiryRefetchesExactlyTheExpiredFragments) {
  RigOptions o;
  o.start = T(2024, 3, 15, 16);
  Rig rig(o);
  // Two weeks of 5m bars: pieces older than 7 days (long TTL), recent final
  // days (minutes) and today's live piece (seconds).
  const Timestamp start = T(2024, 3, 4);
  auto ask = [&] { return rig.H("AAPL", Interval::k5m, start, rig.clock.Now()); };
  ASSERT_OK(ask());
  rig.http.TakeUrls();
  bool saw_partial = false, saw_final_refetch = false;
  // Live pieces expire every 5 minutes, settled ones at close + lag, recent
  // final ones after a day: up to ~60 steps reach the last.
  for (int step = 0; step < 200 && !saw_final_refetch; ++step) {
    const std::vector<Fragment> before = rig.Fragments("AAPL", Interval::k5m);
    ASSERT_FALSE(before.empty());
    Timestamp next = std::numeric_limits<Timestamp>::max();
    for (const Fragment& f : before)
      if (!f.is_empty_answer() && f.expires_at > rig.clock.Now())
        next = std::min(next, f.expires_at);
    ASSERT_NE(next, std::numeric_limits<Timestamp>::max());
    rig.clock.Set(next);
    const Timestamp now = rig.clock.Now();
    std::vector<Fragment> expired, fresh;
    for (const Fragment& f : before) {
      if (f.is_empty_answer()) continue;
      (f.expired(now) ? expired : fresh).push_back(f);
    }
    ASSERT_FALSE(expired.empty());
    ASSERT_OK_AND_ASSIGN(HistoryResult r, ask());
    const std::vector<TimeRange> calls = rig.http.TakeChartRanges();
    SCOPED_TRACE("step " + std::to_string(step) + " at " + FormatIsoUtc(now) + ": " +
                 std::to_string(expired.size()) + " expired, " + std::to_string(fresh.size()) +
                 " fresh; calls " + Ranges(calls));
    EXPECT_EQ(r.info.api_calls_made, static_cast<int>(calls.size()));
    ASSERT_FALSE(calls.empty());
    // No fresh fragment is asked again...
    for (const TimeRange& c : calls)
      for (const Fragment& f : fresh)
        EXPECT_TRUE(c.Intersect(f.actual).empty())
            << "fresh " << f.key << " (expires " << FormatIsoUtc(f.expires_at) << ") refetched by ["
            << FormatIsoUtc(c.start) << ", " << FormatIsoUtc(c.end) << ")";
    // ...and every expired one is (its first and last bar lie in a call).
    for (const Fragment& f : expired) {
      for (Timestamp bar : {f.actual.start, f.actual.end - NominalSeconds(Interval::k5m)}) {
        const bool asked = std::any_of(calls.begin(), calls.end(),
                                       [&](const TimeRange& c) { return c.Contains(bar); });
        EXPECT_TRUE(asked) << "expired " << f.key << " bar " << FormatIsoUtc(bar)
                           << " not refetched";
      }
      if (f.final) saw_final_refetch = true;
    }
    if (!fresh.empty()) saw_partial = true;
    ExpectTruth(rig, r, "AAPL", Interval::k5m, start, now);
  }
  EXPECT_TRUE(saw_partial) << "never a step where only part of the series had expired";
  EXPECT_TRUE(saw_final_refetch) << "final recent pieces never expired within 200 steps";
}

TEST(LifecycleReplay, LiveBarIsProvisionalThenReplacedThenFinalAfterCloseAndLag) {
  RigOptions o;
  o.start = T(2024, 3, 15, 15, 2, 10);  // 11:02 New York, in session
  Rig rig(o);
  const Timestamp day = T(2024, 3, 15);
  auto ask = [&] { return rig.H("AAPL", Interval::k5m, day, rig.clock.Now()); };

  ASSERT_OK_AND_ASSIGN(HistoryResult r1, ask());
  EXPECT_EQ(r1.info.api_calls_made, 1);
  ASSERT_GT(r1.frame->rows(), 0u);
  EXPECT_EQ(r1.frame->last_timestamp(), T(2024, 3, 15, 15, 0));  // the forming bar is served
  ExpectTruth(rig, r1, "AAPL", Interval::k5m, day, rig.clock.Now());
  const double close1 = LastClose(r1);
  auto live = Holding(rig.Fragments("AAPL", Interval::k5m), T(2024, 3, 15, 15, 0));
  ASSERT_TRUE(live.has_value());
  EXPECT_FALSE(live->final) << live->key;
  EXPECT_LE(live->expires_at - live->fetched_at, 5 * 60)
      << "a provisional piece lives minutes at most";

  // Within its short TTL the provisional bar is served from cache as it was.
  rig.clock.Advance(30);
  ASSERT_OK_AND_ASSIGN(HistoryResult r2, ask());
  EXPECT_EQ(r2.info.api_calls_made, 0);
  EXPECT_EQ(LastClose(r2), close1);

  // It lives until the next boundary of the real-time period (5 minutes);
  // then the bar it held is replaced by the simulator's completed one and
  // the next bar forms.
  EXPECT_EQ(live->expires_at, T(2024, 3, 15, 15, 5));
  rig.clock.Set(live->expires_at);
  ASSERT_OK_AND_ASSIGN(HistoryResult r3, ask());
  EXPECT_EQ(r3.info.api_calls_made, 1);
  double close_then = 0;
  for (size_t i = 0; i < r3.frame->rows(); ++i)
    if (r3.frame->timestamps()[i] == T(2024, 3, 15, 15, 0)) close_then = r3.frame->close()[i];
  EXPECT_NE(close_then, 0.0);
  EXPECT_NE(close_then, close1) << "the live bar did not change";
  ExpectTruth(rig, r3, "AAPL", Interval::k5m, day, rig.clock.Now());

  // Closed (20:00) but within the publication lag: still provisional.
  rig.clock.Set(T(2024, 3, 15, 20, 5));
  ASSERT_OK_AND_ASSIGN(HistoryResult r4, ask());
  EXPECT_EQ(r4.frame->last_timestamp(), T(2024, 3, 15, 19, 55));
  ExpectTruth(rig, r4, "AAPL", Interval::k5m, day, rig.clock.Now());
  auto last = Holding(rig.Fragments("AAPL", Interval::k5m), T(2024, 3, 15, 19, 55));
  ASSERT_TRUE(last.has_value());
  EXPECT_FALSE(last->final) << last->key;

  // Close + lag (15 min) passed: refetched once and recorded final, on the long clock.
  rig.clock.Set(std::max(last->expires_at, T(2024, 3, 15, 20, 16)));
  ASSERT_OK_AND_ASSIGN(HistoryResult r5, ask());
  EXPECT_GE(r5.info.api_calls_made, 1);
  ExpectTruth(rig, r5, "AAPL", Interval::k5m, day, rig.clock.Now());
  last = Holding(rig.Fragments("AAPL", Interval::k5m), T(2024, 3, 15, 19, 55));
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->final) << last->key;
  EXPECT_GT(last->expires_at - last->fetched_at, 5 * 60) << last->key;
}

// Issue 13 "Must show": a dashboard polls the last day of 5m bars every
// 30 s from 14:00 New York through the close (16:00) and the publication lag
// to 17:00. Settled bars are served from cache and counted as hits; a refresh
// asks only for the unsettled tail, once per real-time period (5 min, aligned
// to bar boundaries); the forming bar is refreshed; after close + lag one
// call finalizes the day, and nothing more is asked.
TEST(LifecycleReplay, LivePollingThroughTheCloseStaysAtTheBound) {
  RigOptions o;
  o.start = T(2024, 3, 15, 18, 0, 10);
  Rig rig(o);
  const Timestamp close = T(2024, 3, 15, 20), final_at = close + 15 * 60;
  double hit_sum = 0;
  int polls = 0, calls_in_session = 0, calls_after_final = 0, forming_refreshed = 0;
  Timestamp forming = 0;  // the forming bar of an earlier answer, and its close then
  double forming_close = 0;
  while (rig.clock.Now() < T(2024, 3, 15, 21)) {
    const Timestamp now = rig.clock.Now();
    ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("AAPL", Interval::k5m, now - kSecondsPerDay, now));
    ++polls;
    hit_sum += r.info.hit_rate;
    if (now < close) calls_in_session += r.info.api_calls_made;
    if (now > final_at) calls_after_final += r.info.api_calls_made;
    ASSERT_GT(r.frame->rows(), 0u);
    // A bar served while forming is later served refreshed (its final value).
    for (size_t i = 0; forming != 0 && i < r.frame->rows(); ++i) {
      if (r.frame->timestamps()[i] != forming || r.frame->close()[i] == forming_close) continue;
      ++forming_refreshed;
      forming = 0;
    }
    if (now < close && !rig.sim->generator().YahooNullBar("AAPL", now - now % 300)) {
      EXPECT_EQ(r.frame->last_timestamp(), now - now % 300)
          << "the forming bar is served at " << FormatIsoUtc(now);
      if (forming == 0) {
        forming = r.frame->last_timestamp();
        forming_close = LastClose(r);
      }
    }
    rig.clock.Advance(30);
  }
  const double mean_hit_rate = hit_sum / polls;
  std::printf(
      "polls %d mean_hit_rate %.4f calls_in_session %d calls_after_final %d "
      "forming_refreshed %d\n",
      polls, mean_hit_rate, calls_in_session, calls_after_final, forming_refreshed);
  EXPECT_GE(mean_hit_rate, 0.95);
  // One call to start, then one per 5-minute refresh period of the session.
  EXPECT_LE(calls_in_session, 1 + 24 + 1);
  EXPECT_GE(forming_refreshed, 10) << "the forming bar was not refreshed";
  // Once close + lag passed: exactly one finalizing call.
  EXPECT_EQ(calls_after_final, 1);
  // The day is final now and equals the simulator's truth.
  ASSERT_OK_AND_ASSIGN(HistoryResult end,
                       rig.H("AAPL", Interval::k5m, T(2024, 3, 15, 13, 30), close - 1));
  EXPECT_EQ(end.info.api_calls_made, 0);
  ExpectTruth(rig, end, "AAPL", Interval::k5m, T(2024, 3, 15, 13, 30), close - 1);
  auto last = Holding(rig.Fragments("AAPL", Interval::k5m), T(2024, 3, 15, 19, 55));
  ASSERT_TRUE(last.has_value());
  EXPECT_TRUE(last->final) << last->key;
}

TEST(LifecycleReplay, ProviderDownServesStaleWithHonestFreshnessElseAnError) {
  RigOptions o;
  o.start = T(2024, 3, 15, 15);
  Rig rig(o);
  const Timestamp day = T(2024, 3, 15);
  ASSERT_OK_AND_ASSIGN(HistoryResult fresh, rig.H("AAPL", Interval::k5m, day, rig.clock.Now()));
  EXPECT_FALSE(fresh.info.stale);
  EXPECT_LT(fresh.info.data_freshness_s, 1.0);
  const Timestamp end = rig.clock.Now();

  rig.clock.Advance(600);  // the live piece expired long ago
  ASSERT_OK(rig.sim->SetFaults(R"({"down": ["yahoo"]})"));
  rig.sim->ResetStats();
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("AAPL", Interval::k5m, day, end));
  EXPECT_GE(rig.Calls(), 1) << "the provider was not asked";
  EXPECT_TRUE(r.info.stale);
  EXPECT_GE(r.info.data_freshness_s, 600.0);
  EXPECT_LT(r.info.data_freshness_s, 602.0);
  EXPECT_FALSE(r.info.note.empty());
  EXPECT_TRUE(r.frame->Equals(*fresh.frame));

  // Nothing cached: an error, never an empty 200.
  auto none = rig.H("MSFT", Interval::k5m, day, end);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable) << none.status();

  // Provider back: fresh again — the unsettled tail refetched, the bars that
  // had settled by 15:00 served as fetched then (600 s ago, and says so).
  // (From the session open: the known-empty pre-market piece checked at
  // 15:00 would count in data_freshness_s too.)
  ASSERT_OK(rig.sim->SetFaults("{}"));
  ASSERT_OK_AND_ASSIGN(HistoryResult back,
                       rig.H("AAPL", Interval::k5m, T(2024, 3, 15, 13, 30), rig.clock.Now()));
  EXPECT_FALSE(back.info.stale);
  EXPECT_GE(back.info.api_calls_made, 1);
  EXPECT_LE(back.info.data_freshness_s, 600.0) << [&] {
    std::string d = "calls " + std::to_string(back.info.api_calls_made) + " keys:";
    for (const std::string& k : back.info.cache_keys_used) d += " " + k;
    for (const Fragment& f : rig.Fragments("AAPL", Interval::k5m))
      d += "\n  " + f.key + " fetched " + FormatIsoUtc(f.fetched_at) + " expires " +
           FormatIsoUtc(f.expires_at);
    return d;
  }();
}

// The real replay clock (`--clock-start 2024-03-15T15:02:00Z --clock-speed
// 600`), one instance shared by the simulator and OpenEngine: the live bar
// served now is replaced by the simulator's evolved one once its short TTL
// passed in replayed time.
TEST(LifecycleReplay, ReplayClockAtSpeedDrivesSimAndEngine) {
  ReplayClock clock(T(2024, 3, 15, 15, 2), 600);
  ASSERT_OK_AND_ASSIGN(finex::testing::SimEngine se, finex::testing::StartSimEngine(clock));
  engine::Engine* engine = se.engine.get();
  const std::string sym = "AAPL";
  auto ask = [&](Timestamp end) {
    cache::HistoryOptions o;
    o.interval = Interval::k5m;
    o.start = T(2024, 3, 15, 13, 30);
    o.end = end;
    return engine->api().History(std::span<const std::string>(&sym, 1), o);
  };
  const Timestamp t1 = clock.Now();
  ASSERT_OK_AND_ASSIGN(HistoryResult r1, ask(t1));
  EXPECT_EQ(r1.info.api_calls_made, 1);
  ASSERT_GT(r1.frame->rows(), 0u);
  EXPECT_EQ(r1.frame->last_timestamp(), t1 - t1 % 300);
  // 0.3 s of wall time = 3 replayed minutes > the live piece's 75 s TTL.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Timestamp t2 = clock.Now();
  ASSERT_GE(t2 - t1, 180);
  ASSERT_OK_AND_ASSIGN(HistoryResult r2, ask(t2));
  EXPECT_GE(r2.info.api_calls_made, 1);
  EXPECT_EQ(r2.frame->last_timestamp(), t2 - t2 % 300);
  // The bar that was live at t1 has moved on since (it is complete or later).
  const Timestamp bar1 = r1.frame->last_timestamp();
  double then = 0, later = 0;
  for (size_t i = 0; i < r2.frame->rows(); ++i)
    if (r2.frame->timestamps()[i] == bar1) later = r2.frame->close()[i];
  then = LastClose(r1);
  EXPECT_NE(later, 0.0);
  EXPECT_NE(later, then) << "the bar live at " << FormatIsoUtc(t1) << " was not replaced";
  EXPECT_EQ(r2.frame->rows(), r1.frame->rows() + static_cast<size_t>((t2 - t2 % 300 - bar1) / 300));
}

// A generated symbol with a split (ex-date after 2015) and its first split.
std::pair<std::string, sim::Event> FindSplit(const sim::Generator& g) {
  for (int i = 0; i < 5000; ++i) {
    const std::string sym = "SPL" + std::to_string(i);
    for (const sim::Event& e : g.Events(sym, {T(2015, 1, 1), T(2024, 12, 1)}, T(2025, 1, 1)))
      if (e.kind == sim::Event::Kind::kSplit && e.numerator != e.denominator) return {sym, e};
  }
  return {"", {}};
}

// Once a provider answer reports the split, SmartCache drops the pieces
// fetched before the ex-date (split_policy.h), so their pre-split prices
// (SPL5 5:1 on 2022-06-24: 368.59 where 73.72 is true) are never served again.
TEST(LifecycleReplay, NoPreSplitPricesOnceTheSplitIsKnown) {
  Rig rig;
  auto [sym, split] = FindSplit(rig.sim->generator());
  ASSERT_FALSE(sym.empty()) << "no generated symbol splits";
  std::cout << "split: " << sym << " " << split.numerator << ":" << split.denominator << " ex "
            << FormatIsoUtc(split.ts) << "\n";
  const Timestamp start = split.ts - 60 * kSecondsPerDay;

  // Pre-market of the ex-date: the split has not happened; 60 days cached.
  rig.clock.Set(split.ts - 2 * kSecondsPerHour);
  ASSERT_OK_AND_ASSIGN(HistoryResult before, rig.H(sym, Interval::k1d, start, rig.clock.Now()));
  ExpectTruth(rig, before, sym, Interval::k1d, start, rig.clock.Now());
  ASSERT_GT(before.frame->rows(), 30u);

  // In the ex-date session: the provider reports the split and restates history.
  rig.clock.Set(split.ts + 30 * 60);
  ASSERT_OK_AND_ASSIGN(HistoryResult after, rig.H(sym, Interval::k1d, start, rig.clock.Now()));
  EXPECT_GE(after.info.api_calls_made, 1);
  const double ratio = static_cast<double>(split.numerator) / split.denominator;
  // Sanity: the simulator did restate the old bars by the split ratio.
  FramePtr truth = sim::TrueBars(sym, Interval::k1d, {start, rig.clock.Now() + 1}, rig.clock.Now());
  ASSERT_NEAR(before.frame->close()[0] / truth->close()[0], ratio, 1e-3 * ratio);
  ExpectTruth(rig, after, sym, Interval::k1d, start, rig.clock.Now());
  // Again later, from the cache: still the restated prices for every bar
  // before the ex-date (the ex-date's own bar is live and may move).
  rig.clock.Advance(60);
  const Timestamp before_ex = FloorToBar(split.ts, Interval::k1d) - 1;
  ASSERT_OK_AND_ASSIGN(HistoryResult again, rig.H(sym, Interval::k1d, start, before_ex));
  EXPECT_EQ(again.info.api_calls_made, 0);
  ExpectTruth(rig, again, sym, Interval::k1d, start, before_ex);
}

}  // namespace
}  // namespace finex::lifecycle
