// CoinGecko: /api/v3/coins/{id}/market_chart/range, /api/v3/simple/price,
// /api/v3/search. Points are [ms, value] pairs; granularity follows the span
// (<= 1 day: 5-minutely, <= 90 days: hourly, else daily at 00:00 UTC) and the
// answer ends with a point at "now" when the range reaches it.
#include <algorithm>
#include <cmath>

#include "finex/core/symbol.h"
#include "finex/provider/coingecko/coingecko_facts.h"
#include "finex/provider/coingecko/coingecko_wire.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim::detail {
namespace {

using http::Response;
namespace coingecko = provider::coingecko;

Response CgError(int status, std::string_view message) {
  return FromWire(coingecko::Error(status, message));
}

// vs_currency conversion from USD (fixed reference rates).
std::optional<double> UsdRate(std::string_view vs) {
  if (vs == "usd") return 1.0;
  if (vs == "eur") return 0.92;
  if (vs == "gbp") return 0.79;
  if (vs == "jpy") return 148.0;
  if (vs == "chf") return 0.88;
  if (vs == "cad") return 1.35;
  if (vs == "aud") return 1.52;
  return std::nullopt;
}

bool IsCoinId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return !IsUnknownSymbol(id) && id.front() != '-';
}

// The generator symbol of a coin id: well-known ids as they are, others as a
// "<ID>-USD" crypto pair so they trade 24/7.
std::string CoinSymbol(const Generator& gen, std::string_view id) {
  for (const std::string& s : WellKnownSymbols()) {
    if (s == id) return s;
  }
  (void)gen;
  return Upper(id) + "-USD";
}

bool HasProKey(const http::Request& req) {
  return req.Query(coingecko::kProKeyParam) != nullptr ||
         !req.Header(coingecko::kProKeyHeader).empty();
}

std::optional<double> ParseSeconds(const std::string* s) {
  if (s == nullptr || s->empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s->c_str(), &end);
  if (end != s->c_str() + s->size() || !std::isfinite(v)) return std::nullopt;
  return std::clamp(v, 0.0, 8e9);  // epoch seconds; keeps the integer casts defined
}

Response MarketChartRange(const WireContext& ctx) {
  const http::Request& req = ctx.req;
  std::string_view id = ctx.sub.substr(coingecko::kCoinsPath.size());
  id = id.substr(0, id.find('/'));
  if (!IsCoinId(id)) return CgError(404, "coin not found");
  const std::string* vs = req.Query("vs_currency");
  if (vs == nullptr || vs->empty()) return CgError(400, "Missing parameter vs_currency");
  auto rate = UsdRate(Lower(*vs));
  if (!rate) return CgError(400, "invalid vs_currency");
  auto from = ParseSeconds(req.Query("from"));
  if (!from) return CgError(400, "Missing parameter from");
  auto to = ParseSeconds(req.Query("to"));
  if (!to) return CgError(400, "Missing parameter to");
  const Timestamp now = ctx.now;
  if (!HasProKey(req) && *from < static_cast<double>(now - coingecko::kPublicHistoryS)) {
    // Public/demo plans: the past 365 days only.
    return FromWire(coingecko::BeyondPlanHistory(now));
  }
  const std::string sym = CoinSymbol(ctx.gen, id);
  const SymbolInfo info = ctx.gen.Info(sym);
  const Timestamp lo = static_cast<Timestamp>(std::ceil(*from));
  const Timestamp hi = std::min(static_cast<Timestamp>(std::floor(*to)), now);
  const double span = *to - *from;
  // Automatic granularity: 5-minutely, hourly or daily points by span.
  const Timestamp step = coingecko::GranularityS(span);
  coingecko::MarketChart chart;
  if (lo <= hi && hi >= info.listed) {
    // 24h volume by UTC day from the generator's daily bars.
    FramePtr days = ctx.gen.Bars(
        sym, Interval::k1d, TimeRange{DayOf(lo) * kSecondsPerDay - kSecondsPerDay, hi + 1}, now);
    auto day_volume = [&](Timestamp t) -> double {
      const Timestamp d = DayOf(t) * kSecondsPerDay;
      auto ts = days->timestamps().values();
      auto it = std::lower_bound(ts.begin(), ts.end(), d);
      if (it == ts.end() || *it != d) return 0;
      const size_t i = static_cast<size_t>(it - ts.begin());
      return static_cast<double>(days->volume()[i]) * days->close()[i];
    };
    auto point = [&](Timestamp t, int64_t ms) {
      const double p = ctx.gen.PriceAt(sym, t, now) * *rate;
      chart.prices.emplace_back(ms, p);
      chart.market_caps.emplace_back(ms, p * info.market_cap_shares);
      chart.total_volumes.emplace_back(ms, day_volume(t) * *rate);
    };
    Timestamp t = std::max(lo, info.listed);
    t = (t + step - 1) / step * step;
    for (; t <= hi; t += step) point(t, t * 1000);
    // The final point at "now" (irregular timestamp) when the range reaches it.
    if (*to >= static_cast<double>(now) && (chart.prices.empty() || now % step != 0))
      point(now, ctx.now_us / 1000);
  }
  return FromWire(coingecko::WriteMarketChart(chart));
}

Response SimplePrice(const WireContext& ctx) {
  const std::string* ids = ctx.req.Query("ids");
  const std::string* vs = ctx.req.Query("vs_currencies");
  if (ids == nullptr || ids->empty()) return CgError(400, "Missing parameter ids");
  if (vs == nullptr || vs->empty()) return CgError(400, "Missing parameter vs_currencies");
  auto flag = [&](const char* name) {
    const std::string* v = ctx.req.Query(name);
    return v != nullptr && *v == "true";
  };
  std::vector<std::pair<std::string, double>> rates;
  size_t pos = 0;
  while (pos <= vs->size()) {
    size_t c = vs->find(',', pos);
    if (c == std::string::npos) c = vs->size();
    std::string cur = Lower(vs->substr(pos, c - pos));
    pos = c + 1;
    if (auto r = UsdRate(cur)) rates.emplace_back(cur, *r);
  }
  std::vector<coingecko::SimplePrice> out;
  pos = 0;
  while (pos <= ids->size()) {
    size_t c = ids->find(',', pos);
    if (c == std::string::npos) c = ids->size();
    std::string id = ids->substr(pos, c - pos);
    pos = c + 1;
    if (!IsCoinId(id) || rates.empty()) continue;  // unknown ids are omitted
    const std::string sym = CoinSymbol(ctx.gen, id);
    const SymbolInfo info = ctx.gen.Info(sym);
    const double price = ctx.gen.PriceAt(sym, ctx.now, ctx.now);
    const double before = ctx.gen.PriceAt(sym, ctx.now - 86400, ctx.now);
    FramePtr day =
        ctx.gen.Bars(sym, Interval::k1d, TimeRange{ctx.now - 86400, ctx.now + 1}, ctx.now);
    double vol = 0;
    for (size_t i = 0; i < day->rows(); ++i)
      vol += static_cast<double>(day->volume()[i]) * day->close()[i];
    coingecko::SimplePrice o;
    o.id = id;
    for (const auto& [cur, r] : rates) {
      o.values.emplace_back(cur, price * r);
      if (flag("include_market_cap"))
        o.values.emplace_back(cur + "_market_cap", price * r * info.market_cap_shares);
      if (flag("include_24hr_vol")) o.values.emplace_back(cur + "_24h_vol", vol * r);
      if (flag("include_24hr_change"))
        o.values.emplace_back(cur + "_24h_change",
                              before != 0 ? (price - before) / before * 100 : 0);
    }
    if (flag("include_last_updated_at")) o.last_updated_at = ctx.now;
    out.push_back(std::move(o));
  }
  return FromWire(coingecko::WriteSimplePrice(out));
}

Response Search(const WireContext& ctx) {
  const std::string* q = ctx.req.Query("query");
  std::vector<coingecko::SearchCoin> coins;
  if (q != nullptr && !q->empty()) {
    int rank = 1;
    for (const auto& [id, score] : SearchSymbols(ctx.gen, *q, true)) {
      const SymbolInfo info = ctx.gen.Info(id);
      coins.push_back(coingecko::SearchCoin{
          id, info.name, Upper(id.substr(0, std::min<size_t>(4, id.size()))), rank++});
    }
  }
  return FromWire(coingecko::WriteSearch(coins));
}

}  // namespace

Response ServeCoinGecko(const WireContext& ctx) {
  if (ctx.sub.starts_with(coingecko::kCoinsPath) &&
      ctx.sub.ends_with(coingecko::kMarketChartRangeSuffix))
    return MarketChartRange(ctx);
  if (ctx.sub == coingecko::kSimplePricePath) return SimplePrice(ctx);
  if (ctx.sub == coingecko::kSearchPath) return Search(ctx);
  return CgError(404, "Incorrect path. Please check https://www.coingecko.com/api/");
}

}  // namespace finex::sim::detail
