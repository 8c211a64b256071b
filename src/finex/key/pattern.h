// key::Pattern: the invalidation pattern grammar (`finex invalidate`,
// `DELETE /v1/cache?pattern=`). A pattern names a set of cache keys by their
// parts, never by raw globbing, so it can never reach beyond what it names.
//
//   pattern  := "finex:" part (":" part)*           (at most 7 parts)
//   part     := "*" | literal valid for its position
//   positions: symbol, interval, start_ts, end_ts, provider, currency,
//              fields_v<version>
//
// - A part is either a literal (validated exactly as the key codec validates
//   that position: ValidateSymbol, canonical interval, canonical decimal,
//   [a-z_] provider, [a-z0-9] currency, canonical fields + version) or a lone
//   "*" that matches any value of that ONE part. Partial globs ("AAP*"), '?',
//   '[', ']', '\', whitespace, control and non-ASCII bytes are rejected.
// - With fewer than 7 parts the last part must be "*", and it also matches
//   every remaining part: "finex:AAPL:*" is every key of AAPL; "finex:AAPL:1d:*"
//   is one series (every provider/currency); "finex:*:1d:*" is every daily key.
//   "finex:*" is the whole finex keyspace (explicit, so never by accident).
// - With all 7 parts and no "*", the pattern is one exact key.
// - Anything else (bare "*", no "finex:" prefix, "finex:AAPL" without ":*",
//   "../", more than 7 parts, longer than kMaxPatternLength) is
//   InvalidArgument with param "pattern".
//
// Matches() compares whole ':'-separated parts, so "finex:AAPL:*" never
// matches "finex:AAPL.L:..." or "finex:AAPLX:...". scan_prefix() is the
// literal parts before the first "*", each with its ':' — the range a backend
// scans; Matches() filters within it (needed when a "*" sits mid-pattern).
//
// Thread-safety: immutable value; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/status.h"

namespace finex::key {

inline constexpr size_t kMaxPatternLength = 512;
inline constexpr size_t kKeyParts = 7;  // parts after "finex:"

class Pattern {
 public:
  // Parses and validates; InvalidArgument (param "pattern") naming the part.
  static Result<Pattern> Parse(std::string_view text);

  // The pattern as given (validated, so it is printable ASCII).
  const std::string& text() const { return text_; }
  // The key prefix every matching key starts with, e.g. "finex:AAPL:".
  const std::string& scan_prefix() const { return scan_prefix_; }
  // True when the pattern is one exact key (no "*").
  bool is_exact() const { return exact_; }
  // True when every key under scan_prefix() matches, so a backend may
  // DeletePrefix(scan_prefix()) without filtering.
  bool prefix_only() const { return prefix_only_; }

  // Whether `key` is a key this pattern names: it starts with scan_prefix()
  // and every literal part equals the key's part at that position. A pattern
  // of 7 parts only matches keys of exactly 7 parts; a trailing "*" matches
  // any remainder (as the prefix does), so prefix_only() patterns and
  // DeletePrefix(scan_prefix()) agree.
  bool Matches(std::string_view key) const;

 private:
  Pattern() = default;
  std::string text_;
  std::string scan_prefix_;
  // One entry per given part: nullopt = "*" (any value).
  std::vector<std::optional<std::string>> parts_;
  bool trailing_star_ = false;  // fewer than 7 parts, last was "*"
  bool exact_ = false;
  bool prefix_only_ = false;
};

}  // namespace finex::key
