// simdjson (DOM) helpers for the adapters: tolerant accessors that read
// numbers whether the provider sends them as JSON numbers or as strings, and
// treat null as absent.
//
// Thread-safety: ParseJson is safe on any thread; a JsonDoc is used by the
// thread that parsed it (see its lifetime rule).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "finex/core/status.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A parsed document. Bodies up to kReusedParserBytes are parsed by the
// thread's reusable parser (no allocation once it is warm); a larger body
// gets a parser of its own that is freed with the JsonDoc, so no thread
// keeps a large document's buffers (a parser holds several times the body:
// kept per thread, a 20-year Yahoo chart cost ~3 MB on each of ~30 threads,
// the bulk of the process's memory; issue 16's soak).
//
// Lifetime: root() and everything read from it are valid while this JsonDoc
// lives AND until the next ParseJson call on the same thread (the reusable
// parser is shared by the thread's documents). Move-only.
class JsonDoc {
 public:
  static constexpr size_t kReusedParserBytes = 64 * 1024;

  element root() const { return root_; }

 private:
  friend Result<JsonDoc> ParseJson(std::string_view body);
  JsonDoc(element root, std::unique_ptr<simdjson::dom::parser> own)
      : own_(std::move(own)), root_(root) {}

  std::unique_ptr<simdjson::dom::parser> own_;  // null when the thread's parser holds the tape
  element root_;
};

// Parses `body`; DataLoss("malformed JSON ...") on failure.
Result<JsonDoc> ParseJson(std::string_view body);

// Bytes of document the calling thread's reusable parser is sized for
// (0 before its first parse); never above JsonDoc::kReusedParserBytes.
size_t ThreadParserCapacity();

// The document of a 200 answer, for adapters that have already looked for
// their own error envelope in it: HttpError(id, resp, "", "") for any other
// HTTP status; DataLoss "<what>: malformed JSON ..." when the body does not
// parse. Lifetime as for ParseJson.
Result<JsonDoc> ParseOkBody(ProviderId id, const HttpResponse& resp, std::string_view what);

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
