#include "finex/provider/twelve_data/twelve_data_wire.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "finex/core/symbol.h"
#include "finex/provider/twelve_data/twelve_data_facts.h"

namespace finex::provider::twelve_data {

namespace {

using Json = nlohmann::ordered_json;

std::string P5(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.5f", v);
  return buf;
}

WireAnswer JsonAnswer(int status, const Json& j) {
  WireAnswer a;
  a.status = status;
  a.content_type = "application/json; charset=utf-8";
  a.body = j.dump();
  return a;
}

Json ErrorJson(int code, std::string_view message) {
  return Json{{kErrorCodeKey, code}, {kErrorMessageKey, message}, {kStatusKey, kStatusError}};
}

constexpr const char* kCryptoBases[] = {"BTC", "ETH", "SOL", "XRP", "DOGE",
                                        "ADA", "BNB", "LTC", "DOT", "AVAX"};

Json SeriesJson(const Series& s) {
  if (s.error) return ErrorJson(s.error->first, s.error->second);
  Json values = Json::array();
  for (const Value& v : s.values) {
    Json o;
    o["datetime"] = v.datetime;
    o["open"] = P5(v.open);
    o["high"] = P5(v.high);
    o["low"] = P5(v.low);
    o["close"] = P5(v.close);
    if (!s.meta.fx) o["volume"] = std::to_string(v.volume);
    values.push_back(std::move(o));
  }
  const Instrument& in = s.meta;
  Json meta;
  meta["symbol"] = in.symbol;
  meta["interval"] = s.interval;
  if (in.fx) {
    const size_t slash = in.symbol.find('/');
    meta["currency_base"] = in.symbol.substr(0, slash);
    meta["currency_quote"] = slash == std::string::npos ? "" : in.symbol.substr(slash + 1);
  } else {
    meta["currency"] = in.currency;
  }
  meta["exchange_timezone"] = in.exchange_timezone;
  meta["exchange"] = in.exchange;
  meta["mic_code"] = in.mic_code;
  meta["type"] = in.type;
  return Json{{"meta", std::move(meta)}, {"values", std::move(values)}, {"status", "ok"}};
}

}  // namespace

std::string CanonicalSymbol(std::string_view td) {
  const size_t slash = td.find('/');
  if (slash == std::string_view::npos) return std::string(td);
  const std::string base(td.substr(0, slash)), quote(td.substr(slash + 1));
  for (const char* c : kCryptoBases) {
    if (base == c) return base + "-" + quote;
  }
  return base + quote + "=X";
}

std::string ExchangeName(std::string_view code) {
  if (code == "XNAS") return "NASDAQ";
  if (code == "XNYS") return "NYSE";
  if (code == "XLON") return "LSE";
  if (code == "XETR") return "XETR";
  if (code == "XPAR") return "Euronext";
  if (code == "XTKS") return "JPX";
  if (code == "XHKG") return "HKEX";
  if (code == "XASX") return "ASX";
  if (code == "CRYPTO") return "Coinbase Pro";
  return "Forex";
}

std::string MicCode(std::string_view code) {
  if (code == "XNAS") return "XNGS";
  return std::string(code);
}

std::string TypeName(std::string_view type) {
  if (type == "EQUITY") return "Common Stock";
  if (type == "ETF") return "ETF";
  if (type == "INDEX") return "Index";
  if (type == "CRYPTOCURRENCY") return "Digital Currency";
  if (type == "CURRENCY") return "Physical Currency";
  return std::string(type);
}

WireAnswer WriteSeries(const Series& s) {
  return JsonAnswer(s.error ? s.error->first : 200, SeriesJson(s));
}

WireAnswer WriteBatch(std::span<const std::pair<std::string, Series>> members) {
  Json j = Json::object();
  for (const auto& [name, s] : members) j[name] = SeriesJson(s);
  return JsonAnswer(200, j);
}

WireAnswer WriteQuote(const Quote& q) {
  const Instrument& in = q.instrument;
  const double change = q.close - q.previous_close;
  Json j;
  j["symbol"] = in.symbol;
  j["name"] = in.name;
  j["exchange"] = in.exchange;
  j["mic_code"] = in.mic_code;
  j["currency"] = in.currency;
  j["datetime"] = q.datetime;
  j["timestamp"] = q.timestamp;
  j["open"] = P5(q.open);
  j["high"] = P5(q.high);
  j["low"] = P5(q.low);
  j["close"] = P5(q.close);
  j["volume"] = std::to_string(q.volume);
  j["previous_close"] = P5(q.previous_close);
  j["change"] = P5(change);
  j["percent_change"] = P5(q.previous_close != 0 ? change / q.previous_close * 100 : 0);
  j["average_volume"] = std::to_string(q.average_volume);
  j["is_market_open"] = q.is_market_open;
  return JsonAnswer(200, j);
}

WireAnswer WriteSymbolSearch(std::span<const Instrument> data) {
  Json arr = Json::array();
  for (const Instrument& in : data) {
    Json d;
    d["symbol"] = in.symbol;
    d["instrument_name"] = in.name;
    d["exchange"] = in.exchange;
    d["mic_code"] = in.mic_code;
    d["exchange_timezone"] = in.exchange_timezone;
    d["instrument_type"] = in.type;
    d["country"] = in.country;
    d["currency"] = in.currency;
    arr.push_back(std::move(d));
  }
  return JsonAnswer(200, Json{{"data", std::move(arr)}, {"status", "ok"}});
}

WireAnswer Error(int status, int code, std::string_view message) {
  return JsonAnswer(status, ErrorJson(code, message));
}

WireAnswer MissingSymbol() {
  return Error(400, 400,
               "**symbol** parameter is missing or invalid. Please provide a valid symbol "
               "according to API documentation: https://twelvedata.com/docs#reference-data");
}

WireAnswer SymbolNotFound(std::string_view symbol) {
  return Error(400, 400,
               "**symbol** not found: " + Printable(symbol) +
                   ". Please specify it correctly according to API Documentation.");
}

WireAnswer BadInterval() {
  return Error(400, 400,
               "**interval** parameter is missing or not valid. Supported intervals: 1min, "
               "5min, 15min, 30min, 45min, 1h, 2h, 4h, 8h, 1day, 1week, 1month");
}

WireAnswer MissingKey() {
  return Error(401, 401,
               "**apikey** parameter is incorrect or not specified. You can get your free API "
               "key instantly following this link: https://twelvedata.com/pricing. If you "
               "believe that everything is correct, you can contact us at "
               "https://twelvedata.com/contact/customer");
}

WireAnswer NoEndpoint() { return Error(404, 404, "This endpoint is not available."); }

}  // namespace finex::provider::twelve_data
