// Handler cost of hot answers, no socket: a cached /v1/quote and a cached
// 1-year daily /v1/history served from the answer cache, the same through
// the transport's fast path (Service::Fast, the memo of hot answers, falling
// back to Handle() as the transport does), and the history rebuilt
// (serialized) on every request.
#include <benchmark/benchmark.h>

#include "finex/server/service.h"
#include "tests/testutil/fake_cached_api.h"

namespace finex::server {
namespace {

http::Request Req(const std::string& target) {
  http::Request r;
  r.method = "GET";
  r.target = target;
  r.path = target.substr(0, target.find('?'));
  return r;
}

struct Fixture {
  Fixture(size_t answer_cache_bytes) {
    api.AddDailyBars("AAPL", 1672617600, 260, 130);
    finex::Quote q;
    q.symbol = "AAPL";
    q.price = 189.5;
    q.provider = "yahoo";
    q.currency = "usd";
    api.AddQuote(q);
    ServiceOptions o;
    o.answer_cache_bytes = answer_cache_bytes;
    o.answer_cache_ttl_ms = 3600 * 1000;
    service = std::make_unique<Service>(api, nullptr, o);
  }
  testing::FakeCachedApi api;
  std::unique_ptr<Service> service;
};

void BM_HotQuote(benchmark::State& state) {
  Fixture f(64 << 20);
  const auto req = Req("/v1/quote?symbols=AAPL");
  for (int i = 0; i < 3; ++i) f.service->Handle(req);
  for (auto _ : state) benchmark::DoNotOptimize(f.service->Handle(req));
}
BENCHMARK(BM_HotQuote);

void BM_HotHistory1y(benchmark::State& state) {
  Fixture f(64 << 20);
  const auto req = Req("/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31");
  for (int i = 0; i < 3; ++i) f.service->Handle(req);
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = f.service->Handle(req);
    bytes = r.body->size();
  }
  state.counters["body_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_HotHistory1y);

// As http::Server calls it: the fast path first, Handle() when it declines
// (the memo re-records an entry each new second).
void RunFast(benchmark::State& state, const std::string& target) {
  Fixture f(64 << 20);
  const auto req = Req(target);
  for (int i = 0; i < 3; ++i) f.service->Handle(req);
  const std::vector<std::pair<std::string_view, std::string_view>> fields = {
      {"Host", "127.0.0.1:18080"}};
  http::RawRequest raw;
  raw.method = "GET";
  raw.target = target;
  raw.headers = fields;
  int64_t slow = 0;
  for (auto _ : state) {
    http::Response out;
    if (!f.service->Fast(raw, out)) {
      out = f.service->Handle(req);
      ++slow;
    }
    benchmark::DoNotOptimize(out);
  }
  state.counters["slow_path"] = static_cast<double>(slow);
}
void BM_HotQuoteFastPath(benchmark::State& state) { RunFast(state, "/v1/quote?symbols=AAPL"); }
BENCHMARK(BM_HotQuoteFastPath);
void BM_HotHistory1yFastPath(benchmark::State& state) {
  RunFast(state, "/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31");
}
BENCHMARK(BM_HotHistory1yFastPath);

void BM_History1yRebuiltEachTime(benchmark::State& state) {
  Fixture f(0);  // answer cache off: engine call + serialization per request
  const auto req = Req("/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31");
  for (auto _ : state) benchmark::DoNotOptimize(f.service->Handle(req));
}
BENCHMARK(BM_History1yRebuiltEachTime);

}  // namespace
}  // namespace finex::server
