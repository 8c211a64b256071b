// Alpha Vantage adapter (/query?function=TIME_SERIES_*, FX_*, GLOBAL_QUOTE,
// SYMBOL_SEARCH).
//
// Wire facts (../shared/data/PROVIDERS.md and the captured bodies):
// - No range parameters. Daily/weekly/monthly always return the latest 100
//   points (compact) or the whole history (full): a full answer is bonus
//   data, all of it is returned and `actual` covers it. Daily uses compact
//   when the request starts within the last 130 days, else full. Weekly and
//   monthly always return everything.
// - Intraday: one calendar month per call (`month=YYYY-MM`, regular session
//   only: extended_hours=false, outputsize=full); a range spanning months
//   takes one call per month, and every row of those months is returned.
// - Keys are exchange-local strings without offset; the zone is in
//   "Meta Data" ("US/Eastern" → stored as "America/New_York"; "UTC" for FX).
//   Newest first; order does not matter here.
// - Intraday stamps are bar CLOSE times: the regular session runs 09:31 …
//   16:00 and the opening/closing auction volume sits in the 09:31 and 16:01
//   rows (extended CSV, 2020-12-17; early close 2020-11-27: 13:01); across
//   the 20 days of that CSV no row is labelled 04:00 (extended hours open)
//   while 13 are labelled 20:00 (extended hours close). finex stamps bars by
//   their open, so stamp − interval. Daily+ keys are dates;
//   weekly/monthly are labelled by the LAST trading day and are restamped to
//   the period start (Monday / the 1st).
// - The last bar is partial when "Last Refreshed" is before the bar's end
//   (a daily series fetched mid-session), or when it has not ended by now.
// - Throttle messages come as HTTP 200: {"Note": …} and {"Information": …}
//   → ResourceExhausted (per-minute: retry after 60 s; "per day": after the
//   next 00:00 UTC), never data. {"Error Message": "Invalid API call …"} →
//   NotFound (the answer to an unknown symbol), "apikey is invalid or
//   missing" → Unauthenticated, premium-only endpoints → PermissionDenied.
// - Currency: equity series never state it, so it is "" (never defaulted);
//   FX series (symbol "EUR/USD") give it as "3. To Symbol".
// - Corporate actions from *_ADJUSTED series (asked when fields include
//   adj_close): "7. dividend amount" > 0, "8. split coefficient" ≠ 1.
// - The key's plan (ProviderConfig::plan "auto"): a "premium endpoint"
//   answer to an _ADJUSTED series or to outputsize=full is learned for a
//   day (AlphaVantagePlan), the call is asked again without it, and Limits
//   shrink to what the key serves; then the premium form is tried again.
// The API key travels as the `apikey` query parameter (Alpha Vantage has no
// header form); URLs are never put in messages.
//
// Thread-safety: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::alpha_vantage {

// Parses a TIME_SERIES_* / FX_* JSON answer or an intraday CSV answer.
Result<HistoryResponse> ParseSeries(const HttpResponse& resp, const HistoryRequest& req,
                                    Timestamp now);
// Intraday CSV ("timestamp|time,open,high,low,close,volume", newest first) in `tz`.
Result<HistoryResponse> ParseIntradayCsv(std::string_view body, const HistoryRequest& req,
                                         std::string_view tz, Timestamp now);
// Status for a throttle/error body, OK if the body is not one.
Status BodyError(std::string_view body, int http_status, Timestamp now);

Result<finex::Quote> ParseGlobalQuote(const HttpResponse& resp, Timestamp now);
Result<std::vector<SearchResult>> ParseSymbolSearch(const HttpResponse& resp, Timestamp now);

// What the configured key may ask (ProviderConfig::plan): a free key that
// got "premium endpoint" for outputsize=full or an _ADJUSTED series asks
// compact / unadjusted series instead.
struct AlphaVantagePlan {
  bool full = true;      // outputsize=full: the whole daily history in one call
  bool adjusted = true;  // TIME_SERIES_*_ADJUSTED (adj_close, dividends, splits)
};

// The URLs one History request takes (one per month for intraday).
std::vector<std::string> SeriesUrls(std::string_view base, std::string_view api_key,
                                    const HistoryRequest& req, Timestamp now,
                                    AlphaVantagePlan plan = {});

// Without `full`, daily calls reach only the compact window (the latest 100
// trading days) and no longer carry the whole history.
CallLimits AlphaVantageLimits(Interval iv, AlphaVantagePlan plan = {});

}  // namespace finex::provider::alpha_vantage
