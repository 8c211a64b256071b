// Validators/decoders for the individual parts of a cache key, shared by the
// key codec (cache_key.cc) and the pattern grammar (pattern.cc) so both accept
// exactly the same spellings. Each returns InvalidArgument describing the part
// (no param: callers attach "key" or "pattern" and context).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"
#include "finex/core/time.h"

namespace finex::key::detail {

// Splits `text` on ':' (no escaping: no part may contain ':').
std::vector<std::string_view> SplitParts(std::string_view text);

Status CheckSymbolPart(std::string_view s);
// Canonical interval names only ("1d", never the alias "1wk").
Result<Interval> ParseIntervalPart(std::string_view s);
// Canonical decimal: optional '-', no '+', no leading zeros, no "-0";
// within [kMinKeyTimestamp, kMaxKeyTimestamp]. `what` names the part.
Result<Timestamp> ParseTimestampPart(std::string_view s, std::string_view what);
Status CheckProviderPart(std::string_view s);
Status CheckCurrencyPart(std::string_view s);
// "ohlcv_v1" -> fields part "ohlcv", version 1. Does not check that the
// version is supported or that the fields part is valid for it.
struct FieldsVersion {
  std::string_view fields;
  int version = 0;
};
Result<FieldsVersion> SplitFieldsVersion(std::string_view s);
// Fields part of a v1 key: "empty" (the empty set) or a canonical
// FieldSet::Name() ("ohlcv", "ohlcv+adj_close", ...).
Result<FieldSet> ParseFieldsPartV1(std::string_view s);
// The fields part text of a v1 key.
std::string FieldsPartV1(FieldSet fields);
// Whether `version` has a decoder.
bool IsSupportedVersion(int version);

}  // namespace finex::key::detail
