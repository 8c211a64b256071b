#include "finex/cache/smart_cache.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <random>
#include <thread>

#include "finex/backend/memory/memory_backend.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/key/cache_key.h"
#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/random.h"
#include "tests/testutil/shared_backend.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;
using finex::testing::FakeProvider;
using finex::testing::StatusIs;

Timestamp T(int y, int m, int d, int hh = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour;
}
Timestamp EndOf(int y, int m, int d) { return T(y, m, d) + kSecondsPerDay - 1; }

const FieldSet kOhlcvAdj(FieldSet::kOhlcv | FieldSet::kAdjClose);

struct Rig {
  explicit Rig(SmartCacheOptions o = {}, backend::Backend* shared = nullptr,
               FakeProvider::Truth yahoo_truth = {})
      : clock(T(2025, 1, 10, 22)),
        cal(false, {DayOf(T(2024, 1, 15)), DayOf(T(2024, 7, 4)), DayOf(T(2024, 12, 25))}),
        yahoo(provider::ProviderId::kYahoo, cal, clock, std::move(yahoo_truth)),
        av(provider::ProviderId::kAlphaVantage, cal, clock) {
    backend::MemoryBackendOptions mo;
    mo.clock = &clock;
    mo.sweep_interval_ms = 0;
    own_backend = backend::NewMemoryBackend(mo);
    codec = codec::NewParquetCodec();
    SmartCacheDeps deps;
    deps.backend = shared ? shared : own_backend.get();
    deps.codec = codec.get();
    deps.clock = &clock;
    deps.providers = {{&yahoo, {}}, {&av, [this] { return av_health.load(); }}};
    deps.calendar_for = [this](std::string_view) -> const calendar::Calendar& { return cal; };
    deps.on_flight_wait = [this] { flight_waits.fetch_add(1); };
    api = NewSmartCache(std::move(deps), o);
  }
  Result<HistoryResult> H(const std::string& sym, Timestamp start, Timestamp end_incl,
                          FieldSet f = FieldSet::Ohlcv(), std::string provider = "") {
    HistoryOptions o;
    o.start = start;
    o.end = end_incl;
    o.fields = f;
    o.provider = std::move(provider);
    return api->History(std::span<const std::string>(&sym, 1), o);
  }
  // History of one symbol at interval `iv` (default fields, finex picks).
  Result<HistoryResult> HI(const std::string& sym, Interval iv, Timestamp start,
                           Timestamp end_incl) {
    HistoryOptions o;
    o.interval = iv;
    o.start = start;
    o.end = end_incl;
    return api->History(std::span<const std::string>(&sym, 1), o);
  }
  FramePtr Truth(const std::string& sym, Timestamp start, Timestamp end_incl,
                 FieldSet f = FieldSet::Ohlcv(), std::string_view prov = "yahoo") {
    return finex::testing::FakeTruth(cal, sym, Interval::k1d, {start, end_incl + 1}, clock.Now(),
                                     prov, f);
  }
  int calls() const { return yahoo.history_calls() + av.history_calls(); }

  FakeClock clock;
  FakeCalendar cal;
  FakeProvider yahoo, av;
  std::atomic<double> av_health{1.0};
  std::atomic<int> flight_waits{0};  // lookups that waited for another's fetch
  // Blocks until at least n lookups wait for a fetch in flight.
  void AwaitFlightWaits(int n) {
    while (flight_waits.load() < n) std::this_thread::yield();
  }
  std::unique_ptr<backend::Backend> own_backend;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<CachedApi> api;
};

TEST(SmartCache, MissThenHitsWithZeroCalls) {
  Rig rig;
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 12, 31)));
  EXPECT_EQ(rig.calls(), 1);
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_TRUE(r.frame->Equals(*rig.Truth("AAPL", T(2024, 1, 1), EndOf(2024, 12, 31))))
      << r.frame->DebugString(3);
  EXPECT_EQ(r.frame->rows(), 259u);  // 2024: 262 weekdays minus the 3 holidays of the fake calendar
  EXPECT_EQ(r.query.provider, "yahoo");
  EXPECT_FALSE(r.info.cache_keys_used.empty());
  EXPECT_DOUBLE_EQ(r.info.hit_rate, 0.0);

  // Sub-ranges, field subsets held, holiday/weekend-only extensions: no calls.
  struct Case {
    Timestamp s, e;
    FieldSet f;
  } cases[] = {{T(2024, 3, 4), EndOf(2024, 3, 8), FieldSet::Ohlcv()},
               {T(2024, 1, 1), EndOf(2024, 12, 31), FieldSet(FieldSet::kAdjClose)},
               {T(2024, 6, 1), EndOf(2024, 9, 30), kOhlcvAdj},
               {T(2023, 12, 30), EndOf(2024, 12, 31), FieldSet::Ohlcv()},  // adds a weekend only
               {T(2024, 7, 4), EndOf(2024, 7, 4), FieldSet::Ohlcv()}};     // a holiday alone
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(HistoryResult h, rig.H("AAPL", c.s, c.e, c.f));
    EXPECT_EQ(h.info.api_calls_made, 0);
    EXPECT_DOUBLE_EQ(h.info.hit_rate, 1.0);
    EXPECT_TRUE(h.frame->Equals(*rig.Truth("AAPL", c.s, c.e, c.f))) << FormatIsoUtc(c.s);
    EXPECT_GE(h.info.data_freshness_s, 0);
  }
  EXPECT_EQ(rig.calls(), 1);
  const CacheStats st = rig.api->cache_stats();
  EXPECT_EQ(st.api_calls, 1u);
  EXPECT_EQ(st.hits, 5u);
  EXPECT_EQ(st.misses, 1u);
  EXPECT_GT(st.fragments, 10u);
  EXPECT_GT(st.rows_stored, 250u);
}

TEST(SmartCache, OneMonthPastTheCacheIsOneCall) {
  Rig rig;
  rig.clock.Set(T(2024, 12, 31, 23));
  ASSERT_OK(rig.H("MSFT", T(2024, 1, 1), EndOf(2024, 11, 30)));
  ASSERT_EQ(rig.calls(), 1);
  // The widened fetch already reached "now"; move time on ~a month (within
  // the 30-day TTL of historical daily data).
  rig.clock.Set(T(2025, 1, 27, 23));
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("MSFT", T(2024, 1, 1), EndOf(2025, 1, 27)));
  EXPECT_EQ(rig.calls(), 2);
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_TRUE(r.frame->Equals(*rig.Truth("MSFT", T(2024, 1, 1), EndOf(2025, 1, 27))));
  EXPECT_GT(r.info.hit_rate, 0.8);
  EXPECT_LT(r.info.hit_rate, 1.0);
}

TEST(SmartCache, TheFormingBarIsShortLivedAndNeverFinal) {
  Rig rig;
  rig.clock.Set(T(2024, 6, 12, 16));  // Wednesday, in session (14:30-21:00 UTC)
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  EXPECT_EQ(rig.calls(), 1);
  ASSERT_EQ(r.frame->rows(), 8u);  // today's live bar included
  const double live_close = *r.frame->close().Get(7);
  // Within its short TTL the live piece is served from cache...
  rig.clock.Advance(60);
  ASSERT_OK_AND_ASSIGN(r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  EXPECT_EQ(r.info.api_calls_made, 0) << [&] {
    std::string d;
    for (const TimeRange& q : rig.yahoo.requests()) d += q.ToString() + " ";
    return d;
  }();
  // ...and refreshed once it expired (the next 15-minute boundary: the
  // real-time period of daily bars); finished days are not refetched alone.
  rig.clock.Advance(15 * 60);
  ASSERT_OK_AND_ASSIGN(r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_TRUE(r.frame->Equals(*rig.Truth("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12))));
  (void)live_close;
  // Yesterday's bar is final: a request ending yesterday stays a hit much later.
  rig.clock.Advance(3 * kSecondsPerHour);
  ASSERT_OK_AND_ASSIGN(r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 11)));
  EXPECT_EQ(r.info.api_calls_made, 0);
}

// A Yahoo-like truth: no bar of a session before it opens, and (`trailing`)
// an answer for a range that ended before now gets one extra bar beyond the
// asked end, at the latest trade time (after the close: the close, on a 15m
// boundary; in session: off the grid).
FramePtr YahooLikeTruth(const calendar::Calendar& cal, std::string_view sym, Interval iv,
                        TimeRange r, Timestamp now, std::optional<Timestamp> trailing) {
  if (const auto today = cal.SessionOn(cal.LocalDate(now)); today && now < today->open)
    r.end = std::min(r.end, IsIntraday(iv) ? today->open : FloorToBar(now, iv));
  FramePtr bars = finex::testing::FakeTruth(cal, sym, iv, r, now, "yahoo");
  if (!trailing || r.end > *trailing || bars->empty()) return bars;
  FrameBuilder b(bars->fields());
  Bar extra;
  extra.symbol = std::string(sym);
  extra.timestamp = *trailing;
  const double price = bars->close()[bars->rows() - 1];  // a plausible price: nothing to reject
  extra.open = extra.high = extra.low = extra.close = price;
  extra.volume = 0;
  extra.adj_close = price;
  extra.market_cap = price * 1e6;
  extra.provider = "yahoo";
  extra.currency = "usd";
  extra.timezone = "America/New_York";
  b.Add(extra);
  const FramePtr frames[] = {bars, *std::move(b).Finish()};
  return Frame::Merge(frames);
}

TEST(SmartCache, ABarBeyondTheAskedEndVouchesForNothingAfterTheCall) {
  // Friday 2024-06-14 after the close; Yahoo appends a bar at the close
  // (21:00) to an answer for Tuesday. Kept, it made the piece vouch for
  // Wednesday..Friday (stored as known empty) and added a bar nobody asked.
  const Timestamp friday_close = T(2024, 6, 14, 21);
  SmartCacheOptions o;
  o.planner.widen = fragment::WidenPolicy::kNone;  // each call asks exactly the day
  Rig* rp = nullptr;
  Rig rig(o, nullptr, [&](std::string_view sym, Interval iv, TimeRange r, Timestamp now) {
    return YahooLikeTruth(rp->cal, sym, iv, r, now, friday_close);
  });
  rp = &rig;
  rig.clock.Set(T(2024, 6, 14, 21) + 120);
  auto h15 = [&](Timestamp s, Timestamp e) { return rig.HI("AAPL", Interval::k15m, s, e); };
  auto truth = [&](Timestamp s, Timestamp e) {
    return finex::testing::FakeTruth(rig.cal, "AAPL", Interval::k15m, {s, e + 1}, rig.clock.Now(),
                                     "yahoo", FieldSet::Ohlcv());
  };
  ASSERT_OK_AND_ASSIGN(HistoryResult r, h15(T(2024, 6, 11), EndOf(2024, 6, 11)));
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_EQ(r.frame->rows(), 26u);
  EXPECT_TRUE(r.frame->Equals(*truth(T(2024, 6, 11), EndOf(2024, 6, 11))));
  for (int d : {12, 13, 14}) {
    SCOPED_TRACE(d);
    ASSERT_OK_AND_ASSIGN(r, h15(T(2024, 6, d), EndOf(2024, 6, d)));
    EXPECT_EQ(r.info.api_calls_made, 1) << "a day after the asked end was taken as cached";
    EXPECT_EQ(r.frame->rows(), 26u);
    EXPECT_TRUE(r.frame->Equals(*truth(T(2024, 6, d), EndOf(2024, 6, d))))
        << r.frame->DebugString(3);
  }
  // Tuesday again, a minute later: its pieces are final, nothing is asked.
  rig.clock.Advance(60);
  ASSERT_OK_AND_ASSIGN(r, h15(T(2024, 6, 11), EndOf(2024, 6, 11)));
  EXPECT_EQ(r.info.api_calls_made, 0);
  EXPECT_EQ(r.frame->rows(), 26u);
}

TEST(SmartCache, APastDayAskedInSessionIsFinalDespiteTheTrailingLiveBar) {
  // In session, Yahoo's extra bar sits at the latest trade time (off the 15m
  // grid) and is the forming one; the asked past day's last bar is final.
  const Timestamp now0 = T(2024, 6, 14, 16) + 7 * 60 + 23;
  SmartCacheOptions o;
  o.planner.widen = fragment::WidenPolicy::kNone;  // each call asks exactly the day
  Rig* rp = nullptr;
  Rig rig(o, nullptr, [&](std::string_view sym, Interval iv, TimeRange r, Timestamp now) {
    return YahooLikeTruth(rp->cal, sym, iv, r, now, now - 1);
  });
  rp = &rig;
  rig.clock.Set(now0);
  auto h15 = [&](Timestamp s, Timestamp e) { return rig.HI("AAPL", Interval::k15m, s, e); };
  ASSERT_OK_AND_ASSIGN(HistoryResult r, h15(T(2024, 6, 11), EndOf(2024, 6, 11)));
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_EQ(r.frame->rows(), 26u);
  // Well past the live TTL (225 s for 15m), within the recent-final one.
  rig.clock.Advance(10 * 60);
  ASSERT_OK_AND_ASSIGN(r, h15(T(2024, 6, 11), EndOf(2024, 6, 11)));
  EXPECT_EQ(r.info.api_calls_made, 0) << "a past day was stored as live";
  EXPECT_EQ(r.frame->rows(), 26u);
  // The days up to today were not vouched for by that answer.
  ASSERT_OK_AND_ASSIGN(r, h15(T(2024, 6, 12), EndOf(2024, 6, 12)));
  EXPECT_EQ(r.info.api_calls_made, 1);
  EXPECT_EQ(r.frame->rows(), 26u);
}

TEST(SmartCache, AnEmptyAnswerBeforeTheOpenDoesNotHideTodaysDailyBar) {
  // Daily requests in the minutes before the 14:30 open store a known-empty
  // live piece for today; today's bar (stamped 00:00, inside that piece) must
  // be asked for once the session opened, not after the piece's live TTL
  // (5 min; 10 here, so that a piece stored 5 min before the open would
  // still live 1 min after it).
  SmartCacheOptions o;
  o.ttl.ttl_multiplier = 2;
  Rig* rp = nullptr;
  Rig rig(o, nullptr, [&](std::string_view sym, Interval iv, TimeRange r, Timestamp now) {
    return YahooLikeTruth(rp->cal, sym, iv, r, now, std::nullopt);
  });
  rp = &rig;
  const Timestamp open = T(2024, 6, 12, 14) + 30 * 60;  // Wednesday
  rig.clock.Set(open - 5 * 60);
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  EXPECT_EQ(r.info.api_calls_made, 1);
  ASSERT_EQ(r.frame->rows(), 7u);  // 06-03..06-11: nothing for today yet
  EXPECT_EQ(r.frame->last_timestamp(), T(2024, 6, 11));
  rig.clock.Set(open - 2 * 60);
  ASSERT_OK_AND_ASSIGN(r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  ASSERT_EQ(r.frame->rows(), 7u);
  rig.clock.Set(open + 60);
  const int before = rig.calls();
  ASSERT_OK_AND_ASSIGN(r, rig.H("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12)));
  EXPECT_GE(r.info.api_calls_made, 1) << "the pre-open empty piece was taken as vouching for today";
  EXPECT_EQ(rig.calls() - before, r.info.api_calls_made);
  ASSERT_EQ(r.frame->rows(), 8u);
  EXPECT_EQ(r.frame->last_timestamp(), T(2024, 6, 12));
  EXPECT_TRUE(r.frame->Equals(*rig.Truth("AAPL", T(2024, 6, 3), EndOf(2024, 6, 12))));
}

TEST(SmartCache, ReadinessFollowsProviderHealth) {
  Rig rig;
  EXPECT_OK(rig.api->Ready());
  // Only alpha_vantage reports health; yahoo (no health hook) keeps it ready.
  rig.av_health = 0;
  EXPECT_OK(rig.api->Ready());
  // Unhealthy providers sort last: yahoo is asked first either way.
  ASSERT_OK(rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 1, 31)));
  EXPECT_EQ(rig.yahoo.history_calls(), 1);
  EXPECT_EQ(rig.av.history_calls(), 0);
}

TEST(SmartCache, ValidatesRequests) {
  Rig rig;
  HistoryOptions o;
  std::vector<std::string> none;
  EXPECT_THAT(rig.api->History(none, o), StatusIs(StatusCode::kInvalidArgument));
  std::vector<std::string> bad = {"AA:PL"};
  EXPECT_THAT(rig.api->History(bad, o), StatusIs(StatusCode::kInvalidArgument));
  std::vector<std::string> dup = {"AAPL", "AAPL"};
  EXPECT_THAT(rig.api->History(dup, o), StatusIs(StatusCode::kInvalidArgument, "twice"));
  auto r = rig.H("AAPL", T(2024, 2, 1), T(2024, 1, 1));
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().details().param, "start");
  r = rig.H("AAPL", T(2024, 1, 1), T(2024, 2, 1), FieldSet());
  EXPECT_EQ(r.status().details().param, "fields");
  r = rig.H("AAPL", T(2024, 1, 1), T(2024, 2, 1), FieldSet::Ohlcv(), "binance");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, "not configured"));
  EXPECT_EQ(r.status().details().param, "provider");
  o.period = "1y";
  o.start = 0;
  std::vector<std::string> one = {"AAPL"};
  EXPECT_EQ(rig.api->History(one, o).status().details().param, "period");
  o.start.reset();
  o.period = "7x";
  EXPECT_EQ(rig.api->History(one, o).status().details().param, "period");
  o.period = "";
  o.currency = "US$";
  EXPECT_EQ(rig.api->History(one, o).status().details().param, "currency");
  std::vector<std::string> many(101);
  for (int i = 0; i < 101; ++i) many[i] = "S" + std::to_string(i);
  o.currency = "";
  EXPECT_THAT(rig.api->History(many, o), StatusIs(StatusCode::kInvalidArgument, "too many"));
  EXPECT_EQ(rig.calls(), 0);
}

TEST(SmartCache, DefaultsToOneYearEndingNow) {
  Rig rig;
  HistoryOptions o;
  std::vector<std::string> one = {"AAPL"};
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.api->History(one, o));
  EXPECT_EQ(r.query.end, rig.clock.Now());
  EXPECT_EQ(r.query.start, rig.clock.Now() - 365 * kSecondsPerDay);
  o.period = "ytd";
  ASSERT_OK_AND_ASSIGN(r, rig.api->History(one, o));
  EXPECT_EQ(r.query.start, T(2025, 1, 1));
  EXPECT_EQ(rig.calls(), 1);  // the first (widened) call covered ytd too
}

TEST(SmartCache, TenThousandConcurrentIdenticalMissesMakeOneCall) {
  Rig rig;
  rig.yahoo.CloseGate();
  constexpr int kThreads = 10000;
  std::atomic<int> ok{0}, done{0};
  struct Arg {
    Rig* rig;
    std::atomic<int>* ok;
    std::atomic<int>* done;
  } arg{&rig, &ok, &done};
  auto body = [](void* p) -> void* {
    Arg* a = static_cast<Arg*>(p);
    auto r = a->rig->H("NVDA", T(2024, 1, 1), EndOf(2024, 6, 30));
    if (r.ok() && r->frame->rows() > 100) a->ok->fetch_add(1);
    a->done->fetch_add(1);
    return nullptr;
  };
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  std::vector<pthread_t> ts;
  ts.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    pthread_t t;
    ASSERT_EQ(pthread_create(&t, &attr, +body, &arg), 0) << "thread " << i;
    ts.push_back(t);
  }
  rig.yahoo.AwaitWaiting(1);
  // Every other thread reaches the single-flight wait before the call returns.
  rig.AwaitFlightWaits(kThreads - 1);
  rig.yahoo.OpenGate();
  for (pthread_t t : ts) pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(rig.yahoo.history_calls(), 1);
  EXPECT_EQ(ok.load(), kThreads);
}

TEST(SmartCache, OverlappingConcurrentMissesShareTheCall) {
  SmartCacheOptions o;
  o.planner.widen = fragment::WidenPolicy::kNone;
  Rig rig(o);
  rig.yahoo.CloseGate();
  std::thread a([&] { ASSERT_OK(rig.H("AMD", T(2024, 3, 1), EndOf(2024, 3, 31))); });
  rig.yahoo.AwaitWaiting(1);
  std::thread b(
      [&] { ASSERT_OK(rig.H("AMD", T(2024, 3, 10), EndOf(2024, 3, 20))); });  // inside a's gap
  rig.AwaitFlightWaits(1);  // b waits for a's fetch
  rig.yahoo.OpenGate();
  a.join();
  b.join();
  EXPECT_EQ(rig.yahoo.history_calls(), 1);
}

TEST(SmartCache, StaleIfErrorServesCachedDataWithHonestFreshness) {
  Rig rig;
  ASSERT_OK(rig.H("IBM", T(2024, 1, 1), EndOf(2024, 12, 31)));
  rig.clock.Advance(40 * kSecondsPerDay);  // everything expired
  rig.yahoo.SetFailure(UnavailableError("yahoo down").WithProvider("yahoo", 503));
  rig.av.SetFailure(UnavailableError("av down").WithProvider("alpha_vantage", 503));
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("IBM", T(2024, 1, 1), EndOf(2024, 12, 31)));
  EXPECT_TRUE(r.info.stale);
  EXPECT_NE(r.info.note.find("served cached data"), std::string::npos);
  EXPECT_GE(r.info.data_freshness_s, 40.0 * kSecondsPerDay);
  EXPECT_EQ(r.frame->rows(), 259u);
  // Nothing cached for another symbol: the error comes through.
  EXPECT_THAT(rig.H("ORCL", T(2024, 1, 1), EndOf(2024, 1, 31)), StatusIs(StatusCode::kUnavailable));
}

TEST(SmartCache, FallsBackToTheNextProvider) {
  Rig rig;
  rig.yahoo.SetFailure(UnavailableError("yahoo down"));
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("IBM", T(2024, 1, 1), EndOf(2024, 3, 31)));
  EXPECT_EQ(rig.av.history_calls(), 1);
  EXPECT_EQ(r.query.provider, "alpha_vantage");
  EXPECT_EQ(r.info.api_calls_made, 2);
  // A named provider gets no fallback.
  EXPECT_THAT(rig.H("HPQ", T(2024, 1, 1), EndOf(2024, 3, 31), FieldSet::Ohlcv(), "yahoo"),
              StatusIs(StatusCode::kUnavailable));
  // Unknown symbols are NotFound.
  rig.yahoo.SetFailure(OkStatus());
  rig.yahoo.SetUnknown({"NOPE"});
  EXPECT_THAT(rig.H("NOPE", T(2024, 1, 1), EndOf(2024, 3, 31), FieldSet::Ohlcv(), "yahoo"),
              StatusIs(StatusCode::kNotFound));
}

// A symbol the first provider does not know stays NotFound when a later
// provider refuses to serve at all (e.g. no API key): the user learns the
// symbol is unknown, not that some provider is misconfigured.
TEST(SmartCache, NotFoundIsKeptOverALaterProvidersRefusal) {
  Rig rig;
  rig.yahoo.SetUnknown({"NOPE"});
  rig.av.SetFailure(UnauthenticatedError("apikey missing"));
  EXPECT_THAT(rig.H("NOPE", T(2024, 1, 1), EndOf(2024, 3, 31)), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(rig.av.history_calls(), 1);
}

// by_provider counts hits for the provider whose stored rows answered.
TEST(SmartCache, StatsCountHitsByProvider) {
  Rig rig;
  ASSERT_OK(rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 6, 30)));
  ASSERT_OK(rig.H("AAPL", T(2024, 2, 1), EndOf(2024, 2, 29)));
  ASSERT_OK(rig.H("AAPL", T(2024, 3, 1), EndOf(2024, 3, 29)));
  const CacheStats st = rig.api->cache_stats();
  ASSERT_EQ(st.by_provider.size(), 1u);
  EXPECT_EQ(st.by_provider[0].name, "yahoo");
  EXPECT_EQ(st.by_provider[0].hits, 2u);
  EXPECT_EQ(st.by_provider[0].misses, 1u);
  EXPECT_EQ(st.by_provider[0].api_calls, 1u);
}

TEST(SmartCache, FieldGapsCurrencyAndProviderChoice) {
  Rig rig;
  ASSERT_OK(rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 6, 30)));
  EXPECT_EQ(rig.calls(), 1);
  ASSERT_OK_AND_ASSIGN(HistoryResult r,
                       rig.H("AAPL", T(2024, 2, 1), EndOf(2024, 2, 29), FieldSet::All()));
  EXPECT_EQ(rig.calls(), 2);  // market_cap was never fetched
  EXPECT_TRUE(
      r.frame->Equals(*rig.Truth("AAPL", T(2024, 2, 1), EndOf(2024, 2, 29), FieldSet::All())));
  HistoryOptions o;
  o.start = T(2024, 2, 1);
  o.end = EndOf(2024, 2, 29);
  o.currency = "USD";  // case-insensitive; matches the stored "usd"
  std::vector<std::string> one = {"AAPL"};
  ASSERT_OK_AND_ASSIGN(r, rig.api->History(one, o));
  EXPECT_EQ(r.info.api_calls_made, 0);
  EXPECT_EQ(r.query.currency, "usd");
  // Another provider named: its own fetch.
  ASSERT_OK(rig.H("AAPL", T(2024, 2, 1), EndOf(2024, 2, 29), FieldSet::Ohlcv(), "alpha_vantage"));
  EXPECT_EQ(rig.av.history_calls(), 1);
}

// A currency the instrument is not quoted in is converted with an FX series
// fetched and cached like any other (DESIGN.md "Currencies"): each bar times
// the FX close of its day; the answer names the FX keys; the native and FX
// series are each fetched once and serve every later request.
TEST(SmartCache, AnotherCurrencyIsConvertedWithACachedFxSeries) {
  Rig rig;
  HistoryOptions o;
  o.start = T(2024, 2, 1);
  o.end = EndOf(2024, 2, 29);
  o.currency = "EUR";
  o.fields = kOhlcvAdj;
  std::vector<std::string> one = {"AAPL"};
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.api->History(one, o));
  EXPECT_EQ(r.info.api_calls_made, 2);  // AAPL and USDEUR=X, once each
  EXPECT_EQ(rig.yahoo.history_calls(), 2);
  EXPECT_EQ(r.query.currency, "eur");
  const FramePtr usd = rig.Truth("AAPL", T(2024, 2, 1), EndOf(2024, 2, 29), kOhlcvAdj);
  const FramePtr fx = rig.Truth("USDEUR=X", T(2024, 1, 1), EndOf(2024, 2, 29));
  ASSERT_EQ(r.frame->rows(), usd->rows());
  for (size_t i = 0; i < usd->rows(); ++i) {
    const Bar want = usd->row(i), got = r.frame->row(i);
    double rate = 0;
    for (size_t k = 0; k < fx->rows(); ++k)
      if (fx->row(k).timestamp == want.timestamp) rate = *fx->row(k).close;
    ASSERT_GT(rate, 0) << FormatIsoUtc(want.timestamp);
    EXPECT_EQ(got.timestamp, want.timestamp);
    EXPECT_DOUBLE_EQ(*got.close, *want.close * rate);
    EXPECT_DOUBLE_EQ(*got.open, *want.open * rate);
    EXPECT_DOUBLE_EQ(*got.adj_close, *want.adj_close * rate);
    EXPECT_EQ(got.volume, want.volume);
    EXPECT_EQ(got.currency, "eur");
  }
  ASSERT_EQ(r.info.conversions.size(), 1u);
  const CurrencyConversion& c = r.info.conversions[0];
  EXPECT_EQ(c.symbol, "AAPL");
  EXPECT_EQ(c.from, "usd");
  EXPECT_EQ(c.to, "eur");
  EXPECT_EQ(c.fx_symbol, "USDEUR=X");
  EXPECT_EQ(c.fx_interval, Interval::k1d);
  ASSERT_FALSE(c.fx_keys.empty());
  EXPECT_NE(c.fx_keys[0].find("finex:USDEUR=X:1d:"), std::string::npos) << c.fx_keys[0];
  for (const std::string& k : c.fx_keys)
    EXPECT_NE(std::find(r.info.cache_keys_used.begin(), r.info.cache_keys_used.end(), k),
              r.info.cache_keys_used.end())
        << k;

  // Again, a narrower range, and another symbol in the same currency: the
  // FX series is not fetched again; the native series serves native requests.
  ASSERT_OK_AND_ASSIGN(r, rig.api->History(one, o));
  EXPECT_EQ(r.info.api_calls_made, 0);
  EXPECT_DOUBLE_EQ(r.info.hit_rate, 1.0);
  o.start = T(2024, 2, 10);
  ASSERT_OK_AND_ASSIGN(r, rig.api->History(one, o));
  EXPECT_EQ(r.info.api_calls_made, 0);
  std::vector<std::string> msft = {"MSFT"};
  ASSERT_OK_AND_ASSIGN(r, rig.api->History(msft, o));
  EXPECT_EQ(r.info.api_calls_made, 1);
  o.currency = "";
  ASSERT_OK_AND_ASSIGN(HistoryResult native, rig.api->History(one, o));
  EXPECT_EQ(native.info.api_calls_made, 0);
  EXPECT_TRUE(native.info.conversions.empty());
  EXPECT_EQ(native.frame->row(0).currency, "usd");
  // The native currency asked by name is not a conversion.
  o.currency = "usd";
  ASSERT_OK_AND_ASSIGN(native, rig.api->History(one, o));
  EXPECT_EQ(native.info.api_calls_made, 0);
  EXPECT_TRUE(native.info.conversions.empty());
  EXPECT_EQ(rig.yahoo.history_calls(), 3);
  EXPECT_EQ(rig.av.history_calls(), 0);
}

// No FX rate near a bar (the FX series is empty there) is a clear error
// naming the currency parameter and the FX series, never unconverted prices.
TEST(SmartCache, AConversionWithoutRatesIsAClearError) {
  Rig rig({}, nullptr,
          [](std::string_view symbol, Interval iv, TimeRange r, Timestamp now) -> FramePtr {
            static const FakeCalendar kWeekdays(false, {});
            if (symbol.ends_with("=X")) return Frame::Empty();
            return finex::testing::FakeTruth(kWeekdays, symbol, iv, r, now, "yahoo");
          });
  HistoryOptions o;
  o.start = T(2024, 2, 1);
  o.end = EndOf(2024, 2, 29);
  o.currency = "eur";
  std::vector<std::string> one = {"AAPL"};
  auto r = rig.api->History(one, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(r.status().details().param, "currency");
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("USDEUR=X"));
}

// A provider that refuses a window its facts said it serves teaches finex
// its reach: the call is asked again within it, the answer serves what the
// provider has (never a 502 for data it does serve), and later plans stay
// inside the learned reach with no refused call.
TEST(SmartCache, ARefusedWindowIsLearnedAndClipped) {
  for (const bool stated : {true, false}) {
    SCOPED_TRACE(stated ? "the refusal states its days" : "the refusal states nothing");
    Rig rig;
    rig.yahoo.SetRefusedBefore(
        60 * kSecondsPerDay, stated ? "15m data not available for startTime=1. The requested range "
                                      "must be within the last 60 days."
                                    : "Unprocessable Entity");
    const Timestamp now = rig.clock.Now();
    ASSERT_OK_AND_ASSIGN(HistoryResult r,
                         rig.HI("AAPL", Interval::k15m, now - 100 * kSecondsPerDay, now - 1));
    EXPECT_GT(r.frame->rows(), 0u);
    EXPECT_GE(r.frame->first_timestamp(), now - 60 * kSecondsPerDay);
    EXPECT_THAT(r.info.note, ::testing::HasSubstr("beyond the provider's reach"));
    EXPECT_EQ(rig.av.history_calls(), 0) << "yahoo served what it has: no fallback needed";
    // The window inside the reach is whole: a repeat is a hit, and a later
    // request for older 15m bars makes no call that would be refused.
    const int calls = rig.calls();
    ASSERT_OK_AND_ASSIGN(r, rig.HI("AAPL", Interval::k15m, now - 100 * kSecondsPerDay, now - 1));
    EXPECT_EQ(rig.calls(), calls);
    ASSERT_OK_AND_ASSIGN(
        r, rig.HI("MSFT", Interval::k15m, now - 90 * kSecondsPerDay, now - 80 * kSecondsPerDay));
    EXPECT_EQ(rig.yahoo.history_calls(), calls) << "nothing within the learned reach to ask";
  }
}

TEST(SmartCache, SmallFetchesInOneBucketCoalesceWithoutLosingABar) {
  SmartCacheOptions o;
  o.planner.widen = fragment::WidenPolicy::kNone;
  Rig rig(o);
  ASSERT_OK(rig.H("KO", T(2024, 3, 4), EndOf(2024, 3, 8)));
  ASSERT_OK(rig.H("KO", T(2024, 3, 11), EndOf(2024, 3, 15)));
  ASSERT_OK(rig.H("KO", T(2024, 3, 9), EndOf(2024, 3, 10)));  // weekend only: no call
  EXPECT_EQ(rig.calls(), 2);
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.H("KO", T(2024, 3, 4), EndOf(2024, 3, 15)));
  EXPECT_EQ(r.info.api_calls_made, 0);
  EXPECT_EQ(r.frame->rows(), 10u);
  EXPECT_TRUE(r.frame->Equals(*rig.Truth("KO", T(2024, 3, 4), EndOf(2024, 3, 15))));
  EXPECT_EQ(r.info.cache_keys_used.size(), 1u) << "the March pieces were coalesced";
}

TEST(SmartCache, InvalidateRemovesOnlyMatchingKeys) {
  Rig rig;
  ASSERT_OK(rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 3, 31)));
  ASSERT_OK(rig.H("AAPL.L", T(2024, 1, 1), EndOf(2024, 3, 31)));
  EXPECT_EQ(rig.calls(), 2);
  EXPECT_THAT(rig.api->invalidate_cache("AAPL*"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(size_t n, rig.api->invalidate_cache("finex:AAPL:*"));
  EXPECT_GT(n, 0u);
  ASSERT_OK(rig.H("AAPL.L", T(2024, 1, 1), EndOf(2024, 3, 31)));
  EXPECT_EQ(rig.calls(), 2);
  ASSERT_OK(rig.H("AAPL", T(2024, 1, 1), EndOf(2024, 3, 31)));
  EXPECT_EQ(rig.calls(), 3);
  ASSERT_OK_AND_ASSIGN(auto keys, rig.own_backend->ScanPrefix("finex:AAPL:"));
  for (const std::string& k : keys) EXPECT_TRUE(key::CacheKey::Parse(k).ok()) << k;
}

TEST(SmartCache, ASecondNodeOnTheSameBackendSeesTheFragments) {
  Rig first;
  ASSERT_OK(first.H("AAPL", T(2024, 1, 1), EndOf(2024, 12, 31)));
  finex::testing::SharedBackend shared(
      *first.own_backend);  // as over Redis: rescans before fetching
  Rig second({}, &shared);
  ASSERT_OK_AND_ASSIGN(HistoryResult r, second.H("AAPL", T(2024, 5, 1), EndOf(2024, 8, 31)));
  EXPECT_EQ(second.calls(), 0);
  EXPECT_TRUE(r.frame->Equals(*second.Truth("AAPL", T(2024, 5, 1), EndOf(2024, 8, 31))));
  // Written by the first node after the second loaded the series: found by the rescan.
  ASSERT_OK(first.H("AAPL", T(2023, 1, 1), EndOf(2023, 12, 31)));
  ASSERT_OK(second.H("AAPL", T(2023, 3, 1), EndOf(2023, 4, 30)));
  EXPECT_EQ(second.calls(), 0);
}

TEST(SmartCache, MultiSymbolAnswersAreSortedBySymbol) {
  Rig rig;
  HistoryOptions o;
  o.start = T(2024, 1, 1);
  o.end = EndOf(2024, 1, 31);
  std::vector<std::string> syms = {"MSFT", "AAPL", "GOOG"};
  ASSERT_OK_AND_ASSIGN(HistoryResult r, rig.api->History(syms, o));
  EXPECT_EQ(r.info.api_calls_made, 3);
  ASSERT_EQ(r.frame->rows(), 3u * 22u);
  EXPECT_EQ(r.frame->symbol()[0], "AAPL");
  EXPECT_EQ(r.frame->symbol()[r.frame->rows() - 1], "MSFT");
  EXPECT_EQ(r.query.symbols, syms);
}

TEST(SmartCache, QuoteAndSearchAreCached) {
  Rig rig;
  std::vector<std::string> syms = {"AAPL", "MSFT"};
  ASSERT_OK_AND_ASSIGN(QuoteResult q, rig.api->Quote(syms, {}));
  EXPECT_EQ(q.quotes.size(), 2u);
  EXPECT_EQ(rig.yahoo.quote_calls(), 1);
  ASSERT_OK(rig.api->Quote(syms, {}));
  EXPECT_EQ(rig.yahoo.quote_calls(), 1);
  rig.clock.Advance(20);  // past the 15 s quote TTL
  ASSERT_OK(rig.api->Quote(syms, {}));
  EXPECT_EQ(rig.yahoo.quote_calls(), 2);
  ASSERT_OK_AND_ASSIGN(SearchResults s, rig.api->Search("apple", {}));
  ASSERT_EQ(s.results.size(), 1u);
  ASSERT_OK(rig.api->Search("Apple ", {}));
  EXPECT_EQ(rig.yahoo.search_calls(), 1);
  EXPECT_THAT(rig.api->Search("  ", {}), StatusIs(StatusCode::kInvalidArgument));
  // Stale-if-error for quotes.
  rig.clock.Advance(20);
  rig.yahoo.SetFailure(UnavailableError("down"));
  rig.av.SetFailure(UnavailableError("down"));
  ASSERT_OK_AND_ASSIGN(q, rig.api->Quote(syms, {}));
  EXPECT_TRUE(q.info.stale);
}

// A quote for several symbols answers the known ones and says which it lacks.
TEST(SmartCache, PartialQuoteNamesTheMissingSymbols) {
  Rig rig;
  rig.yahoo.SetUnknown({"ZZZZ"});
  rig.av.SetUnknown({"ZZZZ"});
  std::vector<std::string> syms = {"AAPL", "ZZZZ"};
  ASSERT_OK_AND_ASSIGN(QuoteResult q, rig.api->Quote(syms, {}));
  ASSERT_EQ(q.quotes.size(), 1u);
  EXPECT_EQ(q.quotes[0].symbol, "AAPL");
  EXPECT_THAT(q.info.note, ::testing::HasSubstr("no quote for ZZZZ"));
  std::vector<std::string> only = {"ZZZZ"};
  EXPECT_THAT(rig.api->Quote(only, {}), StatusIs(StatusCode::kNotFound));
}

TEST(SmartCache, WarmRunsInTheBackground) {
  Rig rig;
  WarmRequest w;
  w.symbols = {"AAPL", "MSFT"};
  w.intervals = {Interval::k1d};
  w.ranges = {{T(2024, 1, 1), EndOf(2024, 12, 31)}};
  ASSERT_OK_AND_ASSIGN(std::string id, rig.api->warm_cache(w));
  WarmStatus st;
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK_AND_ASSIGN(st, rig.api->warm_status(id));
    if (st.state == "done" || st.state == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(st.state, "done");
  EXPECT_EQ(st.completed, 2);
  EXPECT_EQ(st.total, 2);
  EXPECT_TRUE(st.errors.empty());
  ASSERT_OK(rig.H("MSFT", T(2024, 2, 1), EndOf(2024, 2, 29)));
  EXPECT_EQ(rig.calls(), 2);
  EXPECT_THAT(rig.api->warm_status("nope"), StatusIs(StatusCode::kNotFound));
  w.ranges = {{10, 5}};
  EXPECT_THAT(rig.api->warm_cache(w), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(rig.api->Ready());
}

// Property: random request sequences (sliding windows, zooms, field subsets,
// providers, clock moves) always answer exactly the truth, and a request is
// fetched only when its trading time was not all vouched for already.
TEST(SmartCache, PropertyAnswersEqualTheTruth) {
  const uint64_t seed = finex::testing::TestSeed();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 4; ++round) {
    SmartCacheOptions o;
    o.planner.widen = static_cast<fragment::WidenPolicy>(rng() % 3);
    o.planner.fragment_size =
        rng() % 2 ? fragment::FragmentSize::kSmall : fragment::FragmentSize::kOptimized;
    Rig rig(o);
    rig.yahoo.SetBonusSeconds(static_cast<Timestamp>(rng() % 3) * 5 * kSecondsPerDay);
    if (rng() % 2) rig.yahoo.SetListed(T(2022, 6, 1));
    if (rng() % 2) rig.yahoo.SetLimits({60, 0, 0, false, true});
    const FieldSet fsets[] = {FieldSet::Ohlcv(), FieldSet(FieldSet::kAdjClose), kOhlcvAdj};
    for (int i = 0; i < 60; ++i) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " round " + std::to_string(round) +
                   " request " + std::to_string(i));
      const Timestamp s = T(2022, 1, 1) + static_cast<Timestamp>(rng() % 1000) * kSecondsPerDay;
      const Timestamp e =
          s + static_cast<Timestamp>(rng() % 200) * kSecondsPerDay + kSecondsPerDay - 1;
      const FieldSet f = fsets[rng() % 3];
      const std::string sym = rng() % 3 ? "AAPL" : "MSFT";
      const int before = rig.calls();
      auto r = rig.H(sym, s, e, f);
      ASSERT_OK(r);
      // Compare with the truth from the listing on.
      auto cut = rig.Truth(sym, s, e, f);
      ASSERT_EQ(r->info.api_calls_made, rig.calls() - before);
      if (r->info.api_calls_made == 0) ASSERT_DOUBLE_EQ(r->info.hit_rate, 1.0);
      // Every bar the answer has is the truth's bar, and none is missing
      // (bars before the listing do not exist upstream).
      size_t j = 0;
      for (size_t k = 0; k < cut->rows(); ++k) {
        if (j < r->frame->rows() && r->frame->timestamps()[j] == cut->timestamps()[k]) {
          ASSERT_EQ(r->frame->row(j), cut->row(k));
          ++j;
        } else {
          std::string dbg;
          for (const TimeRange& q : rig.yahoo.requests()) dbg += q.ToString() + "\n";
          for (const std::string& kk : r->info.cache_keys_used) dbg += kk + "\n";
          ASSERT_LT(cut->timestamps()[k], T(2022, 6, 1))
              << "missing bar " << FormatIsoUtc(cut->timestamps()[k]) << " req " << FormatIsoUtc(s)
              << ".." << FormatIsoUtc(e) << "\n"
              << dbg;
        }
      }
      ASSERT_EQ(j, r->frame->rows());
      if (rng() % 10 == 0) rig.clock.Advance(static_cast<Timestamp>(rng() % 3) * kSecondsPerDay);
    }
    // The same requests again are all hits (nothing expired: TTLs are days).
  }
}

}  // namespace
}  // namespace finex::cache

namespace finex::cache {
namespace {

// Issue 13: stored bytes per bar of a past year of daily bars, cut into
// months (fragment_size small) and into one year piece (optimized, the
// default): the per-piece overhead (a Parquet footer) paid once a year, not
// twelve times, brings it to <= 64 bytes a bar.
struct YearFigures {
  size_t keys = 0, rows = 0, bytes = 0;
};
YearFigures StoredYear(fragment::FragmentSize size) {
  SmartCacheOptions o;
  o.planner.fragment_size = size;
  Rig rig(o);
  EXPECT_OK(rig.H("BPB", T(2023, 3, 1), EndOf(2023, 3, 31)));
  YearFigures y;
  auto keys = rig.own_backend->ScanPrefix("finex:BPB:1d:");
  EXPECT_OK(keys);
  for (const std::string& k : *keys) {
    auto f = fragment::FragmentFromKey(k, 0);
    EXPECT_OK(f);
    if (f->is_empty_answer() || f->parsed.start_ts < T(2023, 1, 1) ||
        f->parsed.end_ts >= T(2024, 1, 1))
      continue;
    auto v = rig.own_backend->Get(k);
    EXPECT_TRUE(v.ok() && v->has_value());
    auto d = rig.codec->Decode(**v);
    EXPECT_OK(d);
    y.keys += 1;
    y.bytes += (*v)->size();
    y.rows += d->frame->rows();
  }
  return y;
}

TEST(SmartCacheStore, AYearOfDailyBarsIsOneKeyAndAtMost64BytesPerBar) {
  const YearFigures months = StoredYear(fragment::FragmentSize::kSmall);
  const YearFigures year = StoredYear(fragment::FragmentSize::kOptimized);
  const double months_per_bar = static_cast<double>(months.bytes) / months.rows;
  const double year_per_bar = static_cast<double>(year.bytes) / year.rows;
  std::printf(
      "2023 daily bars: months %zu keys %zu rows %.1f B/bar; year %zu keys %zu rows %.1f B/bar\n",
      months.keys, months.rows, months_per_bar, year.keys, year.rows, year_per_bar);
  EXPECT_EQ(months.keys, 12u);
  EXPECT_EQ(year.keys, 1u);
  EXPECT_EQ(year.rows, months.rows);
  EXPECT_GT(year.rows, 240u);
  EXPECT_LE(year_per_bar, 64.0);
  EXPECT_LT(year_per_bar, months_per_bar);
}

}  // namespace
}  // namespace finex::cache
