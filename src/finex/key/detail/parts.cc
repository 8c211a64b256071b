#include "finex/key/detail/parts.h"

#include <charconv>

#include "finex/core/symbol.h"
#include "finex/key/cache_key.h"

namespace finex::key::detail {

std::vector<std::string_view> SplitParts(std::string_view text) {
  std::vector<std::string_view> out;
  out.reserve(8);
  size_t pos = 0;
  while (true) {
    const size_t colon = text.find(':', pos);
    if (colon == std::string_view::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, colon - pos));
    pos = colon + 1;
  }
}

Status CheckSymbolPart(std::string_view s) { return ValidateSymbol(s); }

Result<Interval> ParseIntervalPart(std::string_view s) {
  for (Interval iv : kAllIntervals) {
    if (IntervalName(iv) == s) return iv;
  }
  return InvalidArgumentError("interval '" + Printable(s, 16) +
                              "' is not one of 1m 5m 15m 30m 1h 1d 1w 1mo (canonical spelling)")
      .WithParam("interval");
}

Result<Timestamp> ParseTimestampPart(std::string_view s, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(std::string(what) + " '" + Printable(s, 24) + "' " +
                                std::string(why))
        .WithParam(std::string(what));
  };
  if (s.empty()) return bad("is empty");
  if (s.size() > 20) return bad("is too long");
  const bool neg = s[0] == '-';
  const std::string_view digits = neg ? s.substr(1) : s;
  if (digits.empty()) return bad("has no digits");
  for (char c : digits) {
    if (c < '0' || c > '9') return bad("is not a decimal integer");
  }
  if (digits.size() > 1 && digits[0] == '0') return bad("has a leading zero");
  if (neg && digits == "0") return bad("is negative zero");
  Timestamp v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return bad("is out of range");
  if (v < kMinKeyTimestamp || v > kMaxKeyTimestamp) return bad("is outside years 0001..9999");
  return v;
}

Status CheckProviderPart(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("provider '" + Printable(s, 40) + "' " + std::string(why))
        .WithParam("provider");
  };
  if (s.empty()) return bad("is empty");
  if (s.size() > kMaxProviderLength) return bad("is longer than 32 characters");
  if (s[0] < 'a' || s[0] > 'z') return bad("must start with a lower-case letter");
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return bad("may only contain a-z and '_'");
  }
  return OkStatus();
}

Status CheckCurrencyPart(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("currency '" + Printable(s, 40) + "' " + std::string(why))
        .WithParam("currency");
  };
  if (s.empty()) return bad("is empty");
  if (s.size() > kMaxCurrencyLength) return bad("is longer than 12 characters");
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return bad("may only contain lower-case a-z and 0-9");
    }
  }
  return OkStatus();
}

Result<FieldsVersion> SplitFieldsVersion(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("fields/version part '" + Printable(s, 40) + "' " +
                                std::string(why))
        .WithParam("version");
  };
  const size_t at = s.rfind("_v");
  if (at == std::string_view::npos) return bad("has no '_v<version>' suffix");
  const std::string_view num = s.substr(at + 2);
  if (num.empty() || num.size() > 6) return bad("has a malformed version number");
  int v = 0;
  for (char c : num) {
    if (c < '0' || c > '9') return bad("has a malformed version number");
    v = v * 10 + (c - '0');
  }
  if (num[0] == '0') return bad("has a version number with a leading zero (or zero)");
  return FieldsVersion{s.substr(0, at), v};
}

Result<FieldSet> ParseFieldsPartV1(std::string_view s) {
  if (s == "empty") return FieldSet();
  if (s.empty() || s.size() > 32) {
    return InvalidArgumentError("fields '" + Printable(s, 40) + "' is not a field set name")
        .WithParam("fields");
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_' || c == '+')) {
      return InvalidArgumentError("fields '" + Printable(s, 40) +
                                  "' may only contain a-z, '_' and '+'")
          .WithParam("fields");
    }
  }
  FINEX_ASSIGN_OR_RETURN(FieldSet f, FieldSet::Parse(s));
  if (f.Name() != s) {
    return InvalidArgumentError("fields '" + std::string(s) + "' is not in canonical form '" +
                                f.Name() + "'")
        .WithParam("fields");
  }
  return f;
}

std::string FieldsPartV1(FieldSet fields) { return fields.empty() ? "empty" : fields.Name(); }

bool IsSupportedVersion(int version) { return version == 1; }

}  // namespace finex::key::detail
