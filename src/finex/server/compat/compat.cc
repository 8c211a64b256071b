#include "finex/server/compat/compat.h"

#include <algorithm>

#include "finex/server/render.h"

namespace finex::server::compat {

http::Response FromWire(provider::WireAnswer w) {
  http::Response r = http::Response::Text(w.status, std::move(w.content_type), std::move(w.body));
  for (auto& h : w.headers) r.headers.push_back(std::move(h));
  return r;
}

http::Response WithCacheInfo(provider::WireAnswer w, const cache::CacheInfo& info) {
  http::Response r = FromWire(std::move(w));
  AppendCacheInfoHeaders(r.headers, info);
  return r;
}

std::optional<int64_t> ParseCount(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::vector<InferredAction> InferActions(const Frame& f, bool close_as_traded) {
  std::vector<InferredAction> out(f.rows());
  if (!f.fields().Has(FieldSet::kAdjClose)) return out;
  for (size_t i = 1; i < f.rows(); ++i) {
    const auto a0 = f.adj_close().Get(i - 1), a1 = f.adj_close().Get(i);
    const auto c0 = f.close().Get(i - 1), c1 = f.close().Get(i);
    if (!a0 || !a1 || !c0 || !c1 || *a0 <= 0 || *a1 <= 0 || *c0 <= 0 || *c1 <= 0) continue;
    // x = factor(i-1) / factor(i) = dividend factor / split coefficient.
    const double x = (*a0 / *c0) / (*a1 / *c1);
    // What rounding the four prices to 4 decimals can move x by.
    const double tol = 6e-5 * (1 / *a0 + 1 / *a1 + 1 / *c0 + 1 / *c1) + 1e-9;
    double coef = 1, q = x;
    if (x < 0.8 || x > 1 + tol) {
      if (!close_as_traded) continue;  // not a dividend; a split cannot show here
      // The split n:d (n <= 50, d <= 10) leaving the dividend factor nearest 1.
      double best = -1;
      for (int d = 1; d <= 10; ++d) {
        for (int n = 1; n <= 50; ++n) {
          const double c = static_cast<double>(n) / d;
          const double qq = x * c;
          if (qq >= 0.8 && qq <= 1 + tol && qq > best + 1e-12) {
            best = qq;
            coef = c;
          }
        }
      }
      if (best < 0) continue;  // no split explains it: a glitch, not an event
      q = best;
    }
    out[i].split = coef;
    if (q < 1 - tol) out[i].dividend = *c0 * (1 - q);
  }
  return out;
}

std::optional<std::string> AnswerKey(const http::Request& req, Timestamp now) {
  const std::string_view path = req.path;
  bool ours = false;
  for (std::string_view p :
       {"/yahoo/", "/binance/", "/alpha_vantage/", "/twelve_data/", "/coingecko/"})
    ours = ours || path.starts_with(p);
  if (!ours || req.method != "GET") return std::nullopt;
  if (path.starts_with("/yahoo/quote/") || path.ends_with("/getcrumb")) return std::nullopt;
  // Parameters that never change the data.
  static constexpr std::string_view kIgnored[] = {"crumb",
                                                  "lang",
                                                  "region",
                                                  "apikey",
                                                  "useYfid",
                                                  "corsDomain",
                                                  ".tsrc",
                                                  "formatted",
                                                  "enableFuzzyQuery",
                                                  "quotesQueryId",
                                                  "multiQuoteQueryId",
                                                  "newsQueryId",
                                                  "enableCb",
                                                  "enableNavLinks",
                                                  "enableEnhancedTrivialQuery",
                                                  "newsCount",
                                                  "includePrePost"};
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& [k, v] : req.query) {
    if (std::find(std::begin(kIgnored), std::end(kIgnored), k) != std::end(kIgnored)) continue;
    if (k == "events") {
      // Yahoo: only whether dividends and splits are asked changes the body
      // ("div|split|earn" from yahoo-finance2, "div,splits,capitalGains" from yfinance).
      std::string which;
      if (v.find("div") != std::string::npos) which += "div";
      if (v.find("split") != std::string::npos) which += "|split";
      kept.emplace_back(k, which);
      continue;
    }
    if (k == "period2") {
      auto t = ParseCount(v);
      if (t && *t >= now - 120) {
        kept.emplace_back(k, "now");
        continue;
      }
    }
    kept.emplace_back(k, v);
  }
  std::sort(kept.begin(), kept.end());
  std::string key = "compat ";
  key += path;
  for (const auto& [k, v] : kept) {
    key += '\x1f';
    key += k;
    key += '=';
    key += v;
  }
  // The Authorization header carries Twelve Data's key: never part of the key.
  return key;
}

std::optional<http::Response> Serve(cache::CachedApi& api, Timestamp now, int64_t now_us,
                                    const http::Request& req, std::string_view& route) {
  std::string_view path = req.path;
  auto under = [&](std::string_view prefix) {
    return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
  };
  if (under("/yahoo")) {
    return ServeYahoo(Context{api, now, now_us, req, path.substr(6)}, route);
  }
  if (under("/binance")) {
    return ServeBinance(Context{api, now, now_us, req, path.substr(8)}, route);
  }
  if (under("/alpha_vantage")) {
    return ServeAlphaVantage(Context{api, now, now_us, req, path.substr(14)}, route);
  }
  if (under("/coingecko")) {
    return ServeCoinGecko(Context{api, now, now_us, req, path.substr(10)}, route);
  }
  if (under("/twelve_data")) {
    return ServeTwelveData(Context{api, now, now_us, req, path.substr(12)}, route);
  }
  return std::nullopt;
}

}  // namespace finex::server::compat
