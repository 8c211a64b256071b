// Internal: the simulator's per-provider wire formats. Each Serve* function
// turns one request under a provider prefix into that provider's answer,
// byte-compatible with the captured real bodies in
// ../shared/data/provider-responses (key names, order, number formats,
// error envelopes). Pure functions of (generator, now, request).
//
// Thread-safety: stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "finex/http/server.h"
#include "finex/provider/wire.h"
#include "finex/sim/generator.h"

namespace finex::sim::detail {

using Json = nlohmann::ordered_json;

struct WireContext {
  const Generator& gen;
  Timestamp now;
  int64_t now_us;
  const http::Request& req;
  std::string_view sub;  // path below the provider prefix ("/v8/finance/chart/AAPL")
};

// The route template counted in stats ("/v8/finance/chart", "/api/v3/klines", "/query?function=X").
std::string RouteTemplate(std::string_view provider, std::string_view sub);

// A provider writer's answer as an http::Response.
http::Response FromWire(provider::WireAnswer w);

http::Response Serve(std::string_view provider, const WireContext& ctx);
http::Response ServeYahoo(const WireContext& ctx);
http::Response ServeBinance(const WireContext& ctx);
http::Response ServeAlphaVantage(const WireContext& ctx);
http::Response ServeTwelveData(const WireContext& ctx);
http::Response ServeCoinGecko(const WireContext& ctx);

// Error envelopes, keys from each provider's facts header:
// Yahoo {"chart"|"finance": {"result": null, "error": {"code", "description"}}},
// Binance {"code", "msg"}, Twelve Data {"code", "message", "status": "error"},
// CoinGecko {"status": {"error_code", "error_message"}}.
http::Response YahooChartError(int status, std::string_view code, std::string_view description);
http::Response YahooFinanceError(int status, std::string_view code, std::string_view description);
Json BinanceErrorBody(int code, std::string_view msg);
Json TwelveDataErrorBody(int code, std::string_view message);
Json CoinGeckoStatusBody(int code, std::string_view message);

// Fault answers in each provider's own style.
http::Response DownResponse(std::string_view provider);
http::Response ServerErrorResponse(std::string_view provider);
// kind: 1 over the per-minute limit, 2 far over it (Binance 418 ban), 3 over the per-day limit.
http::Response ThrottleResponse(std::string_view provider, int kind, int used, int limit,
                                int64_t retry_after_s, int64_t now_us);

// ---- helpers shared by the providers
std::string Num(double v, int decimals);
// Symbols no provider knows: syntactically invalid ones, and the reserved
// test prefixes INVALID, NONEXIST, DELISTED, ZZZZ (any case).
bool IsUnknownSymbol(std::string_view symbol);
http::Response JsonResponse(int status, const Json& j,
                            std::string_view content_type = "application/json;charset=utf-8");
// Exchange-local "YYYY-MM-DD HH:MM:SS" / "YYYY-MM-DD" of a UTC instant.
std::string LocalDateTime(std::string_view tz, Timestamp ts);
std::string LocalDate(std::string_view tz, Timestamp ts);
// Offset of tz at ts (seconds) and its abbreviation ("EST", "EDT", "GMT", ...).
int UtcOffset(std::string_view tz, Timestamp ts);
std::string TzAbbrev(std::string_view tz, int offset_s);
// Strict integer parse; nullopt for anything but an optional '-' and digits.
std::optional<int64_t> ParseInt(std::string_view s);
// Search universe: well-known symbols plus loaded ones.
std::vector<std::string> Universe(const Generator& gen);
std::string Lower(std::string_view s);
// Universe search (symbol prefix / name substring), best first, with a 0..1
// score. coin_ids: only CoinGecko ids; otherwise tickers (no coin ids, no
// Binance pairs).
std::vector<std::pair<std::string, double>> SearchSymbols(const Generator& gen, std::string_view q,
                                                          bool coin_ids);
std::string Upper(std::string_view s);

}  // namespace finex::sim::detail
