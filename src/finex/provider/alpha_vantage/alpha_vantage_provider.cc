#include "finex/provider/alpha_vantage/alpha_vantage_provider.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/detail/common.h"
#include "finex/provider/detail/http_adapter.h"
#include "finex/provider/detail/json.h"
#include "finex/provider/factory.h"

namespace finex::provider::alpha_vantage {
namespace {

using namespace finex::provider::detail;  // NOLINT
constexpr ProviderId kId = ProviderId::kAlphaVantage;
constexpr Timestamp kDay = kSecondsPerDay;
// Asks outputsize=compact (the latest kCompactPoints = 100 trading days ≈
// 140 calendar days) when the request starts this recently.
constexpr Timestamp kCompactReach = 130 * kDay;

// TIME_SERIES_INTRADAY interval; daily+ go to other functions.
std::string_view IntradayWire(Interval iv) { return WireName(kFacts.intervals, iv); }

// "EUR/USD" → {"EUR","USD"}; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> FxPair(std::string_view s) {
  if (s.size() != 7 || s[3] != '/') return std::nullopt;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 3) continue;
    if (s[i] < 'A' || s[i] > 'Z') return std::nullopt;
  }
  return std::make_pair(std::string(s.substr(0, 3)), std::string(s.substr(4, 3)));
}

std::string NormalizeZone(std::string_view tz) {
  if (tz == kEasternZoneName) return "America/New_York";
  return std::string(tz);
}

// "2017-12-18 14:56:00" / "2017-12-18" → civil date + seconds of day.
bool ParseStamp(std::string_view s, CivilDate* d, int* secs) {
  auto num = [&](size_t pos, size_t len, int* out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!num(0, 4, &d->year) || !num(5, 2, &d->month) || !num(8, 2, &d->day) || !IsValidCivil(*d))
    return false;
  *secs = 0;
  if (s.size() == 10) return true;
  int h = 0, m = 0, sec = 0;
  if (s.size() < 16 || (s[10] != ' ' && s[10] != 'T') || !num(11, 2, &h) || s[13] != ':' ||
      !num(14, 2, &m)) {
    return false;
  }
  if (s.size() >= 19 && (s[16] != ':' || !num(17, 2, &sec))) return false;
  if (h > 23 || m > 59 || sec > 59) return false;
  *secs = h * 3600 + m * 60 + sec;
  return true;
}

// Stamp of one row label under the API.md rules (see header).
Result<Timestamp> RowStamp(std::string_view label, Interval iv, std::string_view tz) {
  CivilDate d;
  int secs;
  if (!ParseStamp(label, &d, &secs)) {
    return Error(kId, StatusCode::kDataLoss, "bad time key '" + Printable(label) + "'");
  }
  if (!IsIntraday(iv)) return DailyStampOfDate(d, iv);
  Result<Timestamp> t = calendar::FromLocal(tz, d, secs);
  if (!t.ok())
    return Error(kId, StatusCode::kDataLoss, "unknown time zone '" + Printable(tz) + "'");
  return *t - NominalSeconds(iv);  // close-stamped → open
}

Timestamp SecondsToNextUtcMidnight(Timestamp now) { return (DayOf(now) + 1) * kDay - now; }

// base/query?<q>&apikey=<key>: Alpha Vantage takes the key only in the URL.
std::string QueryUrl(std::string_view base, std::string_view api_key, Query q) {
  if (!api_key.empty()) q.Add(kApiKeyParam, api_key);
  return std::string(base) + std::string(kQueryPath) + "?" + q.str();
}

std::string_view FieldName(std::string_view key) {
  size_t p = key.find(". ");
  return p == std::string_view::npos ? key : key.substr(p + 2);
}

}  // namespace

CallLimits AlphaVantageLimits(Interval iv, AlphaVantagePlan plan) {
  CallLimits l = LimitsFromFacts(kFacts, iv);
  if (iv == Interval::k1d && !plan.full) {
    l.whole_history = false;
    l.max_lookback_s = kCompactReach;
  }
  return l;
}

Status BodyError(std::string_view body, int http_status, Timestamp now) {
  // Cheap pre-check: error bodies are tiny objects.
  if (body.size() > 4096 || body.find('{') == std::string_view::npos) return OkStatus();
  Result<JsonDoc> doc = ParseJson(body);
  if (!doc.ok()) return OkStatus();
  if (std::string_view m = GetString(doc->root(), kErrorMessageKey); !m.empty()) {
    if (m.find("apikey") != std::string_view::npos) {
      return Error(kId, StatusCode::kUnauthenticated, Sanitize(m, ""), http_status);
    }
    return Error(kId, StatusCode::kNotFound, Sanitize(m, ""), http_status);
  }
  std::string_view note = GetString(doc->root(), kNoteKey);
  std::string_view info = GetString(doc->root(), kInformationKey);
  std::string_view m = note.empty() ? info : note;
  if (!m.empty()) {
    if (m.find("premium endpoint") != std::string_view::npos ||
        (m.find("premium") != std::string_view::npos &&
         m.find("rate limit") == std::string_view::npos &&
         m.find("call frequency") == std::string_view::npos)) {
      return Error(kId, StatusCode::kPermissionDenied, Sanitize(m, ""), http_status);
    }
    const bool daily = m.find("per day") != std::string_view::npos &&
                       m.find("per minute") == std::string_view::npos;
    const double wait = daily ? static_cast<double>(SecondsToNextUtcMidnight(now)) : 60.0;
    return Error(kId, StatusCode::kResourceExhausted, "throttled (HTTP 200): " + Sanitize(m, ""),
                 http_status, wait);
  }
  return OkStatus();
}

Result<HistoryResponse> ParseIntradayCsv(std::string_view body, const HistoryRequest& req,
                                         std::string_view tz, Timestamp now) {
  SeriesBuilder sb(kId, req);
  size_t pos = body.find('\n');
  if (pos == std::string_view::npos)
    return Error(kId, StatusCode::kDataLoss, "csv: no header line");
  std::string_view header = body.substr(0, pos);
  if (header.rfind("time", 0) != 0) {
    return Error(kId, StatusCode::kDataLoss, "csv: unexpected header '" + Printable(header) + "'");
  }
  ++pos;
  std::string zone = NormalizeZone(tz);
  sb.Reserve(std::count(body.begin(), body.end(), '\n'));
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::string_view f[6];
    size_t start = 0;
    int n = 0;
    for (; n < 6; ++n) {
      size_t c = line.find(',', start);
      f[n] = line.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
      if (c == std::string_view::npos) {
        ++n;
        break;
      }
      start = c + 1;
    }
    if (n < 6) return Error(kId, StatusCode::kDataLoss, "csv: short row '" + Printable(line) + "'");
    RawBar b;
    FINEX_ASSIGN_OR_RETURN(b.ts, RowStamp(f[0], req.interval, zone));
    b.open = ParseDouble(f[1]);
    b.high = ParseDouble(f[2]);
    b.low = ParseDouble(f[3]);
    b.close = ParseDouble(f[4]);
    b.volume = ParseVolume(f[5]);
    sb.Add(b);
  }
  return std::move(sb).Finish(req.range, "", zone, "", now, false, 1);
}

Result<HistoryResponse> ParseSeries(const HttpResponse& resp, const HistoryRequest& req,
                                    Timestamp now) {
  if (resp.status != 200) {
    FINEX_RETURN_IF_ERROR(BodyError(resp.body, resp.status, now));
    return HttpError(kId, resp, "", "");
  }
  FINEX_RETURN_IF_ERROR(BodyError(resp.body, resp.status, now));
  size_t first = resp.body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && resp.body[first] != '{') {
    return ParseIntradayCsv(std::string_view(resp.body).substr(first), req, "America/New_York",
                            now);
  }
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (!doc.ok()) return Error(kId, StatusCode::kDataLoss, "series: " + doc.status().message());
  object root;
  if (doc->root().get(root))
    return Error(kId, StatusCode::kDataLoss, "series: answer is not an object");
  std::optional<object> meta;
  std::optional<object> series;
  for (auto [k, v] : root) {
    object o;
    if (v.get(o)) continue;
    if (k == kMetaDataKey)
      meta = o;
    else if (!series)
      series = o;
  }
  if (!meta || !series) {
    return Error(kId, StatusCode::kDataLoss,
                 "series: expected 'Meta Data' and a time series object");
  }
  std::string tz, last_refreshed, currency;
  for (auto [k, v] : *meta) {
    std::string_view s;
    if (v.get(s)) continue;
    std::string_view name = FieldName(k);
    if (name == "Time Zone")
      tz = NormalizeZone(s);
    else if (name == "Last Refreshed")
      last_refreshed = std::string(s);
    else if (name == "To Symbol" || name == "Market Code")
      currency = NormalizeCurrency(s);
  }
  if (tz.empty()) return Error(kId, StatusCode::kDataLoss, "series: Meta Data has no Time Zone");
  SeriesBuilder sb(kId, req);
  sb.Reserve(series->size());
  FieldSet carried = FieldSet::Ohlcv();
  for (auto [label, row] : *series) {
    RawBar b;
    FINEX_ASSIGN_OR_RETURN(b.ts, RowStamp(label, req.interval, tz));
    object fields;
    if (row.get(fields)) return Error(kId, StatusCode::kDataLoss, "series: row is not an object");
    std::optional<double> dividend, split;
    for (auto [fk, fv] : fields) {
      std::string_view name = FieldName(fk);
      if (name == "open")
        b.open = AsDouble(fv);
      else if (name == "high")
        b.high = AsDouble(fv);
      else if (name == "low")
        b.low = AsDouble(fv);
      else if (name == "close")
        b.close = AsDouble(fv);
      else if (name == "volume")
        b.volume = AsVolume(fv);
      else if (name == "adjusted close") {
        b.adj_close = AsDouble(fv);
        carried = carried.Union(FieldSet(FieldSet::kAdjClose));
      } else if (name == "dividend amount")
        dividend = AsDouble(fv);
      else if (name == "split coefficient")
        split = AsDouble(fv);
    }
    if (dividend && *dividend > 0) {
      CorporateAction a;
      a.kind = CorporateAction::Kind::kDividend;
      a.timestamp = b.ts;
      a.amount = *dividend;
      sb.AddAction(a);
    }
    if (split && *split > 0 && *split != 1.0) {
      CorporateAction a;
      a.kind = CorporateAction::Kind::kSplit;
      a.timestamp = b.ts;
      a.ratio = *split;
      sb.AddAction(a);
    }
    sb.Add(b);
  }
  sb.set_carried(carried);
  // Live bar: the data was refreshed before the last bar's period ended.
  bool partial = false;
  CivilDate d;
  int secs;
  // A date-only "Last Refreshed" means an end-of-day series (complete).
  if (!IsIntraday(req.interval) && last_refreshed.size() > 10 && sb.size() > 0 &&
      ParseStamp(last_refreshed, &d, &secs)) {
    Result<Timestamp> refreshed = calendar::FromLocal(tz, d, secs);
    if (refreshed.ok()) {
      partial = *refreshed < BarEnd(DailyStampOfDate(d, req.interval), req.interval, tz);
    }
  }
  // Equity series state no currency (FX and crypto ones name it above).
  if (currency.empty()) currency = std::string(EquityCurrency(req.symbol));
  return std::move(sb).Finish(req.range, std::move(currency), std::move(tz), "", now, partial, 1);
}

std::vector<std::string> SeriesUrls(std::string_view base, std::string_view api_key,
                                    const HistoryRequest& req, Timestamp now,
                                    AlphaVantagePlan plan) {
  std::vector<std::string> urls;
  const auto fx = FxPair(req.symbol);
  const bool adjusted = plan.adjusted && req.fields.Has(FieldSet::kAdjClose) && !fx;
  if (IsIntraday(req.interval)) {
    auto month_of = [](Timestamp t) {
      Result<calendar::LocalTime> lt = calendar::ToLocal("America/New_York", t);
      CivilDate d = lt.ok() ? lt->date : CivilFromDays(DayOf(t));
      return d.year * 12 + (d.month - 1);
    };
    const int m0 = month_of(req.range.start), m1 = month_of(req.range.end - 1);
    for (int m = m0; m <= m1; ++m) {
      char month[16];
      std::snprintf(month, sizeof(month), "%04d-%02d", m / 12, m % 12 + 1);
      Query q;
      if (fx) {
        q.Add("function", kFxIntradayFunction)
            .Add("from_symbol", fx->first)
            .Add("to_symbol", fx->second);
      } else {
        q.Add("function", kIntradayFunction).Add("symbol", req.symbol);
      }
      q.Add("interval", IntradayWire(req.interval))
          .Add("month", month)
          .Add("outputsize", kOutputSizeFull);
      if (!fx) q.Add("extended_hours", "false");
      urls.push_back(QueryUrl(base, api_key, std::move(q)));
    }
    return urls;
  }
  Query q;
  std::string fn;
  if (fx) {
    fn = FxFunction(req.interval);
    q.Add("function", fn).Add("from_symbol", fx->first).Add("to_symbol", fx->second);
  } else {
    fn = SeriesFunction(req.interval);
    if (adjusted) fn += kAdjustedSuffix;
    q.Add("function", fn).Add("symbol", req.symbol);
  }
  if (req.interval == Interval::k1d) {
    q.Add("outputsize", !plan.full || req.range.start >= now - kCompactReach ? kOutputSizeCompact
                                                                             : kOutputSizeFull);
  }
  urls.push_back(QueryUrl(base, api_key, std::move(q)));
  return urls;
}

Result<finex::Quote> ParseGlobalQuote(const HttpResponse& resp, Timestamp now) {
  FINEX_RETURN_IF_ERROR(BodyError(resp.body, resp.status, now));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "quote"));
  element doc = parsed.root();
  std::optional<object> gq = GetObject(doc, "Global Quote");
  if (!gq || gq->size() == 0) return Error(kId, StatusCode::kNotFound, "quote: empty Global Quote");
  finex::Quote q;
  q.provider = ProviderName(kId);
  std::string day;
  for (auto [k, v] : *gq) {
    std::string_view name = FieldName(k);
    std::string_view s;
    if (v.get(s)) continue;
    if (name == "symbol")
      q.symbol = std::string(s);
    else if (name == "price")
      q.price = ParseDouble(s).value_or(0);
    else if (name == "volume")
      q.volume = ParseVolume(s);
    else if (name == "high")
      q.high_24h = ParseDouble(s);
    else if (name == "low")
      q.low_24h = ParseDouble(s);
    else if (name == "change")
      q.change = ParseDouble(s);
    else if (name == "change percent") {
      std::string_view p = s;
      if (!p.empty() && p.back() == '%') p.remove_suffix(1);
      q.change_percent = ParseDouble(p);
    } else if (name == "latest trading day")
      day = std::string(s);
  }
  CivilDate d;
  int secs;
  if (!day.empty() && ParseStamp(day, &d, &secs)) q.timestamp = DaysFromCivil(d) * kDay;
  if (q.symbol.empty()) return Error(kId, StatusCode::kDataLoss, "quote: no symbol");
  return q;
}

Result<std::vector<SearchResult>> ParseSymbolSearch(const HttpResponse& resp, Timestamp now) {
  FINEX_RETURN_IF_ERROR(BodyError(resp.body, resp.status, now));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "search"));
  element doc = parsed.root();
  std::vector<SearchResult> out;
  std::optional<array> matches = GetArray(doc, "bestMatches");
  if (!matches) return out;
  for (element e : *matches) {
    object o;
    if (e.get(o)) continue;
    SearchResult r;
    r.provider = ProviderName(kId);
    for (auto [k, v] : o) {
      std::string_view s;
      if (v.get(s)) continue;
      std::string_view name = FieldName(k);
      if (name == "symbol")
        r.symbol = std::string(s);
      else if (name == "name")
        r.name = std::string(s);
      else if (name == "type") {
        r.type = AsciiLower(s);
      } else if (name == "region")
        r.country = std::string(s);
      else if (name == "currency")
        r.currency = NormalizeCurrency(s);
      else if (name == "matchScore")
        r.match_score = ParseDouble(s).value_or(0);
    }
    if (!r.symbol.empty()) out.push_back(std::move(r));
  }
  return out;
}

namespace {

class AlphaVantageProvider final : public HttpAdapter {
 public:
  AlphaVantageProvider(const ProviderConfig& config, HttpClient& http, Clock& clock)
      : HttpAdapter(kId, config, http, clock) {}

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    const Timestamp now = Now();
    return QuoteEach(symbols, [&](const std::string& s) -> Result<finex::Quote> {
      FINEX_RETURN_IF_ERROR(ValidateSymbol(s));
      Query q;
      q.Add("function", kGlobalQuoteFunction).Add("symbol", s);
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                             Fetch(QueryUrl(base(), config().api_key, std::move(q))));
      return ParseGlobalQuote(resp, now);
    });
  }

  // One quote call per symbol (QuoteEach).
  int QuoteCalls(std::span<const std::string> symbols) const override {
    return static_cast<int>(symbols.size());
  }

  CallLimits Limits(Interval iv) const override { return AlphaVantageLimits(iv, PlanAt(Now())); }
  double calls_per_minute() const override { return kFacts.calls_per_minute; }
  bool Handles(std::string_view symbol) const override {
    if (!ValidateSymbol(symbol).ok()) return false;
    if (FxPair(symbol)) return true;
    // Equities: no '=' (Yahoo FX/futures), no '^' indices, no '/' pairs.
    return symbol.find_first_of("=^/") == std::string_view::npos;
  }

 private:
  // How long a learned "premium endpoint" holds before it is asked again.
  static constexpr Timestamp kPlanMemoryS = kDay;

  AlphaVantagePlan PlanAt(Timestamp now) const {
    if (config().plan == "free") return {false, false};
    if (config().plan == "premium") return {};
    return {now >= full_refused_until_.load(), now >= adjusted_refused_until_.load()};
  }

  Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) override {
    for (int attempt = 0;; ++attempt) {
      const AlphaVantagePlan plan = PlanAt(now);
      Result<HistoryResponse> r = HistoryWith(req, now, plan);
      if (r.ok() || r.status().code() != StatusCode::kPermissionDenied || config().plan != "auto" ||
          attempt >= 2)
        return r;
      // A premium endpoint: learn which premium form it was, ask without it.
      const bool asked_adjusted = plan.adjusted && req.fields.Has(FieldSet::kAdjClose) &&
                                  !FxPair(req.symbol) && !IsIntraday(req.interval);
      const bool asked_full =
          plan.full && req.interval == Interval::k1d && req.range.start < now - kCompactReach;
      if (asked_adjusted)
        adjusted_refused_until_.store(now + kPlanMemoryS);
      else if (asked_full)
        full_refused_until_.store(now + kPlanMemoryS);
      else
        return r;
    }
  }

  Result<HistoryResponse> HistoryWith(const HistoryRequest& req, Timestamp now,
                                      AlphaVantagePlan plan) {
    std::vector<std::string> urls = SeriesUrls(base(), config().api_key, req, now, plan);
    if (urls.size() > 240) {
      return Error(kId, StatusCode::kOutOfRange, "intraday range spans more than 240 months");
    }
    std::vector<FramePtr> frames;
    HistoryResponse merged;
    for (std::string& url : urls) {
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(std::move(url)));
      Result<HistoryResponse> r = ParseSeries(resp, req, now);
      if (!r.ok())
        return Status(r.status().code(), Sanitize(r.status().message(), config().api_key))
            .WithProvider(std::string(ProviderName(kId)), r.status().details().upstream_status)
            .WithRetryAfter(r.status().details().retry_after_s);
      if (frames.empty()) {
        merged = std::move(*r);
        frames.push_back(merged.frame);
      } else {
        // Months are asked oldest first: the newest non-empty month decides.
        if (!r->frame->empty()) merged.last_bar_partial = r->last_bar_partial;
        merged.actions.insert(merged.actions.end(), r->actions.begin(), r->actions.end());
        if (merged.currency.empty()) merged.currency = r->currency;
        if (merged.timezone.empty()) merged.timezone = r->timezone;
        frames.push_back(r->frame);
      }
    }
    FinishPages(frames, req.range, &merged);
    return merged;
  }

  Result<std::vector<SearchResult>> DoSearch(std::string_view query) override {
    Query q;
    q.Add("function", kSymbolSearchFunction).Add("keywords", query);
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                           Fetch(QueryUrl(base(), config().api_key, std::move(q))));
    return ParseSymbolSearch(resp, Now());
  }

  // Until when the key is known not to serve outputsize=full / _ADJUSTED.
  std::atomic<Timestamp> full_refused_until_{0};
  std::atomic<Timestamp> adjusted_refused_until_{0};
};

}  // namespace
}  // namespace finex::provider::alpha_vantage

namespace finex::provider {
std::unique_ptr<Provider> NewAlphaVantageProvider(const ProviderConfig& config, HttpClient& http,
                                                  Clock& clock) {
  return std::make_unique<alpha_vantage::AlphaVantageProvider>(config, http, clock);
}
}  // namespace finex::provider
