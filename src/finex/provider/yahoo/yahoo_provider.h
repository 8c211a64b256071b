// Yahoo Finance adapter (unofficial v8 chart, v7 quote, v1 search APIs).
//
// Wire facts it relies on (../shared/data/PROVIDERS.md):
// - period1/period2 are epoch seconds, period2 EXCLUSIVE; bar timestamps are
//   bar starts in UTC. Daily+ bars sit at the session open in exchange time
//   (AAPL 13:30Z/14:30Z, GC=F 05:00Z, crypto 00:00Z), so they are restamped to
//   00:00 UTC of their exchange-local date (meta.exchangeTimezoneName). To
//   catch exchanges whose session opens before 00:00 UTC of its own date
//   (Sydney in summer), daily+ requests ask from one day before start; the
//   extra bar is complete bonus data and kept.
// - Intraday answers end with a live snapshot bar outside the requested
//   window (AAPL 1m for 10-02 ends at 10-03T20:00Z, volume 0). Decision: it is
//   kept (it is a real price observation) and the answer is marked
//   last_bar_partial, so the cache gives it a short TTL and never treats it as
//   final. Any last bar whose period has not ended by `now` is partial too.
// - All-null bars (a fund's holiday, one AAPL minute) are skipped. A range
//   with no data is HTTP 200 without `timestamp`: an empty answer, not an
//   error. HTTP 400 "Data doesn't exist for startDate" (range before listing)
//   is also an empty answer (DESIGN: an empty answer is a fact).
// - Errors: 404 / "No data found" → NotFound; 422 → OutOfRange; 429 (plain
//   text "Edge: Too Many Requests") → ResourceExhausted.
// - Intraday reach (checked before calling, same rule as Yahoo's 422): 1m
//   within the last 30 days and at most 7 days per call; 5m–30m within 60
//   days; 1h within 730 days. Outside → OutOfRange.
// - Currency is meta.currency (GBp → "gbx"), never defaulted; "" when Yahoo
//   leaves it null. Splits/dividends come from events=div|split.
// - v7 quote: on 401 the adapter fetches a session cookie (fc.yahoo.com) and
//   a crumb (/v1/test/getcrumb), caches the pair and retries once.
//
// Thread-safety: thread-safe (stateless beyond borrowed services).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::yahoo {

// Wire interval ("1m", "60m", "1d", "1wk", "1mo"); every Interval is supported.
std::string_view WireInterval(Interval iv);

// The chart URL for `req` under `base` (no trailing slash).
std::string ChartUrl(std::string_view base, const HistoryRequest& req);

// Parses a chart answer (any HTTP status). `period2` is the exclusive end the
// request used (bars at or after it mark the answer partial when intraday).
Result<HistoryResponse> ParseChart(const HttpResponse& resp, const HistoryRequest& req,
                                   Timestamp period2, Timestamp now);
Result<std::vector<finex::Quote>> ParseQuotes(const HttpResponse& resp);
Result<std::vector<SearchResult>> ParseSearch(const HttpResponse& resp);

CallLimits YahooLimits(Interval iv);

}  // namespace finex::provider::yahoo
