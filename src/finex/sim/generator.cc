#include "finex/sim/generator.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "finex/core/symbol.h"

namespace finex::sim {
namespace {

constexpr Timestamp kRef = 1704067200;  // 2024-01-01: base prices are levels around here
constexpr double kYear = 365.25 * 86400;

uint64_t Mix(uint64_t x) {  // splitmix64 finalizer
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
uint64_t Mix(uint64_t a, uint64_t b) { return Mix(a ^ Mix(b)); }
uint64_t Mix(uint64_t a, uint64_t b, uint64_t c) { return Mix(Mix(a, b), c); }
double U01(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

uint64_t HashString(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return Mix(h);
}

std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}
std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// Well-known instruments: realistic names, levels and listing dates.
struct Known {
  const char* symbol;
  const char* name;
  const char* type;
  const char* exchange;
  const char* full_exchange;
  const char* currency;
  const char* sector;
  const char* industry;
  double price;        // level around 2024-01
  const char* listed;  // first trading date
  double shares;
};
constexpr Known kKnown[] = {
    {"AAPL", "Apple Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology", "Consumer Electronics",
     185, "1980-12-12", 15.5e9},
    {"MSFT", "Microsoft Corporation", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology",
     "Software—Infrastructure", 370, "1986-03-13", 7.4e9},
    {"GOOGL", "Alphabet Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Communication Services",
     "Internet Content & Information", 140, "2004-08-19", 5.9e9},
    {"AMZN", "Amazon.com, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Consumer Cyclical",
     "Internet Retail", 150, "1997-05-15", 10.4e9},
    {"TSLA", "Tesla, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Consumer Cyclical",
     "Auto Manufacturers", 240, "2010-06-29", 3.2e9},
    {"NVDA", "NVIDIA Corporation", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology",
     "Semiconductors", 490, "1999-01-22", 2.5e9},
    {"META", "Meta Platforms, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Communication Services",
     "Internet Content & Information", 350, "2012-05-18", 2.6e9},
    {"JPM", "JPMorgan Chase & Co.", "EQUITY", "NYQ", "NYSE", "USD", "Financial Services",
     "Banks—Diversified", 170, "1980-03-17", 2.9e9},
    {"IBM", "International Business Machines Corporation", "EQUITY", "NYQ", "NYSE", "USD",
     "Technology", "Information Technology Services", 160, "1962-01-02", 0.9e9},
    {"BA", "The Boeing Company", "EQUITY", "NYQ", "NYSE", "USD", "Industrials",
     "Aerospace & Defense", 250, "1962-01-02", 0.6e9},
    {"SPY", "SPDR S&P 500 ETF Trust", "ETF", "PCX", "NYSEArca", "USD", "", "", 475, "1993-01-29",
     0.9e9},
    {"^GSPC", "S&P 500", "INDEX", "SNP", "SNP", "USD", "", "", 4750, "1927-12-30", 0},
    {"BTC-USD", "Bitcoin USD", "CRYPTOCURRENCY", "CCC", "CCC", "USD", "", "", 42000, "2014-09-17",
     19.6e6},
    {"ETH-USD", "Ethereum USD", "CRYPTOCURRENCY", "CCC", "CCC", "USD", "", "", 2300, "2017-11-09",
     120e6},
    {"EURUSD=X", "EUR/USD", "CURRENCY", "CCY", "CCY", "USD", "", "", 1.09, "2003-12-01", 0},
    {"GBPUSD=X", "GBP/USD", "CURRENCY", "CCY", "CCY", "USD", "", "", 1.27, "2003-12-01", 0},
    {"GC=F", "Gold", "FUTURE", "CMX", "COMEX", "USD", "", "", 2060, "2000-08-30", 0},
    {"OCDO.L", "Ocado Group plc", "EQUITY", "LSE", "LSE", "GBp", "Consumer Defensive",
     "Grocery Stores", 750, "2010-07-21", 0.8e9},
    {"SAP.DE", "SAP SE", "EQUITY", "GER", "XETRA", "EUR", "Technology", "Software—Application", 140,
     "1994-01-03", 1.2e9},
    {"7203.T", "Toyota Motor Corporation", "EQUITY", "JPX", "Tokyo", "JPY", "Consumer Cyclical",
     "Auto Manufacturers", 2600, "1999-05-10", 13.0e9},
    {"BTCUSDT", "Bitcoin / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 42000,
     "2017-08-17", 19.6e6},
    {"ETHUSDT", "Ethereum / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 2300,
     "2017-08-17", 120e6},
    {"BNBUSDT", "BNB / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 310,
     "2017-11-06", 150e6},
    {"SOLUSDT", "Solana / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 100,
     "2020-08-11", 430e6},
    {"XRPUSDT", "XRP / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 0.6,
     "2018-05-04", 54e9},
    {"DOGEUSDT", "Dogecoin / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "",
     0.09, "2019-07-05", 142e9},
    {"ETHBTC", "Ethereum / Bitcoin", "CRYPTOCURRENCY", "BINANCE", "Binance", "BTC", "", "", 0.055,
     "2017-07-14", 120e6},
    {"bitcoin", "Bitcoin", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 42000,
     "2013-04-28", 19.6e6},
    {"ethereum", "Ethereum", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 2300,
     "2015-08-07", 120e6},
    {"solana", "Solana", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 100,
     "2020-04-10", 430e6},
    {"ripple", "XRP", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.6, "2013-08-04",
     54e9},
    {"dogecoin", "Dogecoin", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.09,
     "2013-12-15", 142e9},
    {"cardano", "Cardano", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.55,
     "2017-10-01", 35e9},
};

const Known* FindKnown(std::string_view symbol) {
  for (const Known& k : kKnown) {
    if (symbol == k.symbol) return &k;
  }
  return nullptr;
}

Timestamp DateStamp(std::string_view iso) {
  CivilDate d{std::atoi(std::string(iso.substr(0, 4)).c_str()),
              std::atoi(std::string(iso.substr(5, 2)).c_str()),
              std::atoi(std::string(iso.substr(8, 2)).c_str())};
  return DaysFromCivil(d) * kSecondsPerDay;
}

// The first session open at or after day `day` (searching up to 30 days).
Timestamp FirstOpenFrom(const calendar::Calendar& cal, int64_t day) {
  for (int i = 0; i < 30; ++i) {
    if (auto s = cal.SessionOn(CivilFromDays(day + i))) return s->open;
  }
  return day * kSecondsPerDay;
}

}  // namespace

struct Generator::Profile {
  SymbolInfo info;
  uint64_t h = 0;
  double log_base = 0;
  double vol = 1;             // volatility multiplier
  double trend = 0.07;        // log growth per year
  double volume = 0;          // typical daily volume (post-split units); 0 = no volume (FX)
  std::vector<Event> events;  // all corporate actions, ascending by ts
  // Product of the split ratios after kRef: the path is the as-traded level
  // at kRef, so splits after it lower later raw prices instead of raising
  // earlier ones.
  double split_norm = 1;
  std::vector<Event> splits;       // the split events only
  std::vector<int64_t> div_days;   // dividend ex-dates (days since epoch), ascending
  std::vector<Timestamp> div_ts;   // their session-open instants
  std::vector<double> div_factor;  // their adjustment factors
  uint64_t level_hash[10] = {};    // per noise level, Mix(h, level)
  const Series* data_1d = nullptr;
};

struct Generator::Series {
  std::string symbol;
  Interval iv = Interval::k1d;
  std::vector<int64_t> ts;
  std::vector<double> o, h, l, c, adj;  // adj empty when the file had none
  std::vector<int64_t> v;
};

Generator::Generator(uint64_t seed) : seed_(seed) {}

// ----------------------------------------------------------------- profiles

Generator::Profile Generator::MakeProfile(std::string_view symbol) const {
  Profile p;
  p.h = Mix(HashString(symbol), seed_);
  for (uint64_t k = 0; k < 10; ++k) p.level_hash[k] = Mix(p.h, k + 1);
  SymbolInfo& in = p.info;
  in.symbol = std::string(symbol);
  const Known* k = FindKnown(symbol);
  const std::string exchange_hint = k ? k->exchange : "";
  in.calendar =
      &calendar::CalendarFor(symbol, exchange_hint == "COINGECKO" ? "CCC" : exchange_hint);
  const calendar::Calendar& cal = *in.calendar;
  const auto kind = cal.kind();
  const std::string_view code = cal.code();
  double level;
  if (k != nullptr) {
    in.name = k->name;
    in.type = k->type;
    in.exchange = k->exchange;
    in.full_exchange = k->full_exchange;
    in.currency = k->currency;
    in.sector = k->sector;
    in.industry = k->industry;
    level = k->price;
    in.listed = FirstOpenFrom(cal, DayOf(DateStamp(k->listed)));
    in.market_cap_shares = k->shares;
  } else {
    const uint64_t h = p.h;
    if (kind == calendar::MarketKind::kCrypto) {
      in.type = "CRYPTOCURRENCY";
      in.name = std::string(symbol);
      in.exchange = "CCC";
      in.full_exchange = "CCC";
      level = std::exp(std::log(0.05) + U01(Mix(h, 1)) * std::log(2000 / 0.05));
      in.listed =
          FirstOpenFrom(cal, DayOf(DateStamp("2015-01-01")) + static_cast<int64_t>(h % 1800));
      in.market_cap_shares = 1e8 * (1 + U01(Mix(h, 2)) * 50);
    } else if (kind == calendar::MarketKind::kFx) {
      in.type = "CURRENCY";
      in.name = std::string(symbol.substr(0, std::min<size_t>(3, symbol.size()))) + "/" +
                std::string(symbol.size() >= 6 ? symbol.substr(3, 3) : "USD");
      in.exchange = "CCY";
      in.full_exchange = "CCY";
      level = 0.5 + U01(Mix(h, 1)) * 1.5;
      in.listed = FirstOpenFrom(cal, DayOf(DateStamp("2003-12-01")));
    } else {
      const bool index = !symbol.empty() && symbol[0] == '^';
      const bool future = symbol.ends_with("=F");
      in.type = index ? "INDEX" : future ? "FUTURE" : "EQUITY";
      std::string base(symbol);
      if (auto dot = base.find('.'); dot != std::string::npos) base.resize(dot);
      in.name = index ? std::string(symbol.substr(1)) + " Index" : base + " Holdings Inc.";
      level = std::exp(std::log(5.0) + U01(Mix(h, 1)) * std::log(600 / 5.0));
      if (index) level *= 20;
      in.listed =
          FirstOpenFrom(cal, DayOf(DateStamp("1985-01-02")) + static_cast<int64_t>(h % (30 * 365)));
      in.market_cap_shares = index || future ? 0 : 1e7 * (1 + U01(Mix(h, 2)) * 300);
      if (code == "XNAS") {
        in.exchange = "NMS";
        in.full_exchange = "NasdaqGS";
      } else if (code == "XLON") {
        in.exchange = "LSE";
        in.full_exchange = "LSE";
      } else if (code == "XETR") {
        in.exchange = "GER";
        in.full_exchange = "XETRA";
      } else if (code == "XPAR") {
        in.exchange = "PAR";
        in.full_exchange = "Paris";
      } else if (code == "XTKS") {
        in.exchange = "JPX";
        in.full_exchange = "Tokyo";
      } else if (code == "XHKG") {
        in.exchange = "HKG";
        in.full_exchange = "HKSE";
      } else if (code == "XASX") {
        in.exchange = "ASX";
        in.full_exchange = "ASX";
      } else {
        in.exchange = index ? "SNP" : future ? "CMX" : "NYQ";
        in.full_exchange = index ? "SNP" : future ? "COMEX" : "NYSE";
      }
      in.sector = index || future ? "" : "Industrials";
      in.industry = index || future ? "" : "Specialty Industrial Machinery";
    }
    // Currency from the symbol's shape.
    if (code == "XLON") {
      in.currency = "GBp";
    } else if (code == "XETR" || code == "XPAR") {
      in.currency = "EUR";
    } else if (code == "XTKS") {
      in.currency = "JPY";
      level *= 100;
    } else if (code == "XHKG") {
      in.currency = "HKD";
    } else if (code == "XASX") {
      in.currency = "AUD";
    } else if (kind == calendar::MarketKind::kFx) {
      in.currency = symbol.size() >= 6 ? Upper(symbol.substr(3, 3)) : "USD";
    } else if (symbol.ends_with("USDT")) {
      in.currency = "USDT";
    } else if (symbol.ends_with("BTC") && symbol.size() > 3) {
      in.currency = "BTC";
      level /= 40000;
    } else {
      in.currency = "USD";
    }
  }
  in.country =
      in.currency == "USD" && kind == calendar::MarketKind::kExchange ? "United States" : "";
  p.log_base = std::log(level);
  switch (kind) {
    case calendar::MarketKind::kCrypto:
      p.vol = 2.5;
      p.trend = 0.35;
      break;
    case calendar::MarketKind::kFx:
      p.vol = 0.2;
      p.trend = 0.0;
      break;
    default:
      p.vol = 1.0 + 0.6 * U01(Mix(p.h, 3));
      p.trend = 0.04 + 0.08 * U01(Mix(p.h, 4));
      break;
  }
  if (kind == calendar::MarketKind::kFx) {
    p.volume = 0;
  } else if (kind == calendar::MarketKind::kCrypto) {
    p.volume = 2e9 * (0.2 + U01(Mix(p.h, 5))) / level;
  } else {
    p.volume = std::pow(10.0, 5.5 + 2.0 * U01(Mix(p.h, 5)));
  }

  // Loaded daily data defines the listing date.
  if (const Series* s = FindLoaded(symbol, Interval::k1d)) {
    p.data_1d = s;
    in.from_data = true;
    if (!s->ts.empty()) in.listed = FirstOpenFrom(cal, DayOf(s->ts.front()));
  } else {
    for (Interval iv : kAllIntervals) {
      if (const Series* s2 = FindLoaded(symbol, iv); s2 && !s2->ts.empty()) {
        in.from_data = true;
        in.listed = std::min(in.listed, s2->ts.front());
      }
    }
  }

  // Corporate actions: equities only, not for symbols backed by real data.
  const bool equity = in.type == "EQUITY" && !in.from_data;
  const bool splits = equity && Mix(p.h, 6) % 3 == 0;
  const bool dividends = equity && Mix(p.h, 7) % 2 == 0;
  if (splits || dividends) {
    const int y0 = CivilFromDays(DayOf(in.listed)).year + 1;
    for (int y = y0; y <= 2060; ++y) {
      if (dividends) {
        for (int q = 0; q < 4; ++q) {
          const int64_t day =
              DaysFromCivil({y, 2 + 3 * q, 8}) + static_cast<int64_t>(Mix(p.h, y, q) % 7);
          int64_t d = day;
          std::optional<calendar::Session> s;
          for (int i = 0; i < 10 && !(s = cal.SessionOn(CivilFromDays(d))); ++i) ++d;
          if (!s) continue;
          Event e;
          e.kind = Event::Kind::kDividend;
          e.ts = s->open;
          e.date = CivilFromDays(d);
          p.events.push_back(e);
        }
      }
      if (splits && Mix(p.h, y, 99) % 9 == 0) {
        int64_t d = DaysFromCivil({y, 6, 1}) + static_cast<int64_t>(Mix(p.h, y, 98) % 120);
        std::optional<calendar::Session> s;
        for (int i = 0; i < 10 && !(s = cal.SessionOn(CivilFromDays(d))); ++i) ++d;
        if (!s) continue;
        static constexpr int kRatios[] = {2, 3, 4, 2, 5, 2};
        Event e;
        e.kind = Event::Kind::kSplit;
        e.ts = s->open;
        e.date = CivilFromDays(d);
        e.numerator = kRatios[Mix(p.h, y, 97) % 6];
        e.denominator = 1;
        p.events.push_back(e);
      }
    }
    std::sort(p.events.begin(), p.events.end(),
              [](const Event& a, const Event& b) { return a.ts < b.ts; });
    for (const Event& e : p.events) {
      if (e.kind == Event::Kind::kSplit && e.ts > kRef)
        p.split_norm *= static_cast<double>(e.numerator) / e.denominator;
      if (e.kind == Event::Kind::kSplit) p.splits.push_back(e);
    }
    // Dividend amounts: ~0.5% of the as-traded price at the ex-date open.
    for (Event& e : p.events) {
      if (e.kind != Event::Kind::kDividend) continue;
      double raw = std::exp(LogPath(p, static_cast<double>(e.ts))) / p.split_norm;
      for (const Event& s : p.events) {
        if (s.kind == Event::Kind::kSplit && s.ts > e.ts)
          raw *= static_cast<double>(s.numerator) / s.denominator;
      }
      e.amount =
          std::max(0.01, std::round(raw * 0.005 * (0.8 + 0.4 * U01(Mix(p.h, e.ts))) * 100) / 100);
      e.factor = 1.0 - e.amount / raw;
      p.div_days.push_back(DaysFromCivil(e.date));
      p.div_ts.push_back(e.ts);
      p.div_factor.push_back(e.factor);
    }
  }
  return p;
}

std::shared_ptr<const Generator::Profile> Generator::GetProfile(std::string_view symbol) const {
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(std::string(symbol));
    if (it != cache_.end()) return it->second;
  }
  auto p = std::make_shared<const Profile>(MakeProfile(symbol));
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= 4096) cache_.clear();  // bounded: profiles are cheap to rebuild
  cache_.emplace(std::string(symbol), p);
  return p;
}

double Generator::LogPath(const Profile& p, double t) const {
  struct Level {
    double period;
    double amp;
  };
  static constexpr Level kLevels[] = {
      {4 * kYear, 0.30},    {kYear, 0.14},    {91 * 86400.0, 0.08}, {21 * 86400.0, 0.045},
      {5 * 86400.0, 0.025}, {86400.0, 0.012}, {7200.0, 0.005},      {1200.0, 0.0025},
      {240.0, 0.0012},      {60.0, 0.0005}};
  double x = p.log_base + p.trend * (t - static_cast<double>(kRef)) / kYear;
  uint64_t k = 0;
  for (const Level& lv : kLevels) {
    const double u = t / lv.period;
    const double fl = std::floor(u);
    const double f = u - fl;
    const auto i = static_cast<int64_t>(fl);
    const uint64_t hk = p.level_hash[k++];
    const double a = U01(Mix(hk, static_cast<uint64_t>(i))) * 2 - 1;
    const double b = U01(Mix(hk, static_cast<uint64_t>(i + 1))) * 2 - 1;
    const double s = f * f * (3 - 2 * f);
    x += lv.amp * p.vol * (a + (b - a) * s);
  }
  return x;
}

// ----------------------------------------------------------------- bars

namespace {

struct RawBar {
  Timestamp ts = 0;
  double o = 0, h = 0, l = 0, c = 0;
  double v = 0;
  bool valid = false;
};

void Absorb(RawBar& agg, const RawBar& b) {
  if (!b.valid) return;
  if (!agg.valid) {
    agg.o = b.o;
    agg.h = b.h;
    agg.l = b.l;
    agg.valid = true;
  } else {
    agg.h = std::max(agg.h, b.h);
    agg.l = std::min(agg.l, b.l);
  }
  agg.c = b.c;
  agg.v += b.v;
}

}  // namespace

FramePtr Generator::Bars(std::string_view symbol, Interval iv, TimeRange r, Timestamp now,
                         Adjustment adj) const {
  const auto pp = GetProfile(symbol);
  const Profile& p = *pp;
  const calendar::Calendar& cal = *p.info.calendar;
  FieldSet fields = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose));

  if (const Series* s = FindLoaded(symbol, iv)) return LoadedBars(*s, p, iv, r, now);
  if ((iv == Interval::k1w || iv == Interval::k1mo) && p.data_1d != nullptr) {
    return LoadedBars(*p.data_1d, p, iv, r, now);
  }

  FrameBuilder b(fields);
  TimeRange eff{std::max(r.start, FloorToBar(p.info.listed, iv)), std::min(r.end, now + 1)};
  if (eff.empty()) return std::move(b).Finish().value();

  // Split factor for price level `t`: multiply by splits after X (X = now for
  // split-adjusted, X = t for raw); volumes divide by it.
  auto split_mult = [&](Timestamp t) {
    const Timestamp x = adj == Adjustment::kRaw ? t : now;
    double m = 1 / p.split_norm;
    for (const Event& e : p.splits) {
      if (e.ts > x) m *= static_cast<double>(e.numerator) / e.denominator;
    }
    return m;
  };
  // Dividend factors: suffix products over the dividends paid by `now`.
  const size_t paid = static_cast<size_t>(std::upper_bound(p.div_ts.begin(), p.div_ts.end(), now) -
                                          p.div_ts.begin());
  std::vector<double> div_suffix(paid + 1, 1.0);
  for (size_t i = paid; i-- > 0;) div_suffix[i] = div_suffix[i + 1] * p.div_factor[i];
  auto price = [&](Timestamp t) { return std::exp(LogPath(p, static_cast<double>(t))); };
  auto day_volume = [&](int64_t day) {
    if (p.volume <= 0) return 0.0;
    return p.volume * std::exp(0.35 * (U01(Mix(p.h, 11, static_cast<uint64_t>(day / 9))) * 2 - 1)) *
           (0.6 + 0.8 * U01(Mix(p.h, 12, static_cast<uint64_t>(day))));
  };

  // One 1m bar [m, e) (e clipped to the session), cut at now.
  auto minute_bar = [&](Timestamp m, Timestamp e, const calendar::Session& s, double dvol) {
    RawBar out;
    if (m > now) return out;
    const Timestamp end = std::min(e, now);
    out.ts = m;
    out.o = price(m);
    out.c = price(end);
    const double frac = static_cast<double>(end - m) / 60.0;
    const double w1 =
        0.0006 * p.vol * U01(Mix(p.h, 21, static_cast<uint64_t>(m))) * std::min(1.0, frac);
    const double w2 =
        0.0006 * p.vol * U01(Mix(p.h, 22, static_cast<uint64_t>(m))) * std::min(1.0, frac);
    out.h = std::max(out.o, out.c) * (1 + w1);
    out.l = std::min(out.o, out.c) * (1 - w2);
    const double minutes = std::max<double>(1, static_cast<double>(s.close - s.open) / 60.0);
    const double pos = static_cast<double>(m - s.open) / (minutes * 60.0) - 0.5;
    const double shape = 0.6 + 2.4 * pos * pos;
    out.v = dvol / minutes * shape * (0.5 + U01(Mix(p.h, 23, static_cast<uint64_t>(m)))) *
            std::min(1.0, frac);
    out.valid = true;
    return out;
  };

  auto session_of = [&](Timestamp t) -> std::optional<calendar::Session> {
    // Sessions are stamped by their exchange-local date; an instant early in
    // the UTC day may belong to the previous local date's session (Asia/FX).
    for (int64_t back = 0; back <= 1; ++back) {
      const CivilDate d = CivilFromDays(DaysFromCivil(cal.LocalDate(t)) - back);
      if (auto s = cal.SessionOn(d); s && t >= s->open && t < s->close) return s;
    }
    for (int64_t back = -1; back <= 1; ++back) {
      const CivilDate d = CivilFromDays(DayOf(t) - back);
      if (auto s = cal.SessionOn(d); s && t >= s->open && t < s->close) return s;
    }
    return std::nullopt;
  };

  auto day_bar = [&](Timestamp stamp) {
    RawBar out;
    const int64_t day = DayOf(stamp);
    auto s = cal.SessionOn(CivilFromDays(day));
    if (!s || s->open > now) return out;
    const Timestamp end = std::min(s->close, now);
    out.ts = stamp;
    out.o = price(s->open);
    out.c = price(end);
    double hi = std::max(out.o, out.c), lo = std::min(out.o, out.c);
    for (Timestamp t = s->open + 900; t < end; t += 900) {
      const double x = price(t);
      hi = std::max(hi, x);
      lo = std::min(lo, x);
    }
    out.h = hi * (1 + 0.002 * p.vol * U01(Mix(p.h, 31, static_cast<uint64_t>(day))));
    out.l = lo * (1 - 0.002 * p.vol * U01(Mix(p.h, 32, static_cast<uint64_t>(day))));
    const double frac = std::clamp(
        static_cast<double>(end - s->open) / std::max<Timestamp>(1, s->close - s->open), 0.0, 1.0);
    out.v = day_volume(day) * frac;
    out.valid = true;
    return out;
  };

  std::vector<RawBar> raw;
  const std::vector<Timestamp> starts = cal.BarStarts(eff, iv);
  raw.reserve(starts.size());
  if (IsIntraday(iv)) {
    std::optional<calendar::Session> sess;
    int64_t sess_day = INT64_MIN;
    double dvol = 0;
    for (Timestamp st : starts) {
      if (st > now) break;
      if (!sess || st < sess->open || st >= sess->close) {
        sess = session_of(st);
        if (!sess) continue;
        const int64_t d = DayOf(sess->open);
        if (d != sess_day) {
          sess_day = d;
          dvol = day_volume(DaysFromCivil(cal.LocalDate(sess->open)));
        }
      }
      const Timestamp bar_end = std::min(st + NominalSeconds(iv), sess->close);
      RawBar agg;
      for (Timestamp m = st; m < bar_end && m <= now; m += 60) {
        Absorb(agg, minute_bar(m, std::min(m + 60, bar_end), *sess, dvol));
      }
      if (!agg.valid) continue;
      agg.ts = st;
      raw.push_back(agg);
    }
  } else if (iv == Interval::k1d) {
    for (Timestamp st : starts) {
      RawBar d = day_bar(st);
      if (d.valid) raw.push_back(d);
    }
  } else {
    for (Timestamp st : starts) {
      RawBar agg;
      const Timestamp next = NextBar(st, iv);
      for (Timestamp d : cal.BarStarts(TimeRange{st, next}, Interval::k1d)) Absorb(agg, day_bar(d));
      if (!agg.valid) continue;
      agg.ts = st;
      raw.push_back(agg);
    }
  }

  b.Reserve(raw.size());
  const std::string currency = Lower(p.info.currency);
  const std::string tz(cal.timezone());
  for (const RawBar& rb : raw) {
    // Split level: use the bar's first instant (daily stamps are 00:00 UTC of the date).
    const Timestamp level_t = IsIntraday(iv) ? rb.ts : FirstOpenFrom(cal, DayOf(rb.ts));
    const double m = split_mult(level_t);
    Bar bar;
    bar.symbol = p.info.symbol;
    bar.timestamp = rb.ts;
    bar.open = rb.o * m;
    bar.high = rb.h * m;
    bar.low = rb.l * m;
    bar.close = rb.c * m;
    bar.volume = static_cast<int64_t>(std::llround(rb.v / m));
    // adj_close: split-adjusted as of now, times dividend factors after the bar.
    double adjf = split_mult(level_t);
    if (adj == Adjustment::kRaw) {
      adjf = 1 / p.split_norm;
      for (const Event& e : p.splits) {
        if (e.ts > now) adjf *= static_cast<double>(e.numerator) / e.denominator;
      }
    }
    const int64_t bar_day = IsIntraday(iv) ? DaysFromCivil(cal.LocalDate(rb.ts)) : DayOf(rb.ts);
    const int64_t last_day =
        IsIntraday(iv) || iv == Interval::k1d ? bar_day : DayOf(NextBar(rb.ts, iv)) - 1;
    // Dividends with ex-date after the bar's last day (and paid by now).
    const auto first_after = std::upper_bound(
        p.div_days.begin(), p.div_days.begin() + static_cast<ptrdiff_t>(paid), last_day);
    adjf *= div_suffix[static_cast<size_t>(first_after - p.div_days.begin())];
    bar.adj_close = rb.c * adjf;
    bar.provider = "sim";
    bar.currency = currency;
    bar.timezone = tz;
    b.Add(bar);
  }
  return std::move(b).Finish().value();
}

FramePtr Generator::LoadedBars(const Series& s, const Profile& p, Interval iv, TimeRange r,
                               Timestamp now) const {
  FrameBuilder b(FieldSet::Ohlcv().Union(FieldSet(FieldSet::kAdjClose)));
  const std::string currency = Lower(p.info.currency);
  const std::string tz(p.info.calendar->timezone());
  auto lo =
      std::lower_bound(s.ts.begin(), s.ts.end(), iv == s.iv ? r.start : FloorToBar(r.start, iv));
  const size_t i0 = static_cast<size_t>(lo - s.ts.begin());
  auto emit = [&](Timestamp ts, double o, double h, double l, double c, std::optional<double> a,
                  int64_t v) {
    Bar bar;
    bar.symbol = p.info.symbol;
    bar.timestamp = ts;
    bar.open = o;
    bar.high = h;
    bar.low = l;
    bar.close = c;
    bar.adj_close = a.value_or(c);
    bar.volume = v;
    bar.provider = "sim";
    bar.currency = currency;
    bar.timezone = tz;
    b.Add(bar);
  };
  if (iv == s.iv) {
    for (size_t i = i0; i < s.ts.size() && s.ts[i] < r.end && s.ts[i] <= now; ++i) {
      emit(s.ts[i], s.o[i], s.h[i], s.l[i], s.c[i],
           s.adj.empty() ? std::nullopt : std::optional(s.adj[i]), s.v[i]);
    }
  } else {  // 1w / 1mo from loaded 1d
    size_t i = i0;
    while (i < s.ts.size() && s.ts[i] <= now) {
      const Timestamp stamp = FloorToBar(s.ts[i], iv);
      if (stamp >= r.end) break;
      double o = s.o[i], h = s.h[i], l = s.l[i], c = s.c[i];
      double a = s.adj.empty() ? c : s.adj[i];
      int64_t v = 0;
      const Timestamp next = NextBar(stamp, iv);
      for (; i < s.ts.size() && s.ts[i] < next && s.ts[i] <= now; ++i) {
        h = std::max(h, s.h[i]);
        l = std::min(l, s.l[i]);
        c = s.c[i];
        a = s.adj.empty() ? c : s.adj[i];
        v += s.v[i];
      }
      if (stamp >= r.start) emit(stamp, o, h, l, c, a, v);
    }
  }
  return std::move(b).Finish().value();
}

std::vector<Event> Generator::Events(std::string_view symbol, TimeRange r, Timestamp now) const {
  const auto pp = GetProfile(symbol);
  const Profile& p = *pp;
  std::vector<Event> out;
  for (const Event& e : p.events) {
    if (r.Contains(e.ts) && e.ts <= now) out.push_back(e);
  }
  return out;
}

double Generator::PriceAt(std::string_view symbol, Timestamp t, Timestamp now) const {
  const auto pp = GetProfile(symbol);
  const Profile& p = *pp;
  if (p.data_1d != nullptr || p.info.from_data) {
    // Loaded data: the last close at or before t at the finest loaded interval.
    for (Interval iv : kAllIntervals) {
      const Series* s = FindLoaded(symbol, iv);
      if (s == nullptr || s->ts.empty()) continue;
      auto it = std::upper_bound(s->ts.begin(), s->ts.end(), t);
      if (it == s->ts.begin()) return s->o.front();
      return s->c[static_cast<size_t>(it - s->ts.begin()) - 1];
    }
  }
  double m = 1 / p.split_norm;
  for (const Event& e : p.events) {
    if (e.kind == Event::Kind::kSplit && e.ts > now)
      m *= static_cast<double>(e.numerator) / e.denominator;
  }
  return std::exp(LogPath(p, static_cast<double>(t))) * m;
}

Quote Generator::QuoteAt(std::string_view symbol, Timestamp now) const {
  const SymbolInfo info = Info(symbol);
  const calendar::Calendar& cal = *info.calendar;
  Quote q;
  q.symbol = std::string(symbol);
  q.provider = "sim";
  q.currency = Lower(info.currency);
  FramePtr days = Bars(symbol, Interval::k1d, TimeRange{now - 20 * kSecondsPerDay, now + 1}, now);
  if (days->empty()) {
    q.timestamp = now;
    q.market_state = "CLOSED";
    return q;
  }
  const size_t last = days->rows() - 1;
  q.price = days->close()[last];
  q.high_24h = days->high()[last];
  q.low_24h = days->low()[last];
  q.volume = days->volume()[last];
  if (last > 0) {
    const double prev = days->close()[last - 1];
    q.change = q.price - prev;
    q.change_percent = prev != 0 ? (q.price - prev) / prev * 100 : 0;
  }
  if (info.market_cap_shares > 0) q.market_cap = q.price * info.market_cap_shares;
  const int64_t day = DayOf(days->timestamps()[last]);
  auto s = cal.SessionOn(CivilFromDays(day));
  q.timestamp = s ? std::min(now, s->close) : now;
  if (cal.kind() == calendar::MarketKind::kCrypto || cal.IsOpen(now)) {
    q.market_state = "REGULAR";
  } else {
    auto today = cal.SessionOn(cal.LocalDate(now));
    if (today && now < today->open && now >= today->open - 5 * 3600 - 1800) {
      q.market_state = "PRE";
    } else if (s && now >= s->close && now < s->close + 4 * 3600) {
      q.market_state = "POST";
    } else {
      q.market_state = "CLOSED";
    }
  }
  return q;
}

bool Generator::YahooNullBar(std::string_view symbol, Timestamp bar_start) const {
  return Mix(Mix(HashString(symbol), seed_), 77, static_cast<uint64_t>(bar_start)) % 1500 == 0;
}

SymbolInfo Generator::Info(std::string_view symbol) const { return GetProfile(symbol)->info; }

// ----------------------------------------------------------------- CSV loading

const Generator::Series* Generator::FindLoaded(std::string_view symbol, Interval iv) const {
  if (loaded_.empty()) return nullptr;
  std::string key = std::string(symbol) + "|" + std::string(IntervalName(iv));
  auto it = loaded_.find(key);
  return it == loaded_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Generator::LoadedSymbols() const {
  std::vector<std::string> out;
  for (const auto& [k, s] : loaded_) {
    if (out.empty() || out.back() != s->symbol) out.push_back(s->symbol);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::string out;
  if (path.ends_with(".gz")) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) return NotFoundError("cannot open " + path);
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    const bool bad = n < 0;
    gzclose(f);
    if (bad) return DataLossError("corrupt gzip in " + path);
    return out;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return NotFoundError("cannot open " + path);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

std::vector<std::string_view> SplitFields(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = line.find(sep, pos);
    std::string_view f =
        line.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    while (!f.empty() && (f.front() == ' ' || f.front() == '"')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '"' || f.back() == '\r'))
      f.remove_suffix(1);
    out.push_back(f);
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

// "2021-01-01", "2021-01-01 00:00:00", "2023-03-01 00:00:00+00:00", "2021-01-01T00:00:00Z", epoch.
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Timestamp> ParseCsvTime(std::string_view s) {
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2)))
      return std::nullopt;
    if (s.size() > 10 && s.size() < 19) return std::nullopt;
    if (s.size() >= 19 && (!AllDigits(s.substr(11, 2)) || !AllDigits(s.substr(14, 2)) ||
                           !AllDigits(s.substr(17, 2)))) {
      return std::nullopt;
    }
    CivilDate d{std::atoi(std::string(s.substr(0, 4)).c_str()),
                std::atoi(std::string(s.substr(5, 2)).c_str()),
                std::atoi(std::string(s.substr(8, 2)).c_str())};
    if (!IsValidCivil(d)) return std::nullopt;
    Timestamp t = DaysFromCivil(d) * kSecondsPerDay;
    if (s.size() >= 19 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':') {
      t += std::atoi(std::string(s.substr(11, 2)).c_str()) * 3600 +
           std::atoi(std::string(s.substr(14, 2)).c_str()) * 60 +
           std::atoi(std::string(s.substr(17, 2)).c_str());
      std::string_view rest = s.substr(19);
      if (!rest.empty() && (rest[0] == '+' || rest[0] == '-') && rest.size() >= 6) {
        const int sign = rest[0] == '-' ? -1 : 1;
        t -= sign * (std::atoi(std::string(rest.substr(1, 2)).c_str()) * 3600 +
                     std::atoi(std::string(rest.substr(4, 2)).c_str()) * 60);
      }
    }
    return t;
  }
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = std::stoll(std::string(s));
    if (v > 100000000000ll) v /= 1000;  // ms
    return v;
  }
  return std::nullopt;
}

std::optional<double> ParseNum(std::string_view s) {
  if (s.empty() || s == "null" || s == "N/A" || s == "NaN") return std::nullopt;
  char* end = nullptr;
  std::string tmp(s);
  const double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

Status Generator::LoadCsvDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return NotFoundError("data directory '" + dir + "' does not exist");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.ends_with(".csv") || name.ends_with(".csv.gz")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) FINEX_RETURN_IF_ERROR(LoadCsvFile(f));
  return OkStatus();
}

Status Generator::LoadCsvFile(const std::string& path, std::string_view symbol_override,
                              std::optional<Interval> iv_override) {
  {
    std::lock_guard lock(cache_mu_);
    cache_.clear();  // profiles depend on what is loaded
  }
  FINEX_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  const std::string fname = std::filesystem::path(path).filename().string();
  // Header.
  const size_t eol = text.find('\n');
  std::string_view header = std::string_view(text).substr(0, eol);
  const char sep =
      header.find(';') != std::string_view::npos && header.find(',') == std::string_view::npos
          ? ';'
          : ',';
  std::vector<std::string_view> cols = SplitFields(header, sep);
  int c_date = -1, c_time = -1, c_o = -1, c_h = -1, c_l = -1, c_c = -1, c_adj = -1, c_v = -1,
      c_sym = -1;
  for (size_t i = 0; i < cols.size(); ++i) {
    const std::string n = Lower(cols[i]);
    const int ii = static_cast<int>(i);
    if (n == "date" || n == "timestamp" || n == "open_time" || n == "datetime" || n == "%y-%m-%d") {
      c_date = ii;
    } else if (n == "time") {
      if (c_date < 0) {
        c_date = ii;
      } else {
        c_time = ii;
      }
    } else if (n == "open") {
      c_o = ii;
    } else if (n == "high") {
      c_h = ii;
    } else if (n == "low") {
      c_l = ii;
    } else if (n == "close") {
      c_c = ii;
    } else if (n == "adj close" || n == "adj_close" || n == "adjclose") {
      c_adj = ii;
    } else if (n == "volume") {
      c_v = ii;
    } else if (n == "name" || n == "symbol" || n == "ticker") {
      c_sym = ii;
    }
  }
  if (c_date < 0 || c_o < 0 || c_h < 0 || c_l < 0 || c_c < 0) {
    skipped_.push_back(fname + ": no date/open/high/low/close header");
    return OkStatus();
  }
  // Symbol and interval from the file name "<source>_<SYMBOL>_<interval>_...".
  std::string file_symbol(symbol_override);
  std::optional<Interval> iv = iv_override;
  {
    // Strip the extension only: symbols such as AET.L contain dots.
    std::string stem = fname;
    for (std::string_view ext : {".gz", ".csv", ".txt"})
      if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
        stem.resize(stem.size() - ext.size());
    std::vector<std::string_view> parts = SplitFields(stem, '_');
    if (file_symbol.empty() && c_sym < 0) {
      if (parts.size() >= 2) {
        std::string_view cand = parts[1];
        if (cand == "MSFT" || ValidateSymbol(cand).ok()) file_symbol = std::string(cand);
      }
    }
    if (!iv && parts.size() >= 3) {
      auto piv = ParseInterval(parts[2]);
      if (piv.ok()) iv = *piv;
    }
  }
  if (file_symbol.empty() && c_sym < 0) {
    skipped_.push_back(fname + ": no symbol in the file name or columns");
    return OkStatus();
  }
  if (!iv) iv = Interval::k1d;
  if (c_time >= 0 && !IsIntraday(*iv)) {
    skipped_.push_back(fname +
                       ": separate date/time columns need an intraday interval in the name");
    return OkStatus();
  }
  if (!IsIntraday(*iv) && *iv != Interval::k1d) {
    skipped_.push_back(fname + ": only 1d and intraday histories are loaded");
    return OkStatus();
  }
  if (c_time >= 0) {
    // Exchange-local times without a zone (e.g. Eurex futures): their zone is unknown.
    skipped_.push_back(fname + ": date/time columns without a time zone");
    return OkStatus();
  }

  std::map<std::string, std::shared_ptr<Series>> by_symbol;
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  size_t line_no = 1;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::string_view line = std::string_view(text).substr(pos, e - pos);
    pos = e + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitFields(line, sep);
    auto at = [&](int c) {
      return c >= 0 && static_cast<size_t>(c) < f.size() ? f[c] : std::string_view();
    };
    auto where = [&] { return fname + ":" + std::to_string(line_no) + ": "; };
    auto ts = ParseCsvTime(at(c_date));
    if (!ts) return InvalidArgumentError(where() + "bad date '" + Printable(at(c_date)) + "'");
    // A daily row is the bar of the exchange-local date it names, stamped
    // 00:00 UTC of that date (API.md), whatever time/offset follows it
    // ("2023-03-28 00:00:00+09:00" is the 28th, not the 27th in UTC).
    if (!IsIntraday(*iv) && at(c_date).size() >= 10) {
      if (auto day = ParseCsvTime(at(c_date).substr(0, 10))) ts = day;
    }
    auto o = ParseNum(at(c_o)), h = ParseNum(at(c_h)), l = ParseNum(at(c_l)), c = ParseNum(at(c_c));
    if (!o || !h || !l || !c) continue;  // null rows (e.g. Yahoo "null") carry no bar
    std::optional<double> a = c_adj >= 0 ? ParseNum(at(c_adj)) : std::nullopt;
    std::optional<double> v = c_v >= 0 ? ParseNum(at(c_v)) : std::optional<double>(0.0);
    const std::string sym = c_sym >= 0 ? std::string(at(c_sym)) : file_symbol;
    if (!ValidateSymbol(sym).ok())
      return InvalidArgumentError(where() + "bad symbol '" + Printable(sym) + "'");
    auto& s = by_symbol[sym];
    if (!s) {
      s = std::make_shared<Series>();
      s->symbol = sym;
      s->iv = *iv;
    }
    const Timestamp stamp = *iv == Interval::k1d ? DayOf(*ts) * kSecondsPerDay : *ts;
    s->ts.push_back(stamp);
    // Keep OHLC consistent even when a source rounds oddly.
    s->o.push_back(*o);
    s->h.push_back(std::max({*h, *o, *c}));
    s->l.push_back(std::min({*l, *o, *c}));
    s->c.push_back(*c);
    if (c_adj >= 0) s->adj.push_back(a.value_or(*c));
    s->v.push_back(static_cast<int64_t>(std::llround(std::max(0.0, v.value_or(0)))));
  }
  if (by_symbol.empty()) {
    skipped_.push_back(fname + ": no usable rows");
    return OkStatus();
  }
  for (auto& [sym, s] : by_symbol) {
    // Sort ascending (some sources are newest first) and drop duplicate stamps.
    std::vector<size_t> idx(s->ts.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&s = s](size_t a, size_t b) { return s->ts[a] < s->ts[b]; });
    auto sorted = std::make_shared<Series>();
    sorted->symbol = s->symbol;
    sorted->iv = s->iv;
    for (size_t i : idx) {
      if (!sorted->ts.empty() && sorted->ts.back() == s->ts[i]) continue;
      sorted->ts.push_back(s->ts[i]);
      sorted->o.push_back(s->o[i]);
      sorted->h.push_back(s->h[i]);
      sorted->l.push_back(s->l[i]);
      sorted->c.push_back(s->c[i]);
      if (!s->adj.empty()) sorted->adj.push_back(s->adj[i]);
      sorted->v.push_back(s->v[i]);
    }
    loaded_[sym + "|" + std::string(IntervalName(*iv))] = std::move(sorted);
  }
  return OkStatus();
}

std::vector<std::string> WellKnownSymbols() {
  std::vector<std::string> out;
  for (const Known& k : kKnown) out.emplace_back(k.symbol);
  return out;
}

FramePtr TrueBars(std::string_view symbol, Interval iv, TimeRange r, Timestamp now,
                  Adjustment adj) {
  static const Generator* g = new Generator(0);
  return g->Bars(symbol, iv, r, now, adj);
}

}  // namespace finex::sim
