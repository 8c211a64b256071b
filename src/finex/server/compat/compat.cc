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
