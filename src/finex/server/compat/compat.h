// Provider-compatible routes (API.md "Provider-compatible routes"): `finex
// serve` answers /yahoo, /binance, ... in each provider's own wire format,
// from the cache, so a program written against a provider gets finex's cache
// by changing only its base URL. Each provider file (yahoo.cc, binance.cc,
// alpha_vantage.cc, twelve_data.cc, coingecko.cc)
// translates the provider's own parameters into a CachedApi History / Quote /
// Search call and renders the answer with the provider's writer
// (provider/<name>/<name>_wire.h, shared with `finex sim`), with the
// provider's own limits, error bodies and status codes.
//
// Only what changes the data reaches the engine: crumbs, API keys, lang,
// region and a period2 of "now" do not, so they never make a request new (the
// engine caches by data range, not by URL). Every answer carries
// X-Finex-Api-Calls and X-Finex-Cache-Keys (and the other X-Finex-* cache
// headers) like the finex routes.
//
// Thread-safety: stateless; Serve() is safe from any thread. The CachedApi is
// borrowed for the call.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "finex/cache/cached_api.h"
#include "finex/core/frame.h"
#include "finex/core/time.h"
#include "finex/http/server.h"
#include "finex/provider/wire.h"

namespace finex::server::compat {

struct Context {
  cache::CachedApi& api;
  Timestamp now;
  int64_t now_us;
  const http::Request& req;
  std::string_view sub;  // path below the provider prefix ("/v8/finance/chart/AAPL")
};

// The answer when req.path lies under a provider prefix (/yahoo, /binance,
// ...), else nullopt. `route` receives the route template for metric labels
// ("/yahoo/v8/finance/chart/{symbol}").
std::optional<http::Response> Serve(cache::CachedApi& api, Timestamp now, int64_t now_us,
                                    const http::Request& req, std::string_view& route);

// The answer-cache key of a compat request: its path and the parameters that
// change the data, sorted (not crumbs, API keys, lang, region, ...; a
// period2 within two minutes of `now` reads "now"). nullopt for paths outside
// the compat prefixes and for the cookie/crumb handshake.
std::optional<std::string> AnswerKey(const http::Request& req, Timestamp now);

http::Response ServeYahoo(const Context& ctx, std::string_view& route);
http::Response ServeBinance(const Context& ctx, std::string_view& route);
http::Response ServeAlphaVantage(const Context& ctx, std::string_view& route);
http::Response ServeTwelveData(const Context& ctx, std::string_view& route);
http::Response ServeCoinGecko(const Context& ctx, std::string_view& route);

// ---- helpers shared by the provider files
http::Response FromWire(provider::WireAnswer w);
// FromWire plus the X-Finex-* headers of `info`.
http::Response WithCacheInfo(provider::WireAnswer w, const cache::CacheInfo& info);
// Strict non-negative integer; nullopt for anything else.
std::optional<int64_t> ParseCount(std::string_view s);

// Dividends and splits read back from a cached frame. The cache keeps bars,
// not corporate actions, but a frame with adj_close holds the provider's
// adjustment factor adj_close/close per bar: where it changes between bars
// i-1 and i, bar i is an ex-date. The providers' convention (Yahoo, Alpha
// Vantage, CRSP) makes a dividend D's factor 1 - D / close(i-1), so
// D = close(i-1) * (1 - factor); a split n:d divides the factor by n/d when
// `close_as_traded` (Alpha Vantage's raw closes), and is invisible when closes
// are split-adjusted themselves (Yahoo), so only dividends are found there.
// Exact up to the precision of the cached prices (a change smaller than their
// rounding is no event); nothing is found for row 0 or rows without
// adj_close.
struct InferredAction {
  double dividend = 0;  // per share, in the units of close(i-1)
  double split = 1;     // new shares per old share (4:1 -> 4); 1 = none
};
std::vector<InferredAction> InferActions(const Frame& f, bool close_as_traded);

}  // namespace finex::server::compat
