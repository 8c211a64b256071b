#include "finex/provider/yahoo/yahoo_wire.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "finex/calendar/timezone.h"
#include "finex/provider/yahoo/yahoo_facts.h"

namespace finex::provider::yahoo {

namespace {

using Json = nlohmann::ordered_json;

WireAnswer JsonAnswer(int status, const Json& j) {
  WireAnswer a;
  a.status = status;
  a.body = j.dump();
  return a;
}

Json TradingPeriod(std::string_view tz, Timestamp start, Timestamp end) {
  const int off = UtcOffset(tz, start);
  return Json{{"timezone", TzAbbrev(tz, off)}, {"start", start}, {"end", end}, {"gmtoffset", off}};
}

WireAnswer Envelope(std::string_view key, int status, std::string_view code,
                    std::string_view description) {
  Json j;
  j[std::string(key)]["result"] = nullptr;
  j[std::string(key)][std::string(kErrorKey)] = {{std::string(kErrorCodeKey), code},
                                                 {std::string(kErrorDescriptionKey), description}};
  return JsonAnswer(status, j);
}

std::string Num2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

std::string MarketOf(const Instrument& in) {
  if (in.instrument_type == "CRYPTOCURRENCY") return "ccc_market";
  if (in.instrument_type == "CURRENCY") return "ccy_market";
  if (in.currency == "USD" || in.currency.empty()) return "us_market";
  std::string m = in.currency.substr(0, 2);
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m + "_market";
}

// Yahoo's typeDisp: "Equity", "Cryptocurrency", "Etf".
std::string TypeDisp(std::string_view type) {
  std::string d(type);
  for (size_t i = 0; i < d.size(); ++i) {
    const auto c = static_cast<unsigned char>(d[i]);
    d[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
  }
  return d;
}

// A stable 32-bit FNV-1a of text, for the cookie value and its crumb.
uint32_t Fnv(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string Token(uint64_t seed, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    out.push_back(kAlphabet[(seed >> 33) % 62]);
  }
  return out;
}

// RFC 7231 IMF-fixdate ("Sun, 06 Dec 2026 09:03:39 GMT").
std::string HttpDate(Timestamp ts) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t day = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
  const CivilDate d = CivilFromDays(day);
  const int64_t sod = ts - day * 86400;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[((day % 7) + 7) % 7],
                d.day, kMonths[d.month - 1], d.year, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  return buf;
}

}  // namespace

double F32(double v) { return static_cast<double>(static_cast<float>(v)); }

int UtcOffset(std::string_view tz, Timestamp ts) {
  auto lt = calendar::ToLocal(tz, ts);
  return lt.ok() ? lt->utc_offset_s : 0;
}

std::string TzAbbrev(std::string_view tz, int off) {
  if (tz == "America/New_York" || tz == "US/Eastern") return off == -14400 ? "EDT" : "EST";
  if (tz == "America/Chicago") return off == -18000 ? "CDT" : "CST";
  if (tz == "Europe/London") return off == 3600 ? "BST" : "GMT";
  if (tz == "Europe/Berlin" || tz == "Europe/Paris" || tz == "Europe/Amsterdam")
    return off == 7200 ? "CEST" : "CET";
  if (tz == "Asia/Tokyo") return "JST";
  if (tz == "Asia/Hong_Kong") return "HKT";
  if (tz == "Australia/Sydney") return off == 39600 ? "AEDT" : "AEST";
  if (tz == "UTC" || tz == "Etc/UTC") return "UTC";
  return off == 0 ? "GMT"
                  : "GMT" + std::string(off < 0 ? "-" : "+") + std::to_string(std::abs(off) / 3600);
}

std::optional<TradingPeriods> CurrentTradingPeriods(const calendar::Calendar& cal, Timestamp now) {
  std::optional<calendar::Session> s;
  const int64_t today = DaysFromCivil(cal.LocalDate(now));
  for (int i = 0; i < 10 && !s; ++i) s = cal.SessionOn(CivilFromDays(today + i));
  if (!s) return std::nullopt;
  return TradingPeriods{s->open - 19800, s->open, s->close, s->close + 14400};
}

std::string_view ExchangeZone(const calendar::Calendar& cal) {
  return cal.kind() == calendar::MarketKind::kFx ? "Europe/London" : cal.timezone();
}

Timestamp DailyStamp(const calendar::Calendar& cal, Timestamp stamp) {
  const int64_t day = DayOf(stamp);
  for (int i = 0; i < 31; ++i) {
    const CivilDate date = CivilFromDays(day + i);
    auto s = cal.SessionOn(date);
    if (!s) continue;
    if (cal.kind() != calendar::MarketKind::kFx) return s->open;
    Result<Timestamp> midnight = calendar::FromLocal(ExchangeZone(cal), date, 0);
    return midnight.ok() ? *midnight : s->open;
  }
  return stamp;
}

WireAnswer WriteChart(const ChartAnswer& a, Timestamp now) {
  const Instrument& in = a.instrument;
  const std::string& tz = in.timezone;
  const int off = UtcOffset(tz, now);
  Json m;
  m["currency"] = in.currency.empty() ? Json(nullptr) : Json(in.currency);
  m["symbol"] = in.symbol;
  m["exchangeName"] = in.exchange_name;
  m["fullExchangeName"] = in.full_exchange_name;
  m["instrumentType"] = in.instrument_type;
  // null when unknown, as Yahoo sends it for instruments it lacks it for (APS.AX).
  m["firstTradeDate"] = in.first_trade_date ? Json(*in.first_trade_date) : Json(nullptr);
  m["regularMarketTime"] = a.regular_market_time;
  m["hasPrePostMarketData"] = in.instrument_type == "EQUITY" || in.instrument_type == "ETF";
  m["gmtoffset"] = off;
  m["timezone"] = TzAbbrev(tz, off);
  m["exchangeTimezoneName"] = tz;
  m["regularMarketPrice"] = F32(a.regular_market_price);
  if (a.fifty_two_week_high) m["fiftyTwoWeekHigh"] = F32(*a.fifty_two_week_high);
  if (a.fifty_two_week_low) m["fiftyTwoWeekLow"] = F32(*a.fifty_two_week_low);
  if (a.day_high) m["regularMarketDayHigh"] = F32(*a.day_high);
  if (a.day_low) m["regularMarketDayLow"] = F32(*a.day_low);
  if (a.day_volume) m["regularMarketVolume"] = *a.day_volume;
  if (!in.long_name.empty()) m["longName"] = in.long_name;
  if (!in.short_name.empty()) m["shortName"] = in.short_name;
  if (a.chart_previous_close) m["chartPreviousClose"] = F32(*a.chart_previous_close);
  m["priceHint"] = a.regular_market_price < 1 ? 4 : 2;
  if (const auto& p = a.current_trading_period) {
    m["currentTradingPeriod"] = {{"pre", TradingPeriod(tz, p->pre_start, p->regular_start)},
                                 {"regular", TradingPeriod(tz, p->regular_start, p->regular_end)},
                                 {"post", TradingPeriod(tz, p->regular_end, p->post_end)}};
  }
  m["dataGranularity"] = a.granularity;
  m["range"] = a.range;
  Json ranges = Json::array();
  for (std::string_view r : kValidRanges) ranges.push_back(r);
  m["validRanges"] = std::move(ranges);

  Json result;
  result["meta"] = std::move(m);
  Json indicators;
  if (a.bars.empty()) {
    indicators["quote"] = Json::array({Json::object()});
    if (a.daily) indicators["adjclose"] = Json::array({Json::object()});
  } else {
    Json ts = Json::array(), o = Json::array(), h = Json::array(), l = Json::array(),
         c = Json::array(), v = Json::array(), adj = Json::array();
    auto put = [](Json& arr, const auto& x, bool f32) {
      if (!x) {
        arr.push_back(nullptr);
      } else if constexpr (std::is_same_v<std::decay_t<decltype(*x)>, double>) {
        arr.push_back(f32 ? F32(*x) : *x);
      } else {
        arr.push_back(*x);
      }
    };
    for (const ChartBar& b : a.bars) {
      ts.push_back(b.ts);
      put(o, b.open, true);
      put(h, b.high, true);
      put(l, b.low, true);
      put(c, b.close, true);
      put(v, b.volume, false);
      put(adj, b.adj_close.has_value() ? b.adj_close : b.close, true);
    }
    result["timestamp"] = std::move(ts);
    Json ev = Json::object();
    if (a.events_div) {
      for (const ChartDividend& d : a.dividends)
        ev["dividends"][std::to_string(d.ts)] = {{"amount", F32(d.amount)}, {"date", d.ts}};
    }
    if (a.events_split) {
      for (const ChartSplit& s : a.splits) {
        ev["splits"][std::to_string(s.ts)] = {
            {"date", s.ts},
            {"numerator", s.numerator},
            {"denominator", s.denominator},
            {"splitRatio", std::to_string(s.numerator) + ":" + std::to_string(s.denominator)}};
      }
    }
    if (!ev.empty()) result["events"] = std::move(ev);
    indicators["quote"] = Json::array({Json{{"open", std::move(o)},
                                            {"high", std::move(h)},
                                            {"low", std::move(l)},
                                            {"close", std::move(c)},
                                            {"volume", std::move(v)}}});
    if (a.daily) indicators["adjclose"] = Json::array({Json{{"adjclose", std::move(adj)}}});
  }
  result["indicators"] = std::move(indicators);
  Json j;
  j[std::string(kChartKey)]["result"] = Json::array({std::move(result)});
  j[std::string(kChartKey)][std::string(kErrorKey)] = nullptr;
  WireAnswer w = JsonAnswer(200, j);
  w.headers.emplace_back("Cache-Control", "public, max-age=10, stale-while-revalidate=20");
  return w;
}

WireAnswer WriteQuotes(std::span<const QuoteEntry> quotes, Timestamp now) {
  Json result = Json::array();
  for (const QuoteEntry& q : quotes) {
    const Instrument& in = q.instrument;
    const int off = UtcOffset(in.timezone, now);
    Json o;
    o["language"] = "en-US";
    o["region"] = "US";
    o["quoteType"] = in.instrument_type;
    o["typeDisp"] = TypeDisp(in.instrument_type);
    // Flags Yahoo always sends (clients require them); finex sends Yahoo's
    // usual values: alerts possible, no ESG data, not tradeable on Yahoo.
    o["triggerable"] = true;
    if (!in.currency.empty()) o["currency"] = in.currency;
    if (!q.market_state.empty()) o["marketState"] = q.market_state;
    if (q.change) o["regularMarketChange"] = F32(*q.change);
    if (q.change_percent) o["regularMarketChangePercent"] = F32(*q.change_percent);
    o["regularMarketTime"] = q.time;
    o["regularMarketPrice"] = F32(q.price);
    if (q.day_high) o["regularMarketDayHigh"] = F32(*q.day_high);
    if (q.day_low && q.day_high)
      o["regularMarketDayRange"] = Num2(*q.day_low) + " - " + Num2(*q.day_high);
    if (q.day_low) o["regularMarketDayLow"] = F32(*q.day_low);
    if (q.volume) o["regularMarketVolume"] = *q.volume;
    if (q.change) o["regularMarketPreviousClose"] = F32(q.price - *q.change);
    o["fullExchangeName"] = in.full_exchange_name;
    if (q.market_cap) o["marketCap"] = static_cast<int64_t>(*q.market_cap);
    o["exchange"] = in.exchange_name;
    if (!in.short_name.empty()) o["shortName"] = in.short_name;
    if (!in.long_name.empty()) o["longName"] = in.long_name;
    o["exchangeTimezoneName"] = in.timezone;
    o["exchangeTimezoneShortName"] = TzAbbrev(in.timezone, off);
    o["gmtOffSetMilliseconds"] = static_cast<int64_t>(off) * 1000;
    o["market"] = MarketOf(in);
    o["esgPopulated"] = false;
    o["sourceInterval"] = 15;  // minutes of delay Yahoo labels its quotes with
    o["exchangeDataDelayedBy"] = 0;
    if (in.first_trade_date) o["firstTradeDateMilliseconds"] = *in.first_trade_date * 1000;
    o["priceHint"] = q.price < 1 ? 4 : 2;
    o["tradeable"] = false;
    o["symbol"] = in.symbol;
    result.push_back(std::move(o));
  }
  Json j;
  j[std::string(kQuoteResponseKey)]["result"] = std::move(result);
  j[std::string(kQuoteResponseKey)][std::string(kErrorKey)] = nullptr;
  return JsonAnswer(200, j);
}

WireAnswer WriteSearch(std::span<const SearchEntry> quotes, int total_time_ms) {
  Json arr = Json::array();
  for (const SearchEntry& e : quotes) {
    Json o;
    o["exchange"] = e.exchange;
    o["shortname"] = e.short_name;
    o["quoteType"] = e.quote_type;
    o["symbol"] = e.symbol;
    o["index"] = "quotes";
    o["score"] = static_cast<int64_t>(e.score * 50000000);
    o["typeDisp"] = TypeDisp(e.quote_type);
    if (!e.long_name.empty()) o["longname"] = e.long_name;
    o["exchDisp"] = e.exch_disp;
    if (!e.sector.empty()) {
      o["sector"] = e.sector;
      o["industry"] = e.industry;
      o["dispSecIndFlag"] = true;
    }
    o["isYahooFinance"] = true;
    arr.push_back(std::move(o));
  }
  Json j;
  j["explains"] = Json::array();
  j["count"] = arr.size();
  j["quotes"] = std::move(arr);
  j["news"] = Json::array();
  j["nav"] = Json::array();
  j["lists"] = Json::array();
  j["researchReports"] = Json::array();
  j["screenerFieldResults"] = Json::array();
  j["totalTime"] = total_time_ms;
  // The per-source timings Yahoo reports (clients validate their presence).
  for (const char* k :
       {"timeTakenForQuotes", "timeTakenForNews", "timeTakenForAlgowatchlist",
        "timeTakenForPredefinedScreener", "timeTakenForCrunchbase", "timeTakenForNav",
        "timeTakenForResearchReports", "timeTakenForScreenerField", "timeTakenForCulturalAssets"}) {
    j[k] = std::string_view(k) == "timeTakenForQuotes" ? total_time_ms : 0;
  }
  WireAnswer w = JsonAnswer(200, j);
  w.headers.emplace_back("Cache-Control", "public, max-age=120, stale-while-revalidate=180");
  return w;
}

WireAnswer ChartError(int status, std::string_view code, std::string_view description) {
  return Envelope(kChartKey, status, code, description);
}
WireAnswer FinanceError(int status, std::string_view code, std::string_view description) {
  return Envelope(kFinanceKey, status, code, description);
}
WireAnswer QuoteError(int status, std::string_view code, std::string_view description) {
  return Envelope(kQuoteResponseKey, status, code, description);
}

WireAnswer QuotePage(std::string_view symbol, Timestamp now) {
  // A3 cookie: a value derived from the instant (stable for a day), so two
  // clients starting together share nothing secret (there is nothing to protect).
  const std::string value = "d=AQABBA" + Token(static_cast<uint64_t>(now / 86400) * 7919 + 17, 40) +
                            "&S=AQAAA" + Token(Fnv(std::to_string(now / 86400)), 20);
  WireAnswer a;
  a.content_type = "text/html; charset=utf-8";
  a.headers.emplace_back("Set-Cookie", "A3=" + value + "; Expires=" + HttpDate(now + 31536000) +
                                           "; Max-Age=31557600; Domain=.yahoo.com; Path=/; "
                                           "SameSite=None; Secure; HttpOnly");
  a.body = "<!DOCTYPE html><html><head><title>" + std::string(symbol) +
           " quote</title></head><body></body></html>";
  return a;
}

WireAnswer Crumb(std::string_view cookie_header) {
  WireAnswer a;
  a.content_type = "text/plain;charset=utf-8";
  a.body = Token(Fnv(cookie_header), 11);
  return a;
}

}  // namespace finex::provider::yahoo
