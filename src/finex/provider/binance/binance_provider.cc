#include "finex/provider/binance/binance_provider.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>

#include "finex/core/mutex.h"
#include "finex/core/symbol.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/detail/common.h"
#include "finex/provider/detail/http_adapter.h"
#include "finex/provider/detail/json.h"
#include "finex/provider/factory.h"

namespace finex::provider::binance {
namespace {

using namespace finex::provider::detail;  // NOLINT
constexpr ProviderId kId = ProviderId::kBinance;
constexpr int kMaxPages = 2000;

// Quote assets, longest first so "FDUSD" wins over a shorter suffix.
constexpr std::string_view kQuotes[] = {"FDUSD", "USDT", "USDC", "TUSD", "BUSD", "USDP", "DAI",
                                        "BTC",   "ETH",  "BNB",  "EUR",  "GBP",  "TRY",  "BRL",
                                        "JPY",   "AUD",  "XRP",  "DOGE", "ARS",  "MXN",  "PLN",
                                        "ZAR",   "UAH",  "RON",  "IDR",  "COP",  "CZK"};

// Appends the rows of one klines page; `rows_out` may be null to only count.
Result<KlinePage> AppendKlines(element doc, SeriesBuilder* sb) {
  array rows;
  if (doc.get(rows)) return Error(kId, StatusCode::kDataLoss, "klines: answer is not an array");
  KlinePage page;
  for (element row : rows) {
    array a;
    if (row.get(a) || a.size() < 7) {
      return Error(kId, StatusCode::kDataLoss, "klines: row is not an array of >= 7 fields");
    }
    auto it = a.begin();
    int64_t open_ms;
    if ((*it).get_int64().get(open_ms))
      return Error(kId, StatusCode::kDataLoss, "klines: bad open time");
    RawBar b;
    b.ts = FloorDiv(open_ms, 1000);
    ++it;
    b.open = AsDouble(*it);
    ++it;
    b.high = AsDouble(*it);
    ++it;
    b.low = AsDouble(*it);
    ++it;
    b.close = AsDouble(*it);
    ++it;
    b.volume = AsVolume(*it);
    ++it;
    int64_t close_ms;
    if ((*it).get_int64().get(close_ms))
      return Error(kId, StatusCode::kDataLoss, "klines: bad close time");
    if (!b.open || !b.high || !b.low || !b.close) {
      return Error(kId, StatusCode::kDataLoss,
                   "klines: non-numeric price at " + FormatIsoUtc(b.ts));
    }
    if (sb) sb->Add(b);
    ++page.rows;
    page.last_open_ms = open_ms;
    page.last_close_ms = close_ms;
  }
  return page;
}

}  // namespace

std::optional<Pair> ParsePair(std::string_view symbol) {
  std::string wire;
  for (char c : symbol) {
    if (c == '/' || c == '-') continue;
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return std::nullopt;
    wire.push_back(c);
  }
  // At most one separator, and it must split base/quote exactly.
  const size_t sep = symbol.find_first_of("/-");
  for (std::string_view q : kQuotes) {
    if (wire.size() > q.size() && wire.compare(wire.size() - q.size(), q.size(), q) == 0) {
      Pair p{wire, wire.substr(0, wire.size() - q.size()), std::string(q)};
      if (sep != std::string_view::npos &&
          (sep != p.base.size() || symbol.find_first_of("/-", sep + 1) != std::string_view::npos)) {
        continue;
      }
      return p;
    }
  }
  return std::nullopt;
}

std::string_view WireInterval(Interval iv) { return WireName(kFacts.intervals, iv); }

std::string KlinesUrl(std::string_view base, std::string_view wire_symbol, Interval iv,
                      int64_t start_ms, int64_t end_ms, int limit) {
  Query q;
  q.Add("symbol", wire_symbol)
      .Add("interval", WireInterval(iv))
      .Add("startTime", start_ms)
      .Add("endTime", end_ms)
      .Add("limit", limit);
  return std::string(base) + std::string(kKlinesPath) + "?" + q.str();
}

Status ParseKlinesError(const HttpResponse& resp, Timestamp now) {
  Result<JsonDoc> doc = ParseJson(resp.body);
  std::string_view msg;
  int64_t code = 0;
  if (doc.ok()) {
    msg = GetString(doc->root(), kErrorMessageKey);
    code = GetInt(doc->root(), kErrorCodeKey).value_or(0);
  } else {
    msg = resp.body;
  }
  if (code == kCodeInvalidSymbol ||
      (code == kCodeIllegalParameter && msg.find("symbol") != std::string_view::npos)) {
    return Error(kId, StatusCode::kNotFound,
                 "HTTP " + std::to_string(resp.status) + ": " + Sanitize(msg, ""), resp.status);
  }
  Status s = HttpError(kId, resp, msg, "");
  if (resp.status == 418 && RetryAfterSeconds(resp) < 0) {
    // "IP banned until 1620286253180." (ms)
    size_t p = msg.find("until ");
    if (p != std::string_view::npos) {
      std::optional<int64_t> until =
          ParseVolume(msg.substr(p + 6, msg.find_first_not_of("0123456789", p + 6) - p - 6));
      if (until)
        s = s.WithRetryAfter(std::max<double>(0, *until / 1000.0 - static_cast<double>(now)));
    }
  }
  return s;
}

Result<HistoryResponse> ParseKlines(const HttpResponse& resp, const HistoryRequest& req,
                                    Timestamp now) {
  if (resp.status != 200) return ParseKlinesError(resp, now);
  std::optional<Pair> pair = ParsePair(req.symbol);
  if (!pair)
    return Error(kId, StatusCode::kInvalidArgument, "not a Binance pair: " + Printable(req.symbol));
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "klines"));
  element doc = parsed.root();
  SeriesBuilder sb(kId, req);
  FINEX_ASSIGN_OR_RETURN(KlinePage page, AppendKlines(doc, &sb));
  const bool live = page.rows > 0 && page.last_close_ms >= now * 1000;
  return std::move(sb).Finish(req.range, NormalizeCurrency(pair->quote), "UTC", "BINANCE", now,
                              live, 1);
}

Result<finex::Quote> ParseTicker(const HttpResponse& resp, std::string_view symbol, Timestamp now) {
  if (resp.status != 200) return ParseKlinesError(resp, now);
  FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "ticker"));
  element doc = parsed.root();
  std::optional<Pair> pair = ParsePair(symbol);
  std::optional<double> last = GetDouble(doc, "lastPrice");
  if (!last) return Error(kId, StatusCode::kDataLoss, "ticker: no lastPrice");
  finex::Quote q;
  q.symbol = std::string(symbol);
  q.price = *last;
  q.change = GetDouble(doc, "priceChange");
  q.change_percent = GetDouble(doc, "priceChangePercent");
  q.volume = GetInt(doc, "volume");
  q.high_24h = GetDouble(doc, "highPrice");
  q.low_24h = GetDouble(doc, "lowPrice");
  q.timestamp = FloorDiv(GetInt(doc, "closeTime").value_or(now * 1000), 1000);
  q.provider = ProviderName(kId);
  q.currency = pair ? NormalizeCurrency(pair->quote) : "";
  q.market_state = "REGULAR";  // crypto trades 24/7
  return q;
}

namespace {

class BinanceProvider final : public HttpAdapter {
 public:
  BinanceProvider(const ProviderConfig& config, HttpClient& http, Clock& clock)
      : HttpAdapter(kId, config, http, clock, ApiKeyHeaders(config, kApiKeyHeader)) {}

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    const Timestamp now = Now();
    return QuoteEach(symbols, [&](const std::string& s) -> Result<finex::Quote> {
      std::optional<Pair> pair = ParsePair(s);
      if (!pair) return NotFoundError("not a Binance pair");  // omitted, never asked
      FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(base() + std::string(kTicker24hPath) + "?" +
                                                      Query().Add("symbol", pair->wire).str()));
      NoteWeight(resp);
      return ParseTicker(resp, s, now);
    });
  }

  // One ticker call per pair; a symbol that is not a pair is never asked.
  int QuoteCalls(std::span<const std::string> symbols) const override {
    return static_cast<int>(std::count_if(symbols.begin(), symbols.end(), [](const std::string& s) {
      return ParsePair(s).has_value();
    }));
  }

  CallLimits Limits(Interval iv) const override { return LimitsFromFacts(kFacts, iv); }
  double calls_per_minute() const override { return kFacts.calls_per_minute; }
  bool Handles(std::string_view symbol) const override {
    return ValidateSymbol(symbol).ok() && ParsePair(symbol).has_value();
  }
  ReportedWeight reported_weight() const override {
    MutexLock l(weight_mu_);
    return weight_;
  }

 private:
  Status CheckSymbol(std::string_view symbol) const override { return KnownPair(symbol).status(); }

  Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) override {
    FINEX_ASSIGN_OR_RETURN(Pair pair, KnownPair(req.symbol));
    SeriesBuilder sb(kId, req);
    int64_t start_ms = req.range.start * 1000;
    const int64_t end_ms = req.range.end * 1000 - 1;  // inclusive on open time
    int calls = 0;
    bool live = false;
    while (start_ms <= end_ms) {
      if (calls >= kMaxPages) {
        return Error(kId, StatusCode::kOutOfRange,
                     "range needs more than " + std::to_string(kMaxPages) + " pages");
      }
      FINEX_ASSIGN_OR_RETURN(
          HttpResponse resp,
          Fetch(KlinesUrl(base(), pair.wire, req.interval, start_ms, end_ms, kKlinesMaxLimit)));
      ++calls;
      NoteWeight(resp);
      if (resp.status != 200) return ParseKlinesError(resp, now);
      FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "klines"));
      element doc = parsed.root();
      FINEX_ASSIGN_OR_RETURN(KlinePage page, AppendKlines(doc, &sb));
      if (page.rows > 0) live = page.last_close_ms >= now * 1000;
      if (page.rows < kKlinesMaxLimit) break;
      // Binance meters request weight per IP and minute (6000; klines cost
      // 2) and reports what is used in X-MBX-USED-WEIGHT-1M. Paging on past
      // the budget earns a 429 and then a 418 ban: stop here, naming the
      // wait until the window rolls over.
      if (const std::string_view used = resp.Header(kUsedWeightHeader); !used.empty()) {
        int64_t weight = 0;
        const auto [p, ec] = std::from_chars(used.data(), used.data() + used.size(), weight);
        if (ec == std::errc() && p == used.data() + used.size() &&
            weight + kKlinesWeight > kWeightPerMinute) {
          return Error(kId, StatusCode::kResourceExhausted,
                       "klines: request weight " + std::to_string(weight) + " of " +
                           std::to_string(kWeightPerMinute) +
                           " used this minute; the next page would exceed it")
              .WithRetryAfter(static_cast<double>(60 - now % 60));
        }
      }
      if (page.last_open_ms + 1 <= start_ms) {
        return Error(kId, StatusCode::kDataLoss, "klines: page did not advance");
      }
      start_ms = page.last_open_ms + 1;
    }
    return std::move(sb).Finish(req.range, NormalizeCurrency(pair.quote), "UTC", "BINANCE", now,
                                live, calls);
  }

  Result<std::vector<SearchResult>> DoSearch(std::string_view query) override {
    std::string needle;
    for (char c : query) {
      if (c == '/' || c == '-') continue;
      needle.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    FINEX_ASSIGN_OR_RETURN(HttpResponse resp, Fetch(base() + std::string(kExchangeInfoPath)));
    NoteWeight(resp);
    if (resp.status != 200) return ParseKlinesError(resp, Now());
    FINEX_ASSIGN_OR_RETURN(JsonDoc parsed, ParseOkBody(kId, resp, "exchangeInfo"));
    element doc = parsed.root();
    std::vector<SearchResult> out;
    std::optional<array> syms = GetArray(doc, "symbols");
    if (!syms) return out;
    for (element e : *syms) {
      std::string_view sym = GetString(e, "symbol");
      std::string_view base_asset = GetString(e, "baseAsset");
      std::string_view status = GetString(e, "status");
      if (sym.empty() || (!status.empty() && status != "TRADING")) continue;
      double score = 0;
      if (sym == needle)
        score = 1.0;
      else if (base_asset == needle)
        score = 0.9;
      else if (sym.rfind(needle, 0) == 0)
        score = 0.7;
      else if (sym.find(needle) != std::string_view::npos)
        score = 0.4;
      if (score == 0) continue;
      SearchResult r;
      r.symbol = std::string(sym);
      r.name = std::string(base_asset) + "/" + std::string(GetString(e, "quoteAsset"));
      r.type = "crypto";
      r.exchange = "BINANCE";
      r.currency = NormalizeCurrency(GetString(e, "quoteAsset"));
      r.provider = ProviderName(kId);
      r.match_score = score;
      out.push_back(std::move(r));
    }
    std::stable_sort(out.begin(), out.end(), [](const SearchResult& a, const SearchResult& b) {
      return a.match_score > b.match_score;
    });
    if (out.size() > 20) out.resize(20);
    return out;
  }

  // The pair of a History symbol, or the InvalidArgument (param "symbols").
  static Result<Pair> KnownPair(std::string_view symbol) {
    std::optional<Pair> pair = ParsePair(symbol);
    if (!pair) {
      return Error(kId, StatusCode::kInvalidArgument,
                   "'" + Printable(symbol) + "' is not a Binance pair (e.g. BTCUSDT, BTC/USDT)")
          .WithParam("symbols");
    }
    return *std::move(pair);
  }

  // X-MBX-USED-WEIGHT-1M of an answer: the weight this IP used this minute,
  // as Binance counts it (other processes on the IP included).
  void NoteWeight(const HttpResponse& resp) const {
    const std::string_view used = resp.Header(kUsedWeightHeader);
    int64_t weight = 0;
    const auto [p, ec] = std::from_chars(used.data(), used.data() + used.size(), weight);
    if (used.empty() || ec != std::errc() || p != used.data() + used.size() || weight < 0) return;
    MutexLock l(weight_mu_);
    weight_ = {weight, FloorDiv(Now(), 60)};
  }

  mutable Mutex weight_mu_;
  mutable ReportedWeight weight_ FINEX_GUARDED_BY(weight_mu_);
};

}  // namespace
}  // namespace finex::provider::binance

namespace finex::provider {
std::unique_ptr<Provider> NewBinanceProvider(const ProviderConfig& config, HttpClient& http,
                                             Clock& clock) {
  return std::make_unique<binance::BinanceProvider>(config, http, clock);
}
}  // namespace finex::provider
