// /coingecko: CoinGecko's /coins/{id}/market_chart[/range], /simple/price and
// /search from the cache (provider/coingecko/coingecko_wire.h renders every
// body). market_chart/range answers at CoinGecko's automatic granularity
// (5-minutely up to a day, hourly up to 90 days, else daily): a point at t is
// the close of the cached bar ending at t, plus the point at "now" when the
// range reaches it; the public plan's 365-day limit applies without a pro key.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/provider/coingecko/coingecko_facts.h"
#include "finex/provider/coingecko/coingecko_wire.h"
#include "finex/server/compat/compat.h"

namespace finex::server::compat {

namespace {

namespace cg = provider::coingecko;

std::string Provider() { return std::string(ProviderName(ProviderId::kCoinGecko)); }

bool IsCoinId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return ValidateSymbol(id).ok();
}

std::string Lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

std::optional<double> ParseSeconds(const std::string* s) {
  if (s == nullptr || s->empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s->c_str(), &end);
  if (end != s->c_str() + s->size() || !std::isfinite(v)) return std::nullopt;
  return std::clamp(v, 0.0, 8e9);
}

http::Response FromStatus(const Status& s) {
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument)
    return FromWire(cg::Error(404, "coin not found"));
  if (s.code() == StatusCode::kResourceExhausted)
    return FromWire(cg::Error(429, "You've exceeded the Rate Limit."));
  return FromWire(cg::Error(503, "finex could not fetch this range upstream"));
}

// /market_chart/range (from/to) and /market_chart (days=N|max, up to now).
http::Response MarketChart(const Context& ctx, bool range) {
  const http::Request& req = ctx.req;
  std::string_view id = ctx.sub.substr(cg::kCoinsPath.size());
  id = id.substr(0, id.find('/'));
  if (!IsCoinId(id)) return FromWire(cg::Error(404, "coin not found"));
  const std::string* vs = req.Query("vs_currency");
  if (vs == nullptr || vs->empty())
    return FromWire(cg::Error(400, "Missing parameter vs_currency"));
  const Timestamp now = ctx.now;
  std::optional<double> from, to;
  if (range) {
    from = ParseSeconds(req.Query("from"));
    if (!from) return FromWire(cg::Error(400, "Missing parameter from"));
    to = ParseSeconds(req.Query("to"));
    if (!to) return FromWire(cg::Error(400, "Missing parameter to"));
  } else {
    const std::string* days = req.Query("days");
    if (days == nullptr || days->empty()) return FromWire(cg::Error(400, "Missing parameter days"));
    std::optional<double> d = *days == "max" ? std::optional<double>(36500) : ParseSeconds(days);
    if (!d || *d <= 0) return FromWire(cg::Error(400, "invalid days"));
    to = static_cast<double>(now);
    from = static_cast<double>(now) - *d * 86400;
  }
  const bool pro = req.Query(cg::kProKeyParam) != nullptr || !req.Header(cg::kProKeyHeader).empty();
  if (!pro && *from < static_cast<double>(now - cg::kPublicHistoryS))
    return FromWire(cg::BeyondPlanHistory(now));
  const Timestamp step = cg::GranularityS(*to - *from);
  const Interval iv = step == 300 ? Interval::k5m : step == 3600 ? Interval::k1h : Interval::k1d;
  const Timestamp lo = static_cast<Timestamp>(std::ceil(*from));
  const Timestamp hi = std::min(static_cast<Timestamp>(std::floor(*to)), now);
  cg::MarketChart chart;
  cache::CacheInfo info;
  if (lo <= hi) {
    cache::HistoryOptions opts;
    opts.interval = iv;
    opts.provider = Provider();
    opts.currency = Lower(*vs);
    opts.fields = FieldSet(FieldSet::kOhlcv | FieldSet::kMarketCap);
    // Bars whose closing snapshot lies in [lo, hi]: they start a step earlier.
    opts.start = (lo + step - 1) / step * step - step;
    if (hi < now - 60) opts.end = hi;  // else up to now: the same request whenever made
    const std::string one[] = {std::string(id)};
    auto res = ctx.api.History(one, opts);
    if (!res.ok()) return FromStatus(res.status());
    info = res->info;
    if (const FramePtr& f = res->frame) {
      for (size_t i = 0; i < f->rows(); ++i) {
        const Timestamp ts = f->timestamps()[i];
        const bool live = ts + step > now;
        const Timestamp at = live ? now : ts + step;  // the live bar closes at "now"
        if (at < lo || at > hi || !f->close().IsValid(i)) continue;
        const int64_t ms = live ? ctx.now_us / 1000 : at * 1000;
        const double price = f->close()[i];
        chart.prices.emplace_back(ms, price);
        chart.market_caps.emplace_back(ms, f->market_cap().Get(i).value_or(0));
        chart.total_volumes.emplace_back(ms, static_cast<double>(f->volume().Get(i).value_or(0)));
      }
    }
  }
  return WithCacheInfo(cg::WriteMarketChart(chart), info);
}

http::Response SimplePrice(const Context& ctx) {
  const std::string* ids = ctx.req.Query("ids");
  const std::string* vs = ctx.req.Query("vs_currencies");
  if (ids == nullptr || ids->empty()) return FromWire(cg::Error(400, "Missing parameter ids"));
  if (vs == nullptr || vs->empty())
    return FromWire(cg::Error(400, "Missing parameter vs_currencies"));
  auto flag = [&](const char* name) {
    const std::string* v = ctx.req.Query(name);
    return v != nullptr && *v == "true";
  };
  std::vector<std::string> want;
  size_t pos = 0;
  while (pos <= ids->size() && want.size() < 100) {
    size_t c = ids->find(',', pos);
    if (c == std::string::npos) c = ids->size();
    std::string id = ids->substr(pos, c - pos);
    pos = c + 1;
    if (IsCoinId(id)) want.push_back(std::move(id));  // unknown ids are omitted
  }
  // finex's quotes carry one currency: the first of vs_currencies.
  const std::string cur = Lower(vs->substr(0, vs->find(',')));
  std::vector<cg::SimplePrice> out;
  cache::CacheInfo info;
  cache::QuoteOptions opts;
  opts.provider = Provider();
  for (const std::string& id : want) {
    const std::string one[] = {id};
    auto res = ctx.api.Quote(one, opts);
    if (!res.ok()) {
      if (res.status().code() == StatusCode::kNotFound ||
          res.status().code() == StatusCode::kInvalidArgument)
        continue;
      return FromStatus(res.status());
    }
    info.api_calls_made += res->info.api_calls_made;
    for (const finex::Quote& q : res->quotes) {
      if (!q.currency.empty() && Lower(q.currency) != cur) continue;
      cg::SimplePrice p;
      p.id = id;
      p.values.emplace_back(cur, q.price);
      if (flag("include_market_cap") && q.market_cap)
        p.values.emplace_back(cur + "_market_cap", *q.market_cap);
      if (flag("include_24hr_change") && q.change_percent)
        p.values.emplace_back(cur + "_24h_change", *q.change_percent);
      if (flag("include_last_updated_at")) p.last_updated_at = q.timestamp;
      out.push_back(std::move(p));
    }
  }
  return WithCacheInfo(cg::WriteSimplePrice(out), info);
}

http::Response SearchRoute(const Context& ctx) {
  const std::string* q = ctx.req.Query("query");
  std::vector<cg::SearchCoin> coins;
  cache::CacheInfo info;
  if (q != nullptr && !q->empty()) {
    cache::SearchOptions opts;
    opts.provider = Provider();
    opts.limit = 25;
    auto res = ctx.api.Search(*q, opts);
    if (!res.ok() && res.status().code() != StatusCode::kNotFound) return FromStatus(res.status());
    if (res.ok()) {
      info = res->info;
      int rank = 1;
      for (const SearchResult& r : res->results) {
        std::string sym;
        for (char c : r.symbol.substr(0, std::min<size_t>(4, r.symbol.size())))
          sym.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        coins.push_back(cg::SearchCoin{r.symbol, r.name, sym, rank++});
      }
    }
  }
  return WithCacheInfo(cg::WriteSearch(coins), info);
}

}  // namespace

http::Response ServeCoinGecko(const Context& ctx, std::string_view& route) {
  if (ctx.req.method == "GET" && ctx.sub.starts_with(cg::kCoinsPath) &&
      ctx.sub.ends_with(cg::kMarketChartRangeSuffix)) {
    route = "/coingecko/api/v3/coins/{id}/market_chart/range";
    return MarketChart(ctx, true);
  }
  if (ctx.req.method == "GET" && ctx.sub.starts_with(cg::kCoinsPath) &&
      ctx.sub.ends_with("/market_chart")) {
    route = "/coingecko/api/v3/coins/{id}/market_chart";
    return MarketChart(ctx, false);
  }
  if (ctx.req.method == "GET" && ctx.sub == cg::kSimplePricePath) {
    route = "/coingecko/api/v3/simple/price";
    return SimplePrice(ctx);
  }
  if (ctx.req.method == "GET" && ctx.sub == cg::kSearchPath) {
    route = "/coingecko/api/v3/search";
    return SearchRoute(ctx);
  }
  route = "/coingecko/(other)";
  return FromWire(cg::Error(404, "Incorrect path. Please check https://www.coingecko.com/api/"));
}

}  // namespace finex::server::compat
