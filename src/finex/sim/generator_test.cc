#include "finex/sim/generator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::sim {
namespace {

using ::finex::testing::StatusIs;

constexpr Timestamp kJan2 = 1704153600;            // 2024-01-02 00:00Z (a Tuesday)
constexpr Timestamp kNow = 1710513000 + 3 * 3600;  // 2024-03-15 17:30Z: NYSE in session

TimeRange R(Timestamp a, Timestamp b) { return TimeRange{a, b}; }

void ExpectSane(const Frame& f, const std::string& what) {
  for (size_t i = 0; i < f.rows(); ++i) {
    const double o = f.open()[i], h = f.high()[i], l = f.low()[i], c = f.close()[i];
    ASSERT_GE(h, std::max(o, c)) << what << " row " << i;
    ASSERT_LE(l, std::min(o, c)) << what << " row " << i;
    ASSERT_GT(l, 0) << what << " row " << i;
    ASSERT_GE(f.volume()[i], 0) << what << " row " << i;
    if (i > 0) ASSERT_LT(f.timestamps()[i - 1], f.timestamps()[i]) << what;
  }
}

TEST(GeneratorTest, DeterministicAcrossInstancesAndRanges) {
  Generator a(0), b(0), c(7);
  auto f1 = a.Bars("AAPL", Interval::k1d, R(kJan2, kJan2 + 60 * kSecondsPerDay), kNow);
  auto f2 = b.Bars("AAPL", Interval::k1d, R(kJan2, kJan2 + 60 * kSecondsPerDay), kNow);
  ASSERT_GT(f1->rows(), 30u);
  EXPECT_TRUE(f1->Equals(*f2));
  // A sub-range gives the same bars (no path state).
  auto sub = a.Bars("AAPL", Interval::k1d,
                    R(kJan2 + 20 * kSecondsPerDay, kJan2 + 30 * kSecondsPerDay), kNow);
  auto slice = f1->Slice(R(kJan2 + 20 * kSecondsPerDay, kJan2 + 30 * kSecondsPerDay));
  EXPECT_TRUE(sub->Equals(*slice));
  // Another seed, another path.
  auto f3 = c.Bars("AAPL", Interval::k1d, R(kJan2, kJan2 + 60 * kSecondsPerDay), kNow);
  EXPECT_NE(f1->close()[5], f3->close()[5]);
  // TrueBars is seed 0.
  EXPECT_TRUE(
      TrueBars("AAPL", Interval::k1d, R(kJan2, kJan2 + 60 * kSecondsPerDay), kNow)->Equals(*f1));
}

TEST(GeneratorTest, PriceLevelsBySymbol) {
  Generator g;
  auto level = [&](const char* s) {
    auto f = g.Bars(s, Interval::k1d, R(kJan2, kJan2 + 10 * kSecondsPerDay), kNow);
    return f->empty() ? 0.0 : f->close()[0];
  };
  EXPECT_GT(level("AAPL"), 100);
  EXPECT_LT(level("AAPL"), 300);
  EXPECT_GT(level("BTC-USD"), 20000);
  EXPECT_GT(level("EURUSD=X"), 0.8);
  EXPECT_LT(level("EURUSD=X"), 1.5);
  EXPECT_EQ(g.Info("AAPL").currency, "USD");
  EXPECT_EQ(g.Info("OCDO.L").currency, "GBp");
  EXPECT_EQ(g.Info("FOO.DE").currency, "EUR");
  EXPECT_EQ(g.Info("BTCUSDT").currency, "USDT");
  EXPECT_EQ(std::string(g.Info("FOO.L").calendar->code()), "XLON");
}

TEST(GeneratorTest, RandomSymbolsAreConsistentAtEveryInterval) {
  const uint64_t seed = testing::TestSeed();
  std::mt19937_64 rng(seed);
  Generator g(seed);
  const char* kSuffixes[] = {"", ".L", ".DE", "-USD", "=X", ".T"};
  for (int k = 0; k < 12; ++k) {
    std::string sym;
    for (int i = 0; i < 3 + static_cast<int>(rng() % 3); ++i)
      sym.push_back(static_cast<char>('A' + rng() % 26));
    sym += kSuffixes[rng() % 6];
    if (sym.ends_with("=X")) sym = sym.substr(0, 3) + "USD=X";
    const Timestamp now = kNow + static_cast<Timestamp>(rng() % (90 * 86400));
    for (Interval iv : kAllIntervals) {
      const Timestamp span = IsIntraday(iv) ? 5 * kSecondsPerDay : 400 * kSecondsPerDay;
      auto f = g.Bars(sym, iv, R(now - span, now + 1), now);
      ExpectSane(*f, sym + " " + std::string(IntervalName(iv)));
      if (!f->empty()) EXPECT_LE(f->last_timestamp(), now) << sym;
    }
  }
}

TEST(GeneratorTest, RespectsTheNyseCalendar) {
  Generator g;
  // 2024-01-01 (New Year) and the weekend of 2024-01-06/07 hold no bars.
  auto f = g.Bars("IBM", Interval::k1d, R(1704067200, 1704067200 + 14 * kSecondsPerDay), kNow);
  std::vector<Timestamp> ts(f->timestamps().values().begin(), f->timestamps().values().end());
  EXPECT_EQ(ts.front(), kJan2);  // AAPL-style stamp: 00:00 UTC of the trading date
  for (Timestamp t : ts) {
    const int wd = WeekdayFromDays(DayOf(t));
    EXPECT_NE(wd, 0) << FormatDate(t);
    EXPECT_NE(wd, 6) << FormatDate(t);
    EXPECT_NE(t, 1704067200) << "New Year's Day";
  }
  EXPECT_EQ(ts.size(), 9u);  // Jan 2-5, 8-12
  // Intraday bars sit inside the session: 09:30..16:00 New York (14:30Z..21:00Z in winter).
  auto m = g.Bars("IBM", Interval::k1h, R(kJan2, kJan2 + kSecondsPerDay), kNow);
  ASSERT_EQ(m->rows(), 7u);  // 09:30, 10:30, ..., 15:30 (short last bar)
  EXPECT_EQ(m->first_timestamp(), kJan2 + 14 * 3600 + 1800);
  // Crypto trades through the weekend.
  auto c = g.Bars("BTC-USD", Interval::k1d, R(1704067200, 1704067200 + 14 * kSecondsPerDay), kNow);
  EXPECT_EQ(c->rows(), 14u);
}

TEST(GeneratorTest, IntradayAggregatesConsistently) {
  Generator g;
  const TimeRange day = R(kJan2, kJan2 + kSecondsPerDay);
  auto m1 = g.Bars("MSFT", Interval::k1m, day, kNow);
  auto m5 = g.Bars("MSFT", Interval::k5m, day, kNow);
  auto d1 = g.Bars("MSFT", Interval::k1d, day, kNow);
  ASSERT_EQ(m1->rows(), 390u);
  ASSERT_EQ(m5->rows(), 78u);
  ASSERT_EQ(d1->rows(), 1u);
  for (size_t k = 0; k < m5->rows(); ++k) {
    double hi = 0, lo = 1e18;
    int64_t vol = 0;
    for (size_t i = k * 5; i < k * 5 + 5; ++i) {
      hi = std::max(hi, m1->high()[i]);
      lo = std::min(lo, m1->low()[i]);
      vol += m1->volume()[i];
    }
    EXPECT_DOUBLE_EQ(m5->open()[k], m1->open()[k * 5]);
    EXPECT_DOUBLE_EQ(m5->close()[k], m1->close()[k * 5 + 4]);
    EXPECT_DOUBLE_EQ(m5->high()[k], hi);
    EXPECT_DOUBLE_EQ(m5->low()[k], lo);
    EXPECT_NEAR(static_cast<double>(m5->volume()[k]), static_cast<double>(vol), 5.0);
  }
  EXPECT_DOUBLE_EQ(d1->open()[0], m1->open()[0]);
  EXPECT_DOUBLE_EQ(d1->close()[0], m1->close()[389]);
  // Weekly bars aggregate daily bars.
  auto w =
      g.Bars("MSFT", Interval::k1w, R(kJan2 - kSecondsPerDay, kJan2 + 6 * kSecondsPerDay), kNow);
  auto days =
      g.Bars("MSFT", Interval::k1d, R(kJan2 - kSecondsPerDay, kJan2 + 6 * kSecondsPerDay), kNow);
  ASSERT_EQ(w->rows(), 1u);
  EXPECT_EQ(w->first_timestamp(), kJan2 - kSecondsPerDay);  // Monday stamp, even on a holiday
  EXPECT_DOUBLE_EQ(w->open()[0], days->open()[0]);
  EXPECT_DOUBLE_EQ(w->close()[0], days->close()[days->rows() - 1]);
}

TEST(GeneratorTest, NothingAfterNowAndTheLiveBarMoves) {
  Generator g;
  const Timestamp open = 1710509400;  // 2024-03-15 13:30Z session open
  auto at = [&](Timestamp now) {
    return g.Bars("AAPL", Interval::k1d, R(open - 2 * 86400, open + 86400), now);
  };
  auto before_open = at(open - 60);
  ASSERT_FALSE(before_open->empty());
  EXPECT_LT(before_open->last_timestamp(), open - 13 * 3600);  // only the 14th
  auto early = at(open + 600), later = at(open + 7200), closed = at(open + 7 * 3600),
       after = at(open + 9 * 3600);
  ASSERT_EQ(early->rows(), 2u);
  EXPECT_NE(early->close()[1], later->close()[1]);  // live: close follows the clock
  EXPECT_LT(early->volume()[1], later->volume()[1]);
  EXPECT_DOUBLE_EQ(early->open()[1], later->open()[1]);
  EXPECT_TRUE(closed->Equals(*after));  // final once the session closed
  auto mins = g.Bars("AAPL", Interval::k1m, R(open, open + 3600), open + 125);
  ASSERT_EQ(mins->rows(), 3u);  // 13:30, 13:31, and the live 13:32
  EXPECT_EQ(mins->last_timestamp(), open + 120);
}

// A symbol with a split in [from, to) and one with a dividend; found by scan (deterministic).
std::string FindSymbolWith(const Generator& g, Event::Kind kind, TimeRange r) {
  for (int i = 0; i < 400; ++i) {
    std::string s = "S" + std::to_string(i);
    for (const Event& e : g.Events(s, r, r.end)) {
      if (e.kind == kind) return s;
    }
  }
  return "";
}

TEST(GeneratorTest, SplitsAdjustHistoryOnlyOnceTheyHappen) {
  Generator g;
  const TimeRange years{1262304000, 1704067200};  // 2010..2024
  const std::string sym = FindSymbolWith(g, Event::Kind::kSplit, years);
  ASSERT_FALSE(sym.empty());
  Event split;
  for (const Event& e : g.Events(sym, years, years.end)) {
    if (e.kind == Event::Kind::kSplit) split = e;
  }
  const double ratio = static_cast<double>(split.numerator) / split.denominator;
  const Timestamp day = DayOf(split.ts) * kSecondsPerDay;
  const TimeRange around{day - 5 * kSecondsPerDay, day + 5 * kSecondsPerDay};
  auto adjusted = g.Bars(sym, Interval::k1d, around, years.end);
  auto raw = g.Bars(sym, Interval::k1d, around, years.end, Adjustment::kRaw);
  auto before_split = g.Bars(sym, Interval::k1d, around, split.ts - 3600);
  ASSERT_EQ(adjusted->rows(), raw->rows());
  for (size_t i = 0; i < raw->rows(); ++i) {
    const double expect = adjusted->timestamps()[i] < day ? ratio : 1.0;
    EXPECT_NEAR(raw->close()[i] / adjusted->close()[i], expect, 1e-9) << i;
  }
  // Seen from before the split, history is as traded.
  for (size_t i = 0; i < before_split->rows(); ++i) {
    EXPECT_NEAR(before_split->close()[i], raw->close()[i], 1e-9 * raw->close()[i]);
  }
}

TEST(GeneratorTest, DividendsLowerAdjClose) {
  Generator g;
  const TimeRange years{1577836800, 1704067200};
  const std::string sym = FindSymbolWith(g, Event::Kind::kDividend, years);
  ASSERT_FALSE(sym.empty());
  const auto events = g.Events(sym, years, years.end);
  Event div;
  for (const Event& e : events) {
    if (e.kind == Event::Kind::kDividend) div = e;
  }
  EXPECT_GT(div.amount, 0);
  const Timestamp ex = DaysFromCivil(div.date) * kSecondsPerDay;
  auto f =
      g.Bars(sym, Interval::k1d, R(ex - 5 * kSecondsPerDay, ex + 3 * kSecondsPerDay), years.end);
  for (size_t i = 0; i < f->rows(); ++i) {
    if (f->timestamps()[i] < ex) {
      EXPECT_LT(f->adj_close()[i], f->close()[i]);
    }
  }
}

// The providers' convention: the ex-date's adjustment factor is 1 - amount /
// the as-traded close of the day before, so the amount reads back from
// adj_close / close (what finex serve's compat routes rely on).
TEST(GeneratorTest, DividendFactorIsOneMinusAmountOverPreviousClose) {
  Generator g;
  const TimeRange years{1577836800, 1704067200};
  const std::string sym = FindSymbolWith(g, Event::Kind::kDividend, years);
  ASSERT_FALSE(sym.empty());
  int checked = 0;
  for (const Event& div : g.Events(sym, years, years.end)) {
    if (div.kind != Event::Kind::kDividend) continue;
    const Timestamp ex = DaysFromCivil(div.date) * kSecondsPerDay;
    auto f = g.Bars(sym, Interval::k1d, R(ex - 6 * kSecondsPerDay, ex + kSecondsPerDay), years.end,
                    Adjustment::kRaw);
    ASSERT_GE(f->rows(), 2u);
    const size_t i = f->rows() - 1;
    ASSERT_EQ(f->timestamps()[i], ex);
    const double x =
        (f->adj_close()[i - 1] / f->close()[i - 1]) / (f->adj_close()[i] / f->close()[i]);
    EXPECT_NEAR(f->close()[i - 1] * (1 - x), div.amount, 1e-9 * f->close()[i - 1]);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(GeneratorTest, LoadsCsvFixturesThatTakePrecedence) {
  Generator g;
  ASSERT_OK(g.LoadCsvDir(std::string(FINEX_SOURCE_DIR) + "/src/finex/sim/testdata/data"));
  EXPECT_EQ(g.loaded_series(), 5u);   // FIXA, FIXBUSDT 1h, FIXC, FIXD, FIXE
  ASSERT_EQ(g.skipped().size(), 1u);  // the ECB rates file
  EXPECT_NE(g.skipped()[0].find("ecb_rates.csv"), std::string::npos);
  const Timestamp now = 1710513000;
  auto a = g.Bars("FIXA", Interval::k1d, R(kJan2, kJan2 + 30 * kSecondsPerDay), now);
  ASSERT_EQ(a->rows(), 4u);  // the null row is not a bar
  EXPECT_EQ(a->first_timestamp(), kJan2);
  EXPECT_DOUBLE_EQ(a->open()[0], 10.0);
  EXPECT_DOUBLE_EQ(a->adj_close()[1], 10.70);
  EXPECT_EQ(a->volume()[3], 900);
  EXPECT_TRUE(g.Info("FIXA").from_data);
  EXPECT_EQ(g.Info("FIXA").listed, kJan2 + 14 * 3600 + 1800);
  auto wk =
      g.Bars("FIXA", Interval::k1w, R(kJan2 - kSecondsPerDay, kJan2 + 6 * kSecondsPerDay), now);
  ASSERT_EQ(wk->rows(), 1u);
  EXPECT_DOUBLE_EQ(wk->high()[0], 11.0);
  EXPECT_EQ(wk->volume()[0], 4600);
  auto b = g.Bars("FIXBUSDT", Interval::k1h, R(1704067200, 1704067200 + 86400), now);
  ASSERT_EQ(b->rows(), 3u);
  EXPECT_EQ(b->timestamps()[1], 1704067200 + 3600);
  EXPECT_DOUBLE_EQ(b->close()[1], 101.9);
  auto c = g.Bars("FIXC", Interval::k1d, R(1001289600, 1001289600 + 5 * kSecondsPerDay), now);
  ASSERT_EQ(c->rows(), 2u);
  EXPECT_DOUBLE_EQ(c->close()[1], 51.5);
  auto d = g.Bars("FIXD", Interval::k1d, R(1360281600, 1360281600 + 5 * kSecondsPerDay), now);
  ASSERT_EQ(d->rows(), 2u);
  EXPECT_DOUBLE_EQ(d->open()[1], 45.17);
  // Intervals the data does not hold still come from the generator.
  EXPECT_FALSE(g.Bars("FIXA", Interval::k1h, R(now - 86400 * 3, now), now)->empty());
}

// yfinance-style daily rows carry the exchange's offset ("+09:00" for Tokyo):
// the bar belongs to the local date written, and dotted symbols (4063.T)
// survive the file name.
TEST(GeneratorTest, DailyCsvRowsKeepTheirLocalDateAndDottedSymbols) {
  const std::string dir = ::testing::TempDir() + "/finex_sim_dotted";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/yahoo_FIX.T_1d_2023-03-27_2023-03-28.csv");
    f << "Date,Open,High,Low,Close,Adj Close,Volume\n"
      << "2023-03-28 00:00:00+09:00,20500,20800,20400,20710,20710,100\n"
      << "2023-03-27 00:00:00+09:00,4150,4220,4130,4206,4206,200\n";
  }
  Generator g;
  ASSERT_OK(g.LoadCsvDir(dir));
  EXPECT_TRUE(g.Info("FIX.T").from_data);
  const Timestamp mar27 = *ParseTime("2023-03-27", TimeBound::kStart);
  auto bars = g.Bars("FIX.T", Interval::k1d, R(mar27, mar27 + 2 * kSecondsPerDay), 2000000000);
  ASSERT_EQ(bars->rows(), 2u);
  EXPECT_EQ(bars->timestamps()[0], mar27);
  EXPECT_DOUBLE_EQ(bars->close()[0], 4206);
  EXPECT_EQ(bars->timestamps()[1], mar27 + kSecondsPerDay);
  EXPECT_DOUBLE_EQ(bars->close()[1], 20710);
  std::filesystem::remove_all(dir);
}

TEST(GeneratorTest, BadCsvNamesFileAndLine) {
  Generator g;
  Status st = g.LoadCsvDir(std::string(FINEX_SOURCE_DIR) + "/src/finex/sim/testdata/bad");
  EXPECT_THAT(st, StatusIs(StatusCode::kInvalidArgument, "yahoo_FIXBAD_1d_x.csv:3"));
  EXPECT_THAT(g.LoadCsvDir("/nonexistent/dir"), StatusIs(StatusCode::kNotFound));
}

TEST(GeneratorTest, RealSharedDataLoads) {
  FINEX_REQUIRE_SHARED_DATA();
  Generator g;
  ASSERT_OK(g.LoadCsvDir(testing::SharedDataDir() + "/ohlcv"));
  EXPECT_GT(g.loaded_series(), 400u);  // the S&P 500 file alone holds ~500 symbols
  // NVDA's first Yahoo row: 1999-01-22 open 1.750000.
  auto f = g.Bars("NVDA", Interval::k1d, R(916963200, 916963200 + 3 * kSecondsPerDay), 1704067200);
  ASSERT_FALSE(f->empty());
  EXPECT_EQ(f->first_timestamp(), 916963200);
  EXPECT_DOUBLE_EQ(f->open()[0], 1.75);
  auto btc = g.Bars("BTCUSDT", Interval::k1h, R(1609459200, 1609459200 + 7200), 1704067200);
  ASSERT_EQ(btc->rows(), 2u);
  EXPECT_DOUBLE_EQ(btc->open()[0], 28923.63);
}

TEST(GeneratorTest, QuoteMatchesTheLiveBar) {
  Generator g;
  const Timestamp now = 1710513000;  // in session
  Quote q = g.QuoteAt("AAPL", now);
  auto d = g.Bars("AAPL", Interval::k1d, R(now - 86400, now + 1), now);
  EXPECT_DOUBLE_EQ(q.price, d->close()[d->rows() - 1]);
  EXPECT_EQ(q.market_state, "REGULAR");
  EXPECT_EQ(q.currency, "usd");
  EXPECT_TRUE(q.change.has_value());
  EXPECT_EQ(g.QuoteAt("AAPL", 1710547200 + 3600 * 2).market_state, "CLOSED");  // Saturday
}

}  // namespace
}  // namespace finex::sim
