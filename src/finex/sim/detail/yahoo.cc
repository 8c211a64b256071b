// Yahoo Finance (unofficial): /v8/finance/chart/{symbol}, /v7/finance/quote,
// /v1/finance/search. Float32 prices, daily bars stamped at the session open,
// an exclusive period2, a trailing live bar, occasional all-null intraday
// bars, and 422s past the intraday reach (provider/yahoo/yahoo_facts.h).
#include <algorithm>
#include <cctype>
#include <cmath>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/yahoo/yahoo_facts.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {

using http::Response;
namespace yahoo = provider::yahoo;

namespace {

// Yahoo serves float32 values widened to double (e.g. 75.0875015258789).
double F32(double v) { return static_cast<double>(static_cast<float>(v)); }

std::optional<Interval> YahooInterval(std::string_view s) {
  if (s == yahoo::kHourAlias) return Interval::k1h;
  return provider::IntervalOfWire(yahoo::kFacts.intervals, s);
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
  const std::string symbol(ctx.sub.substr(yahoo::kChartPath.size()));
  if (symbol.empty() || IsUnknownSymbol(symbol)) {
    return YahooChartError(404, yahoo::kCodeNotFound, "No data found, symbol may be delisted");
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
    return YahooChartError(422, yahoo::kCodeUnprocessable,
                           interval_text +
                               " data not available for startTime=" + std::to_string(p1) +
                               " and endTime=" + std::to_string(p2) + ". " + std::string(why));
  };
  if (*iv == Interval::k1m && p2 - p1 > yahoo::k1mDaysPerRequestServed * kSecondsPerDay) {
    return unprocessable("Only " + std::to_string(yahoo::k1mDaysPerRequestServed) +
                         " days worth of 1m granularity data are allowed to be fetched per "
                         "request.");
  }
  if (const Timestamp reach = ReachOf(yahoo::kFacts.reach, *iv).max_lookback_s;
      reach > 0 && p1 < ctx.now - reach) {
    return unprocessable("The requested range must be within the last " +
                         std::to_string(reach / kSecondsPerDay) + " days.");
  }
  if (p2 > p1 && p2 <= info.listed) {
    return YahooChartError(400, "Bad Request",
                           std::string(yahoo::kBeforeListingText) + " for startDate = " +
                               std::to_string(p1) + ", endDate = " + std::to_string(p2));
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
  j[yahoo::kChartKey]["result"] = Json::array({std::move(result)});
  j[yahoo::kChartKey][yahoo::kErrorKey] = nullptr;
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
    j[yahoo::kQuoteResponseKey]["result"] = nullptr;
    j[yahoo::kQuoteResponseKey][yahoo::kErrorKey] = {
        {yahoo::kErrorCodeKey, "argument-error"},
        {yahoo::kErrorDescriptionKey, "Missing value for the \"symbols\" argument"}};
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
  j[yahoo::kQuoteResponseKey]["result"] = std::move(result);
  j[yahoo::kQuoteResponseKey][yahoo::kErrorKey] = nullptr;
  return JsonResponse(200, j);
}

Response YahooSearch(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("q");
  if (q == nullptr || q->empty())
    return YahooFinanceError(400, "Bad Request", "Missing required query parameter=q");
  struct Match {
    std::string symbol;
    double score;
  };
  std::vector<Match> matches;
  for (auto& [sym, score] : SearchSymbols(ctx.gen, *q, false)) matches.push_back({sym, score});
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
  if (ctx.sub.starts_with(yahoo::kChartPath)) return YahooChart(ctx);
  if (ctx.sub == yahoo::kQuotePath) return YahooQuote(ctx);
  if (ctx.sub == yahoo::kSearchPath) return YahooSearch(ctx);
  return YahooFinanceError(404, "Not Found", "HTTP 404 Not Found");
}

}  // namespace finex::sim::detail
