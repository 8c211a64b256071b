// Shared helpers, error envelopes, fault answers, dispatch, and the universe search.
#include "finex/sim/detail/wire.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/provider/coingecko/coingecko_facts.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"
#include "finex/provider/yahoo/yahoo_facts.h"
#include "finex/provider/yahoo/yahoo_wire.h"

namespace finex::sim::detail {

using http::Response;
namespace yahoo = provider::yahoo;

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

int UtcOffset(std::string_view tz, Timestamp ts) { return yahoo::UtcOffset(tz, ts); }

std::string TzAbbrev(std::string_view tz, int off) { return yahoo::TzAbbrev(tz, off); }

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

std::vector<std::string> Universe(const Generator& gen) {
  std::vector<std::string> out = WellKnownSymbols();
  for (const auto& s : gen.LoadedSymbols()) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

// ------------------------------------------------------------ routing, errors, faults

std::string RouteTemplate(std::string_view provider, std::string_view sub) {
  namespace binance = provider::binance;
  namespace twelve_data = provider::twelve_data;
  namespace coingecko = provider::coingecko;
  if (provider == ProviderName(ProviderId::kYahoo)) {
    if (sub.starts_with(yahoo::kChartPath)) {
      return std::string(yahoo::kChartPath.substr(0, yahoo::kChartPath.size() - 1));
    }
    if (sub == yahoo::kQuotePath || sub == yahoo::kSearchPath || sub == yahoo::kCrumbPath)
      return std::string(sub);
    if (sub.starts_with(yahoo::kQuotePagePath))
      return std::string(yahoo::kQuotePagePath) + "{symbol}";
  } else if (provider == ProviderName(ProviderId::kBinance)) {
    if (sub == binance::kKlinesPath || sub == binance::kTicker24hPath ||
        sub == binance::kExchangeInfoPath || sub == binance::kPingPath ||
        sub == binance::kTimePath) {
      return std::string(sub);
    }
  } else if (provider == ProviderName(ProviderId::kAlphaVantage)) {
    if (sub == provider::alpha_vantage::kQueryPath) return std::string(sub);
  } else if (provider == ProviderName(ProviderId::kTwelveData)) {
    if (sub == twelve_data::kTimeSeriesPath || sub == twelve_data::kQuotePath ||
        sub == twelve_data::kSymbolSearchPath)
      return std::string(sub);
  } else if (provider == ProviderName(ProviderId::kCoinGecko)) {
    if (sub.starts_with(coingecko::kCoinsPath) &&
        sub.ends_with(coingecko::kMarketChartRangeSuffix)) {
      return std::string(coingecko::kCoinsPath) + "{id}" +
             std::string(coingecko::kMarketChartRangeSuffix);
    }
    if (sub == coingecko::kSimplePricePath || sub == coingecko::kSearchPath)
      return std::string(sub);
  }
  return "(unknown)";
}

Response Serve(std::string_view provider, const WireContext& ctx) {
  if (provider == ProviderName(ProviderId::kYahoo)) return ServeYahoo(ctx);
  if (provider == ProviderName(ProviderId::kBinance)) return ServeBinance(ctx);
  if (provider == ProviderName(ProviderId::kAlphaVantage)) return ServeAlphaVantage(ctx);
  if (provider == ProviderName(ProviderId::kTwelveData)) return ServeTwelveData(ctx);
  return ServeCoinGecko(ctx);
}

Response FromWire(provider::WireAnswer w) {
  Response r = Response::Text(w.status, std::move(w.content_type), std::move(w.body));
  for (auto& h : w.headers) r.headers.push_back(std::move(h));
  return r;
}

Response YahooChartError(int status, std::string_view code, std::string_view description) {
  return FromWire(yahoo::ChartError(status, code, description));
}
Response YahooFinanceError(int status, std::string_view code, std::string_view description) {
  return FromWire(yahoo::FinanceError(status, code, description));
}

Json BinanceErrorBody(int code, std::string_view msg) {
  return Json{{provider::binance::kErrorCodeKey, code}, {provider::binance::kErrorMessageKey, msg}};
}
Json TwelveDataErrorBody(int code, std::string_view message) {
  namespace td = provider::twelve_data;
  return Json{{td::kErrorCodeKey, code},
              {td::kErrorMessageKey, message},
              {td::kStatusKey, td::kStatusError}};
}
Json CoinGeckoStatusBody(int code, std::string_view message) {
  namespace cg = provider::coingecko;
  return Json{{cg::kStatusKey, {{cg::kErrorCodeKey, code}, {cg::kErrorMessageKey, message}}}};
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
  if (provider == ProviderName(ProviderId::kYahoo)) {
    return YahooChartError(500, "Internal Server Error", "Internal Server Error");
  }
  if (provider == ProviderName(ProviderId::kBinance)) {
    return JsonResponse(
        503, BinanceErrorBody(-1001,
                              "Internal error; unable to process your request. Please try again."));
  }
  if (provider == ProviderName(ProviderId::kTwelveData)) {
    return JsonResponse(500,
                        TwelveDataErrorBody(500, "Internal server error. Please try again later."));
  }
  if (provider == ProviderName(ProviderId::kCoinGecko)) {
    return JsonResponse(500, CoinGeckoStatusBody(500, "Internal Server Error"));
  }
  return Response::Text(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>");
}

Response ThrottleResponse(std::string_view provider, int kind, int used, int limit,
                          int64_t retry_after_s, int64_t now_us) {
  namespace binance = provider::binance;
  namespace av = provider::alpha_vantage;
  Response r;
  const std::string retry = std::to_string(retry_after_s);
  if (provider == ProviderName(ProviderId::kYahoo)) {
    r = Response::Text(429, "text/plain", "Edge: Too Many Requests");
  } else if (provider == ProviderName(ProviderId::kBinance)) {
    if (kind == 2) {
      const int64_t until_ms = now_us / 1000 + 120'000;
      r = JsonResponse(
          418, BinanceErrorBody(binance::kCodeTooMuchWeight,
                                "Way too much request weight used; IP banned until " +
                                    std::to_string(until_ms) +
                                    ". Please use the websocket for live updates to avoid bans."));
      r.headers.emplace_back("Retry-After", "120");
      return r;
    }
    r = JsonResponse(
        429, BinanceErrorBody(binance::kCodeTooMuchWeight,
                              "Too much request weight used; current limit is " +
                                  std::to_string(limit * binance::kKlinesWeight) +
                                  " request weight per 1 MINUTE. Please use the websocket for "
                                  "live updates to avoid polling the API."));
  } else if (provider == ProviderName(ProviderId::kAlphaVantage)) {
    // Alpha Vantage throttles with HTTP 200.
    if (kind == 3) {
      return JsonResponse(
          200, Json{{av::kInformationKey,
                     "Thank you for using Alpha Vantage! Our standard API rate limit is " +
                         std::to_string(limit) +
                         " requests per day. Please subscribe to any of the premium plans at "
                         "https://www.alphavantage.co/premium/ to instantly remove all daily rate "
                         "limits."}});
    }
    return JsonResponse(
        200, Json{{av::kNoteKey,
                   "Thank you for using Alpha Vantage! Our standard API call frequency is " +
                       std::to_string(limit) +
                       " calls per minute and 500 calls per day. Please visit "
                       "https://www.alphavantage.co/premium/ if you would like to target a higher "
                       "API call frequency."}});
  } else if (provider == ProviderName(ProviderId::kTwelveData)) {
    // Twelve Data reports the 429 inside an HTTP 200 body.
    const std::string what = kind == 3 ? "for the day" : "for the current minute";
    return JsonResponse(
        200,
        TwelveDataErrorBody(
            provider::twelve_data::kCodeRateLimited,
            "You have run out of API credits " + what + ". " + std::to_string(used) +
                " API credits were used, with the current limit being " + std::to_string(limit) +
                ". Wait for the next minute or consider switching to a "
                "higher tier plan at https://twelvedata.com/pricing"));
  } else {
    r = JsonResponse(429,
                     CoinGeckoStatusBody(429,
                                         "You've exceeded the Rate Limit. Please visit "
                                         "https://www.coingecko.com/en/api/pricing "
                                         "to subscribe to our API plans for higher rate limits."));
  }
  r.headers.emplace_back("Retry-After", retry);
  return r;
}

// ------------------------------------------------------------ search

namespace {

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

}  // namespace

std::vector<std::pair<std::string, double>> SearchSymbols(const Generator& gen, std::string_view q,
                                                          bool coin_ids) {
  std::vector<std::pair<std::string, double>> out;
  for (const Match& m : SearchUniverse(gen, q, coin_ids, !coin_ids))
    out.emplace_back(m.symbol, m.score);
  return out;
}

}  // namespace finex::sim::detail
