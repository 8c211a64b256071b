// CoinGecko response writers: /coins/{id}/market_chart[/range] (prices,
// market_caps, total_volumes as [integer ms, number] pairs), /simple/price,
// /search and the error bodies, as CoinGecko sends them (captured bodies in
// ../shared/data/provider-responses/coingecko). Used by the simulator
// (sim/detail/coingecko.cc); the adapter's parser stays separate.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/time.h"
#include "finex/provider/wire.h"

namespace finex::provider::coingecko {

// CoinGecko's automatic granularity for a span of `span_s` seconds:
// 5-minutely up to a day, hourly up to 90 days, else daily.
Timestamp GranularityS(double span_s);

using Point = std::pair<int64_t, double>;  // [ms, value]
struct MarketChart {
  std::vector<Point> prices, market_caps, total_volumes;
};
WireAnswer WriteMarketChart(const MarketChart& c);

// /simple/price: {"<id>": {"<vs>": price, "<vs>_market_cap": ..., ...,
// "last_updated_at": s}} with the members in the order given.
struct SimplePrice {
  std::string id;
  std::vector<std::pair<std::string, double>> values;
  std::optional<Timestamp> last_updated_at;
};
WireAnswer WriteSimplePrice(std::span<const SimplePrice> coins);

// One /search hit. (Named apart from coingecko_provider.h's Coin: two
// classes of one name in one namespace broke the one-definition rule, and
// ASan caught ResolveCoin's optional<Coin> moved by the other's code.)
struct SearchCoin {
  std::string id, name, symbol;
  int market_cap_rank = 0;
};
WireAnswer WriteSearch(std::span<const SearchCoin> coins);

// {"error": message} with HTTP `status`.
WireAnswer Error(int status, std::string_view message);
// The public plan's 401 for a range beyond its 365 days of history.
WireAnswer BeyondPlanHistory(Timestamp now);

}  // namespace finex::provider::coingecko
