// CoinGecko adapter (/api/v3/coins/{id}/market_chart/range, /simple/price,
// /search).
//
// Wire facts (../shared/data/PROVIDERS.md): market_chart/range takes from/to
// in UNIX seconds and answers [ms, value] snapshot pairs for prices,
// market_caps and total_volumes, with automatic granularity: within 1 day of
// now → 5-minutely, 1–90 days → hourly, > 90 days → daily (00:00 UTC), plus
// a final irregular point at "now". Timestamps jitter by up to a few
// seconds. No OHLC.
//
// Bars from snapshots (decided and documented here): a snapshot on a bar
// boundary b (± tolerance) is the CLOSE of the bar that ends at b, i.e. the
// bar stamped at the previous boundary; open/high/low stay null (never
// invented). For 1d bars the 24h rolling total_volume at b is exactly that
// day's volume, so it fills `volume` (quote-currency units, as Yahoo's
// crypto volume); for other intervals volume stays null. market_caps fill
// market_cap. A final off-grid point is the live price of the forming bar
// (stamped by floor): the answer is then last_bar_partial.
// Granularity handling: 1d/1w/1mo ask at least 91 days (daily points; the
// extra days are bonus bars); 1h asks 1–90 day chunks (one call each);
// 5m/15m/30m need 5-minutely points, i.e. a range within the last day;
// 1m is not offered → InvalidArgument.
//
// Symbols: coin ids ("bitcoin") or tickers from a built-in map (BTC →
// bitcoin, ETH → ethereum, SOL, XRP, ADA, DOGE, DOT, LTC, BNB, AVAX, LINK,
// MATIC, TRX, BCH, XLM, ATOM, UNI, ETC, USDT, USDC), optionally with a
// quote suffix ("BTC-USD", "ETH/EUR"). vs_currency = the request currency,
// else the suffix, else "usd" (CoinGecko requires one); the answer never
// states the currency, so it is the vs_currency that was asked.
// Errors: {"status":{"error_code":429,…}} (even with HTTP 200) →
// ResourceExhausted (retry-after header, else 60 s); {"error":"coin not
// found"} / 404 → NotFound; codes 10002/10005/10010/10011 → key/plan errors.
// The key goes in the x-cg-demo-api-key header; with plan "premium" it is a
// pro key: x-cg-pro-api-key, the pro host (when base_url is the default) and
// no 365-day window (kProFacts).
//
// Thread-safety: thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::coingecko {

struct Coin {
  std::string id;           // "bitcoin"
  std::string vs_currency;  // from the symbol's suffix, "" if none
};
std::optional<Coin> ResolveCoin(std::string_view symbol);

std::string RangeUrl(std::string_view base, std::string_view id, std::string_view vs,
                     Timestamp from, Timestamp to);

Status EnvelopeError(const HttpResponse& resp);

// Parses one market_chart/range answer into bars of req.interval.
Result<HistoryResponse> ParseMarketChart(const HttpResponse& resp, const HistoryRequest& req,
                                         std::string_view vs_currency, Timestamp now);

}  // namespace finex::provider::coingecko
