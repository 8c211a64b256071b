#include "finex/key/pattern.h"

#include <cstdio>

#include "finex/core/symbol.h"
#include "finex/key/cache_key.h"
#include "finex/key/detail/parts.h"

namespace finex::key {
namespace {

Status BadPattern(std::string_view text, std::string_view why) {
  return InvalidArgumentError("pattern '" + Printable(text, 80) + "' " + std::string(why))
      .WithParam("pattern");
}

constexpr std::string_view kPartNames[kKeyParts] = {
    "symbol", "interval", "start_ts", "end_ts", "provider", "currency", "fields_version"};

Status CheckLiteral(size_t pos, std::string_view part) {
  switch (pos) {
    case 0:
      return detail::CheckSymbolPart(part);
    case 1:
      return detail::ParseIntervalPart(part).status();
    case 2:
      return detail::ParseTimestampPart(part, "start").status();
    case 3:
      return detail::ParseTimestampPart(part, "end").status();
    case 4:
      return detail::CheckProviderPart(part);
    case 5:
      return detail::CheckCurrencyPart(part);
    default: {
      FINEX_ASSIGN_OR_RETURN(detail::FieldsVersion fv, detail::SplitFieldsVersion(part));
      if (!detail::IsSupportedVersion(fv.version)) {
        return InvalidArgumentError("version v" + std::to_string(fv.version) + " is not supported");
      }
      return detail::ParseFieldsPartV1(fv.fields).status();
    }
  }
}

}  // namespace

Result<Pattern> Pattern::Parse(std::string_view text) {
  if (text.empty()) return BadPattern(text, "is empty");
  if (text.size() > kMaxPatternLength) return BadPattern(text, "is longer than 512 bytes");
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x21 || c > 0x7e) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "contains forbidden byte 0x%02x at position %zu (whitespace, control "
                    "and non-ASCII bytes are not allowed)",
                    c, i);
      return BadPattern(text, buf);
    }
  }
  if (text.substr(0, kKeyPrefix.size()) != kKeyPrefix) {
    return BadPattern(text, "must start with 'finex:' (e.g. 'finex:AAPL:*')");
  }
  const std::vector<std::string_view> parts = detail::SplitParts(text.substr(kKeyPrefix.size()));
  if (parts.size() > kKeyParts) {
    return BadPattern(text, "has more than 7 parts after 'finex:'");
  }
  Pattern p;
  p.text_ = std::string(text);
  p.scan_prefix_ = std::string(kKeyPrefix);
  bool seen_star = false;
  size_t stars = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part == "*") {
      p.parts_.emplace_back(std::nullopt);
      seen_star = true;
      ++stars;
      continue;
    }
    if (part.find_first_of("*?[]\\") != std::string_view::npos) {
      return BadPattern(text,
                        "part " + std::to_string(i + 1) + " (" + std::string(kPartNames[i]) +
                            ") mixes a wildcard with text; '*' must stand alone as a whole part, "
                            "and '?', '[', ']', '\\' are not allowed");
    }
    if (part.empty()) {
      return BadPattern(
          text, "part " + std::to_string(i + 1) + " (" + std::string(kPartNames[i]) + ") is empty");
    }
    Status s = CheckLiteral(i, part);
    if (!s.ok()) {
      return BadPattern(text, "part " + std::to_string(i + 1) + " (" + std::string(kPartNames[i]) +
                                  "): " + s.message());
    }
    p.parts_.emplace_back(std::string(part));
    if (!seen_star) {
      p.scan_prefix_.append(part);
      if (i + 1 < kKeyParts) p.scan_prefix_.push_back(':');
    }
  }
  if (parts.size() < kKeyParts) {
    if (parts.back() != "*") {
      return BadPattern(text, "must be a full key or end with ':*' (e.g. 'finex:AAPL:*')");
    }
    p.trailing_star_ = true;
  }
  p.exact_ = stars == 0;
  p.prefix_only_ = p.trailing_star_ && stars == 1;
  return p;
}

bool Pattern::Matches(std::string_view key) const {
  if (key.size() > kMaxKeyLength || key.substr(0, scan_prefix_.size()) != scan_prefix_)
    return false;
  const std::vector<std::string_view> parts = detail::SplitParts(key.substr(kKeyPrefix.size()));
  if (trailing_star_) {
    if (parts.size() < parts_.size()) return false;
  } else if (parts.size() != kKeyParts) {
    return false;
  }
  const size_t check = trailing_star_ ? parts_.size() - 1 : parts_.size();
  for (size_t i = 0; i < check; ++i) {
    if (parts_[i] && *parts_[i] != parts[i]) return false;
  }
  return true;
}

}  // namespace finex::key
