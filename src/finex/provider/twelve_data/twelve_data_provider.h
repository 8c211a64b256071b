// Twelve Data adapter (/time_series, /quote, /symbol_search).
//
// Wire facts (../shared/data/PROVIDERS.md, captured AAPL 1min body):
// - start_date/end_date are exchange-local wall times ("2024-01-02 09:30:00",
//   or dates for daily+) when no `timezone=` is given; the adapter converts
//   the UTC request into the zone finex's calendar expects for the symbol
//   (calendar::CalendarFor) and sends end_date = the local end (Twelve Data
//   may include a bar at end_date: it is kept as bonus data). If the answer's
//   meta.exchange_timezone differs from that guess, the answer vouches only
//   for the bars it holds (requested = actual ∩ asked).
// - outputsize ≤ 5000 per call, order=desc (newest first). When a call is
//   full, the next asks up to the oldest datetime received, until a short
//   page (each call counted in http_calls; overlaps are de-duplicated).
// - `datetime` is the bar OPEN in exchange time without offset; zone from
//   meta.exchange_timezone. All numbers are strings.
// - Currency: meta.currency (equities); for FX and crypto pairs the quote
//   code of meta.symbol ("EUR/USD" → "usd": meta.currency_quote holds a
//   name, "US Dollar"); "" if neither, never defaulted.
// - Errors: {"code":N,"message":…,"status":"error"}, possibly with HTTP 200:
//   429 → ResourceExhausted (retry at the next minute), 400 "not found" /
//   404 → NotFound, 401 → Unauthenticated, 403 → PermissionDenied, 5xx →
//   Unavailable, other 400 → InvalidArgument. "No data is available on the
//   specified dates" is an empty answer (a fact), not an error.
// The API key goes in the "Authorization: apikey …" header, never the URL.
//
// Thread-safety: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::twelve_data {

std::string_view WireInterval(Interval iv);  // "1min" .. "1h", "1day", "1week", "1month"

// URL of one page; `end_local` is the end_date text.
std::string TimeSeriesUrl(std::string_view base, const HistoryRequest& req,
                          std::string_view start_local, std::string_view end_local);

// Status of an error envelope (OK if the body is not one). `empty` is set
// when the envelope means "no data in range".
Status EnvelopeError(std::string_view body, int http_status, Timestamp now, bool* empty);

// Parses one /time_series page.
Result<HistoryResponse> ParseTimeSeries(const HttpResponse& resp, const HistoryRequest& req,
                                        Timestamp now);
Result<finex::Quote> ParseQuote(const HttpResponse& resp, Timestamp now);
Result<std::vector<SearchResult>> ParseSymbolSearch(const HttpResponse& resp, Timestamp now);

}  // namespace finex::provider::twelve_data
