#include "finex/provider/yahoo/yahoo_provider.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "finex/core/mutex.h"
#include "finex/core/symbol.h"
#include "finex/provider/detail/common.h"
#include "finex/provider/detail/http_adapter.h"
#include "finex/provider/detail/json.h"
#include "finex/provider/factory.h"
#include "finex/provider/yahoo/yahoo_facts.h"

namespace finex::provider::yahoo {
namespace {

using namespace finex::provider::detail;  // NOLINT
constexpr ProviderId kId = ProviderId::kYahoo;
constexpr Timestamp kDay = kSecondsPerDay;

Status ChartErrorStatus(const HttpResponse& resp, std::string_view code, std::string_view desc) {
  std::string msg = std::string(code);
  if (!desc.empty()) msg += ": " + Sanitize(desc, "");
  if (code == kCodeNotFound || resp.status == 404) {
    return Error(kId, StatusCode::kNotFound, msg, resp.status);
  }
  if (code == kCodeUnprocessable || resp.status == 422) {
    return Error(kId, StatusCode::kOutOfRange, msg, resp.status);
  }
  if (resp.status == 429) return HttpError(kId, resp, msg, "");
  if (resp.status >= 500) return Error(kId, StatusCode::kUnavailable, msg, resp.status);
  return Error(kId, StatusCode::kInvalidArgument, msg, resp.status);
}

std::string LowerType(std::string_view t) {
  if (t == "EQUITY") return "equity";
  if (t == "ETF") return "etf";
  if (t == "INDEX") return "index";
  if (t == "CRYPTOCURRENCY") return "crypto";
  if (t == "CURRENCY") return "fx";
  if (t == "FUTURE") return "future";
  if (t == "MUTUALFUND") return "fund";
  return AsciiLower(t);
}

}  // namespace

std::string_view WireInterval(Interval iv) { return WireName(kFacts.intervals, iv); }

CallLimits YahooLimits(Interval iv) { return LimitsFromFacts(kFacts, iv); }

static Timestamp Period1(const HistoryRequest& req) {
  return IsIntraday(req.interval) ? req.range.start
                                  : std::max<Timestamp>(0, req.range.start - kDay);
}

std::string ChartUrl(std::string_view base, const HistoryRequest& req) {
  Query q;
  q.Add("interval", WireInterval(req.interval))
      .Add("period1", Period1(req))
      .Add("period2", req.range.end)
      .Add("includePrePost", "false")
      .Add("events", "div|split");
  return std::string(base) + std::string(kChartPath) + UrlEncode(req.symbol) + "?" + q.str();
}

Result<HistoryResponse> ParseChart(const HttpResponse& resp, const HistoryRequest& req,
                                   Timestamp period2, Timestamp now) {
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (!doc.ok()) {
    if (resp.status != 200) return HttpError(kId, resp, resp.body, "");
    return Error(kId, StatusCode::kDataLoss, "chart: " + doc.status().message(), resp.status);
  }
  std::optional<element> chart = Get(doc->root(), kChartKey);
  if (!chart) {
    if (resp.status != 200) return HttpError(kId, resp, "", "");
    return Error(kId, StatusCode::kDataLoss, "chart: no 'chart' object in the answer", resp.status);
  }
  if (std::optional<element> err = Get(*chart, kErrorKey)) {
    std::string_view code = GetString(*err, kErrorCodeKey);
    std::string_view desc = GetString(*err, kErrorDescriptionKey);
    if (desc.find(kBeforeListingText) != std::string_view::npos) {
      // Range before the listing: an empty answer is a fact the cache keeps.
      SeriesBuilder sb(kId, req);
      return std::move(sb).Finish(req.range, "", "", "", now, false, 1);
    }
    return ChartErrorStatus(resp, code, desc);
  }
  if (resp.status != 200) return HttpError(kId, resp, "", "");
  std::optional<array> results = GetArray(*chart, "result");
  element r;
  if (!results || results->at(0).get(r)) {
    return Error(kId, StatusCode::kDataLoss, "chart: empty 'result' without an error", resp.status);
  }
  std::optional<element> meta = Get(r, "meta");
  if (!meta) return Error(kId, StatusCode::kDataLoss, "chart: result without 'meta'", resp.status);
  std::string currency = NormalizeCurrency(GetString(*meta, "currency"));
  std::string tz(GetString(*meta, "exchangeTimezoneName"));
  std::string exchange(GetString(*meta, "exchangeName"));
  if (tz.empty())
    return Error(kId, StatusCode::kDataLoss, "chart: meta.exchangeTimezoneName missing");

  SeriesBuilder sb(kId, req);
  FieldSet carried = FieldSet::Ohlcv();
  const bool intraday = IsIntraday(req.interval);
  std::optional<array> ts = GetArray(r, "timestamp");
  if (ts && ts->size() > 0) {
    std::optional<element> ind = Get(r, "indicators");
    element quote0, adj0;
    std::optional<array> quotes = ind ? GetArray(*ind, "quote") : std::nullopt;
    if (!quotes || quotes->at(0).get(quote0)) {
      return Error(kId, StatusCode::kDataLoss, "chart: timestamps without indicators.quote");
    }
    std::optional<array> adjs = ind ? GetArray(*ind, "adjclose") : std::nullopt;
    std::optional<array> adj;
    if (adjs && !adjs->at(0).get(adj0)) adj = GetArray(adj0, "adjclose");
    if (adj) carried = carried.Union(FieldSet(FieldSet::kAdjClose));
    std::optional<array> cols[5] = {GetArray(quote0, "open"), GetArray(quote0, "high"),
                                    GetArray(quote0, "low"), GetArray(quote0, "close"),
                                    GetArray(quote0, "volume")};
    const size_t n = ts->size();
    for (const auto& c : cols) {
      if (c && c->size() != n) {
        return Error(kId, StatusCode::kDataLoss,
                     "chart: indicator length " + std::to_string(c->size()) +
                         " != " + std::to_string(n) + " timestamps");
      }
    }
    if (adj && adj->size() != n)
      return Error(kId, StatusCode::kDataLoss, "chart: adjclose length mismatch");
    sb.Reserve(n);
    // Arrays are walked with iterators (at(i) on a DOM array is linear).
    auto it_ts = ts->begin();
    simdjson::dom::array::iterator its[5];
    for (int k = 0; k < 5; ++k)
      if (cols[k]) its[k] = cols[k]->begin();
    simdjson::dom::array::iterator it_adj;
    if (adj) it_adj = adj->begin();
    for (size_t i = 0; i < n; ++i, ++it_ts) {
      int64_t raw;
      if ((*it_ts).get_int64().get(raw))
        return Error(kId, StatusCode::kDataLoss, "chart: non-integer timestamp");
      RawBar b;
      if (cols[0]) b.open = AsDouble(*its[0]);
      if (cols[1]) b.high = AsDouble(*its[1]);
      if (cols[2]) b.low = AsDouble(*its[2]);
      if (cols[3]) b.close = AsDouble(*its[3]);
      if (cols[4]) b.volume = AsVolume(*its[4]);
      if (adj) {
        b.adj_close = AsDouble(*it_adj);
        ++it_adj;
      }
      for (int k = 0; k < 5; ++k)
        if (cols[k]) ++its[k];
      if (intraday) {
        b.ts = raw;
      } else {
        FINEX_ASSIGN_OR_RETURN(b.ts, DailyStamp(raw, req.interval, tz));
      }
      // Yahoo appends a bar at the latest trade time after the range
      // (period2 is exclusive): it is not part of the answer for the range,
      // and kept it would make the answer look like it reaches that time.
      if (raw >= period2) continue;
      sb.Add(b);
    }
  }
  sb.set_carried(carried);
  if (std::optional<element> events = Get(r, "events")) {
    if (std::optional<object> divs = GetObject(*events, "dividends")) {
      for (auto [k, v] : *divs) {
        std::optional<int64_t> date = GetInt(v, "date");
        std::optional<double> amount = GetDouble(v, "amount");
        if (!date || !amount)
          return Error(kId, StatusCode::kDataLoss, "chart: dividend without date/amount");
        CorporateAction a;
        a.kind = CorporateAction::Kind::kDividend;
        FINEX_ASSIGN_OR_RETURN(a.timestamp, DailyStamp(*date, Interval::k1d, tz));
        a.amount = *amount;
        sb.AddAction(a);
      }
    }
    if (std::optional<object> splits = GetObject(*events, "splits")) {
      for (auto [k, v] : *splits) {
        std::optional<int64_t> date = GetInt(v, "date");
        std::optional<double> num = GetDouble(v, "numerator");
        std::optional<double> den = GetDouble(v, "denominator");
        if (!date || !num || !den || *den == 0) {
          return Error(kId, StatusCode::kDataLoss,
                       "chart: split without date/numerator/denominator");
        }
        CorporateAction a;
        a.kind = CorporateAction::Kind::kSplit;
        FINEX_ASSIGN_OR_RETURN(a.timestamp, DailyStamp(*date, Interval::k1d, tz));
        a.ratio = *num / *den;
        sb.AddAction(a);
      }
    }
  }
  return std::move(sb).Finish(req.range, std::move(currency), std::move(tz), std::move(exchange),
                              now, false, 1);
}

Result<std::vector<finex::Quote>> ParseQuotes(const HttpResponse& resp) {
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (resp.status != 200) {
    std::string_view desc;
    if (doc.ok()) {
      if (auto qr = Get(doc->root(), kQuoteResponseKey)) {
        if (auto e = Get(*qr, kErrorKey)) desc = GetString(*e, kErrorDescriptionKey);
      }
    }
    return HttpError(kId, resp, doc.ok() ? desc : std::string_view(resp.body), "");
  }
  if (!doc.ok()) return Error(kId, StatusCode::kDataLoss, "quote: " + doc.status().message());
  std::optional<element> qr = Get(doc->root(), kQuoteResponseKey);
  if (!qr) return Error(kId, StatusCode::kDataLoss, "quote: no 'quoteResponse'");
  std::vector<finex::Quote> out;
  std::optional<array> result = GetArray(*qr, "result");
  if (!result) return out;
  for (element e : *result) {
    std::optional<double> price = GetDouble(e, "regularMarketPrice");
    std::string_view sym = GetString(e, "symbol");
    if (!price || sym.empty()) continue;
    finex::Quote q;
    q.symbol = std::string(sym);
    q.price = *price;
    q.change = GetDouble(e, "regularMarketChange");
    q.change_percent = GetDouble(e, "regularMarketChangePercent");
    q.volume = GetInt(e, "regularMarketVolume");
    q.high_24h = GetDouble(e, "regularMarketDayHigh");
    q.low_24h = GetDouble(e, "regularMarketDayLow");
    q.market_cap = GetDouble(e, "marketCap");
    q.timestamp = GetInt(e, "regularMarketTime").value_or(0);
    q.provider = ProviderName(kId);
    q.currency = NormalizeCurrency(GetString(e, "currency"));
    std::string_view st = GetString(e, "marketState");
    if (st == "PRE" || st == "PREPRE")
      q.market_state = "PRE";
    else if (st == "REGULAR")
      q.market_state = "REGULAR";
    else if (st == "POST" || st == "POSTPOST")
      q.market_state = "POST";
    else if (st == "CLOSED")
      q.market_state = "CLOSED";
    out.push_back(std::move(q));
  }
  return out;
}

Result<std::vector<SearchResult>> ParseSearch(const HttpResponse& resp) {
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (resp.status != 200) {
    std::string_view desc;
    if (doc.ok()) {
      if (auto f = Get(doc->root(), kFinanceKey))
        if (auto e = Get(*f, kErrorKey)) desc = GetString(*e, kErrorDescriptionKey);
    }
    return HttpError(kId, resp, doc.ok() ? desc : std::string_view(resp.body), "");
  }
  if (!doc.ok()) return Error(kId, StatusCode::kDataLoss, "search: " + doc.status().message());
  std::vector<SearchResult> out;
  std::optional<array> quotes = GetArray(doc->root(), "quotes");
  if (!quotes) return out;
  double max_score = 0;
  for (element e : *quotes) max_score = std::max(max_score, GetDouble(e, "score").value_or(0));
  for (element e : *quotes) {
    std::string_view sym = GetString(e, "symbol");
    if (sym.empty()) continue;
    SearchResult s;
    s.symbol = std::string(sym);
    std::string_view name = GetString(e, "longname");
    if (name.empty()) name = GetString(e, "shortname");
    s.name = std::string(name);
    s.type = LowerType(GetString(e, "quoteType"));
    s.exchange = std::string(GetString(e, "exchange"));
    s.sector = std::string(GetString(e, "sector"));
    s.industry = std::string(GetString(e, "industry"));
    s.provider = ProviderName(kId);
    double score = GetDouble(e, "score").value_or(0);
    s.match_score = max_score > 0 ? score / max_score : 0;
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

class YahooProvider final : public HttpAdapter {
 public:
  YahooProvider(const ProviderConfig& config, HttpClient& http, Clock& clock)
      : HttpAdapter(kId, config, http, clock) {}

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    std::vector<finex::Quote> none;
    if (symbols.empty()) return none;
    std::string joined;
    for (const std::string& s : symbols) {
      FINEX_RETURN_IF_ERROR(ValidateSymbol(s));
      if (!joined.empty()) joined += ',';
      joined += s;
    }
    // v7 quote wants a session cookie + crumb on the real service (401
    // "Invalid Crumb" otherwise): try without, then once with a fresh pair.
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::string crumb, cookie;
      {
        MutexLock l(mu_);
        crumb = crumb_;
        cookie = cookie_;
      }
      Query q;
      q.Add("symbols", joined);
      if (!crumb.empty()) q.Add("crumb", crumb);
      Headers h;
      if (!cookie.empty()) h.emplace_back("Cookie", cookie);
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                             Fetch(base() + std::string(kQuotePath) + "?" + q.str(), h));
      if (resp.status != 401 || attempt == 1) return ParseQuotes(resp);
      FINEX_RETURN_IF_ERROR(RefreshCrumb());
    }
    return Error(kId, StatusCode::kUnauthenticated, "quote: crumb refused");
  }

  CallLimits Limits(Interval iv) const override { return YahooLimits(iv); }
  double calls_per_minute() const override { return kFacts.calls_per_minute; }
  bool Handles(std::string_view symbol) const override { return ValidateSymbol(symbol).ok(); }

 private:
  Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) override {
    const CallLimits lim = YahooLimits(req.interval);
    if (lim.max_lookback_s > 0 && req.range.start < now - lim.max_lookback_s) {
      return Error(kId, StatusCode::kOutOfRange,
                   std::string(IntervalName(req.interval)) +
                       " data is only available for the last " +
                       std::to_string(lim.max_lookback_s / kDay) + " days (asked from " +
                       FormatIsoUtc(req.range.start) + ")");
    }
    if (lim.max_span_s > 0 && req.range.length() > lim.max_span_s) {
      return Error(kId, StatusCode::kOutOfRange,
                   "only " + std::to_string(lim.max_span_s / kDay) + " days of " +
                       std::string(IntervalName(req.interval)) + " data are allowed per request");
    }
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(ChartUrl(base(), req)));
    return ParseChart(resp, req, req.range.end, now);
  }

  Result<std::vector<SearchResult>> DoSearch(std::string_view query) override {
    Query q;
    q.Add("q", query).Add("quotesCount", 10).Add("newsCount", 0);
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                           Fetch(base() + std::string(kSearchPath) + "?" + q.str()));
    return ParseSearch(resp);
  }

  // Gets a session cookie (fc.yahoo.com answers 404 but sets it) and the
  // crumb that goes with it (/v1/test/getcrumb).
  Status RefreshCrumb() {
    const std::string cookie_url =
        config().base_url.empty() ? std::string(kCookieUrl) : base() + "/";
    FINEX_ASSIGN_OR_RETURN(HttpResponse c, Fetch(cookie_url));
    std::string cookie;
    for (const auto& [k, v] : c.headers) {
      if (k != "set-cookie") continue;
      if (!cookie.empty()) cookie += "; ";
      cookie += v.substr(0, v.find(';'));
    }
    if (cookie.empty()) return Error(kId, StatusCode::kUnauthenticated, "quote: no session cookie");
    FINEX_ASSIGN_OR_RETURN(HttpResponse r,
                           Fetch(base() + std::string(kCrumbPath), {{"Cookie", cookie}}));
    if (r.status != 200 || r.body.empty() || r.body.size() > 64 ||
        r.body.find('{') != std::string::npos) {
      return HttpError(kId, r, "getcrumb refused", "");
    }
    MutexLock l(mu_);
    crumb_ = r.body;
    cookie_ = std::move(cookie);
    return OkStatus();
  }

  Mutex mu_;
  std::string crumb_ FINEX_GUARDED_BY(mu_);
  std::string cookie_ FINEX_GUARDED_BY(mu_);
};

}  // namespace
}  // namespace finex::provider::yahoo

namespace finex::provider {
std::unique_ptr<Provider> NewYahooProvider(const ProviderConfig& config, HttpClient& http,
                                           Clock& clock) {
  return std::make_unique<yahoo::YahooProvider>(config, http, clock);
}
}  // namespace finex::provider
