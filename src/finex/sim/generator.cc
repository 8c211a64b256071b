#include "finex/sim/generator.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "finex/sim/detail/catalogue.h"
#include "finex/sim/detail/csv_history.h"
#include "finex/sim/detail/hash.h"

namespace finex::sim {
namespace {

using detail::FirstOpenFrom;
using detail::HashString;
using detail::Mix;
using detail::U01;

constexpr Timestamp kRef = 1704067200;  // 2024-01-01: base prices are levels around here
constexpr double kYear = 365.25 * 86400;

std::string Lower(std::string_view s) { return detail::AsciiLower(s); }

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

Generator::Generator(uint64_t seed) : seed_(seed) {}

// ----------------------------------------------------------------- profiles

Generator::Profile Generator::MakeProfile(std::string_view symbol) const {
  Profile p;
  p.h = Mix(HashString(symbol), seed_);
  for (uint64_t k = 0; k < 10; ++k) p.level_hash[k] = Mix(p.h, k + 1);
  double level = 0;
  p.info = detail::DescribeSymbol(symbol, p.h, &level);
  SymbolInfo& in = p.info;
  const calendar::Calendar& cal = *in.calendar;
  const auto kind = cal.kind();
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
    // Dividend amounts: ~0.5% of the as-traded close of the session before
    // the ex-date; the adjustment factor is 1 - amount / that close (Yahoo's
    // and CRSP's convention, so the amount can be read back from adj_close).
    for (Event& e : p.events) {
      if (e.kind != Event::Kind::kDividend) continue;
      Timestamp prev_close = e.ts;
      for (int64_t d = DaysFromCivil(e.date) - 1, i = 0; i < 10; --d, ++i) {
        if (auto s = cal.SessionOn(CivilFromDays(d))) {
          prev_close = s->close;
          break;
        }
      }
      double raw = std::exp(LogPath(p, static_cast<double>(prev_close))) / p.split_norm;
      for (const Event& s : p.events) {
        if (s.kind == Event::Kind::kSplit && s.ts > prev_close)
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
    MutexLock lock(cache_mu_);
    auto it = cache_.find(std::string(symbol));
    if (it != cache_.end()) return it->second;
  }
  auto p = std::make_shared<const Profile>(MakeProfile(symbol));
  MutexLock lock(cache_mu_);
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

Status Generator::LoadCsvDir(const std::string& dir) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> files, detail::ListCsvFiles(dir));
  for (const std::string& f : files) FINEX_RETURN_IF_ERROR(LoadCsvFile(f));
  return OkStatus();
}

Status Generator::LoadCsvFile(const std::string& path, std::string_view symbol_override,
                              std::optional<Interval> iv_override) {
  {
    MutexLock lock(cache_mu_);
    cache_.clear();  // profiles depend on what is loaded
  }
  std::vector<std::shared_ptr<const Series>> series;
  FINEX_RETURN_IF_ERROR(
      detail::ReadCsvHistory(path, symbol_override, iv_override, &skipped_, &series));
  for (std::shared_ptr<const Series>& s : series) {
    loaded_[s->symbol + "|" + std::string(IntervalName(s->iv))] = std::move(s);
  }
  return OkStatus();
}

FramePtr TrueBars(std::string_view symbol, Interval iv, TimeRange r, Timestamp now,
                  Adjustment adj) {
  static const Generator* g = new Generator(0);
  return g->Bars(symbol, iv, r, now, adj);
}

}  // namespace finex::sim
