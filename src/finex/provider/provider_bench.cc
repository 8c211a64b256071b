// Provider parse throughput (bars/s) on the largest real captured bodies:
// Yahoo TSLA full daily history (3303 bars, 370 KB JSON), Alpha Vantage MSFT
// 1m extended CSV (11190 bars, 615 KB) and 1m compact JSON (100 bars), plus a
// generated full Binance klines page (1000 rows). Bodies from ../shared/data
// are skipped with a message when absent.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "finex/provider/alpha_vantage/alpha_vantage_provider.h"
#include "finex/provider/binance/binance_provider.h"
#include "finex/provider/yahoo/yahoo_provider.h"

namespace finex::provider {
namespace {

std::string ReadShared(const std::string& rel) {
  std::ifstream in(std::string(FINEX_SHARED_DATA) + "/provider-responses/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HistoryRequest Req(Interval iv, Timestamp start, Timestamp end) {
  HistoryRequest r;
  r.symbol = "X";
  r.interval = iv;
  r.range = TimeRange{start, end};
  r.fields = FieldSet::All();
  return r;
}

template <typename Parse>
void Run(benchmark::State& state, const std::string& body, Parse parse) {
  if (body.empty()) {
    state.SkipWithError("needs ../shared/data (real provider data); it is absent here");
    return;
  }
  size_t rows = 0;
  for (auto _ : state) {
    Result<HistoryResponse> r = parse(body);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    rows = r->frame->rows();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["bars"] = static_cast<double>(rows);
}

void BM_ProviderParse_YahooTslaFullDaily(benchmark::State& state) {
  HttpResponse resp;
  resp.status = 200;
  resp.body = ReadShared("yahoo/yahoo-chart-TSLA-1d-period1-0_2023-08-12-full-history.json");
  Run(state, resp.body, [&](const std::string&) {
    return yahoo::ParseChart(resp, Req(Interval::k1d, 0, 1691798400), 1691798400, 1767225600);
  });
}
BENCHMARK(BM_ProviderParse_YahooTslaFullDaily);

void BM_ProviderParse_AlphaVantage1mCsv(benchmark::State& state) {
  const std::string body = ReadShared(
      "alphavantage/"
      "av-TIME_SERIES_INTRADAY_EXTENDED-MSFT-1min-year1month1-2020-11-23_2020-12-18.csv");
  Run(state, body, [&](const std::string& b) {
    return alpha_vantage::ParseIntradayCsv(b, Req(Interval::k1m, 1606089600, 1608422400),
                                           "US/Eastern", 1767225600);
  });
}
BENCHMARK(BM_ProviderParse_AlphaVantage1mCsv);

void BM_ProviderParse_AlphaVantage1mJson(benchmark::State& state) {
  HttpResponse resp;
  resp.status = 200;
  resp.body = ReadShared("alphavantage/av-TIME_SERIES_INTRADAY-MSFT-1min-compact-2017-12-18.json");
  Run(state, resp.body, [&](const std::string&) {
    return alpha_vantage::ParseSeries(resp, Req(Interval::k1m, 1513555200, 1513641600), 1767225600);
  });
}
BENCHMARK(BM_ProviderParse_AlphaVantage1mJson);

void BM_ProviderParse_BinanceKlines1000(benchmark::State& state) {
  HttpResponse resp;
  resp.status = 200;
  std::string& s = resp.body;
  s = "[";
  const int64_t t0 = 1704067200000;
  for (int i = 0; i < 1000; ++i) {
    const int64_t o = t0 + i * 60000LL;
    if (i) s += ",";
    s += "[" + std::to_string(o) +
         ",\"42000.10000000\",\"42100.00000000\",\"41900.00000000\",\"42050.50000000\","
         "\"12.50000000\"," +
         std::to_string(o + 59999) +
         ",\"525631.25000000\",100,\"6.00000000\","
         "\"252000.00000000\",\"0\"]";
  }
  s += "]";
  HistoryRequest req = Req(Interval::k1m, 1704067200, 1704067200 + 60000);
  req.symbol = "BTCUSDT";
  Run(state, s, [&](const std::string&) { return binance::ParseKlines(resp, req, 1767225600); });
}
BENCHMARK(BM_ProviderParse_BinanceKlines1000);

}  // namespace
}  // namespace finex::provider
