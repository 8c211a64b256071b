// simdjson (DOM) helpers for the adapters: tolerant accessors that read
// numbers whether the provider sends them as JSON numbers or as strings, and
// treat null as absent.
//
// Thread-safety: ParseJson uses a thread-local parser; the returned element
// is valid until the next ParseJson call on the same thread.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>

#include "finex/core/status.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Parses `body`; DataLoss("malformed JSON ...") on failure.
Result<element> ParseJson(std::string_view body);

// The document of a 200 answer, for adapters that have already looked for
// their own error envelope in it: HttpError(id, resp, "", "") for any other
// HTTP status; DataLoss "<what>: malformed JSON ..." when the body does not
// parse. Valid until the next ParseJson call on the same thread.
Result<element> ParseOkBody(ProviderId id, const HttpResponse& resp, std::string_view what);

// Member `key` of `e` if `e` is an object holding it (and it is not null).
std::optional<element> Get(element e, std::string_view key);
std::optional<object> GetObject(element e, std::string_view key);
std::optional<array> GetArray(element e, std::string_view key);
// The string value, or "" when absent / not a string.
std::string_view GetString(element e, std::string_view key);

// A number or a numeric string; nullopt for null, absent or garbage.
std::optional<double> AsDouble(element e);
std::optional<int64_t> AsVolume(element e);
std::optional<double> GetDouble(element e, std::string_view key);
std::optional<int64_t> GetInt(element e, std::string_view key);

}  // namespace finex::provider::detail
