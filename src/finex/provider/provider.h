// Provider: one upstream market-data source (Yahoo Finance, Binance, Alpha
// Vantage, Twelve Data, CoinGecko) behind one interface. An adapter turns
// standardized requests into the provider's wire parameters, calls it over an
// HttpClient, and turns its answer into standardized frames/rows — plus what
// the cache needs to know (range covered, currency and timezone READ FROM THE
// RESPONSE, whether the last bar is still forming, splits/dividends, limits).
// Adapters know nothing of caching.
//
// Errors (typed, STYLE.md §2): unknown symbol → kNotFound; rate limited
// (429/418/Retry-After/used-weight, and throttle messages that arrive as HTTP
// 200) → kResourceExhausted with retry_after_s; 5xx/timeouts → kUnavailable;
// malformed bodies → kDataLoss with context; bad parameters for this provider
// (interval it does not have, intraday range beyond its reach) →
// kInvalidArgument / kOutOfRange. Every error carries WithProvider(name,
// upstream_status). API keys never appear in messages.
//
// Thread-safety: every Provider is thread-safe. Ownership: a Provider borrows
// its HttpClient& and Clock& (both must outlive it).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/provider_id.h"
#include "finex/core/records.h"
#include "finex/core/status.h"
#include "finex/core/time_range.h"

namespace finex::provider {

// The provider list lives in core (core/provider_id.h); these names keep
// provider::ProviderId and friends usable.
using finex::kAllProviders;
using finex::ParseProviderId;
using finex::ProviderId;
using finex::ProviderName;

struct HistoryRequest {
  std::string symbol;  // as the user gave it (validated)
  Interval interval = Interval::k1d;
  TimeRange range;  // half-open [start, end), UTC
  FieldSet fields = FieldSet::Ohlcv();
  std::string currency;  // "" = the instrument's native currency
};

struct CorporateAction {
  enum class Kind : uint8_t { kSplit, kDividend };
  Kind kind = Kind::kSplit;
  Timestamp timestamp = 0;  // the ex-date, 00:00 UTC of that trading date
  double ratio = 1.0;       // split: new shares per old share (4:1 → 4.0)
  double amount = 0.0;      // dividend per share, in `currency`
};

struct HistoryResponse {
  FramePtr frame;        // standardized bars, sorted; may be empty (a fact)
  TimeRange requested;   // what finex asked for (after widening)
  TimeRange actual;      // [first bar, last bar start + 1); empty if no bars
  std::string currency;  // lower-case, read from the response; "" if the provider never says
  std::string timezone;  // IANA zone of the exchange, read from the response
  std::string exchange;  // the provider's exchange name/code, if given
  bool last_bar_partial = false;         // the last bar is still forming (live)
  std::vector<CorporateAction> actions;  // splits/dividends inside the answer
  int http_calls = 0;                    // upstream calls this answer took (Binance pages)
};

// What one call can carry, for the planner's cost model.
struct CallLimits {
  int64_t max_rows = 0;          // rows one call returns at most; 0 = unlimited
  Timestamp max_span_s = 0;      // longest range one call may ask; 0 = unlimited
  Timestamp max_lookback_s = 0;  // how far back from now the interval reaches; 0 = unlimited
  bool whole_history = false;    // every call returns the whole series (Alpha Vantage full)
  bool supported = true;         // the provider has this interval at all
  bool month_per_call = false;   // one call answers one calendar month (Alpha Vantage intraday)
  bool any_currency = false;     // the call answers in the currency asked (CoinGecko vs_currency)
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual ProviderId id() const = 0;
  std::string_view name() const { return ProviderName(id()); }

  // Bars of one symbol. REQUIRES: req.range non-empty.
  virtual Result<HistoryResponse> History(const HistoryRequest& req) = 0;
  // Latest quotes; symbols unknown to the provider are omitted (an empty
  // vector if none is known; NotFound only when the provider says so).
  virtual Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) = 0;
  virtual Result<std::vector<SearchResult>> Search(std::string_view query) = 0;

  virtual CallLimits Limits(Interval iv) const = 0;
  // Sustained calls per minute this provider allows (config may lower it).
  virtual double calls_per_minute() const = 0;
  // Whether this provider can serve the symbol at all (Binance: crypto pairs,
  // CoinGecko: coins; Yahoo: anything).
  virtual bool Handles(std::string_view symbol) const = 0;

  // The request weight the provider itself last reported as used in its
  // current one-minute window (Binance's X-MBX-USED-WEIGHT-1M) and the
  // minute (epoch seconds / 60) it was reported in; used < 0 when it
  // reports none. Default: none.
  struct ReportedWeight {
    int64_t used = -1;
    int64_t minute = 0;
  };
  virtual ReportedWeight reported_weight() const { return {}; }
  // Upstream calls a successful Quote(symbols) makes: 1 for a provider that
  // quotes a batch in one call (Yahoo, CoinGecko), one per symbol it asks for
  // where each symbol is its own call (Binance, Alpha Vantage, Twelve Data).
  // What the cache counts in api_calls_made and the provider's call stats.
  virtual int QuoteCalls(std::span<const std::string> symbols) const { return 1; }
};

}  // namespace finex::provider
