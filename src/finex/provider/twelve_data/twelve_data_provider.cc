#include "finex/provider/twelve_data/twelve_data_provider.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "finex/calendar/calendar.h"
#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/detail/common.h"
#include "finex/provider/detail/http_adapter.h"
#include "finex/provider/detail/json.h"
#include "finex/provider/factory.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"

namespace finex::provider::twelve_data {
namespace {

using namespace finex::provider::detail;  // NOLINT
constexpr ProviderId kId = ProviderId::kTwelveData;
constexpr int kMaxPages = 100;

std::string LocalText(std::string_view tz, Timestamp t, bool with_time) {
  Result<calendar::LocalTime> lt = calendar::ToLocal(tz, t);
  calendar::LocalTime l;
  if (lt.ok()) {
    l = *lt;
  } else {
    l.date = CivilFromDays(DayOf(t));
    l.seconds_of_day = static_cast<int>(t - DayOf(t) * kSecondsPerDay);
  }
  char buf[32];
  if (with_time) {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", l.date.year, l.date.month,
                  l.date.day, l.seconds_of_day / 3600, l.seconds_of_day / 60 % 60,
                  l.seconds_of_day % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", l.date.year, l.date.month, l.date.day);
  }
  return buf;
}

bool IsCode(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// meta.currency for equities; for pairs ("EUR/USD", "BTC/USD") the quote
// code after the '/' of meta.symbol (meta.currency_quote is a NAME there,
// "US Dollar"), else currency_quote when it is a code. "" otherwise.
std::string PairCurrency(std::string_view currency, std::string_view symbol,
                         std::string_view quote) {
  if (!currency.empty()) return NormalizeCurrency(currency);
  size_t slash = symbol.find('/');
  if (slash != std::string_view::npos && IsCode(symbol.substr(slash + 1))) {
    return NormalizeCurrency(symbol.substr(slash + 1));
  }
  return IsCode(quote) ? NormalizeCurrency(quote) : "";
}

}  // namespace

std::string_view WireInterval(Interval iv) { return WireName(kFacts.intervals, iv); }

std::string TimeSeriesUrl(std::string_view base, const HistoryRequest& req,
                          std::string_view start_local, std::string_view end_local) {
  Query q;
  q.Add("symbol", req.symbol)
      .Add("interval", WireInterval(req.interval))
      .Add("start_date", start_local)
      .Add("end_date", end_local)
      .Add("outputsize", kMaxOutputSize)
      .Add("order", "desc");
  return std::string(base) + std::string(kTimeSeriesPath) + "?" + q.str();
}

Status EnvelopeError(std::string_view body, int http_status, Timestamp now, bool* empty) {
  if (empty) *empty = false;
  Result<JsonDoc> doc = ParseJson(body);
  if (!doc.ok()) {
    if (http_status == 200) return OkStatus();
    HttpResponse r;
    r.status = http_status;
    return HttpError(kId, r, body, "");
  }
  if (GetString(doc->root(), kStatusKey) != kStatusError) return OkStatus();
  const int64_t code = GetInt(doc->root(), kErrorCodeKey).value_or(http_status);
  std::string_view msg = GetString(doc->root(), kErrorMessageKey);
  std::string text = "code " + std::to_string(code) + ": " + Sanitize(msg, "");
  if (code == kCodeRateLimited) {
    // "…run out of API credits for the current minute" [T5] waits for the
    // next minute; the Basic plan's daily cap ("…for the day" / "current
    // day") for the next 00:00 UTC, when it resets [T4].
    const bool daily = msg.find("minute") == std::string_view::npos &&
                       (msg.find(" day") != std::string_view::npos);
    const Timestamp wait = daily ? (DayOf(now) + 1) * kSecondsPerDay - now : 60 - (now % 60);
    return Error(kId, StatusCode::kResourceExhausted, text, http_status, static_cast<double>(wait));
  }
  if (code == 400 && msg.find(kNoDataText) != std::string_view::npos) {
    if (empty) *empty = true;
    return OkStatus();
  }
  if (code == 404 || (code == 400 && msg.find("not found") != std::string_view::npos)) {
    return Error(kId, StatusCode::kNotFound, text, http_status);
  }
  if (code == 401) return Error(kId, StatusCode::kUnauthenticated, text, http_status);
  if (code == 403) return Error(kId, StatusCode::kPermissionDenied, text, http_status);
  if (code >= 500) return Error(kId, StatusCode::kUnavailable, text, http_status);
  return Error(kId, StatusCode::kInvalidArgument, text, http_status);
}

Result<HistoryResponse> ParseTimeSeries(const HttpResponse& resp, const HistoryRequest& req,
                                        Timestamp now) {
  bool empty = false;
  FINEX_RETURN_IF_ERROR(EnvelopeError(resp.body, resp.status, now, &empty));
  if (empty) {
    SeriesBuilder sb(kId, req);
    return std::move(sb).Finish(req.range, "", "", "", now, false, 1);
  }
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "time_series"));
  element doc = parsed.root();
  std::optional<element> meta = Get(doc, "meta");
  if (!meta) return Error(kId, StatusCode::kDataLoss, "time_series: no 'meta'");
  std::string tz(GetString(*meta, "exchange_timezone"));
  if (tz.empty())
    return Error(kId, StatusCode::kDataLoss, "time_series: meta.exchange_timezone missing");
  std::string currency = PairCurrency(GetString(*meta, "currency"), GetString(*meta, "symbol"),
                                      GetString(*meta, "currency_quote"));
  std::string exchange(GetString(*meta, "exchange"));
  SeriesBuilder sb(kId, req);
  if (std::optional<array> values = GetArray(doc, "values")) {
    sb.Reserve(values->size());
    for (element v : *values) {
      std::string_view dt = GetString(v, "datetime");
      RawBar b;
      if (IsIntraday(req.interval)) {
        Result<Timestamp> t = calendar::ParseLocal(tz, dt);
        if (!t.ok())
          return Error(kId, StatusCode::kDataLoss,
                       "time_series: bad datetime '" + Printable(dt) + "'");
        b.ts = *t;
      } else {
        if (dt.size() < 10)
          return Error(kId, StatusCode::kDataLoss, "time_series: bad date '" + Printable(dt) + "'");
        Result<Timestamp> t = calendar::ParseLocal("UTC", dt.substr(0, 10));
        if (!t.ok())
          return Error(kId, StatusCode::kDataLoss, "time_series: bad date '" + Printable(dt) + "'");
        b.ts = FloorToBar(*t, req.interval);
      }
      b.open = GetDouble(v, "open");
      b.high = GetDouble(v, "high");
      b.low = GetDouble(v, "low");
      b.close = GetDouble(v, "close");
      b.volume = GetInt(v, "volume");
      sb.Add(b);
    }
  }
  return std::move(sb).Finish(req.range, std::move(currency), std::move(tz), std::move(exchange),
                              now, false, 1);
}

Result<finex::Quote> ParseQuote(const HttpResponse& resp, Timestamp now) {
  FINEX_RETURN_IF_ERROR(EnvelopeError(resp.body, resp.status, now, nullptr));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "quote"));
  element doc = parsed.root();
  finex::Quote q;
  q.symbol = std::string(GetString(doc, "symbol"));
  std::optional<double> close = GetDouble(doc, "close");
  if (q.symbol.empty() || !close)
    return Error(kId, StatusCode::kDataLoss, "quote: no symbol/close");
  q.price = *close;
  q.change = GetDouble(doc, "change");
  q.change_percent = GetDouble(doc, "percent_change");
  q.volume = GetInt(doc, "volume");
  q.high_24h = GetDouble(doc, "high");
  q.low_24h = GetDouble(doc, "low");
  q.timestamp = GetInt(doc, "timestamp").value_or(0);
  q.provider = ProviderName(kId);
  q.currency = PairCurrency(GetString(doc, "currency"), q.symbol, GetString(doc, "currency_quote"));
  if (std::optional<element> open = Get(doc, "is_market_open")) {
    bool b = false;
    if (!open->get(b)) q.market_state = b ? "REGULAR" : "CLOSED";
  }
  return q;
}

Result<std::vector<SearchResult>> ParseSymbolSearch(const HttpResponse& resp, Timestamp now) {
  FINEX_RETURN_IF_ERROR(EnvelopeError(resp.body, resp.status, now, nullptr));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "symbol_search"));
  element doc = parsed.root();
  std::vector<SearchResult> out;
  std::optional<array> data = GetArray(doc, "data");
  if (!data) return out;
  size_t i = 0;
  for (element e : *data) {
    SearchResult r;
    r.symbol = std::string(GetString(e, "symbol"));
    if (r.symbol.empty()) continue;
    r.name = std::string(GetString(e, "instrument_name"));
    const std::string t = AsciiLower(GetString(e, "instrument_type"));
    r.type = t == "common stock" ? "equity" : t;
    r.exchange = std::string(GetString(e, "exchange"));
    r.country = std::string(GetString(e, "country"));
    r.currency = NormalizeCurrency(GetString(e, "currency"));
    r.provider = ProviderName(kId);
    r.match_score = 1.0 / static_cast<double>(1 + i++);  // the API ranks; no score given
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

class TwelveDataProvider final : public HttpAdapter {
 public:
  TwelveDataProvider(const ProviderConfig& config, HttpClient& http, Clock& clock)
      : HttpAdapter(kId, config, http, clock,
                    ApiKeyHeaders(config, kApiKeyHeader, kApiKeyHeaderPrefix)) {}

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    const Timestamp now = Now();
    return QuoteEach(symbols, [&](const std::string& s) -> Result<finex::Quote> {
      FINEX_RETURN_IF_ERROR(ValidateSymbol(s));
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(base() + std::string(kQuotePath) + "?" +
                                                      Query().Add("symbol", s).str()));
      return ParseQuote(resp, now);
    });
  }

  // One quote call per symbol (QuoteEach).
  int QuoteCalls(std::span<const std::string> symbols) const override {
    return static_cast<int>(symbols.size());
  }

  CallLimits Limits(Interval iv) const override { return LimitsFromFacts(kFacts, iv); }
  double calls_per_minute() const override { return kFacts.calls_per_minute; }
  bool Handles(std::string_view symbol) const override {
    // Twelve Data spells FX and crypto "EUR/USD", "BTC/USD"; no Yahoo-isms.
    return ValidateSymbol(symbol).ok() && symbol.find_first_of("=^") == std::string_view::npos;
  }

 private:
  Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) override {
    const std::string guess_tz(calendar::CalendarFor(req.symbol).timezone());
    const bool intraday = IsIntraday(req.interval);
    const std::string start_local = LocalText(guess_tz, req.range.start, intraday);
    std::string end_local = LocalText(guess_tz, req.range.end, intraday);
    std::vector<FramePtr> frames;
    HistoryResponse out;
    while (true) {
      if (frames.size() >= static_cast<size_t>(kMaxPages))
        return Error(kId, StatusCode::kOutOfRange, "range needs more than 100 pages");
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                             Fetch(TimeSeriesUrl(base(), req, start_local, end_local)));
      FINEX_ASSIGN_OR_RETURN(HistoryResponse page, ParseTimeSeries(resp, req, now));
      const size_t rows = page.frame->rows();
      if (frames.empty()) out = page;
      frames.push_back(page.frame);
      if (rows < kMaxOutputSize) break;
      // Full page (newest first): continue below the oldest bar received.
      const Timestamp oldest = page.frame->first_timestamp();
      std::string next =
          LocalText(page.timezone.empty() ? guess_tz : page.timezone, oldest, intraday);
      if (next == end_local || oldest <= req.range.start) break;
      end_local = std::move(next);
    }
    FinishPages(frames, req.range, &out);
    if (!out.timezone.empty() && out.timezone != guess_tz) {
      // The window was cut in the wrong zone: vouch only for what came back.
      out.requested = out.actual.empty() ? TimeRange{} : req.range.Intersect(out.actual);
    }
    return out;
  }

  Result<std::vector<SearchResult>> DoSearch(std::string_view query) override {
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(base() + std::string(kSymbolSearchPath) + "?" +
                                                    Query().Add("symbol", query).str()));
    return ParseSymbolSearch(resp, Now());
  }
};

}  // namespace
}  // namespace finex::provider::twelve_data

namespace finex::provider {
std::unique_ptr<Provider> NewTwelveDataProvider(const ProviderConfig& config, HttpClient& http,
                                                Clock& clock) {
  return std::make_unique<twelve_data::TwelveDataProvider>(config, http, clock);
}
}  // namespace finex::provider
