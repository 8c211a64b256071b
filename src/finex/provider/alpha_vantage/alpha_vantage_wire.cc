#include "finex/provider/alpha_vantage/alpha_vantage_wire.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/alpha_vantage/alpha_vantage_facts.h"
#include "finex/provider/facts.h"

namespace finex::provider::alpha_vantage {

namespace {

using Json = nlohmann::ordered_json;

std::string Num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}
std::string P4(double v) { return Num(v, 4); }

WireAnswer JsonAnswer(const Json& j) {
  WireAnswer a;
  a.content_type = "application/json";
  a.body = j.dump();
  return a;
}

}  // namespace

std::optional<SeriesSpec> SpecFor(std::string_view function, std::string_view interval) {
  if (function == kIntradayFunction) {
    const std::optional<Interval> iv = IntervalOfWire(kFacts.intervals, interval);
    if (!iv || !IsIntraday(*iv)) return std::nullopt;
    return SeriesSpec{
        *iv,
        false,
        true,
        std::string(interval),
        "Time Series (" + std::string(interval) + ")",
        "Intraday (" + std::string(interval) + ") open, high, low, close prices and volume"};
  }
  // The object key and "1. Information" text of each daily+ series.
  struct Text {
    Interval iv;
    bool adjusted;
    const char* key;
    const char* info;
  };
  static constexpr Text kTexts[] = {
      {Interval::k1d, false, "Time Series (Daily)",
       "Daily Prices (open, high, low, close) and Volumes"},
      {Interval::k1d, true, "Time Series (Daily)",
       "Daily Time Series with Splits and Dividend Events"},
      {Interval::k1w, false, "Weekly Time Series",
       "Weekly Prices (open, high, low, close) and Volumes"},
      {Interval::k1w, true, "Weekly Adjusted Time Series", "Weekly Adjusted Prices and Volumes"},
      {Interval::k1mo, false, "Monthly Time Series",
       "Monthly Prices (open, high, low, close) and Volumes"},
      {Interval::k1mo, true, "Monthly Adjusted Time Series", "Monthly Adjusted Prices and Volumes"},
  };
  for (const Text& t : kTexts) {
    const std::string name =
        std::string(SeriesFunction(t.iv)) + std::string(t.adjusted ? kAdjustedSuffix : "");
    if (function == name) return SeriesSpec{t.iv, t.adjusted, false, "", t.key, t.info};
  }
  return std::nullopt;
}

std::string LocalDateTime(std::string_view tz, Timestamp ts) {
  auto lt = calendar::ToLocal(tz, ts);
  if (!lt.ok()) return FormatIsoUtc(ts);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d", lt->date.year, lt->date.month,
                lt->date.day, lt->seconds_of_day / 3600, lt->seconds_of_day / 60 % 60,
                lt->seconds_of_day % 60);
  return buf;
}

std::string ZoneName(std::string_view tz) {
  if (tz == "America/New_York") return std::string(kEasternZoneName);
  return std::string(tz);
}

std::string RowLabel(const calendar::Calendar& cal, const SeriesSpec& spec, Timestamp ts,
                     Timestamp now) {
  if (spec.intraday) return LocalDateTime(cal.timezone(), ts + NominalSeconds(spec.iv));
  if (spec.iv == Interval::k1d) return FormatDate(ts);
  auto days = cal.BarStarts(TimeRange{ts, std::min(NextBar(ts, spec.iv), now + 1)}, Interval::k1d);
  return FormatDate(days.empty() ? ts : days.back());
}

WireAnswer WriteSeriesJson(const SeriesAnswer& a) {
  const SeriesSpec& spec = a.spec;
  std::vector<std::pair<std::string, std::string>> meta;
  meta.emplace_back("1. Information", spec.info);
  meta.emplace_back("2. Symbol", a.symbol);
  meta.emplace_back("3. Last Refreshed", a.last_refreshed);
  int n = 4;
  if (spec.intraday) meta.emplace_back(std::to_string(n++) + ". Interval", spec.interval_text);
  if (spec.intraday || spec.iv == Interval::k1d)
    meta.emplace_back(std::to_string(n++) + ". Output Size", a.full ? "Full size" : "Compact");
  meta.emplace_back(std::to_string(n++) + ". Time Zone", a.time_zone);

  // Alpha Vantage pretty-prints with 4-space indents. Written by hand: a
  // full history holds thousands of keys, and keys are unique by construction.
  std::string out;
  out.reserve(256 + a.rows.size() * (spec.adjusted ? 330 : 200));
  out += "{\n    " + Json(kMetaDataKey).dump() + ": {\n";
  for (size_t i = 0; i < meta.size(); ++i) {
    out += "        " + Json(meta[i].first).dump() + ": " + Json(meta[i].second).dump();
    out += i + 1 < meta.size() ? ",\n" : "\n";
  }
  out += "    },\n    " + Json(spec.key).dump() + ": {";
  bool first_row = true;
  auto field = [&](const char* name, const std::string& v, bool last) {
    out += "            \"";
    out += name;
    out += "\": \"";
    out += v;
    out += last ? "\"\n" : "\",\n";
  };
  for (const SeriesRow& r : a.rows) {
    out += first_row ? "\n" : ",\n";
    first_row = false;
    out += "        " + Json(r.label).dump() + ": {\n";
    field("1. open", P4(r.open), false);
    field("2. high", P4(r.high), false);
    field("3. low", P4(r.low), false);
    field("4. close", P4(r.close), false);
    if (spec.adjusted) {
      field("5. adjusted close", P4(r.adj_close), false);
      field("6. volume", std::to_string(r.volume), false);
      const bool daily = spec.iv == Interval::k1d;
      field("7. dividend amount", P4(r.dividend), !daily);
      if (daily) field("8. split coefficient", P4(r.split), true);
    } else {
      field("5. volume", std::to_string(r.volume), true);
    }
    out += "        }";
  }
  out += first_row ? "}\n}" : "\n    }\n}";
  WireAnswer w;
  w.content_type = "application/json";
  w.body = std::move(out);
  return w;
}

WireAnswer WriteSeriesCsv(const SeriesAnswer& a) {
  const SeriesSpec& spec = a.spec;
  std::string out =
      spec.adjusted
          ? (spec.iv == Interval::k1d
                 ? "timestamp,open,high,low,close,adjusted_close,volume,dividend_amount,split_"
                   "coefficient\r\n"
                 : "timestamp,open,high,low,close,adjusted close,volume,dividend amount\r\n")
          : "timestamp,open,high,low,close,volume\r\n";
  for (const SeriesRow& r : a.rows) {
    out += r.label + "," + P4(r.open) + "," + P4(r.high) + "," + P4(r.low) + "," + P4(r.close);
    if (spec.adjusted) out += "," + P4(r.adj_close);
    out += "," + std::to_string(r.volume);
    if (spec.adjusted) {
      out += "," + P4(r.dividend);
      if (spec.iv == Interval::k1d) out += "," + P4(r.split);
    }
    out += "\r\n";
  }
  WireAnswer w;
  w.content_type = "application/x-download";
  w.body = std::move(out);
  return w;
}

WireAnswer WriteGlobalQuote(const std::optional<GlobalQuote>& q) {
  Json g = Json::object();
  if (q) {
    g["01. symbol"] = q->symbol;
    g["02. open"] = P4(q->open);
    g["03. high"] = P4(q->high);
    g["04. low"] = P4(q->low);
    g["05. price"] = P4(q->price);
    g["06. volume"] = std::to_string(q->volume);
    g["07. latest trading day"] = q->latest_trading_day;
    g["08. previous close"] = P4(q->previous_close);
    g["09. change"] = P4(q->price - q->previous_close);
    g["10. change percent"] =
        Num(q->previous_close != 0 ? (q->price - q->previous_close) / q->previous_close * 100 : 0,
            4) +
        "%";
  }
  return JsonAnswer(Json{{"Global Quote", std::move(g)}});
}

WireAnswer WriteSymbolSearch(std::span<const Match> matches) {
  Json arr = Json::array();
  for (const Match& m : matches) {
    Json o;
    o["1. symbol"] = m.symbol;
    o["2. name"] = m.name;
    o["3. type"] = m.type;
    o["4. region"] = m.region;
    o["5. marketOpen"] = m.market_open;
    o["6. marketClose"] = m.market_close;
    o["7. timezone"] = m.timezone;
    o["8. currency"] = m.currency;
    o["9. matchScore"] = Num(m.score, 4);
    arr.push_back(std::move(o));
  }
  return JsonAnswer(Json{{"bestMatches", std::move(arr)}});
}

WireAnswer ErrorMessage(std::string_view text) {
  WireAnswer a;
  a.content_type = "application/json;charset=utf-8";
  a.body = Json{{kErrorMessageKey, text}}.dump();
  return a;
}

WireAnswer InvalidCall(std::string_view function) {
  return ErrorMessage(
      "Invalid API call. Please retry or visit the documentation "
      "(https://www.alphavantage.co/documentation/) for " +
      std::string(function) + ".");
}

WireAnswer MissingKey() {
  return ErrorMessage(
      "the parameter apikey is invalid or missing. Please claim your free API key on "
      "(https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.");
}

WireAnswer UnknownFunction(std::string_view function) {
  return ErrorMessage("This API function (" + Printable(function) + ") does not exist.");
}

WireAnswer NotFoundPage() {
  WireAnswer a;
  a.status = 404;
  a.content_type = "text/html";
  a.body = "<html><body><h1>Not Found</h1></body></html>";
  return a;
}

}  // namespace finex::provider::alpha_vantage
