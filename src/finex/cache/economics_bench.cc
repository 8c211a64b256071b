// Cache economics benchmark (issue 13): provider calls on workload mixes
// finex was not tuned for, against the LOWER BOUND — the fewest calls any
// cache could make, knowing every request in advance, given what one call of
// each provider carries (provider/<name>/<name>_facts.h: rows per call, span
// per call, lookback, whole-history calls).
//
// Providers are FakeProviders holding the real providers' facts (they refuse
// what the real one refuses: beyond the lookback, a span too long), over the
// exchange calendars; the clock stands on a Saturday noon, so every stock bar
// asked is final and the bound is exact.
//
// Per mix: requests; calls_nocache (each request alone at its own bound);
// calls_exact (a cache keyed on the literal request, infinite TTL); calls_finex;
// bound; finex_over_bound (goal <= 1.15).
//
// The bound, per series (symbol, interval, provider): the union of the bar
// starts every request asked (clipped to the provider's reach) is covered
// greedily — a call starts at the first bar not yet covered and reaches as
// far as one call can (rows, span, one calendar month); a provider without
// limits or with whole-history calls needs one call. Greedy is optimal for
// covering points on a line with intervals of bounded reach.
//
//   ./build/release/bench/finex_bench --benchmark_filter=Economics
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/smart_cache.h"
#include "finex/calendar/calendar.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"

namespace finex::cache {
namespace {

using provider::ProviderId;

Timestamp Day(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

struct Ask {
  std::vector<std::string> symbols;
  Interval interval = Interval::k1d;
  std::optional<Timestamp> start, end;  // end inclusive
  std::string period;
  std::string provider;  // "yahoo" | "binance" | "" (finex picks: yahoo for stocks)
  std::string currency;
  FieldSet fields = FieldSet::Ohlcv();

  std::string Literal() const {
    std::string s;
    for (const std::string& x : symbols) s += x + ",";
    s += "|" + std::string(IntervalName(interval)) + "|" + period + "|" +
         (start ? std::to_string(*start) : "") + "|" + (end ? std::to_string(*end) : "") + "|" +
         provider + "|" + currency + "|" + fields.Name();
    return s;
  }
};

struct Mix {
  std::string name;
  std::vector<Ask> asks;
};

const Timestamp kNow = Day(2025, 1, 11) + 12 * 3600;  // Saturday noon UTC

bool IsCrypto(std::string_view s) { return s.ends_with("USDT"); }

// The limits of the provider serving `symbol` (the facts FakeProvider holds).
provider::CallLimits LimitsFor(const finex::testing::FakeProvider& p, Interval iv) {
  return p.FactsLimits(iv);
}

// Fewest calls covering `bars` (ascending, unique) with calls of `lim`.
int64_t GreedyCover(const std::vector<Timestamp>& bars, const provider::CallLimits& lim,
                    Interval iv, const calendar::Calendar& cal) {
  if (bars.empty()) return 0;
  if (lim.whole_history || (lim.max_rows == 0 && lim.max_span_s == 0 && !lim.month_per_call))
    return 1;
  int64_t calls = 0;
  size_t i = 0;
  while (i < bars.size()) {
    const Timestamp s = bars[i];
    Timestamp reach = std::numeric_limits<Timestamp>::max();
    if (lim.max_span_s > 0) reach = std::min(reach, s + lim.max_span_s);
    if (lim.month_per_call) {
      const CivilDate d = CivilFromDays(DayOf(s));
      const int ny = d.month == 12 ? d.year + 1 : d.year, nm = d.month == 12 ? 1 : d.month + 1;
      reach = std::min(reach, DaysFromCivil({ny, nm, 1}) * kSecondsPerDay);
    }
    if (lim.max_rows > 0) {
      // The call may carry max_rows bars from s on: reach the next one after them.
      const Timestamp probe = s + lim.max_rows * NominalSeconds(iv) * 4 + kSecondsPerDay * 14;
      const std::vector<Timestamp> starts = cal.BarStarts({s, probe}, iv);
      if (static_cast<int64_t>(starts.size()) > lim.max_rows)
        reach = std::min(reach, starts[static_cast<size_t>(lim.max_rows)]);
    }
    while (i < bars.size() && bars[i] < reach) ++i;
    ++calls;
  }
  return calls;
}

struct MixFigures {
  int64_t requests = 0, nocache = 0, exact = 0, finex = 0, bound = 0, failures = 0;
};

MixFigures RunMix(const Mix& mix) {
  finex::testing::FakeClock clock(kNow);
  const calendar::Calendar& stocks = calendar::CalendarFor("AAPL");
  const calendar::Calendar& crypto = calendar::CalendarFor("BTCUSDT");
  finex::testing::FakeProvider yahoo(ProviderId::kYahoo, stocks, clock);
  finex::testing::FakeProvider binance(ProviderId::kBinance, crypto, clock);
  yahoo.UseFactsLimits();
  binance.UseFactsLimits();
  backend::MemoryBackendOptions mo;
  mo.clock = &clock;
  mo.sweep_interval_ms = 0;
  auto be = backend::NewMemoryBackend(mo);
  auto codec = codec::NewParquetCodec();
  SmartCacheDeps deps;
  deps.backend = be.get();
  deps.codec = codec.get();
  deps.clock = &clock;
  deps.providers = {{&yahoo, {}, {}}, {&binance, {}, {}}};
  SmartCacheOptions so;
  so.validate = false;  // the fake truth is clean
  auto api = NewSmartCache(std::move(deps), so);

  MixFigures fig;
  std::set<std::string> exact;
  using SeriesId = std::tuple<std::string, Interval, std::string>;
  std::map<SeriesId, std::set<Timestamp>> asked;
  for (const Ask& a : mix.asks) {
    HistoryOptions o;
    o.interval = a.interval;
    o.start = a.start;
    o.end = a.end;
    o.period = a.period;
    o.provider = a.provider;
    o.currency = a.currency;
    o.fields = a.fields;
    const size_t seen = yahoo.requests().size() + binance.requests().size();
    auto res = api->History(a.symbols, o);
    ++fig.requests;
    if (std::getenv("FINEX_ECONOMICS_DEBUG")) {
      std::vector<TimeRange> all = yahoo.requests();
      const std::vector<TimeRange> b = binance.requests();
      all.insert(all.end(), b.begin(), b.end());
      for (size_t k = seen; k < all.size(); ++k)
        fprintf(stderr, "%s: %s -> call [%s, %s)\n", mix.name.c_str(), a.Literal().c_str(),
                FormatIsoUtc(all[k].start).c_str(), FormatIsoUtc(all[k].end).c_str());
    }
    if (!res.ok()) {
      ++fig.failures;
      if (std::getenv("FINEX_ECONOMICS_DEBUG"))
        fprintf(stderr, "%s: %s failed: %s\n", mix.name.c_str(), a.Literal().c_str(),
                res.status().ToString().c_str());
      continue;
    }
    // What the request needs, as finex resolved its range.
    int64_t alone = 0;
    for (const std::string& s : a.symbols) {
      const bool is_crypto = IsCrypto(s);
      const finex::testing::FakeProvider& p = is_crypto ? binance : yahoo;
      const calendar::Calendar& cal = is_crypto ? crypto : stocks;
      const provider::CallLimits lim = LimitsFor(p, a.interval);
      Timestamp from = res->query.start;
      if (lim.max_lookback_s > 0) from = std::max(from, kNow - lim.max_lookback_s);
      const Timestamp to = std::min(res->query.end, kNow) + 1;
      std::vector<Timestamp> bars;
      if (from < to) bars = cal.BarStarts({from, to}, a.interval);
      alone += std::max<int64_t>(1, GreedyCover(bars, lim, a.interval, cal));
      auto& set = asked[{s, a.interval, std::string(p.name())}];
      set.insert(bars.begin(), bars.end());
      if (!a.currency.empty() && a.currency != "usd") {
        // A conversion also needs the FX series' daily bars over the range
        // (and the lookback before it for the first bar's rate).
        std::string fx = "USD" + a.currency + "=X";
        for (char& c : fx) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const calendar::Calendar& fx_cal = calendar::CalendarFor(fx);
        const provider::CallLimits fx_lim = LimitsFor(yahoo, Interval::k1d);
        const std::vector<Timestamp> fx_bars =
            fx_cal.BarStarts({from - 10 * kSecondsPerDay, to}, Interval::k1d);
        alone += std::max<int64_t>(1, GreedyCover(fx_bars, fx_lim, Interval::k1d, fx_cal));
        asked[{fx, Interval::k1d, "yahoo"}].insert(fx_bars.begin(), fx_bars.end());
      }
    }
    fig.nocache += alone;
    if (exact.insert(a.Literal()).second) fig.exact += alone;
  }
  fig.finex = yahoo.history_calls() + binance.history_calls();
  for (const auto& [id, bars] : asked) {
    const bool is_crypto = std::get<2>(id) == "binance";
    const finex::testing::FakeProvider& p = is_crypto ? binance : yahoo;
    const calendar::Calendar& cal = is_crypto ? crypto : stocks;
    fig.bound += GreedyCover(std::vector<Timestamp>(bars.begin(), bars.end()),
                             LimitsFor(p, std::get<1>(id)), std::get<1>(id), cal);
  }
  return fig;
}

// ---- The mixes (seeded) ----

std::vector<std::string> Tickers(int n, std::string_view prefix) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::string(prefix) + std::to_string(100 + i));
  return out;
}

const std::vector<std::string> kPairs = {"BTCUSDT", "ETHUSDT",  "SOLUSDT", "BNBUSDT", "XRPUSDT",
                                         "ADAUSDT", "DOGEUSDT", "LTCUSDT", "DOTUSDT", "AVAXUSDT"};

Timestamp RandomDay(std::mt19937_64& rng, Timestamp from, Timestamp to) {
  return from +
         static_cast<Timestamp>(rng() % static_cast<uint64_t>((to - from) / kSecondsPerDay)) *
             kSecondsPerDay;
}

// A research desk: dashboards, sliding backtest windows over 40 tickers spread
// across 2015-2023, zooms, and crypto 1h windows spread over three years.
Mix ResearchDesk() {
  Mix m{"research_desk", {}};
  std::mt19937_64 rng(13);
  const auto tickers = Tickers(40, "DESK");
  const char* periods[] = {"1mo", "3mo", "1y", "5y"};
  std::vector<Timestamp> cursor(tickers.size());
  for (Timestamp& c : cursor) c = RandomDay(rng, Day(2015, 1, 1), Day(2023, 6, 1));
  for (int i = 0; i < 600; ++i) {
    const int kind = static_cast<int>(rng() % 100);
    Ask a;
    if (kind < 25) {
      a.symbols = {tickers[rng() % 12]};  // dashboards watch a dozen names
      a.period = periods[rng() % 4];
    } else if (kind < 55) {
      const size_t t = rng() % tickers.size();
      a.symbols = {tickers[t]};
      a.start = cursor[t];
      a.end = cursor[t] + 120 * kSecondsPerDay - 1;
      cursor[t] += 5 * kSecondsPerDay;
    } else if (kind < 75) {
      const Timestamp center = RandomDay(rng, Day(2015, 6, 1), Day(2023, 6, 1));
      const Timestamp widths[] = {10, 30, 90, 365, 1825};
      const Timestamp w = widths[rng() % 5] * kSecondsPerDay;
      a.symbols = {tickers[rng() % tickers.size()]};
      a.start = center - w / 2;
      a.end = std::min(center + w / 2, kNow);
    } else {
      a.symbols = {kPairs[rng() % 6]};
      a.interval = Interval::k1h;
      a.provider = "binance";
      a.start = RandomDay(rng, Day(2022, 1, 1), Day(2024, 12, 1));
      a.end = *a.start + (3 + static_cast<Timestamp>(rng() % 12)) * kSecondsPerDay - 1;
    }
    m.asks.push_back(std::move(a));
  }
  return m;
}

// Many symbols, long gaps: 250 tickers, each asked a few short windows
// decades apart (a screen of old and new events).
Mix ManySymbolsLongGaps() {
  Mix m{"many_symbols_long_gaps", {}};
  std::mt19937_64 rng(17);
  const auto tickers = Tickers(250, "GAP");
  for (int round = 0; round < 3; ++round) {
    for (const std::string& t : tickers) {
      Ask a;
      a.symbols = {t};
      a.start = RandomDay(rng, Day(1995 + 10 * round, 1, 1), Day(2004 + 10 * round, 12, 1));
      a.end = *a.start + (5 + static_cast<Timestamp>(rng() % 56)) * kSecondsPerDay - 1;
      m.asks.push_back(std::move(a));
    }
  }
  return m;
}

// Crypto intraday windows spread over years: 1h (1-14 days) over 2022-2024 and
// 15m (1-3 days) over 2023-2024, ten pairs.
Mix CryptoIntraday() {
  Mix m{"crypto_intraday", {}};
  std::mt19937_64 rng(19);
  for (int i = 0; i < 400; ++i) {
    Ask a;
    a.symbols = {kPairs[rng() % kPairs.size()]};
    a.provider = "binance";
    if (rng() % 100 < 60) {
      a.interval = Interval::k1h;
      a.start = RandomDay(rng, Day(2022, 1, 1), Day(2024, 12, 15)) +
                static_cast<Timestamp>(rng() % 24) * 3600;
      a.end = *a.start + (1 + static_cast<Timestamp>(rng() % 14)) * kSecondsPerDay - 1;
    } else {
      a.interval = Interval::k15m;
      a.start = RandomDay(rng, Day(2023, 1, 1), Day(2024, 12, 15));
      a.end = *a.start + (1 + static_cast<Timestamp>(rng() % 3)) * kSecondsPerDay - 1;
    }
    m.asks.push_back(std::move(a));
  }
  return m;
}

// Intraday near now: 15m windows inside Yahoo's 60-day reach, 1h windows inside
// its 730-day reach (20 tickers), and multi-symbol daily screens.
Mix IntradayNearNow() {
  Mix m{"intraday_near_now", {}};
  std::mt19937_64 rng(23);
  const auto tickers = Tickers(20, "INTRA");
  for (int i = 0; i < 300; ++i) {
    Ask a;
    const int kind = static_cast<int>(rng() % 100);
    if (kind < 40) {
      a.symbols = {tickers[rng() % tickers.size()]};
      a.interval = Interval::k15m;
      a.start = kNow - (3 + static_cast<Timestamp>(rng() % 50)) * kSecondsPerDay;
      a.end = *a.start + (1 + static_cast<Timestamp>(rng() % 5)) * kSecondsPerDay - 1;
    } else if (kind < 70) {
      a.symbols = {tickers[rng() % tickers.size()]};
      a.interval = Interval::k1h;
      a.start = kNow - (30 + static_cast<Timestamp>(rng() % 650)) * kSecondsPerDay;
      a.end = *a.start + (5 + static_cast<Timestamp>(rng() % 26)) * kSecondsPerDay - 1;
    } else {
      const size_t first = rng() % 10;
      for (size_t k = 0; k < 10; ++k) a.symbols.push_back(tickers[first + k]);
      a.period = rng() % 2 ? "1y" : "6mo";
    }
    m.asks.push_back(std::move(a));
  }
  return m;
}

// Field upgrades and currency requests: the same daily windows asked for
// OHLCV, then with adj_close, then adj_close alone; native currency asked
// both implicitly and as "usd", and "eur" (converted with USDEUR=X); the
// provider both named and not.
Mix FieldsAndCurrency() {
  Mix m{"fields_currency", {}};
  std::mt19937_64 rng(29);
  const auto tickers = Tickers(30, "FLD");
  for (int i = 0; i < 300; ++i) {
    Ask a;
    a.symbols = {tickers[rng() % tickers.size()]};
    a.start = RandomDay(rng, Day(2016, 1, 1), Day(2024, 6, 1));
    a.end = *a.start + (20 + static_cast<Timestamp>(rng() % 300)) * kSecondsPerDay - 1;
    const int f = static_cast<int>(rng() % 3);
    a.fields = f == 0   ? FieldSet::Ohlcv()
               : f == 1 ? FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)
                        : FieldSet(FieldSet::kAdjClose);
    if (rng() % 2) a.currency = rng() % 3 == 0 ? "eur" : "usd";  // eur: converted
    if (rng() % 2) a.provider = "yahoo";
    m.asks.push_back(std::move(a));
  }
  return m;
}

void BM_Economics(benchmark::State& state) {
  const std::vector<Mix> mixes = {ResearchDesk(), ManySymbolsLongGaps(), CryptoIntraday(),
                                  IntradayNearNow(), FieldsAndCurrency()};
  for (auto _ : state) {
    fprintf(stderr, "%-24s %8s %8s %8s %8s %8s %8s %8s\n", "mix", "requests", "nocache", "exact",
            "finex", "bound", "x_bound", "failures");
    double worst = 0;
    for (const Mix& m : mixes) {
      const MixFigures f = RunMix(m);
      const double ratio = f.bound > 0 ? static_cast<double>(f.finex) / f.bound : 0;
      worst = std::max(worst, ratio);
      fprintf(stderr, "%-24s %8lld %8lld %8lld %8lld %8lld %8.2f %8lld\n", m.name.c_str(),
              static_cast<long long>(f.requests), static_cast<long long>(f.nocache),
              static_cast<long long>(f.exact), static_cast<long long>(f.finex),
              static_cast<long long>(f.bound), ratio, static_cast<long long>(f.failures));
      state.counters[m.name + "_finex"] = static_cast<double>(f.finex);
      state.counters[m.name + "_bound"] = static_cast<double>(f.bound);
      state.counters[m.name + "_nocache"] = static_cast<double>(f.nocache);
      state.counters[m.name + "_exact"] = static_cast<double>(f.exact);
      state.counters[m.name + "_failures"] = static_cast<double>(f.failures);
    }
    state.counters["worst_over_bound"] = worst;
  }
}
BENCHMARK(BM_Economics)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finex::cache
