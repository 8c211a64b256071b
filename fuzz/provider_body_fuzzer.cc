// libFuzzer target: a provider adapter's body parser (fuzz/run.sh). Built
// once per adapter with FINEX_FUZZ_PROVIDER = 1 yahoo, 2 binance,
// 3 alpha_vantage, 4 twelve_data, 5 coingecko.
//
// The first input byte picks the HTTP status the body came with and the
// request's interval; the rest is the body, handed to every parser of that
// adapter (history JSON and CSV, quote, search, error envelopes). Whatever
// the body, a parser returns a Status or a result; an accepted history answer
// has sorted bar timestamps (the adapters' contract, provider.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "finex/core/interval.h"
#include "finex/provider/alpha_vantage/alpha_vantage_provider.h"
#include "finex/provider/binance/binance_provider.h"
#include "finex/provider/coingecko/coingecko_provider.h"
#include "finex/provider/twelve_data/twelve_data_provider.h"
#include "finex/provider/yahoo/yahoo_provider.h"

#ifndef FINEX_FUZZ_PROVIDER
#error "define FINEX_FUZZ_PROVIDER (1..5)"
#endif

namespace {

using finex::Interval;
using finex::Timestamp;
using namespace finex::provider;

void CheckHistory(const finex::Result<HistoryResponse>& r) {
  if (!r.ok() || !r->frame) return;
  const auto ts = r->frame->timestamps();
  for (size_t i = 1; i < ts.size(); ++i) {
    if (ts[i] < ts[i - 1]) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr int kStatuses[] = {200, 200, 200, 200, 400, 401, 404, 429, 500, 503};
  HttpResponse resp;
  resp.status = kStatuses[data[0] % 10];
  resp.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  static constexpr Interval kIntervals[] = {Interval::k1d, Interval::k1m, Interval::k1h,
                                            Interval::k1w};
  const Interval iv = kIntervals[(data[0] / 10) % 4];
  const Timestamp now = 1767225600;  // 2026-01-01
  HistoryRequest req;
  req.interval = iv;
  req.range = *finex::TimeRange::Make(now - 30 * 86400, now - 86400);
#if FINEX_FUZZ_PROVIDER == 1
  req.symbol = "AAPL";
  CheckHistory(yahoo::ParseChart(resp, req, req.range.end, now));
  (void)yahoo::ParseQuotes(resp);
  (void)yahoo::ParseSearch(resp);
#elif FINEX_FUZZ_PROVIDER == 2
  req.symbol = "BTC-USDT";
  (void)binance::ParseKlinesError(resp, now);
  CheckHistory(binance::ParseKlines(resp, req, now));
  (void)binance::ParseTicker(resp, req.symbol, now);
#elif FINEX_FUZZ_PROVIDER == 3
  req.symbol = "IBM";
  CheckHistory(alpha_vantage::ParseSeries(resp, req, now));
  CheckHistory(alpha_vantage::ParseIntradayCsv(resp.body, req, "US/Eastern", now));
  (void)alpha_vantage::BodyError(resp.body, resp.status, now);
  (void)alpha_vantage::ParseGlobalQuote(resp, now);
  (void)alpha_vantage::ParseSymbolSearch(resp, now);
#elif FINEX_FUZZ_PROVIDER == 4
  req.symbol = "AAPL";
  bool empty = false;
  (void)twelve_data::EnvelopeError(resp.body, resp.status, now, &empty);
  CheckHistory(twelve_data::ParseTimeSeries(resp, req, now));
  (void)twelve_data::ParseQuote(resp, now);
  (void)twelve_data::ParseSymbolSearch(resp, now);
#elif FINEX_FUZZ_PROVIDER == 5
  req.symbol = "BTC-USD";
  (void)coingecko::EnvelopeError(resp);
  CheckHistory(coingecko::ParseMarketChart(resp, req, "usd", now));
#else
#error "FINEX_FUZZ_PROVIDER out of range"
#endif
  return 0;
}
