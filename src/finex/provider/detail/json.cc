#include "finex/provider/detail/json.h"

#include <cmath>
#include <string>

#include "finex/provider/detail/common.h"

namespace finex::provider::detail {

namespace {

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

Result<JsonDoc> ParseJson(std::string_view body) {
  std::unique_ptr<simdjson::dom::parser> own;
  if (body.size() > JsonDoc::kReusedParserBytes) own = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::parser& parser = own ? *own : ThreadParser();
  element doc;
  auto err = parser.parse(body.data(), body.size(), true).get(doc);
  if (err) {
    return DataLossError(std::string("malformed JSON (") + simdjson::error_message(err) +
                         ") in a " + std::to_string(body.size()) + "-byte body");
  }
  return JsonDoc(doc, std::move(own));
}

size_t ThreadParserCapacity() { return ThreadParser().capacity(); }

Result<JsonDoc> ParseOkBody(ProviderId id, const HttpResponse& resp, std::string_view what) {
  if (resp.status != 200) return HttpError(id, resp, "", "");
  Result<JsonDoc> doc = ParseJson(resp.body);
  if (!doc.ok()) {
    return Error(id, StatusCode::kDataLoss, std::string(what) + ": " + doc.status().message());
  }
  return doc;
}

std::optional<element> Get(element e, std::string_view key) {
  object o;
  if (e.get(o)) return std::nullopt;
  element v;
  if (o.at_key(key).get(v)) return std::nullopt;
  if (v.is_null()) return std::nullopt;
  return v;
}

std::optional<object> GetObject(element e, std::string_view key) {
  std::optional<element> v = Get(e, key);
  object o;
  if (!v || v->get(o)) return std::nullopt;
  return o;
}

std::optional<array> GetArray(element e, std::string_view key) {
  std::optional<element> v = Get(e, key);
  array a;
  if (!v || v->get(a)) return std::nullopt;
  return a;
}

std::string_view GetString(element e, std::string_view key) {
  std::optional<element> v = Get(e, key);
  std::string_view s;
  if (!v || v->get(s)) return {};
  return s;
}

std::optional<double> AsDouble(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
    }
    case simdjson::dom::element_type::INT64:
      return static_cast<double>(e.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return static_cast<double>(e.get_uint64().value_unsafe());
    case simdjson::dom::element_type::STRING:
      return ParseDouble(e.get_string().value_unsafe());
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> AsVolume(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
      return e.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64: {
      uint64_t u = e.get_uint64().value_unsafe();
      return u > static_cast<uint64_t>(INT64_MAX) ? std::nullopt
                                                  : std::optional<int64_t>(static_cast<int64_t>(u));
    }
    case simdjson::dom::element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) return std::nullopt;
      return std::llround(d);
    }
    case simdjson::dom::element_type::STRING:
      return ParseVolume(e.get_string().value_unsafe());
    default:
      return std::nullopt;
  }
}

std::optional<double> GetDouble(element e, std::string_view key) {
  std::optional<element> v = Get(e, key);
  return v ? AsDouble(*v) : std::nullopt;
}

std::optional<int64_t> GetInt(element e, std::string_view key) {
  std::optional<element> v = Get(e, key);
  return v ? AsVolume(*v) : std::nullopt;
}

}  // namespace finex::provider::detail
