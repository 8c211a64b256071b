#include "finex/provider/coingecko/coingecko_wire.h"

#include <nlohmann/json.hpp>

#include "finex/provider/coingecko/coingecko_facts.h"

namespace finex::provider::coingecko {

namespace {

using Json = nlohmann::ordered_json;

WireAnswer JsonAnswer(int status, const Json& j) {
  WireAnswer a;
  a.status = status;
  a.body = j.dump();
  return a;
}

Json Points(const std::vector<Point>& ps) {
  Json a = Json::array();
  for (const auto& [ms, v] : ps) a.push_back(Json::array({ms, v}));
  return a;
}

}  // namespace

Timestamp GranularityS(double span_s) {
  if (span_s <= static_cast<double>(kFiveMinutelyMaxSpanS)) return 300;
  if (span_s <= static_cast<double>(kHourlyMaxSpanS)) return 3600;
  return 86400;
}

WireAnswer WriteMarketChart(const MarketChart& c) {
  Json j;
  j["prices"] = Points(c.prices);
  j["market_caps"] = Points(c.market_caps);
  j["total_volumes"] = Points(c.total_volumes);
  return JsonAnswer(200, j);
}

WireAnswer WriteSimplePrice(std::span<const SimplePrice> coins) {
  Json j = Json::object();
  for (const SimplePrice& c : coins) {
    Json o = Json::object();
    for (const auto& [k, v] : c.values) o[k] = v;
    if (c.last_updated_at) o["last_updated_at"] = *c.last_updated_at;
    j[c.id] = std::move(o);
  }
  return JsonAnswer(200, j);
}

WireAnswer WriteSearch(std::span<const SearchCoin> coins) {
  Json arr = Json::array();
  for (const SearchCoin& c : coins) {
    Json o;
    o["id"] = c.id;
    o["name"] = c.name;
    o["api_symbol"] = c.id;
    o["symbol"] = c.symbol;
    o["market_cap_rank"] = c.market_cap_rank;
    o["thumb"] = "https://assets.coingecko.com/coins/images/1/thumb/" + c.id + ".png";
    o["large"] = "https://assets.coingecko.com/coins/images/1/large/" + c.id + ".png";
    arr.push_back(std::move(o));
  }
  Json j;
  j["coins"] = std::move(arr);
  j["exchanges"] = Json::array();
  j["icos"] = Json::array();
  j["categories"] = Json::array();
  j["nfts"] = Json::array();
  return JsonAnswer(200, j);
}

WireAnswer Error(int status, std::string_view message) {
  return JsonAnswer(status, Json{{kErrorKey, message}});
}

WireAnswer BeyondPlanHistory(Timestamp now) {
  Json j;
  j[kErrorKey][kStatusKey] = {
      {"timestamp", FormatIsoUtc(now)},
      {kErrorCodeKey, kCodeBeyondPlanHistory},
      {kErrorMessageKey,
       "Your request exceeds the allowed time range. Public API users are limited to querying "
       "historical data within the past 365 days. Upgrade to a paid plan to enjoy full "
       "historical data access: https://www.coingecko.com/en/api/pricing. "}};
  return JsonAnswer(401, j);
}

}  // namespace finex::provider::coingecko
