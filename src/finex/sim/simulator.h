// The upstream simulator (`finex sim`): serves the wire formats of Yahoo
// Finance, Binance, Alpha Vantage, Twelve Data and CoinGecko on one loopback
// port, each under its own prefix (API.md "Upstream simulator"), with their
// documented quirks (../shared/data/PROVIDERS.md): Yahoo's exclusive period2,
// trailing live bar, intraday reach limits (422) and null bars; Binance's
// 1000-row cap, string prices and still-open kline; Alpha Vantage's
// compact/full, newest-first local-time keys (intraday rows labelled by their
// close time, daily+ by date, weekly/monthly by the last trading day) and
// throttle-as-200; Twelve
// Data's newest-first strings and outputsize rules; CoinGecko's automatic
// granularity and final point at "now". Data comes from sim::Generator (and
// the --data CSV histories it loaded).
//
// Every request that reaches a provider prefix is counted, including failed
// and rejected ones: GET /_sim/stats is the ground truth for "API calls
// saved". POST /_sim/reset zeroes the counters; POST /_sim/faults sets faults
// at run time:
//   {"latency_ms": 50, "error_rate": 0.1, "corrupt_rate": 0.05,
//    "rate_limit_per_min": 30, "rate_limit_per_day": 0, "down": ["yahoo"],
//    "providers": {"binance": {"rate_limit_per_min": 5, "error_rate": 0}}}
// Top-level members apply to every provider; a "providers" entry overrides
// them for one provider. `{}` clears everything. GET /_sim/faults shows the
// active settings. Faults: latency delays the answer; error_rate answers the
// provider's own 5xx; corrupt_rate returns a truncated body with status 200;
// down answers 503 (the provider's edge is unreachable); rate_limit_per_min
// (per provider, in sim-clock minutes) answers the provider's own throttle:
// Yahoo 429 "Edge: Too Many Requests", Binance 429 -1003 with Retry-After
// (418 ban once the client keeps going past twice the limit), Alpha Vantage
// 200 {"Note": ...}, Twelve Data 200 {"code":429,...}, CoinGecko 429;
// rate_limit_per_day (per sim-clock UTC day) likewise, Alpha Vantage then
// answering {"Information": "... N requests per day ..."}.
//
// Comparing an adapter with the truth (sim::TrueBars / generator()): values
// on the wire are rounded as each provider rounds them (Yahoo float32,
// Binance 8 decimals, Alpha Vantage 4, Twelve Data 5); Yahoo stamps daily
// bars at the session open and occasionally returns an all-null intraday bar
// (Generator::YahooNullBar) plus a trailing bar at the latest trade time;
// Alpha Vantage TIME_SERIES_DAILY/WEEKLY/MONTHLY are as traded
// (Adjustment::kRaw) while INTRADAY is split-adjusted; CoinGecko points are
// instants (PriceAt), so a point at t is the close of the bar ending at t.
// Symbols starting with INVALID, NONEXIST, DELISTED or ZZZZ are unknown to
// every provider; Binance knows XXX{USDT,BUSD,USDC,FDUSD,TUSD,BTC,ETH,BNB,EUR,TRY}
// pairs; CoinGecko ids are lower-case. Alpha Vantage and Twelve Data need an
// API key (any non-empty `apikey`, or Twelve Data's "Authorization: apikey
// ..." header) like the real services; CoinGecko without a pro key
// (x_cg_pro_api_key / x-cg-pro-api-key) serves only the past 365 days.
//
// Thread-safety: the Simulator is thread-safe; handlers run on `threads` I/O
// threads. Ownership: the Simulator owns its server and generator; the Clock
// (if given) is borrowed and must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "finex/core/clock.h"
#include "finex/core/status.h"
#include "finex/http/server.h"
#include "finex/sim/generator.h"

namespace finex::sim {

struct SimOptions {
  std::string listen = "127.0.0.1:9100";  // host:port; port 0 picks a free one
  std::string data_dir;                   // --data: CSV histories; "" = generator only
  Clock* clock = nullptr;                 // "now"; nullptr = SystemClock(). Borrowed.
  uint64_t seed = 0;                      // generator seed (0 = the TrueBars() universe)
  int threads = 2;                        // I/O threads
};

struct SimStats {
  int64_t total = 0;
  std::map<std::string, int64_t> calls;     // provider → requests
  std::map<std::string, int64_t> by_route;  // "yahoo /v8/finance/chart" → requests
};

class Simulator {
 public:
  // Loads data_dir (InvalidArgument/NotFound naming the file on bad data),
  // binds and starts serving (InvalidArgument/Unavailable from http::Server).
  static Result<std::unique_ptr<Simulator>> Start(const SimOptions& opts);
  ~Simulator();

  uint16_t port() const;
  // Base URL of one provider: "http://127.0.0.1:PORT/yahoo".
  std::string BaseUrl(std::string_view provider) const;
  // Stops serving (drains in-flight requests). Idempotent.
  void Stop();
  SimStats stats() const;
  void ResetStats();
  // Same JSON as POST /_sim/faults. InvalidArgument on a bad document.
  Status SetFaults(std::string_view json);
  const Generator& generator() const;

  // The request handler (also usable in-process without a socket).
  http::Response Handle(const http::Request& req);

  struct Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace finex::sim
