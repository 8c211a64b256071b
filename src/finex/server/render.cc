#include "finex/server/render.h"

#include <cmath>

#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/server/detail/json.h"

namespace finex::server {
namespace {

using detail::AppendCsvDouble;
using detail::AppendCsvField;
using detail::AppendJsonDouble;
using detail::AppendJsonInt;
using detail::AppendJsonString;
using detail::AppendJsonStringArray;

// The double columns to emit, in schema order, for a field set.
std::vector<DoubleField> ColumnsFor(FieldSet fields) {
  std::vector<DoubleField> out;
  if (fields.Has(FieldSet::kOhlcv)) {
    out = {DoubleField::kOpen, DoubleField::kHigh, DoubleField::kLow, DoubleField::kClose};
  }
  if (fields.Has(FieldSet::kAdjClose)) out.push_back(DoubleField::kAdjClose);
  if (fields.Has(FieldSet::kMarketCap)) out.push_back(DoubleField::kMarketCap);
  return out;
}

template <typename Fn>
void JsonArray(std::string& out, std::string_view name, size_t n, Fn&& each) {
  AppendJsonString(out, name);
  out += ":[";
  for (size_t i = 0; i < n; ++i) {
    if (i) out.push_back(',');
    each(i);
  }
  out.push_back(']');
}

void AppendStringColumn(std::string& out, std::string_view name, const StringColumn& c) {
  // Dictionary-encoded: quote each dictionary entry once.
  std::vector<std::string> quoted;
  quoted.reserve(c.dictionary().size());
  for (const std::string& s : c.dictionary()) quoted.push_back(detail::JsonQuote(s));
  JsonArray(out, name, c.size(), [&](size_t i) { out += quoted[c.code(i)]; });
}

// The one value every row holds; "" when rows differ or there are none.
std::string_view UniformValue(const StringColumn& c) {
  if (c.size() == 0) return {};
  const std::string_view first = c[0];
  for (size_t i = 1; i < c.size(); ++i) {
    if (c.code(i) != c.code(0) && c[i] != first) return {};
  }
  return first;
}

// `frame` fills in what the engine left unresolved (the currency or provider
// it did not pin), so the echo says what was served, not what was asked.
void AppendQueryJson(std::string& out, const HistoryParams& p, const cache::ResolvedQuery& rq,
                     const Frame& frame) {
  out += "\"query\":{\"symbols\":";
  AppendJsonStringArray(out, rq.symbols.empty() ? p.symbols : rq.symbols);
  const bool resolved = rq.end != 0 || rq.start != 0;
  const Timestamp start = resolved ? rq.start : p.start;
  const Timestamp end = resolved ? rq.end : p.end;
  out += ",\"interval\":";
  AppendJsonString(out, IntervalName(resolved ? rq.interval : p.options.interval));
  out += ",\"start\":";
  AppendJsonString(out, FormatIsoUtc(start));
  out += ",\"end\":";
  AppendJsonString(out, FormatIsoUtc(end));
  out += ",\"start_ts\":";
  AppendJsonInt(out, start);
  out += ",\"end_ts\":";
  AppendJsonInt(out, end);
  auto pick = [](std::string_view resolved, std::string_view asked, std::string_view served) {
    return !resolved.empty() ? resolved : !asked.empty() ? asked : served;
  };
  out += ",\"provider\":";
  AppendJsonString(out, pick(rq.provider, p.options.provider, UniformValue(frame.provider())));
  out += ",\"currency\":";
  AppendJsonString(out, pick(rq.currency, p.options.currency, UniformValue(frame.currency())));
  out += ",\"fields\":";
  AppendJsonString(out, (resolved ? rq.fields : p.options.fields).Name());
  if (!p.options.period.empty()) {
    out += ",\"period\":";
    AppendJsonString(out, p.options.period);
  }
  out += ",\"format\":";
  AppendJsonString(out, FormatName(p.format));
  out.push_back('}');
}

std::string CsvHeader(const std::vector<DoubleField>& cols, bool volume) {
  std::string h = "symbol,timestamp";
  for (size_t i = 0; i < cols.size(); ++i) {
    h.push_back(',');
    h += DoubleFieldName(cols[i]);
    if (cols[i] == DoubleField::kClose && volume) h += ",volume";
  }
  h += ",provider,currency,timezone\n";
  return h;
}

}  // namespace

void AppendCacheInfoJson(std::string& out, const cache::CacheInfo& info) {
  out += "\"cache_info\":{\"hit_rate\":";
  AppendJsonDouble(out, info.hit_rate);
  out += ",\"cache_keys_used\":";
  AppendJsonStringArray(out, info.cache_keys_used);
  out += ",\"api_calls_made\":";
  AppendJsonInt(out, info.api_calls_made);
  out += ",\"response_time_ms\":";
  AppendJsonDouble(out, std::round(info.response_time_ms * 1000) / 1000);
  out += ",\"data_freshness_s\":";
  AppendJsonDouble(out, std::round(info.data_freshness_s * 10) / 10);
  out += ",\"data_freshness\":";
  AppendJsonString(out, detail::HumanAge(info.data_freshness_s));
  out += ",\"stale\":";
  out += info.stale ? "true" : "false";
  if (!info.note.empty()) {
    out += ",\"note\":";
    AppendJsonString(out, info.note);
  }
  if (!info.conversions.empty()) {
    out += ",\"currency_conversions\":[";
    for (size_t i = 0; i < info.conversions.size(); ++i) {
      const cache::CurrencyConversion& c = info.conversions[i];
      out += i ? ",{\"symbol\":" : "{\"symbol\":";
      AppendJsonString(out, c.symbol);
      out += ",\"from\":";
      AppendJsonString(out, c.from);
      out += ",\"to\":";
      AppendJsonString(out, c.to);
      out += ",\"fx_symbol\":";
      AppendJsonString(out, c.fx_symbol);
      out += ",\"fx_interval\":";
      AppendJsonString(out, IntervalName(c.fx_interval));
      out += ",\"fx_keys\":";
      AppendJsonStringArray(out, c.fx_keys);
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
}

void AppendCacheInfoHeaders(http::Headers& h, const cache::CacheInfo& info) {
  std::string v;
  AppendJsonDouble(v, info.hit_rate);
  h.emplace_back("X-Finex-Hit-Rate", v);
  h.emplace_back("X-Finex-Api-Calls", std::to_string(info.api_calls_made));
  std::string keys;
  for (const auto& k : info.cache_keys_used) {
    if (keys.size() + k.size() + 1 > 4000) {
      keys += ",...";
      break;
    }
    if (!keys.empty()) keys.push_back(',');
    keys += k;
  }
  h.emplace_back("X-Finex-Cache-Keys", keys);
  v.clear();
  AppendJsonDouble(v, std::round(info.response_time_ms * 1000) / 1000);
  h.emplace_back("X-Finex-Response-Time-Ms", v);
  v.clear();
  AppendJsonDouble(v, std::round(info.data_freshness_s * 10) / 10);
  h.emplace_back("X-Finex-Freshness-S", v);
  if (info.stale) h.emplace_back("X-Finex-Stale", "1");
  if (!info.conversions.empty()) {  // "AAPL usd>eur USDEUR=X 1d, ..."
    std::string conv;
    for (const cache::CurrencyConversion& c : info.conversions) {
      if (!conv.empty()) conv += ", ";
      conv += c.symbol + " " + c.from + ">" + c.to;
      if (!c.fx_symbol.empty())
        conv += " " + c.fx_symbol + " " + std::string(IntervalName(c.fx_interval));
    }
    h.emplace_back("X-Finex-Currency-Conversions", conv);
  }
}

std::string RenderHistoryJson(const cache::HistoryResult& r, const HistoryParams& p) {
  const FramePtr frame = r.frame ? r.frame : Frame::Empty(p.options.fields);
  const Frame& f = *frame;
  const FieldSet fields = r.query.fields.empty() ? p.options.fields : r.query.fields;
  const auto cols = ColumnsFor(fields);
  const size_t n = f.rows();
  std::string out;
  out.reserve(256 + n * (24 + 20 * (cols.size() + 1)));
  out += "{\"data\":{";
  AppendStringColumn(out, "symbol", f.symbol());
  out.push_back(',');
  const auto ts = f.timestamps().values();
  JsonArray(out, "timestamp", n, [&](size_t i) { AppendJsonInt(out, ts[i]); });
  for (DoubleField c : cols) {
    out.push_back(',');
    const DoubleColumn& col = f.column(c);
    JsonArray(out, DoubleFieldName(c), n, [&](size_t i) {
      if (col.IsValid(i))
        AppendJsonDouble(out, col[i]);
      else
        out += "null";
    });
    if (c == DoubleField::kClose) {
      out.push_back(',');
      const Int64Column& vol = f.volume();
      JsonArray(out, "volume", n, [&](size_t i) {
        if (vol.IsValid(i))
          AppendJsonInt(out, vol[i]);
        else
          out += "null";
      });
    }
  }
  out.push_back(',');
  AppendStringColumn(out, "provider", f.provider());
  out.push_back(',');
  AppendStringColumn(out, "currency", f.currency());
  out.push_back(',');
  AppendStringColumn(out, "timezone", f.timezone());
  out += "},";
  AppendCacheInfoJson(out, r.info);
  out.push_back(',');
  AppendQueryJson(out, p, r.query, f);
  out.push_back('}');
  return out;
}

std::string RenderHistoryCsv(const cache::HistoryResult& r, const HistoryParams& p) {
  const FramePtr frame = r.frame ? r.frame : Frame::Empty(p.options.fields);
  const Frame& f = *frame;
  const FieldSet fields = r.query.fields.empty() ? p.options.fields : r.query.fields;
  const auto cols = ColumnsFor(fields);
  const bool volume = fields.Has(FieldSet::kOhlcv);
  std::string out = CsvHeader(cols, volume);
  out.reserve(out.size() + f.rows() * (24 + 14 * (cols.size() + 1)));
  const auto ts = f.timestamps().values();
  for (size_t i = 0; i < f.rows(); ++i) {
    AppendCsvField(out, f.symbol()[i]);
    out.push_back(',');
    AppendJsonInt(out, ts[i]);
    for (DoubleField c : cols) {
      out.push_back(',');
      const DoubleColumn& col = f.column(c);
      if (col.IsValid(i)) AppendCsvDouble(out, col[i]);
      if (c == DoubleField::kClose && volume) {
        out.push_back(',');
        if (f.volume().IsValid(i)) AppendJsonInt(out, f.volume()[i]);
      }
    }
    out.push_back(',');
    AppendCsvField(out, f.provider()[i]);
    out.push_back(',');
    AppendCsvField(out, f.currency()[i]);
    out.push_back(',');
    AppendCsvField(out, f.timezone()[i]);
    out.push_back('\n');
  }
  return out;
}

std::string RenderQuotesJson(const cache::QuoteResult& r, const QuoteParams& p) {
  const auto& q = r.quotes;
  std::string out;
  out.reserve(512 + q.size() * 200);
  out += "{\"data\":{";
  JsonArray(out, "symbol", q.size(), [&](size_t i) { AppendJsonString(out, q[i].symbol); });
  out.push_back(',');
  JsonArray(out, "price", q.size(), [&](size_t i) { AppendJsonDouble(out, q[i].price); });
  out.push_back(',');
  JsonArray(out, "change", q.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, q[i].change); });
  out.push_back(',');
  JsonArray(out, "change_percent", q.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, q[i].change_percent); });
  out.push_back(',');
  JsonArray(out, "volume", q.size(), [&](size_t i) { detail::AppendJsonOptInt(out, q[i].volume); });
  out.push_back(',');
  JsonArray(out, "high_24h", q.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, q[i].high_24h); });
  out.push_back(',');
  JsonArray(out, "low_24h", q.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, q[i].low_24h); });
  out.push_back(',');
  JsonArray(out, "market_cap", q.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, q[i].market_cap); });
  out.push_back(',');
  JsonArray(out, "timestamp", q.size(), [&](size_t i) { AppendJsonInt(out, q[i].timestamp); });
  out.push_back(',');
  JsonArray(out, "provider", q.size(), [&](size_t i) { AppendJsonString(out, q[i].provider); });
  out.push_back(',');
  JsonArray(out, "currency", q.size(), [&](size_t i) { AppendJsonString(out, q[i].currency); });
  out.push_back(',');
  JsonArray(out, "market_state", q.size(),
            [&](size_t i) { AppendJsonString(out, q[i].market_state); });
  out += "},";
  AppendCacheInfoJson(out, r.info);
  out += ",\"query\":{\"symbols\":";
  AppendJsonStringArray(out, p.symbols);
  out += ",\"provider\":";
  // Asked for, else the one provider every quote came from.
  std::string_view provider = p.options.provider;
  if (provider.empty() && !q.empty()) {
    provider = q[0].provider;
    for (const Quote& x : q) {
      if (x.provider != provider) provider = {};
    }
  }
  AppendJsonString(out, provider);
  out += ",\"format\":";
  AppendJsonString(out, FormatName(p.format));
  out += "}}";
  return out;
}

std::string RenderQuotesCsv(const cache::QuoteResult& r) {
  std::string out =
      "symbol,price,change,change_percent,volume,high_24h,low_24h,market_cap,timestamp,provider,"
      "currency,market_state\n";
  for (const Quote& q : r.quotes) {
    AppendCsvField(out, q.symbol);
    out.push_back(',');
    AppendCsvDouble(out, q.price);
    for (const auto& v : {q.change, q.change_percent}) {
      out.push_back(',');
      if (v) AppendCsvDouble(out, *v);
    }
    out.push_back(',');
    if (q.volume) AppendJsonInt(out, *q.volume);
    for (const auto& v : {q.high_24h, q.low_24h, q.market_cap}) {
      out.push_back(',');
      if (v) AppendCsvDouble(out, *v);
    }
    out.push_back(',');
    AppendJsonInt(out, q.timestamp);
    out.push_back(',');
    AppendCsvField(out, q.provider);
    out.push_back(',');
    AppendCsvField(out, q.currency);
    out.push_back(',');
    AppendCsvField(out, q.market_state);
    out.push_back('\n');
  }
  return out;
}

std::string RenderSearchJson(const cache::SearchResults& r, const SearchParams& p) {
  const auto& s = r.results;
  std::string out;
  out.reserve(512 + s.size() * 200);
  out += "{\"data\":{";
  auto str_col = [&](std::string_view name, std::string SearchResult::*m) {
    JsonArray(out, name, s.size(), [&](size_t i) { AppendJsonString(out, s[i].*m); });
    out.push_back(',');
  };
  str_col("symbol", &SearchResult::symbol);
  str_col("name", &SearchResult::name);
  str_col("type", &SearchResult::type);
  str_col("exchange", &SearchResult::exchange);
  str_col("currency", &SearchResult::currency);
  str_col("country", &SearchResult::country);
  str_col("sector", &SearchResult::sector);
  str_col("industry", &SearchResult::industry);
  JsonArray(out, "market_cap", s.size(),
            [&](size_t i) { detail::AppendJsonOptDouble(out, s[i].market_cap); });
  out.push_back(',');
  str_col("provider", &SearchResult::provider);
  JsonArray(out, "match_score", s.size(),
            [&](size_t i) { AppendJsonDouble(out, s[i].match_score); });
  out += "},";
  AppendCacheInfoJson(out, r.info);
  out += ",\"query\":{\"q\":";
  AppendJsonString(out, p.q);
  out += ",\"provider\":";
  AppendJsonString(out, p.options.provider);
  out += ",\"limit\":";
  AppendJsonInt(out, static_cast<int64_t>(p.options.limit));
  out += ",\"format\":";
  AppendJsonString(out, FormatName(p.format));
  out += "}}";
  return out;
}

std::string RenderSearchCsv(const cache::SearchResults& r) {
  std::string out =
      "symbol,name,type,exchange,currency,country,sector,industry,market_cap,provider,match_"
      "score\n";
  for (const SearchResult& s : r.results) {
    for (const std::string* v : {&s.symbol, &s.name, &s.type, &s.exchange, &s.currency, &s.country,
                                 &s.sector, &s.industry}) {
      AppendCsvField(out, *v);
      out.push_back(',');
    }
    if (s.market_cap) AppendCsvDouble(out, *s.market_cap);
    out.push_back(',');
    AppendCsvField(out, s.provider);
    out.push_back(',');
    AppendCsvDouble(out, s.match_score);
    out.push_back('\n');
  }
  return out;
}

namespace {

void AppendNamedCounts(std::string& out, std::string_view name,
                       const std::vector<cache::NamedCount>& v) {
  AppendJsonString(out, name);
  out += ":{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    AppendJsonString(out, v[i].name);
    out += ":{\"hits\":";
    AppendJsonInt(out, static_cast<int64_t>(v[i].hits));
    out += ",\"misses\":";
    AppendJsonInt(out, static_cast<int64_t>(v[i].misses));
    const uint64_t total = v[i].hits + v[i].misses;
    out += ",\"hit_rate\":";
    AppendJsonDouble(out,
                     total ? static_cast<double>(v[i].hits) / static_cast<double>(total) : 0.0);
    out += ",\"api_calls\":";
    AppendJsonInt(out, static_cast<int64_t>(v[i].api_calls));
    out.push_back('}');
  }
  out.push_back('}');
}

void Num(std::string& out, std::string_view name, double v, bool first = false) {
  if (!first) out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonDouble(out, v);
}
void Int(std::string& out, std::string_view name, uint64_t v) {
  out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonInt(out, static_cast<int64_t>(v));
}

}  // namespace

std::string RenderStatsJson(const cache::CacheStats& s, const ServerFigures& f) {
  std::string out = "{";
  AppendJsonString(out, "hits");
  out.push_back(':');
  AppendJsonInt(out, static_cast<int64_t>(s.hits));
  Int(out, "misses", s.misses);
  Num(out, "hit_rate", s.hit_rate);
  Int(out, "api_calls", s.api_calls);
  Int(out, "api_calls_saved", s.api_calls_saved);
  Num(out, "reduction", s.reduction);
  out.push_back(',');
  AppendNamedCounts(out, "by_provider", s.by_provider);
  out.push_back(',');
  AppendNamedCounts(out, "by_symbol", s.by_symbol);
  Int(out, "fragments", s.fragments);
  Int(out, "bytes", s.bytes);
  Int(out, "evictions", s.evictions);
  Int(out, "bonus_rows_reused", s.bonus_rows_reused);
  Int(out, "rows_served", s.rows_served);
  Int(out, "rows_stored", s.rows_stored);
  Int(out, "validation_rejects", s.validation_rejects);
  Num(out, "p50_ms", s.p50_ms);
  Num(out, "p99_ms", s.p99_ms);
  Int(out, "memory_bytes", s.memory_bytes);
  Int(out, "memory_budget_bytes", s.memory_budget_bytes);
  out += ",\"providers\":[";
  for (size_t i = 0; i < s.providers.size(); ++i) {
    if (i) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(out, s.providers[i].name);
    out += ",\"breaker\":";
    AppendJsonString(out, s.providers[i].breaker);
    Num(out, "score", s.providers[i].score);
    if (s.providers[i].daily_calls_remaining >= 0)
      Int(out, "daily_calls_remaining",
          static_cast<uint64_t>(s.providers[i].daily_calls_remaining));
    out.push_back('}');
  }
  out += "],\"utilization\":[";
  for (size_t i = 0; i < s.utilization.size(); ++i) {
    const cache::UtilizationStats& u = s.utilization[i];
    if (i) out.push_back(',');
    out += "{\"provider\":";
    AppendJsonString(out, u.provider);
    out += ",\"interval\":";
    AppendJsonString(out, IntervalName(u.interval));
    Int(out, "rows_stored", u.rows_stored);
    Int(out, "rows_served", u.rows_served);
    Num(out, "utilization", u.utilization);
    Int(out, "bonus_rows_stored", u.bonus_rows_stored);
    Int(out, "bonus_rows_reused", u.bonus_rows_reused);
    Int(out, "fetches", u.fetches);
    Int(out, "rows_asked", u.rows_asked);
    Int(out, "rows_received", u.rows_received);
    Num(out, "coverage", u.coverage);
    out.push_back('}');
  }
  out += "],\"server\":{";
  AppendJsonString(out, "requests");
  out.push_back(':');
  AppendJsonInt(out, static_cast<int64_t>(f.requests));
  Int(out, "answer_cache_hits", f.answer_cache_hits);
  Int(out, "answer_cache_misses", f.answer_cache_misses);
  Int(out, "answer_cache_entries", f.answer_cache_entries);
  Int(out, "answer_cache_bytes", f.answer_cache_bytes);
  Num(out, "p50_ms", f.p50_ms);
  Num(out, "p95_ms", f.p95_ms);
  Num(out, "p99_ms", f.p99_ms);
  Num(out, "uptime_s", f.uptime_s);
  out += "}}";
  return out;
}

std::string RenderWarmStatusJson(const cache::WarmStatus& w) {
  std::string out = "{\"id\":";
  AppendJsonString(out, w.id);
  out += ",\"state\":";
  AppendJsonString(out, w.state);
  out += ",\"completed\":";
  AppendJsonInt(out, w.completed);
  out += ",\"total\":";
  AppendJsonInt(out, w.total);
  out += ",\"errors\":";
  AppendJsonStringArray(out, w.errors);
  out.push_back('}');
  return out;
}

}  // namespace finex::server
