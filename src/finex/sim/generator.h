// The simulator's source of truth: a deterministic market generator, plus
// real CSV histories loaded with --data that take precedence over it.
//
// Every symbol gets a reproducible price path: hash(symbol) ^ seed picks the
// price level, volatility, listing date, and whether the symbol pays
// dividends or splits. The path is a multi-scale value-noise function of time
// (periods from 4 years down to 1 minute) plus a slow trend, so any instant's
// price is computed directly, with no state: any range, any interval, any
// order of requests gives the same numbers.
//
// Bars follow the symbol's real exchange calendar (calendar::CalendarFor):
// bar starts come from Calendar::BarStarts, intraday bars end at the next
// start or the session close. 1m bars: open = p(start), close = p(end),
// high/low = max/min(open, close) widened by a deterministic wick; 5m..1h bars
// aggregate the 1m bars they contain; 1d bars run from the session open to
// the close sampled every 15 minutes (open/close equal the first/last 1m bar);
// 1w/1mo aggregate the daily bars. Nothing exists after `now`: the bar that
// contains `now` is live (close = p(now), volume pro rata), and changes as the
// clock moves — the providers' still-forming last bar.
//
// Prices are split-adjusted as of `now` (Yahoo's convention: a split that has
// happened by `now` divides every earlier price; one still in the future does
// not) unless Adjustment::kRaw asks for as-traded prices (Alpha Vantage's
// TIME_SERIES_DAILY). adj_close also folds in dividends paid by `now`.
//
// Stamps follow API.md: intraday bars at their UTC open time, 1d/1w/1mo at
// 00:00 UTC of their (first) trading date.
//
// Thread-safety: a Generator is immutable after its Load* calls (apart from
// an internal, mutex-guarded cache of per-symbol profiles); const methods may
// be called from any number of threads. Load* are not
// thread-safe and must finish before the generator is shared.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/mutex.h"
#include "finex/core/records.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"

namespace finex::sim {

namespace detail {
struct CsvSeries;  // detail/csv_history.h
}  // namespace detail

enum class Adjustment {
  kSplitAdjusted,  // prices divided by splits that happened by `now` (Yahoo, Twelve Data, Binance)
  kRaw,            // as traded (Alpha Vantage TIME_SERIES_DAILY / _INTRADAY)
};

// A corporate action. `ts` is the session open (UTC) of the ex-date.
struct Event {
  enum class Kind { kDividend, kSplit };
  Kind kind = Kind::kDividend;
  Timestamp ts = 0;
  CivilDate date;     // exchange-local ex-date
  double amount = 0;  // dividend per share, as paid (raw, not split-adjusted)
  int numerator = 1;  // split numerator:denominator (4:1 → 4, 1)
  int denominator = 1;
  double factor = 1;  // dividends: 1 - amount / raw close of the session before the ex-date
};

// What a provider says about a symbol.
struct SymbolInfo {
  std::string symbol;
  std::string name;           // "Apple Inc." or "<SYMBOL> Corp." for generated ones
  std::string type;           // "EQUITY", "ETF", "INDEX", "CRYPTOCURRENCY", "CURRENCY", "FUTURE"
  std::string currency;       // upper-case ISO code as the provider reports it ("USD", "GBp")
  std::string exchange;       // Yahoo short exchange name ("NMS", "NYQ", "LSE", "CCC", ...)
  std::string full_exchange;  // "NasdaqGS", "NYSE", ...
  std::string sector, industry, country;
  const calendar::Calendar* calendar = nullptr;  // never null
  Timestamp listed = 0;          // first trading instant (session open of the first day)
  double market_cap_shares = 0;  // shares (or coins) outstanding, for market caps
  bool from_data = false;        // a --data history exists for it
};

class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  // Loads every recognised CSV (optionally .csv.gz) in `dir` (not recursive).
  // Recognised layouts: a header naming date/time and open/high/low/close
  // (any case; ',' or ';' separated; "Adj Close" and "volume" optional; a
  // "Name"/"symbol" column for multi-symbol files). The symbol and interval
  // come from such a column or from the file name
  // "<source>_<SYMBOL>_<interval>_...csv" (interval default 1d). Files whose
  // layout is not recognised are skipped and listed in skipped().
  // InvalidArgument ("file:line: ...") for a malformed row in a recognised
  // file; NotFound when dir does not exist.
  Status LoadCsvDir(const std::string& dir);
  // Loads one file; symbol/interval override the inferred ones when non-empty.
  Status LoadCsvFile(const std::string& path, std::string_view symbol = "",
                     std::optional<Interval> interval = std::nullopt);
  const std::vector<std::string>& skipped() const { return skipped_; }
  // Number of (symbol, interval) series loaded.
  size_t loaded_series() const { return loaded_.size(); }
  // Symbols with loaded data (sorted).
  std::vector<std::string> LoadedSymbols() const;

  // Metadata for any symbol (loaded, well-known or generated).
  SymbolInfo Info(std::string_view symbol) const;

  // The truth: bars of `symbol` at `iv` with start in r and start <= now.
  // Loaded history wins for the (symbol, interval) it holds (and 1w/1mo are
  // aggregated from a loaded 1d series); those bars are final, never live.
  // Fields: ohlcv + adj_close; provider "sim", currency from Info() (lower
  // case), timezone the exchange zone.
  FramePtr Bars(std::string_view symbol, Interval iv, TimeRange r, Timestamp now,
                Adjustment adj = Adjustment::kSplitAdjusted) const;

  // Splits and dividends with ex-date session open in r and <= now.
  std::vector<Event> Events(std::string_view symbol, TimeRange r, Timestamp now) const;

  // Split-adjusted (as of now) price at instant t (t <= now), on the
  // continuous path (also outside sessions, which is what CoinGecko samples).
  double PriceAt(std::string_view symbol, Timestamp t, Timestamp now) const;

  // Latest quote at `now`: price of the last traded instant, change against
  // the previous session's close, the current (or last) session's high/low/volume.
  Quote QuoteAt(std::string_view symbol, Timestamp now) const;

  // Deterministic per-bar quirk: Yahoo returns this intraday bar as nulls
  // (about 1 in 1500 intraday bars). Exposed so tests can skip them.
  bool YahooNullBar(std::string_view symbol, Timestamp bar_start) const;

  uint64_t seed() const { return seed_; }

 private:
  struct Profile;
  using Series = detail::CsvSeries;  // a loaded history
  Profile MakeProfile(std::string_view symbol) const;
  // Cached MakeProfile (profiles are pure functions of symbol and seed).
  std::shared_ptr<const Profile> GetProfile(std::string_view symbol) const;
  double LogPath(const Profile& p, double t) const;
  const Series* FindLoaded(std::string_view symbol, Interval iv) const;
  FramePtr LoadedBars(const Series& s, const Profile& p, Interval iv, TimeRange r,
                      Timestamp now) const;

  uint64_t seed_;
  std::map<std::string, std::shared_ptr<const Series>, std::less<>> loaded_;  // key "SYM|iv"
  std::vector<std::string> skipped_;
  mutable Mutex cache_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const Profile>> cache_
      FINEX_GUARDED_BY(cache_mu_);
};

// The built-in well-known instruments (real names and price levels): US
// equities, an ETF, an index, FX pairs, a future, LSE/XETRA/Tokyo listings,
// Yahoo crypto pairs, Binance pairs and CoinGecko coin ids.
std::vector<std::string> WellKnownSymbols();

// Convenience over a process-wide Generator(seed 0) without loaded data: what
// `finex sim` (default seed) serves for `symbol`. For tests elsewhere.
FramePtr TrueBars(std::string_view symbol, Interval iv, TimeRange r, Timestamp now,
                  Adjustment adj = Adjustment::kSplitAdjusted);

}  // namespace finex::sim
