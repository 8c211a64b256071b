// Shared helpers, fault answers, dispatch, and the Yahoo Finance routes.
#include "finex/sim/detail/wire.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"

namespace finex::sim::detail {

using http::Response;

// ------------------------------------------------------------ helpers

std::string Num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
std::string Upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return o;
}

bool IsUnknownSymbol(std::string_view symbol) {
  if (!ValidateSymbol(symbol).ok()) return true;
  const std::string u = Upper(symbol);
  for (const char* p : {"INVALID", "NONEXIST", "DELISTED", "ZZZZ"}) {
    if (u.starts_with(p)) return true;
  }
  return false;
}

Response JsonResponse(int status, const Json& j, std::string_view content_type) {
  return Response::Text(status, std::string(content_type), j.dump());
}

std::string LocalDateTime(std::string_view tz, Timestamp ts) {
  auto lt = calendar::ToLocal(tz, ts);
  if (!lt.ok()) return FormatIsoUtc(ts);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", lt->date.year, lt->date.month,
                lt->date.day, lt->seconds_of_day / 3600, lt->seconds_of_day / 60 % 60,
                lt->seconds_of_day % 60);
  return buf;
}

std::string LocalDate(std::string_view tz, Timestamp ts) {
  return LocalDateTime(tz, ts).substr(0, 10);
}

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

std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;  // no overflow
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

Timestamp SessionOpenOfStamp(const calendar::Calendar& cal, Timestamp stamp) {
  const int64_t day = DayOf(stamp);
  for (int i = 0; i < 31; ++i) {
    if (auto s = cal.SessionOn(CivilFromDays(day + i))) return s->open;
  }
  return stamp;
}

std::vector<std::string> Universe(const Generator& gen) {
  std::vector<std::string> out = WellKnownSymbols();
  for (const auto& s : gen.LoadedSymbols()) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

// ------------------------------------------------------------ routing, faults

std::string RouteTemplate(std::string_view provider, std::string_view sub) {
  if (provider == "yahoo") {
    if (sub.starts_with("/v8/finance/chart/")) return "/v8/finance/chart";
    if (sub == "/v7/finance/quote" || sub == "/v1/finance/search") return std::string(sub);
  } else if (provider == "binance") {
    if (sub == "/api/v3/klines" || sub == "/api/v3/ticker/24hr" || sub == "/api/v3/exchangeInfo") {
      return std::string(sub);
    }
  } else if (provider == "alpha_vantage") {
    if (sub == "/query") return "/query";
  } else if (provider == "twelve_data") {
    if (sub == "/time_series" || sub == "/quote" || sub == "/symbol_search")
      return std::string(sub);
  } else if (provider == "coingecko") {
    if (sub.starts_with("/api/v3/coins/") && sub.ends_with("/market_chart/range")) {
      return "/api/v3/coins/{id}/market_chart/range";
    }
    if (sub == "/api/v3/simple/price" || sub == "/api/v3/search") return std::string(sub);
  }
  return "(unknown)";
}

Response Serve(std::string_view provider, const WireContext& ctx) {
  if (provider == "yahoo") return ServeYahoo(ctx);
  if (provider == "binance") return ServeBinance(ctx);
  if (provider == "alpha_vantage") return ServeAlphaVantage(ctx);
  if (provider == "twelve_data") return ServeTwelveData(ctx);
  return ServeCoinGecko(ctx);
}

Response DownResponse(std::string_view provider) {
  Response r =
      Response::Text(503, "text/html",
                     "<html><body><h1>503 Service Unavailable</h1>No server is available to handle "
                     "this request.</body></html>");
  (void)provider;
  return r;
}

Response ServerErrorResponse(std::string_view provider) {
  if (provider == "yahoo") {
    return JsonResponse(
        500,
        Json::parse(
            R"({"chart":{"result":null,"error":{"code":"Internal Server Error","description":"Internal Server Error"}}})"));
  }
  if (provider == "binance") {
    return JsonResponse(
        503,
        Json::parse(
            R"({"code":-1001,"msg":"Internal error; unable to process your request. Please try again."})"));
  }
  if (provider == "twelve_data") {
    return JsonResponse(
        500,
        Json::parse(
            R"({"code":500,"message":"Internal server error. Please try again later.","status":"error"})"));
  }
  if (provider == "coingecko") {
    return JsonResponse(
        500,
        Json::parse(R"({"status":{"error_code":500,"error_message":"Internal Server Error"}})"));
  }
  return Response::Text(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>");
}

Response ThrottleResponse(std::string_view provider, int kind, int used, int limit,
                          int64_t retry_after_s, int64_t now_us) {
  Response r;
  const std::string retry = std::to_string(retry_after_s);
  if (provider == "yahoo") {
    r = Response::Text(429, "text/plain", "Edge: Too Many Requests");
  } else if (provider == "binance") {
    if (kind == 2) {
      const int64_t until_ms = now_us / 1000 + 120'000;
      r = JsonResponse(
          418, Json{{"code", -1003},
                    {"msg", "Way too much request weight used; IP banned until " +
                                std::to_string(until_ms) +
                                ". Please use the websocket for live updates to avoid bans."}});
      r.headers.emplace_back("Retry-After", "120");
      return r;
    }
    r = JsonResponse(
        429,
        Json{{"code", -1003},
             {"msg", "Too much request weight used; current limit is " + std::to_string(limit * 2) +
                         " request weight per 1 MINUTE. Please use the websocket for live updates "
                         "to avoid polling the API."}});
  } else if (provider == "alpha_vantage") {
    // Alpha Vantage throttles with HTTP 200.
    if (kind == 3) {
      return JsonResponse(
          200, Json{{"Information",
                     "Thank you for using Alpha Vantage! Our standard API rate limit is " +
                         std::to_string(limit) +
                         " requests per day. Please subscribe to any of the premium plans at "
                         "https://www.alphavantage.co/premium/ to instantly remove all daily rate "
                         "limits."}});
    }
    return JsonResponse(
        200, Json{{"Note",
                   "Thank you for using Alpha Vantage! Our standard API call frequency is " +
                       std::to_string(limit) +
                       " calls per minute and 500 calls per day. Please visit "
                       "https://www.alphavantage.co/premium/ if you would like to target a higher "
                       "API call frequency."}});
  } else if (provider == "twelve_data") {
    // Twelve Data reports the 429 inside an HTTP 200 body.
    const std::string what = kind == 3 ? "for the day" : "for the current minute";
    return JsonResponse(
        200,
        Json{{"code", 429},
             {"message", "You have run out of API credits " + what + ". " + std::to_string(used) +
                             " API credits were used, with the current limit being " +
                             std::to_string(limit) +
                             ". Wait for the next minute or consider switching to a higher "
                             "tier plan at https://twelvedata.com/pricing"},
             {"status", "error"}});
  } else {
    r = JsonResponse(429, Json{{"status",
                                {{"error_code", 429},
                                 {"error_message",
                                  "You've exceeded the Rate Limit. Please visit "
                                  "https://www.coingecko.com/en/api/pricing "
                                  "to subscribe to our API plans for higher rate limits."}}}});
  }
  r.headers.emplace_back("Retry-After", retry);
  return r;
}

// ------------------------------------------------------------ Yahoo

namespace {

Response YahooChartError(int status, std::string_view code, std::string_view description) {
  Json j;
  j["chart"]["result"] = nullptr;
  j["chart"]["error"] = {{"code", code}, {"description", description}};
  return JsonResponse(status, j);
}

Response YahooFinanceError(int status, std::string_view code, std::string_view description) {
  Json j;
  j["finance"]["result"] = nullptr;
  j["finance"]["error"] = {{"code", code}, {"description", description}};
  return JsonResponse(status, j);
}

// Yahoo serves float32 values widened to double (e.g. 75.0875015258789).
double F32(double v) { return static_cast<double>(static_cast<float>(v)); }

std::optional<Interval> YahooInterval(std::string_view s) {
  if (s == "1m") return Interval::k1m;
  if (s == "5m") return Interval::k5m;
  if (s == "15m") return Interval::k15m;
  if (s == "30m") return Interval::k30m;
  if (s == "60m" || s == "1h") return Interval::k1h;
  if (s == "1d") return Interval::k1d;
  if (s == "1wk") return Interval::k1w;
  if (s == "1mo") return Interval::k1mo;
  return std::nullopt;
}

// The latest instant with a price: now in session, else the last session close.
Timestamp LastTradeTime(const calendar::Calendar& cal, Timestamp now) {
  if (cal.kind() == calendar::MarketKind::kCrypto || cal.IsOpen(now)) return now;
  const int64_t today = DaysFromCivil(cal.LocalDate(now));
  for (int i = 0; i < 15; ++i) {
    if (auto s = cal.SessionOn(CivilFromDays(today - i)); s && s->open <= now)
      return std::min(s->close, now);
  }
  return now;
}

Json TradingPeriod(std::string_view tz, Timestamp start, Timestamp end) {
  const int off = UtcOffset(tz, start);
  return Json{{"timezone", TzAbbrev(tz, off)}, {"start", start}, {"end", end}, {"gmtoffset", off}};
}

Json YahooMeta(const WireContext& ctx, const SymbolInfo& info, const Quote& q,
               std::string_view granularity, std::string_view range, double chart_prev_close) {
  const calendar::Calendar& cal = *info.calendar;
  const std::string tz(cal.timezone());
  const Timestamp last = LastTradeTime(cal, ctx.now);
  const int off = UtcOffset(tz, ctx.now);
  Json m;
  m["currency"] = info.currency;
  m["symbol"] = info.symbol;
  m["exchangeName"] = info.exchange;
  m["fullExchangeName"] = info.full_exchange;
  m["instrumentType"] = info.type;
  m["firstTradeDate"] = info.listed;
  m["regularMarketTime"] = last;
  m["hasPrePostMarketData"] = info.type == "EQUITY" || info.type == "ETF";
  m["gmtoffset"] = off;
  m["timezone"] = TzAbbrev(tz, off);
  m["exchangeTimezoneName"] = tz;
  m["regularMarketPrice"] = F32(q.price);
  if (q.high_24h) m["regularMarketDayHigh"] = F32(*q.high_24h);
  if (q.low_24h) m["regularMarketDayLow"] = F32(*q.low_24h);
  if (q.volume) m["regularMarketVolume"] = *q.volume;
  m["longName"] = info.name;
  m["shortName"] = info.name;
  m["chartPreviousClose"] = F32(chart_prev_close);
  m["priceHint"] = q.price < 1 ? 4 : 2;
  // Today's (or the next) session.
  std::optional<calendar::Session> s;
  const int64_t today = DaysFromCivil(cal.LocalDate(ctx.now));
  for (int i = 0; i < 10 && !s; ++i) s = cal.SessionOn(CivilFromDays(today + i));
  if (s) {
    m["currentTradingPeriod"] = {{"pre", TradingPeriod(tz, s->open - 19800, s->open)},
                                 {"regular", TradingPeriod(tz, s->open, s->close)},
                                 {"post", TradingPeriod(tz, s->close, s->close + 14400)}};
  }
  m["dataGranularity"] = granularity;
  m["range"] = range;
  m["validRanges"] =
      Json::array({"1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"});
  return m;
}

Response YahooChart(const WireContext& ctx) {
  const http::Request& req = ctx.req;
  const std::string symbol(ctx.sub.substr(std::string_view("/v8/finance/chart/").size()));
  if (symbol.empty() || IsUnknownSymbol(symbol)) {
    return YahooChartError(404, "Not Found", "No data found, symbol may be delisted");
  }
  const std::string interval_text = req.Query("interval") ? *req.Query("interval") : "1d";
  auto iv = YahooInterval(interval_text);
  if (!iv) {
    return YahooChartError(
        400, "Bad Request",
        "Invalid input - interval=" + Printable(interval_text) +
            " is not supported. Valid intervals: [1m, 2m, 5m, 15m, 30m, 60m, 90m, 1h, 1d, 5d, "
            "1wk, 1mo, 3mo]");
  }
  Timestamp p1 = 0, p2 = ctx.now;
  std::string range_text;
  if (const std::string* rg = req.Query("range"); rg && !req.Query("period1")) {
    auto start = ResolvePeriodStart(*rg, ctx.now);
    if (!start.ok()) {
      return YahooChartError(400, "Bad Request",
                             "Invalid input - range=" + Printable(*rg) +
                                 " is not supported. Valid ranges: [1d, 5d, 1mo, 3mo, 6mo, 1y, 2y, "
                                 "5y, 10y, ytd, max]");
    }
    p1 = *start;
    range_text = *rg;
  } else if (const std::string* a = req.Query("period1")) {
    auto v = ParseInt(*a);
    if (!v) return YahooChartError(400, "Bad Request", "Invalid input - period1=" + Printable(*a));
    p1 = *v;
    if (const std::string* b = req.Query("period2")) {
      auto w = ParseInt(*b);
      if (!w)
        return YahooChartError(400, "Bad Request", "Invalid input - period2=" + Printable(*b));
      p2 = *w;
    }
  } else {
    p1 = ctx.now - kSecondsPerDay;  // Yahoo's default range is 1d
    range_text = "1d";
  }
  const SymbolInfo info = ctx.gen.Info(symbol);
  const calendar::Calendar& cal = *info.calendar;
  // Intraday reach limits (422, Yahoo's own texts).
  auto unprocessable = [&](std::string_view why) {
    return YahooChartError(422, "Unprocessable Entity",
                           interval_text +
                               " data not available for startTime=" + std::to_string(p1) +
                               " and endTime=" + std::to_string(p2) + ". " + std::string(why));
  };
  if (*iv == Interval::k1m) {
    if (p2 - p1 > 8 * kSecondsPerDay) {
      return unprocessable(
          "Only 8 days worth of 1m granularity data are allowed to be fetched per request.");
    }
    if (p1 < ctx.now - 30 * kSecondsPerDay)
      return unprocessable("The requested range must be within the last 30 days.");
  } else if (*iv <= Interval::k30m) {
    if (p1 < ctx.now - 60 * kSecondsPerDay)
      return unprocessable("The requested range must be within the last 60 days.");
  } else if (*iv == Interval::k1h) {
    if (p1 < ctx.now - 730 * kSecondsPerDay)
      return unprocessable("The requested range must be within the last 730 days.");
  }
  if (p2 > p1 && p2 <= info.listed) {
    return YahooChartError(400, "Bad Request",
                           "Data doesn't exist for startDate = " + std::to_string(p1) +
                               ", endDate = " + std::to_string(p2));
  }
  const Quote q = ctx.gen.QuoteAt(symbol, ctx.now);
  const bool daily = !IsIntraday(*iv);

  // Bars whose Yahoo stamp (daily: the session open) lies in [p1, p2).
  struct Row {
    Timestamp ts;
    std::optional<double> o, h, l, c, adj;
    std::optional<int64_t> v;
  };
  std::vector<Row> rows;
  double prev_close = q.price;
  if (p2 > p1) {
    const TimeRange query{daily ? p1 - 2 * kSecondsPerDay : p1, p2};
    FramePtr f = ctx.gen.Bars(symbol, *iv, query, ctx.now);
    for (size_t i = 0; i < f->rows(); ++i) {
      const Timestamp stamp = f->timestamps()[i];
      const Timestamp yts = daily ? SessionOpenOfStamp(cal, stamp) : stamp;
      if (yts < p1 || yts >= p2) continue;
      Row r{yts};
      if (!daily && ctx.gen.YahooNullBar(symbol, stamp)) {
        rows.push_back(r);  // Yahoo's occasional all-null bar
        continue;
      }
      r.o = F32(f->open()[i]);
      r.h = F32(f->high()[i]);
      r.l = F32(f->low()[i]);
      r.c = F32(f->close()[i]);
      r.v = f->volume()[i];
      r.adj = F32(f->adj_close()[i]);
      rows.push_back(r);
    }
    // chartPreviousClose: the close of the last daily bar before p1.
    FramePtr before =
        ctx.gen.Bars(symbol, Interval::k1d, TimeRange{p1 - 12 * kSecondsPerDay, p1}, ctx.now);
    for (size_t i = before->rows(); i-- > 0;) {
      if (SessionOpenOfStamp(cal, before->timestamps()[i]) < p1) {
        prev_close = before->close()[i];
        break;
      }
    }
  }
  // The trailing live bar: intraday answers end with a bar at the latest
  // trade time (volume 0) when the requested range ends before it.
  if (!daily && !rows.empty()) {
    const Timestamp last = LastTradeTime(cal, ctx.now);
    if (last >= p2 && rows.back().ts < last) {
      const double px = F32(ctx.gen.PriceAt(symbol, last, ctx.now));
      rows.push_back(Row{last, px, px, px, px, std::nullopt, int64_t{0}});
    }
  }

  Json result;
  result["meta"] = YahooMeta(ctx, info, q, interval_text, range_text, prev_close);
  Json indicators;
  if (rows.empty()) {
    indicators["quote"] = Json::array({Json::object()});
    if (daily) indicators["adjclose"] = Json::array({Json::object()});
  } else {
    Json ts = Json::array(), o = Json::array(), h = Json::array(), l = Json::array(),
         c = Json::array(), v = Json::array(), adj = Json::array();
    auto put = [](Json& a, const auto& x) {
      if (x) {
        a.push_back(*x);
      } else {
        a.push_back(nullptr);
      }
    };
    for (const Row& r : rows) {
      ts.push_back(r.ts);
      put(o, r.o);
      put(h, r.h);
      put(l, r.l);
      put(c, r.c);
      put(v, r.v);
      put(adj, r.adj.has_value() ? r.adj : r.c);
    }
    result["timestamp"] = std::move(ts);
    // Corporate actions when asked (events=div|split).
    const std::string events = req.Query("events") ? *req.Query("events") : "";
    if (events.find("div") != std::string::npos || events.find("split") != std::string::npos) {
      Json ev = Json::object();
      double later_splits = 1;  // dividends are shown split-adjusted as of now
      std::vector<Event> all = ctx.gen.Events(symbol, TimeRange{p1, p2}, ctx.now);
      std::vector<Event> after = ctx.gen.Events(symbol, TimeRange{p1, ctx.now + 1}, ctx.now);
      for (const Event& e : all) {
        if (e.kind == Event::Kind::kDividend && events.find("div") != std::string::npos) {
          later_splits = 1;
          for (const Event& s : after) {
            if (s.kind == Event::Kind::kSplit && s.ts > e.ts)
              later_splits *= double(s.numerator) / s.denominator;
          }
          ev["dividends"][std::to_string(e.ts)] = {{"amount", F32(e.amount / later_splits)},
                                                   {"date", e.ts}};
        }
        if (e.kind == Event::Kind::kSplit && events.find("split") != std::string::npos) {
          ev["splits"][std::to_string(e.ts)] = {
              {"date", e.ts},
              {"numerator", e.numerator},
              {"denominator", e.denominator},
              {"splitRatio", std::to_string(e.numerator) + ":" + std::to_string(e.denominator)}};
        }
      }
      if (!ev.empty()) result["events"] = std::move(ev);
    }
    indicators["quote"] = Json::array({Json{{"open", std::move(o)},
                                            {"high", std::move(h)},
                                            {"low", std::move(l)},
                                            {"close", std::move(c)},
                                            {"volume", std::move(v)}}});
    if (daily) indicators["adjclose"] = Json::array({Json{{"adjclose", std::move(adj)}}});
  }
  result["indicators"] = std::move(indicators);
  Json j;
  j["chart"]["result"] = Json::array({std::move(result)});
  j["chart"]["error"] = nullptr;
  Response r = JsonResponse(200, j);
  r.headers.emplace_back("Cache-Control", "public, max-age=10, stale-while-revalidate=20");
  return r;
}

std::string MarketOf(const SymbolInfo& info) {
  if (info.type == "CRYPTOCURRENCY") return "ccc_market";
  if (info.type == "CURRENCY") return "ccy_market";
  if (info.currency == "USD") return "us_market";
  return Lower(info.currency.substr(0, 2)) + "_market";
}

Response YahooQuote(const WireContext& ctx) {
  const std::string* symbols = ctx.req.Query("symbols");
  if (symbols == nullptr || symbols->empty()) {
    Json j;
    j["quoteResponse"]["result"] = nullptr;
    j["quoteResponse"]["error"] = {{"code", "argument-error"},
                                   {"description", "Missing value for the \"symbols\" argument"}};
    return JsonResponse(400, j);
  }
  Json result = Json::array();
  size_t pos = 0;
  int count = 0;
  while (pos <= symbols->size() && count < 200) {
    size_t comma = symbols->find(',', pos);
    if (comma == std::string::npos) comma = symbols->size();
    std::string sym = symbols->substr(pos, comma - pos);
    pos = comma + 1;
    ++count;
    if (sym.empty() || IsUnknownSymbol(sym)) continue;  // unknown symbols are silently omitted
    const SymbolInfo info = ctx.gen.Info(sym);
    const Quote q = ctx.gen.QuoteAt(sym, ctx.now);
    const std::string tz(info.calendar->timezone());
    const int off = UtcOffset(tz, ctx.now);
    Json o;
    o["language"] = "en-US";
    o["region"] = "US";
    o["quoteType"] = info.type;
    o["currency"] = info.currency;
    o["marketState"] = q.market_state;
    o["regularMarketChange"] = F32(q.change.value_or(0));
    o["regularMarketChangePercent"] = F32(q.change_percent.value_or(0));
    o["regularMarketTime"] = q.timestamp;
    o["regularMarketPrice"] = F32(q.price);
    o["regularMarketDayHigh"] = F32(q.high_24h.value_or(q.price));
    o["regularMarketDayRange"] =
        Num(q.low_24h.value_or(q.price), 2) + " - " + Num(q.high_24h.value_or(q.price), 2);
    o["regularMarketDayLow"] = F32(q.low_24h.value_or(q.price));
    o["regularMarketVolume"] = q.volume.value_or(0);
    o["regularMarketPreviousClose"] = F32(q.price - q.change.value_or(0));
    o["fullExchangeName"] = info.full_exchange;
    if (q.market_cap) o["marketCap"] = static_cast<int64_t>(*q.market_cap);
    o["exchange"] = info.exchange;
    o["shortName"] = info.name;
    o["longName"] = info.name;
    o["exchangeTimezoneName"] = tz;
    o["exchangeTimezoneShortName"] = TzAbbrev(tz, off);
    o["gmtOffSetMilliseconds"] = static_cast<int64_t>(off) * 1000;
    o["market"] = MarketOf(info);
    o["firstTradeDateMilliseconds"] = info.listed * 1000;
    o["priceHint"] = q.price < 1 ? 4 : 2;
    o["symbol"] = sym;
    result.push_back(std::move(o));
  }
  Json j;
  j["quoteResponse"]["result"] = std::move(result);
  j["quoteResponse"]["error"] = nullptr;
  return JsonResponse(200, j);
}

// Search over the universe: symbol prefix or name substring, case-insensitive.
struct Match {
  std::string symbol;
  double score;
};
std::vector<Match> SearchUniverse(const Generator& gen, std::string_view q, bool crypto_ids_only,
                                  bool skip_ids) {
  std::vector<Match> out;
  const std::string lq = Lower(q);
  for (const std::string& s : Universe(gen)) {
    const bool is_id = !s.empty() && std::islower(static_cast<unsigned char>(s[0]));
    if (crypto_ids_only && !is_id) continue;
    if (skip_ids && is_id) continue;
    const SymbolInfo info = gen.Info(s);
    if (skip_ids && info.exchange == "BINANCE") continue;
    const std::string ls = Lower(s), ln = Lower(info.name);
    double score = 0;
    if (ls == lq) {
      score = 1.0;
    } else if (ls.starts_with(lq)) {
      score = 0.8;
    } else if (ln.starts_with(lq)) {
      score = 0.6;
    } else if (ln.find(lq) != std::string::npos) {
      score = 0.4;
    }
    if (score > 0) out.push_back({s, score});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Match& a, const Match& b) { return a.score > b.score; });
  return out;
}

Response YahooSearch(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("q");
  if (q == nullptr || q->empty())
    return YahooFinanceError(400, "Bad Request", "Missing required query parameter=q");
  std::vector<Match> matches = SearchUniverse(ctx.gen, *q, false, true);
  // Any other well-formed ticker is "found" as itself (the generator knows every symbol).
  if (!IsUnknownSymbol(*q) && Upper(*q) == *q &&
      std::none_of(matches.begin(), matches.end(),
                   [&](const Match& m) { return m.symbol == *q; })) {
    matches.insert(matches.begin(), Match{*q, 1.0});
  }
  Json quotes = Json::array();
  for (const Match& m : matches) {
    if (quotes.size() >= 7) break;
    const SymbolInfo info = ctx.gen.Info(m.symbol);
    Json o;
    o["exchange"] = info.exchange;
    o["shortname"] = info.name;
    o["quoteType"] = info.type;
    o["symbol"] = m.symbol;
    o["index"] = "quotes";
    o["score"] = static_cast<int64_t>(m.score * 50000000);
    std::string disp = Lower(info.type);
    if (!disp.empty())
      disp[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(disp[0])));
    o["typeDisp"] = disp;
    o["longname"] = info.name;
    o["exchDisp"] = info.full_exchange;
    if (!info.sector.empty()) {
      o["sector"] = info.sector;
      o["industry"] = info.industry;
    }
    o["isYahooFinance"] = true;
    quotes.push_back(std::move(o));
  }
  Json j;
  j["explains"] = Json::array();
  j["count"] = quotes.size();
  j["quotes"] = std::move(quotes);
  j["news"] = Json::array();
  j["nav"] = Json::array();
  j["lists"] = Json::array();
  j["researchReports"] = Json::array();
  j["totalTime"] = 12;
  return JsonResponse(200, j);
}

}  // namespace

Response ServeYahoo(const WireContext& ctx) {
  if (ctx.req.method != "GET")
    return YahooFinanceError(405, "Method Not Allowed", "HTTP 405 Method Not Allowed");
  if (ctx.sub.starts_with("/v8/finance/chart/")) return YahooChart(ctx);
  if (ctx.sub == "/v7/finance/quote") return YahooQuote(ctx);
  if (ctx.sub == "/v1/finance/search") return YahooSearch(ctx);
  return YahooFinanceError(404, "Not Found", "HTTP 404 Not Found");
}

// Exposed for the other providers' search routes.
std::vector<std::pair<std::string, double>> SearchSymbols(const Generator& gen, std::string_view q,
                                                          bool coin_ids) {
  std::vector<std::pair<std::string, double>> out;
  for (const Match& m : SearchUniverse(gen, q, coin_ids, !coin_ids))
    out.emplace_back(m.symbol, m.score);
  return out;
}

}  // namespace finex::sim::detail
