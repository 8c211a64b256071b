// Serializer tests that need an engine answer the fake cannot shape: a
// HistoryResult whose resolved query leaves provider/currency open.
#include "finex/server/render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace finex::server {
namespace {

using Json = nlohmann::json;

FramePtr Bars(std::initializer_list<std::pair<const char*, const char*>> provider_currency) {
  FrameBuilder b(FieldSet::Ohlcv());
  Timestamp ts = 1704153600;
  for (const auto& [provider, currency] : provider_currency) {
    Bar bar;
    bar.symbol = "AAPL";
    bar.timestamp = ts;
    ts += kSecondsPerDay;
    bar.open = bar.high = bar.low = bar.close = 1;
    bar.volume = 1;
    bar.provider = provider;
    bar.currency = currency;
    b.Add(bar);
  }
  return *std::move(b).Finish();
}

TEST(RenderHistoryJson, QueryEchoesTheProviderAndCurrencyServed) {
  HistoryParams p;
  p.symbols = {"AAPL"};
  p.start = 1704153600;
  p.end = 1704326399;
  cache::HistoryResult r;
  r.frame = Bars({{"yahoo", "usd"}, {"yahoo", "usd"}});
  r.query.symbols = {"AAPL"};
  r.query.start = p.start;
  r.query.end = p.end;  // provider and currency left unresolved by the engine
  Json j = Json::parse(RenderHistoryJson(r, p));
  EXPECT_EQ(j["query"]["currency"], "usd");
  EXPECT_EQ(j["query"]["provider"], "yahoo");

  // Rows from several providers: the echo does not invent one.
  r.frame = Bars({{"yahoo", "usd"}, {"twelve_data", "usd"}});
  j = Json::parse(RenderHistoryJson(r, p));
  EXPECT_EQ(j["query"]["provider"], "");
  EXPECT_EQ(j["query"]["currency"], "usd");

  // What the engine resolved, or the caller asked for, wins.
  r.query.currency = "eur";
  j = Json::parse(RenderHistoryJson(r, p));
  EXPECT_EQ(j["query"]["currency"], "eur");
}

TEST(RenderQuotesJson, QueryEchoesTheProviderServed) {
  QuoteParams p;
  p.symbols = {"AAPL", "MSFT"};
  cache::QuoteResult r;
  r.quotes.resize(2);
  r.quotes[0].symbol = "AAPL";
  r.quotes[0].provider = "yahoo";
  r.quotes[1].symbol = "MSFT";
  r.quotes[1].provider = "yahoo";
  EXPECT_EQ(Json::parse(RenderQuotesJson(r, p))["query"]["provider"], "yahoo");
  r.quotes[1].provider = "twelve_data";
  EXPECT_EQ(Json::parse(RenderQuotesJson(r, p))["query"]["provider"], "");
}

}  // namespace
}  // namespace finex::server
