// Test-only helpers for the provider tests (not linked into finex_provider):
// paths of the module's own fixtures and of the shared captured bodies, the
// request/response builders, and AdapterTest, the fixture of the tests that
// drive an adapter through the Provider interface.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "finex/core/time_range.h"
#include "finex/provider/config.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_http_client.h"
#include "tests/testutil/random.h"

namespace finex::provider::testhelp {

// provider/<rel> under the source tree, e.g. "yahoo/testdata/x.json".
inline std::string Testdata(const std::string& rel) {
  return std::string(FINEX_SOURCE_DIR) + "/src/finex/provider/" + rel;
}
inline std::string ReadTestdata(const std::string& rel) {
  return testing::FakeHttpClient::ReadFile(Testdata(rel));
}

// A captured body from ../shared/data/provider-responses/<rel>, with the HTTP
// status from its .meta.json sidecar when there is one (else `status`).
inline HttpResponse Shared(const std::string& rel, int status = 200) {
  const std::string path = testing::SharedDataDir() + "/provider-responses/" + rel;
  HttpResponse r;
  r.body = testing::FakeHttpClient::ReadFile(path);
  r.status = status;
  const std::string meta = testing::FakeHttpClient::ReadFile(path + ".meta.json");
  const size_t p = meta.find("\"status\":");
  if (p != std::string::npos) r.status = std::atoi(meta.c_str() + p + 9);
  return r;
}

inline HttpResponse Resp(int status, std::string body, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline HistoryRequest Req(std::string symbol, Interval iv, Timestamp start, Timestamp end,
                          FieldSet fields = FieldSet::Ohlcv()) {
  HistoryRequest r;
  r.symbol = std::move(symbol);
  r.interval = iv;
  r.range = TimeRange{start, end};
  r.fields = fields;
  return r;
}

// One adapter over a FakeHttpClient (`http`: register answers, read the
// requests) and a FakeClock (`clock`: 1704153600 until Set), built by kMake
// (NewYahooProvider, ...) on Open. Name the fixture after the adapter so the
// test names stay "<Name>.<Case>":
//   using YahooProvider = testhelp::AdapterTest<NewYahooProvider>;
//   TEST_F(YahooProvider, Daily) { http.On(...); auto p = Open(); ... }
template <auto kMake>
class AdapterTest : public ::testing::Test {
 protected:
  // A new adapter with `config` over http and clock; owned by the fixture
  // (valid until the test ends).
  Provider* Open(const ProviderConfig& config = {}) {
    providers_.push_back(kMake(config, http, clock));
    return providers_.back().get();
  }

  testing::FakeHttpClient http;
  testing::FakeClock clock;

 private:
  std::vector<std::unique_ptr<Provider>> providers_;
};

}  // namespace finex::provider::testhelp
