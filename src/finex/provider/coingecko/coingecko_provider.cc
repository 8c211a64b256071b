#include "finex/provider/coingecko/coingecko_provider.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "finex/core/symbol.h"
#include "finex/provider/coingecko/coingecko_facts.h"
#include "finex/provider/detail/common.h"
#include "finex/provider/detail/http_adapter.h"
#include "finex/provider/detail/json.h"
#include "finex/provider/factory.h"

namespace finex::provider::coingecko {
namespace {

using namespace finex::provider::detail;  // NOLINT
constexpr ProviderId kId = ProviderId::kCoinGecko;
constexpr Timestamp kDay = kSecondsPerDay;

struct TickerId {
  std::string_view ticker, id;
};
constexpr TickerId kCoins[] = {
    {"BTC", "bitcoin"},      {"ETH", "ethereum"},     {"SOL", "solana"},
    {"XRP", "ripple"},       {"ADA", "cardano"},      {"DOGE", "dogecoin"},
    {"DOT", "polkadot"},     {"LTC", "litecoin"},     {"BNB", "binancecoin"},
    {"AVAX", "avalanche-2"}, {"LINK", "chainlink"},   {"MATIC", "matic-network"},
    {"TRX", "tron"},         {"BCH", "bitcoin-cash"}, {"XLM", "stellar"},
    {"ATOM", "cosmos"},      {"UNI", "uniswap"},      {"ETC", "ethereum-classic"},
    {"USDT", "tether"},      {"USDC", "usd-coin"}};

constexpr std::string_view kVs[] = {"USD", "EUR", "GBP", "JPY", "CNY",
                                    "BTC", "ETH", "AUD", "CAD", "CHF"};

Timestamp Tolerance(Interval iv) { return iv < Interval::k1h ? 60 : 300; }

}  // namespace

std::optional<Coin> ResolveCoin(std::string_view symbol) {
  // A coin id as CoinGecko spells it.
  for (const TickerId& t : kCoins) {
    if (symbol == t.id) return Coin{std::string(t.id), ""};
  }
  std::string_view base = symbol, quote;
  size_t sep = symbol.find_first_of("-/");
  if (sep != std::string_view::npos) {
    base = symbol.substr(0, sep);
    quote = symbol.substr(sep + 1);
    if (std::find(std::begin(kVs), std::end(kVs), quote) == std::end(kVs)) return std::nullopt;
  }
  for (const TickerId& t : kCoins) {
    if (base == t.ticker) return Coin{std::string(t.id), AsciiLower(quote)};
  }
  return std::nullopt;
}

std::string RangeUrl(std::string_view base, std::string_view id, std::string_view vs,
                     Timestamp from, Timestamp to) {
  Query q;
  q.Add("vs_currency", vs).Add("from", from).Add("to", to);
  return std::string(base) + std::string(kCoinsPath) + UrlEncode(id) +
         std::string(kMarketChartRangeSuffix) + "?" + q.str();
}

Status EnvelopeError(const HttpResponse& resp) {
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (!doc.ok()) {
    if (resp.status == 200) return OkStatus();
    return HttpError(kId, resp, resp.body, "");
  }
  int64_t code = 0;
  std::string msg;
  // {"status": {...}}, or nested as {"error": {"status": {...}}} (the
  // beyond-the-plan's-window refusal, 10012).
  std::optional<element> st = Get(doc->root(), kStatusKey);
  if (!st) {
    if (std::optional<element> eo = Get(doc->root(), kErrorKey)) st = Get(*eo, kStatusKey);
  }
  if (st) {
    code = GetInt(*st, kErrorCodeKey).value_or(0);
    msg = std::string(GetString(*st, kErrorMessageKey));
  }
  if (code == 0) {
    std::string_view e = GetString(doc->root(), kErrorKey);
    if (e.empty()) {
      if (std::optional<element> eo = Get(doc->root(), kErrorKey)) {
        code = GetInt(*eo, "code").value_or(0);
        e = GetString(*eo, "message");
      }
    }
    if (e.empty() && code == 0) {
      return resp.status == 200 ? OkStatus() : HttpError(kId, resp, "", "");
    }
    msg = std::string(e);
  }
  const std::string text = "HTTP " + std::to_string(resp.status) +
                           (code ? " code " + std::to_string(code) : "") + ": " + Sanitize(msg, "");
  if (code == 429 || resp.status == 429) {
    double retry = RetryAfterSeconds(resp);
    return Error(kId, StatusCode::kResourceExhausted, text, resp.status, retry < 0 ? 60 : retry);
  }
  if (code == kCodeBeyondPlanHistory) return Error(kId, StatusCode::kOutOfRange, text, resp.status);
  if (code == 10002 || code == 10010 || code == 10011 || resp.status == 401) {
    return Error(kId, StatusCode::kUnauthenticated, text, resp.status);
  }
  if (code == 10005 || resp.status == 403)
    return Error(kId, StatusCode::kPermissionDenied, text, resp.status);
  if (resp.status == 404 || msg.find("not found") != std::string::npos) {
    return Error(kId, StatusCode::kNotFound, text, resp.status);
  }
  if (resp.status >= 500 || resp.status == 408)
    return Error(kId, StatusCode::kUnavailable, text, resp.status);
  return Error(kId, StatusCode::kInvalidArgument, text, resp.status);
}

Result<HistoryResponse> ParseMarketChart(const HttpResponse& resp, const HistoryRequest& req,
                                         std::string_view vs_currency, Timestamp now) {
  FINEX_RETURN_IF_ERROR(EnvelopeError(resp));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "market_chart"));
  element doc = parsed.root();
  std::optional<array> prices = GetArray(doc, "prices");
  if (!prices) return Error(kId, StatusCode::kDataLoss, "market_chart: no 'prices' array");
  // market_caps / total_volumes by timestamp (ms).
  auto series = [&](std::string_view key) {
    std::map<int64_t, double> m;
    if (std::optional<array> a = GetArray(doc, key)) {
      for (element p : *a) {
        array pair;
        int64_t t;
        if (p.get(pair) || pair.size() < 2 || pair.at(0).get_int64().get(t)) continue;
        if (std::optional<double> v = AsDouble(pair.at(1).value_unsafe())) m[t] = *v;
      }
    }
    return m;
  };
  std::map<int64_t, double> caps = series("market_caps");
  std::map<int64_t, double> vols = series("total_volumes");
  const Interval iv = req.interval;
  const Timestamp tol = Tolerance(iv);
  SeriesBuilder sb(kId, req);
  FieldSet carried = FieldSet::Ohlcv().Union(FieldSet(FieldSet::kMarketCap));
  sb.set_carried(carried);
  const size_t n = prices->size();
  size_t i = 0;
  bool live = false;
  for (element p : *prices) {
    ++i;
    array pair;
    int64_t t_ms;
    if (p.get(pair) || pair.size() < 2 || pair.at(0).get_int64().get(t_ms)) {
      return Error(kId, StatusCode::kDataLoss, "market_chart: price point is not [ms, value]");
    }
    std::optional<double> price = AsDouble(pair.at(1).value_unsafe());
    if (!price) continue;  // null point: skipped, never invented
    const Timestamp t = static_cast<Timestamp>(std::llround(static_cast<double>(t_ms) / 1000.0));
    const Timestamp b = FloorToBar(t + tol, iv);
    RawBar bar;
    bar.close = *price;
    if (auto c = caps.find(t_ms); c != caps.end()) bar.market_cap = c->second;
    if (t - b <= tol) {                // within tolerance of boundary b
      bar.ts = FloorToBar(b - 1, iv);  // the bar that ends at boundary b
      if (iv == Interval::k1d) {
        if (auto v = vols.find(t_ms); v != vols.end()) bar.volume = std::llround(v->second);
      }
    } else if (i == n) {
      bar.ts = FloorToBar(t, iv);  // off-grid final point: the live bar
      live = true;
    } else {
      continue;  // finer-grained point between boundaries
    }
    sb.Add(bar);
  }
  return std::move(sb).Finish(req.range, std::string(vs_currency), "UTC", "", now, live, 1);
}

namespace {

class CoinGeckoProvider final : public HttpAdapter {
 public:
  CoinGeckoProvider(const ProviderConfig& config, HttpClient& http, Clock& clock)
      : HttpAdapter(kId, ProConfig(config), http, clock,
                    ApiKeyHeaders(config, IsPro(config) ? kProKeyHeader : kDemoKeyHeader)),
        facts_(IsPro(config) ? kProFacts : kFacts) {}

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    std::vector<finex::Quote> out;
    for (const std::string& s : symbols) {
      std::optional<Coin> coin = ResolveCoin(s);
      if (!coin) continue;
      const std::string vs = coin->vs_currency.empty() ? "usd" : coin->vs_currency;
      Query q;
      q.Add("ids", coin->id)
          .Add("vs_currencies", vs)
          .Add("include_market_cap", "true")
          .Add("include_24hr_vol", "true")
          .Add("include_24hr_change", "true")
          .Add("include_last_updated_at", "true");
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp,
                             Fetch(base() + std::string(kSimplePricePath) + "?" + q.str()));
      FINEX_RETURN_IF_ERROR(EnvelopeError(resp));
      FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "simple/price"));
      element doc = parsed.root();
      std::optional<element> e = Get(doc, coin->id);
      if (!e) continue;  // unknown coin: omitted
      std::optional<double> price = GetDouble(*e, vs);
      if (!price) continue;
      finex::Quote qt;
      qt.symbol = s;
      qt.price = *price;
      qt.market_cap = GetDouble(*e, vs + "_market_cap");
      if (auto v = GetDouble(*e, vs + "_24h_vol")) qt.volume = std::llround(*v);
      qt.change_percent = GetDouble(*e, vs + "_24h_change");
      qt.timestamp = GetInt(*e, "last_updated_at").value_or(Now());
      qt.provider = ProviderName(kId);
      qt.currency = vs;
      qt.market_state = "REGULAR";
      out.push_back(std::move(qt));
    }
    return out;
  }

  CallLimits Limits(Interval iv) const override { return LimitsFromFacts(facts_, iv); }
  double calls_per_minute() const override { return kFacts.calls_per_minute; }
  bool Handles(std::string_view symbol) const override {
    return ValidateSymbol(symbol).ok() && ResolveCoin(symbol).has_value();
  }

 private:
  Status CheckSymbol(std::string_view symbol) const override { return KnownCoin(symbol).status(); }

  Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) override {
    FINEX_ASSIGN_OR_RETURN(Coin coin, KnownCoin(req.symbol));
    const Interval iv = req.interval;
    if (iv == Interval::k1m) {
      return Error(kId, StatusCode::kInvalidArgument, "CoinGecko has no 1m data")
          .WithParam("interval");
    }
    const Timestamp tol = Tolerance(iv);
    std::string vs = !req.currency.empty()       ? AsciiLower(req.currency)
                     : !coin.vs_currency.empty() ? coin.vs_currency
                                                 : "usd";
    // Snapshots at boundaries start .. end close the bars start-iv .. end-iv.
    Timestamp from = req.range.start - tol;
    const Timestamp to = req.range.end + tol;
    std::vector<std::pair<Timestamp, Timestamp>> calls;
    if (iv == Interval::k5m || iv == Interval::k15m || iv == Interval::k30m) {
      if (from < now - ReachOf(facts_.reach, iv).max_lookback_s) {
        return Error(kId, StatusCode::kOutOfRange,
                     "CoinGecko gives sub-hourly data only for the last day (asked from " +
                         FormatIsoUtc(req.range.start) + ")");
      }
      calls.emplace_back(from, to);
    } else if (iv == Interval::k1h) {
      // Hourly points need 1..90-day calls.
      for (Timestamp hi = to; hi > from;) {
        Timestamp lo = std::max(from, hi - kHourlyMaxSpanS);
        if (hi - lo < kFiveMinutelyMaxSpanS + kSecondsPerHour)
          lo = hi - kFiveMinutelyMaxSpanS - kSecondsPerHour;
        calls.emplace_back(lo, hi);
        hi = lo;
      }
      std::reverse(calls.begin(), calls.end());
    } else {
      // Force daily granularity: a call longer than the hourly span, inside
      // the public plan's window (a call reaching before it is refused; a
      // pro key has none).
      const Timestamp lookback = ReachOf(facts_.reach, iv).max_lookback_s;
      const Timestamp window_start = now - lookback + tol;
      Timestamp hi = to;
      if (hi - from <= kHourlyMaxSpanS) from = hi - kHourlyMaxSpanS - kDay;
      if (lookback > 0 && from < window_start) {
        from = window_start;
        hi = std::max(hi, from + kHourlyMaxSpanS + kDay);
      }
      calls.emplace_back(from, hi);
    }
    std::vector<FramePtr> frames;
    HistoryResponse out;
    for (auto [lo, hi] : calls) {
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(RangeUrl(base(), coin.id, vs, lo, hi)));
      FINEX_ASSIGN_OR_RETURN(HistoryResponse page, ParseMarketChart(resp, req, vs, now));
      frames.push_back(page.frame);
      bool live = page.last_bar_partial;
      if (frames.size() == 1) out = std::move(page);
      out.last_bar_partial = live;
    }
    FinishPages(frames, req.range, &out);
    return out;
  }

  Result<std::vector<SearchResult>> DoSearch(std::string_view query) override {
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(base() + std::string(kSearchPath) + "?" +
                                                    Query().Add("query", query).str()));
    FINEX_RETURN_IF_ERROR(EnvelopeError(resp));
    FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "search"));
    element doc = parsed.root();
    std::vector<SearchResult> out;
    std::optional<array> coins = GetArray(doc, "coins");
    if (!coins) return out;
    size_t i = 0;
    for (element c : *coins) {
      SearchResult r;
      r.symbol = std::string(GetString(c, "id"));
      if (r.symbol.empty()) continue;
      r.name = std::string(GetString(c, "name"));
      r.type = "crypto";
      r.provider = ProviderName(kId);
      r.match_score = 1.0 / static_cast<double>(1 + i++);
      out.push_back(std::move(r));
    }
    return out;
  }

  // plan "premium": the configured key is a pro key (kProFacts).
  static bool IsPro(const ProviderConfig& config) { return config.plan == "premium"; }
  // A pro key's requests go to the pro host unless base_url points elsewhere.
  static ProviderConfig ProConfig(ProviderConfig config) {
    if (IsPro(config) && config.base_url.empty()) config.base_url = std::string(kProBaseUrl);
    return config;
  }

  // The coin of a History symbol, or the InvalidArgument (param "symbols").
  static Result<Coin> KnownCoin(std::string_view symbol) {
    std::optional<Coin> coin = ResolveCoin(symbol);
    if (!coin) {
      return Error(kId, StatusCode::kInvalidArgument,
                   "'" + Printable(symbol) + "' is not a CoinGecko coin id or known ticker")
          .WithParam("symbols");
    }
    return *std::move(coin);
  }

  const ProviderFacts& facts_;  // kFacts, or kProFacts with a pro key
};

}  // namespace
}  // namespace finex::provider::coingecko

namespace finex::provider {
std::unique_ptr<Provider> NewCoinGeckoProvider(const ProviderConfig& config, HttpClient& http,
                                               Clock& clock) {
  return std::make_unique<coingecko::CoinGeckoProvider>(config, http, clock);
}
}  // namespace finex::provider
