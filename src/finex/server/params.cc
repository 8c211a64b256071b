#include "finex/server/params.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/provider_id.h"
#include "finex/core/symbol.h"
#include "finex/server/detail/json.h"

namespace finex::server {
namespace {

Status Bad(std::string_view param, std::string message) {
  return InvalidArgumentError(std::move(message)).WithParam(std::string(param));
}

// Rejects parameters outside `allowed` and repeated parameters.
Status CheckNames(const QueryParams& q, std::initializer_list<std::string_view> allowed) {
  for (size_t i = 0; i < q.size(); ++i) {
    const std::string& name = q[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      return Bad(Printable(name, 32),
                 "unknown parameter '" + Printable(name, 32) + "'; this route takes: " + list);
    }
    for (size_t j = 0; j < i; ++j) {
      if (q[j].first == name) return Bad(name, "parameter '" + name + "' is given more than once");
    }
  }
  return OkStatus();
}

const std::string* Find(const QueryParams& q, std::string_view name) {
  for (const auto& [k, v] : q) {
    if (k == name) return &v;
  }
  return nullptr;
}

Result<Format> ParseFormat(const QueryParams& q, bool allow_parquet) {
  const std::string* f = Find(q, "format");
  if (!f || *f == "json") return Format::kJson;
  if (*f == "csv") return Format::kCsv;
  if (*f == "parquet") {
    if (!allow_parquet) {
      return Bad("format", "format=parquet is available for /v1/history only; use json or csv");
    }
    return Format::kParquet;
  }
  return Bad("format", "format '" + Printable(*f, 16) + "' is not one of json csv" +
                           (allow_parquet ? " parquet" : ""));
}

Result<std::string> ParseProvider(const QueryParams& q) {
  const std::string* p = Find(q, "provider");
  if (!p || p->empty()) return std::string();
  if (!IsKnownProvider(*p)) {
    return Bad("provider", "provider '" + Printable(*p, 32) + "' is not one of " +
                               std::string(KnownProviderList()));
  }
  return *p;
}

Result<std::vector<std::string>> ParseSymbols(const QueryParams& q, const ParamLimits& limits) {
  const std::string* s = Find(q, "symbols");
  if (!s || s->empty()) {
    return Bad("symbols", "missing required parameter 'symbols' (e.g. symbols=AAPL,MSFT)");
  }
  auto r = ParseSymbolList(*s, limits.max_symbols);
  if (!r.ok()) {
    Status st = r.status();
    if (st.details().param.empty()) st = st.WithParam("symbols");
    return st;
  }
  return r;
}

// In a query string '+' means a space, so an unescaped zone offset
// (start=2024-01-02T09:30:00+01:00) arrives as "...T09:30:00 01:00": read
// that space back as the '+' the user typed.
std::string RestorePlusZone(std::string v) {
  const size_t t = v.find('T');
  const size_t sp = v.rfind(' ');
  if (t != std::string::npos && sp != std::string::npos && sp > t && sp + 1 < v.size() &&
      std::isdigit(static_cast<unsigned char>(v[sp + 1])) && v.find(' ') == sp) {
    v[sp] = '+';
  }
  return v;
}

void AppendJoined(std::string& out, const std::vector<std::string>& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    out += v[i];
  }
}

}  // namespace

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kJson:
      return "json";
    case Format::kCsv:
      return "csv";
    case Format::kParquet:
      return "parquet";
  }
  return "json";
}

bool IsKnownProvider(std::string_view name) { return IsProviderName(name); }

std::string_view KnownProviderList() {
  static const std::string* const kList = new std::string(JoinProviderNames(", "));
  return *kList;
}

std::string HistoryParams::Key() const {
  std::string k = "h|";
  AppendJoined(k, symbols);
  k += '|';
  k += IntervalName(options.interval);
  k += '|';
  if (options.period.empty()) {
    k += std::to_string(start) + '|' + std::to_string(end);
  } else {
    k += "p=" + options.period + '|' + (options.end ? std::to_string(*options.end) : "now");
  }
  k += '|' + options.provider + '|' + options.currency + '|' + options.fields.Name() + '|';
  k += FormatName(format);
  return k;
}

std::string QuoteParams::Key() const {
  std::string k = "q|";
  AppendJoined(k, symbols);
  k += '|' + options.provider + '|';
  k += FormatName(format);
  return k;
}

std::string SearchParams::Key() const {
  return "s|" + q + '|' + options.provider + '|' + std::to_string(options.limit) + '|' +
         std::string(FormatName(format));
}

Result<HistoryParams> ParseHistoryParams(const QueryParams& q, const ParamLimits& limits,
                                         Timestamp now) {
  FINEX_RETURN_IF_ERROR(CheckNames(q, {"symbols", "interval", "start", "end", "period", "provider",
                                       "currency", "fields", "format"}));
  HistoryParams p;
  FINEX_ASSIGN_OR_RETURN(p.symbols, ParseSymbols(q, limits));
  if (const std::string* iv = Find(q, "interval"); iv && !iv->empty()) {
    auto r = ParseInterval(*iv);
    if (!r.ok()) {
      return Bad("interval",
                 "interval '" + Printable(*iv, 16) + "' is not one of 1m 5m 15m 30m 1h 1d 1w 1mo");
    }
    p.options.interval = *r;
  }
  const std::string* start = Find(q, "start");
  const std::string* end = Find(q, "end");
  const std::string* period = Find(q, "period");
  if (start && start->empty()) start = nullptr;
  if (end && end->empty()) end = nullptr;
  if (period && period->empty()) period = nullptr;
  if (period && start) {
    return Bad("period", "give either period or start, not both");
  }
  if (end) {
    auto r = ParseTime(RestorePlusZone(*end), TimeBound::kEnd);
    if (!r.ok()) return Bad("end", "end '" + Printable(*end, 40) + "': " + r.status().message());
    p.end = *r;
    p.options.end = *r;
  } else {
    p.end = now;
  }
  if (start) {
    auto r = ParseTime(RestorePlusZone(*start), TimeBound::kStart);
    if (!r.ok()) {
      return Bad("start", "start '" + Printable(*start, 40) + "': " + r.status().message());
    }
    p.start = *r;
    p.options.start = *r;
    p.start_given = true;
  } else if (period) {
    auto r = ResolvePeriodStart(*period, p.end);
    if (!r.ok()) {
      return Bad("period", "period '" + Printable(*period, 16) +
                               "' is not one of 1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max "
                               "(or any Nd, Nwk, Nmo, Ny)");
    }
    p.start = *r;
    p.options.period = *period;
  } else {
    p.start = p.end - 365 * kSecondsPerDay;
    p.options.start = p.start;
  }
  if (p.start > p.end) {
    return Bad(start ? "start" : "period",
               "start " + FormatIsoUtc(p.start) + " is after end " + FormatIsoUtc(p.end));
  }
  FINEX_ASSIGN_OR_RETURN(p.options.provider, ParseProvider(q));
  if (const std::string* c = Find(q, "currency"); c && !c->empty()) {
    if (c->size() < 3 || c->size() > 5 || !std::all_of(c->begin(), c->end(), [](char ch) {
          return std::isalpha(static_cast<unsigned char>(ch));
        })) {
      return Bad("currency", "currency '" + Printable(*c, 16) +
                                 "' is not a currency code (3 to 5 letters, e.g. usd)");
    }
    std::string lower = *c;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    p.options.currency = lower;
  }
  if (const std::string* f = Find(q, "fields"); f && !f->empty()) {
    auto r = FieldSet::Parse(*f);
    if (!r.ok()) {
      return Bad("fields", "fields '" + Printable(*f, 40) + "': " + r.status().message() +
                               " (known: ohlcv, adj_close, market_cap)");
    }
    p.options.fields = *r;
  }
  FINEX_ASSIGN_OR_RETURN(p.format, ParseFormat(q, /*allow_parquet=*/true));

  const int64_t per_symbol = (p.end - p.start) / NominalSeconds(p.options.interval) + 1;
  p.estimated_rows = per_symbol * static_cast<int64_t>(p.symbols.size());
  if (p.estimated_rows > limits.max_rows) {
    return OutOfRangeError(
               "the answer could hold up to " + std::to_string(p.estimated_rows) + " rows (" +
               std::to_string(per_symbol) + " " + std::string(IntervalName(p.options.interval)) +
               " bars from " + FormatIsoUtc(p.start) + " to " + FormatIsoUtc(p.end) + " × " +
               std::to_string(p.symbols.size()) + " symbols); the limit is " +
               std::to_string(limits.max_rows) +
               " rows per answer: narrow start/end, use a coarser interval or fewer symbols")
        .WithParam(start ? "start" : (period ? "period" : "interval"));
  }
  return p;
}

Result<QuoteParams> ParseQuoteParams(const QueryParams& q, const ParamLimits& limits) {
  FINEX_RETURN_IF_ERROR(CheckNames(q, {"symbols", "provider", "format"}));
  QuoteParams p;
  FINEX_ASSIGN_OR_RETURN(p.symbols, ParseSymbols(q, limits));
  FINEX_ASSIGN_OR_RETURN(p.options.provider, ParseProvider(q));
  FINEX_ASSIGN_OR_RETURN(p.format, ParseFormat(q, /*allow_parquet=*/false));
  return p;
}

Result<SearchParams> ParseSearchParams(const QueryParams& q, const ParamLimits& limits) {
  FINEX_RETURN_IF_ERROR(CheckNames(q, {"q", "provider", "format", "limit"}));
  SearchParams p;
  const std::string* text = Find(q, "q");
  if (!text) return Bad("q", "missing required parameter 'q' (e.g. q=apple)");
  std::string_view t = *text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.empty()) return Bad("q", "parameter 'q' is empty");
  if (t.size() > limits.max_search_chars) {
    return Bad(
        "q", "parameter 'q' is longer than " + std::to_string(limits.max_search_chars) + " bytes");
  }
  if (!detail::IsValidUtf8(t)) return Bad("q", "parameter 'q' is not valid UTF-8");
  for (char c : t) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return Bad("q", "parameter 'q' contains control characters");
    }
  }
  p.q = std::string(t);
  FINEX_ASSIGN_OR_RETURN(p.options.provider, ParseProvider(q));
  FINEX_ASSIGN_OR_RETURN(p.format, ParseFormat(q, /*allow_parquet=*/false));
  if (const std::string* l = Find(q, "limit"); l && !l->empty()) {
    int v = 0;
    bool ok = l->size() <= 3 && std::all_of(l->begin(), l->end(), ::isdigit);
    if (ok) v = std::stoi(*l);
    if (!ok || v < 1 || v > 100) {
      return Bad("limit", "limit '" + Printable(*l, 8) + "' is not a number from 1 to 100");
    }
    p.options.limit = static_cast<size_t>(v);
  }
  return p;
}

namespace {

Result<Timestamp> WarmTime(const nlohmann::json& v, std::string_view what, TimeBound bound) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    auto r = ParseTime(v.get_ref<const std::string&>(), bound);
    if (!r.ok()) return Bad("ranges", std::string(what) + ": " + r.status().message());
    return *r;
  }
  return Bad("ranges", std::string(what) + " must be an ISO date/datetime string or epoch seconds");
}

}  // namespace

Result<cache::WarmRequest> ParseWarmBody(std::string_view body, const ParamLimits& limits) {
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("body", "request body is not valid JSON");
  if (!j.is_object()) return Bad("body", "request body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "symbols" && k != "intervals" && k != "ranges" && k != "provider") {
      return Bad("body", "unknown member '" + Printable(k, 32) +
                             "'; expected symbols, intervals, ranges, provider");
    }
  }
  cache::WarmRequest req;
  auto syms = j.find("symbols");
  if (syms == j.end() || !syms->is_array() || syms->empty()) {
    return Bad("symbols", "'symbols' must be a non-empty array of symbols");
  }
  if (syms->size() > limits.max_symbols) {
    return Bad("symbols",
               "at most " + std::to_string(limits.max_symbols) + " symbols per warm job");
  }
  for (const auto& s : *syms) {
    if (!s.is_string()) return Bad("symbols", "'symbols' must hold strings");
    const std::string& sym = s.get_ref<const std::string&>();
    Status st = ValidateSymbol(sym);
    if (!st.ok()) return Bad("symbols", st.message());
    if (std::find(req.symbols.begin(), req.symbols.end(), sym) != req.symbols.end()) {
      return Bad("symbols", "symbol '" + sym + "' is listed twice");
    }
    req.symbols.push_back(sym);
  }
  auto ivs = j.find("intervals");
  if (ivs == j.end()) {
    req.intervals.push_back(Interval::k1d);
  } else {
    if (!ivs->is_array() || ivs->empty() || ivs->size() > kAllIntervals.size()) {
      return Bad("intervals", "'intervals' must be an array of 1 to 8 intervals");
    }
    for (const auto& v : *ivs) {
      if (!v.is_string()) return Bad("intervals", "'intervals' must hold strings such as \"1d\"");
      auto r = ParseInterval(v.get_ref<const std::string&>());
      if (!r.ok()) {
        return Bad("intervals", "interval '" + Printable(v.get_ref<const std::string&>(), 16) +
                                    "' is not one of 1m 5m 15m 30m 1h 1d 1w 1mo");
      }
      req.intervals.push_back(*r);
    }
  }
  auto ranges = j.find("ranges");
  if (ranges == j.end() || !ranges->is_array() || ranges->empty() || ranges->size() > 32) {
    return Bad("ranges", "'ranges' must be an array of 1 to 32 {\"start\":..,\"end\":..} objects");
  }
  for (const auto& r : *ranges) {
    if (!r.is_object() || !r.contains("start") || !r.contains("end")) {
      return Bad("ranges", "each range must be an object with 'start' and 'end'");
    }
    FINEX_ASSIGN_OR_RETURN(Timestamp s, WarmTime(r["start"], "start", TimeBound::kStart));
    FINEX_ASSIGN_OR_RETURN(Timestamp e, WarmTime(r["end"], "end", TimeBound::kEnd));
    if (s > e) {
      return Bad("ranges", "range start " + FormatIsoUtc(s) + " is after end " + FormatIsoUtc(e));
    }
    req.ranges.emplace_back(s, e);
  }
  if (auto p = j.find("provider"); p != j.end()) {
    if (!p->is_string() || !IsKnownProvider(p->get_ref<const std::string&>())) {
      return Bad("provider", "provider must be one of " + std::string(KnownProviderList()));
    }
    req.provider = p->get<std::string>();
  }
  return req;
}

}  // namespace finex::server
