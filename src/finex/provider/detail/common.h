// Internals shared by the provider adapters: URL building, limits from the
// facts, number parsing of "strings-as-numbers", HTTP-status → Status
// mapping, secret redaction, the per-symbol quote loop, the merging of paged
// answers, and SeriesBuilder, which turns raw provider bars into a
// HistoryResponse (dedup, sort, null-bar skipping, actual range, live-bar
// detection). The adapters' common class is in http_adapter.h.
//
// Thread-safety: free functions are pure (QuoteEach and Fetch only call what
// they are given); a SeriesBuilder is used by one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/clock.h"
#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/provider/config.h"
#include "finex/provider/facts.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::detail {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s);

// Builds "k1=v1&k2=v2" with values percent-encoded.
class Query {
 public:
  Query& Add(std::string_view key, std::string_view value);
  Query& Add(std::string_view key, int64_t value);
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

// The CallLimits of `iv` as the provider's facts state them: its reach
// (supported, max_span_s, max_lookback_s), facts.max_rows_per_call, and
// whole_history for daily+ intervals when every daily call answers the whole
// series. (Wire interval names: provider/facts.h WireName.)
CallLimits LimitsFromFacts(const ProviderFacts& facts, Interval iv);

// Trims a trailing '/' and substitutes the default when empty.
std::string BaseUrl(const ProviderConfig& config, ProviderId id);

// Parses a decimal number ("177.91010", "-0.5852%" without the %, "1e3").
// nullopt for empty/garbage.
std::optional<double> ParseDouble(std::string_view s);
// Parses an integer, accepting a fractional part ("21.63272000" → 22, rounded
// to nearest): crypto volumes are fractional but the schema's volume is int64.
std::optional<int64_t> ParseVolume(std::string_view s);

// ASCII lower-case copy of `s` (locale-independent; non-ASCII bytes unchanged).
std::string AsciiLower(std::string_view s);

// Lower-cased currency code as finex stores it. Minor-unit codes keep their
// meaning: Yahoo "GBp" (pence) → "gbx", "ZAc" (cents) → "zac"; everything
// else is lower-cased ("USD" → "usd").
std::string NormalizeCurrency(std::string_view code);

// Replaces every occurrence of `secret` in `text` with "***" (no-op for an
// empty secret), then makes the text printable and at most 300 bytes.
std::string Sanitize(std::string_view text, std::string_view secret);

// A non-OK Status with provider details attached.
Status Error(ProviderId id, StatusCode code, std::string_view message, int upstream_status = 0,
             double retry_after_s = -1);

// OK when `req.range` is non-empty; otherwise the InvalidArgument every
// adapter returns for an empty History range ("empty range ...", param "start").
Status CheckNonEmptyRange(ProviderId id, const HistoryRequest& req);

// The one request header carrying the configured API key, `name: prefix + key`
// (e.g. "Authorization: apikey KEY"); no headers when config.api_key is empty.
Headers ApiKeyHeaders(const ProviderConfig& config, std::string_view name,
                      std::string_view prefix = "");

// Seconds from the Retry-After header (delta-seconds form); -1 if absent.
double RetryAfterSeconds(const HttpResponse& resp);

// Generic mapping of a non-2xx HTTP status (when the body said nothing more
// specific): 404 → NotFound, 408/504 → Unavailable, 429/418 → ResourceExhausted
// (Retry-After honoured), 401 → Unauthenticated, 403 → PermissionDenied,
// 422 → OutOfRange, other 4xx → InvalidArgument, 5xx → Unavailable.
Status HttpError(ProviderId id, const HttpResponse& resp, std::string_view upstream_message,
                 std::string_view secret);

// Attaches the provider to a transport failure from HttpClient (kept code:
// Unavailable or DeadlineExceeded).
Status TransportError(ProviderId id, const Status& s, std::string_view secret);

// Issues a GET through `http`, mapping transport failures.
Result<HttpResponse> Fetch(HttpClient& http, ProviderId id, const ProviderConfig& config,
                           std::string url, Headers headers = {});

// Quotes `symbols` in order, one `one(symbol)` each: a quote is kept,
// NotFound omits the symbol (unknown upstream, or not one the adapter
// serves), any other error is returned at once.
Result<std::vector<finex::Quote>> QuoteEach(
    std::span<const std::string> symbols,
    const std::function<Result<finex::Quote>(const std::string&)>& one);

// Completes `out`, the answer of a History call whose upstream calls gave
// `pages` (oldest first; `out` holds the first page's answer). With two
// pages or more, out->frame = Frame::Merge(pages) and out->actual covers its
// rows (empty when none). Always: out->requested = requested and
// out->http_calls = the number of pages.
void FinishPages(std::span<const FramePtr> pages, TimeRange requested, HistoryResponse* out);

// One bar as a provider gave it, already stamped per API.md.
struct RawBar {
  Timestamp ts = 0;
  std::optional<double> open, high, low, close, adj_close, market_cap;
  std::optional<int64_t> volume;
  bool AllPricesNull() const { return !open && !high && !low && !close && !adj_close; }
};

// The end (exclusive) of the bar stamped `stamp`: intraday → stamp + length;
// 1d/1w/1mo → local midnight in `tz` after the period's last day (a daily bar
// is final once that local day is over). Falls back to UTC for unknown zones.
Timestamp BarEnd(Timestamp stamp, Interval iv, std::string_view tz);

// 00:00 UTC of the exchange-local date of `utc` in `tz` (the API.md stamp of a
// daily bar), floored to Monday for 1w and to the 1st for 1mo. DataLoss for an
// unknown zone.
Result<Timestamp> DailyStamp(Timestamp utc, Interval iv, std::string_view tz);
// Same for a civil date already in exchange time.
Timestamp DailyStampOfDate(CivilDate d, Interval iv);

class SeriesBuilder {
 public:
  SeriesBuilder(ProviderId id, const HistoryRequest& req);
  void Reserve(size_t n) { bars_.reserve(n); }
  // Bars whose prices are all null are skipped (never invented).
  void Add(const RawBar& bar);
  size_t size() const { return bars_.size(); }
  // Which value fields the provider's answer carries at all.
  void set_carried(FieldSet f) { carried_ = f; }
  void AddAction(CorporateAction a) { actions_.push_back(a); }
  // Sorts, drops duplicate stamps (the later one in input order wins), builds
  // the frame. `force_partial` marks the last bar live regardless of time.
  Result<HistoryResponse> Finish(TimeRange requested, std::string currency, std::string timezone,
                                 std::string exchange, Timestamp now, bool force_partial,
                                 int http_calls) &&;

 private:
  ProviderId id_;
  HistoryRequest req_;
  FieldSet carried_ = FieldSet::Ohlcv();
  std::vector<RawBar> bars_;
  std::vector<CorporateAction> actions_;
};

}  // namespace finex::provider::detail
